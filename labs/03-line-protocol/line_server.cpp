// Lab 03 starter: read README.md first (en español: README.es.md).
// Lab 03 — line-server: answers every line a client sends with "N: LINE",
// N counting that connection's lines from 1.
//
// Already done for you: lab 02's server (one client after another, forever,
// surviving rude clients). Yours, marked YOUR CODE:
//   1. line_buffer.hpp / line_buffer.cpp: net::LineBuffer, whole lines out
//      of the bytes however they were split (the idea of this lab);
//   2. below, answer_every_line: receive, feed the buffer, answer each line.
// Grade it with:   ./lab test 03

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
    // ===== YOUR CODE (lab 03) =============================================
    // From common/: net::receive_some(client, chunk) into a
    // std::array<char, 4096>, and net::send_all(client, ...).
    (void)client;
    // ===== END OF YOUR CODE ===============================================
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
