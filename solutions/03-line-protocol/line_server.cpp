// Lab 03 — line-server: answers every line a client sends with "N: LINE",
// N counting that connection's lines from 1.
//
// BEGIN SOLUTION ONLY
// The lesson: TCP delivers a stream of bytes, not messages. The client's
// send("hello\n") may reach us as "hel" and "lo\n" in two recv()s, and three
// send()s may arrive together in one. The original course's chat server took
// each recv(1024) as one message, and so numbered reads, not lines. Here the
// bytes of every read go into a net::LineBuffer (line_buffer.hpp), which
// hands out whole lines, however the bytes were split on the way.
//
// The framing (LineBuffer) never touches the socket, and the reading
// (answer_every_line) never looks for a '\n': each can be tested and
// changed alone. LineBuffer is a piece of common/ (line_buffer.hpp and
// line_buffer.cpp here are links to common/'s files, the one source): labs
// 04 on use it from there, and lab 09 feeds it from an event loop instead of
// a blocking recv().
//
// Everything else is lab 02's server: one client after another, forever,
// whatever the clients do.
// INSTEAD
//| // Already done for you: lab 02's server (one client after another, forever,
//| // surviving rude clients). Yours, marked YOUR CODE:
//| //   1. line_buffer.hpp / line_buffer.cpp: net::LineBuffer, whole lines out
//| //      of the bytes however they were split (the idea of this lab);
//| //   2. below, answer_every_line: receive, feed the buffer, answer each line.
//| // Grade it with:   ./lab test 03
// END SOLUTION ONLY

#include <array>
#include <cstddef>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>

#include "line_buffer.hpp"
#include "net/errors.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Answers each of one client's lines with "N: LINE\n", N counting this
// connection's lines from 1, each as soon as its '\n' has arrived, and a
// last line without '\n' once the client has closed its side. Returns when
// the client has closed its side (net::receive_some returned 0); then the
// accept loop closes the socket, and the end of the stream the client sees
// tells it that every answer has been sent.
void answer_every_line(const net::Connection& client) {
    // BEGIN YOURS
    // Lines up to 1 MiB work (the lab asks for 65,536 bytes). Past that,
    // next_line() throws net::LineTooLong and serve_client drops the
    // client: a buffer with no bound is memory any client can make us spend.
    net::LineBuffer lines;
    // Lives as long as this connection: the next client starts again at 1.
    unsigned long long count = 0;
    auto answer = [&](const std::string& line) {
        ++count;
        net::send_all(client, std::to_string(count) + ": " + line + "\n");
    };

    // recv() returns what has arrived: part of a line, or several lines and
    // part of the next. The chunk's size is no limit on a line's length:
    // the buffer grows to hold what a line needs.
    std::array<char, 4096> chunk;
    while (true) {
        const std::size_t received = net::receive_some(client, chunk);
        if (received == 0) break;  // the client has closed its side
        lines.append({chunk.data(), received});
        // One read may have completed several lines: answer them all
        // before reading again, or they would wait for the next read.
        while (const std::optional<std::string> line = lines.next_line()) answer(*line);
    }
    // What is left after the last '\n', if anything, is a last line.
    if (const std::optional<std::string> last = lines.last_line()) answer(*last);
    // INSTEAD
    //| // From common/: net::receive_some(client, chunk) into a
    //| // std::array<char, 4096>, and net::send_all(client, ...).
    //| (void)client;
    // END YOURS
}

// Serves one client; whatever that client does, returns to the accept loop.
void serve_client(const net::Connection& client) {
    try {
        answer_every_line(client);
    } catch (const std::system_error& error) {
        // ECONNRESET, EPIPE and the like: the client left without saying
        // goodbye. That is a normal way to leave, so nothing is logged.
        if (net::is_disconnect(error)) return;
        // Anything else went wrong with this one client only: say so on
        // standard error (one line, naming the call and the client, which
        // the message already does) and go on with the next client.
        std::cerr << "line-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        // Not a failed call (a line too long, say): the same, one line.
        std::cerr << "line-server: " << client.peer.to_string() << ": " << error.what() << std::endl;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "line-server");
    const net::Socket listener = net::listen_or_exit(options, "line-server");

    try {
        while (true) {
            // `client` lives for one turn of the loop: its destructor closes
            // the client's socket at the end of each turn, however
            // serve_client returned. Without that, every client would leave
            // one descriptor behind, and after about a thousand clients
            // accept() would fail with EMFILE ("too many open files").
            net::Connection client = net::accept_client(listener);
            serve_client(client);
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed,
        // which no client can cause. That is the end of this server.
        std::cerr << "line-server: " << error.what() << std::endl;
        return 1;
    }
}
