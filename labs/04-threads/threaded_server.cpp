// Lab 04 starter: read README.md first (en español: README.es.md).
// Lab 04 — threaded-server: the line server of lab 03, serving every client
// at the same time, each on a thread of its own.
//
// Already done for you, in this file: the command line, listening, the
// accept loop, and answer_every_line (lab 03's line server, reading with
// net::LineReader). The loop hands each client to threads.start(). Your
// part: in client_threads.hpp, make start() run each client on a thread of
// its own; below, make serve_client safe to run as a thread.
// Grade it with:   ./lab test 04

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "client_threads.hpp"
#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Answers each of one client's lines, until the client closes its side:
// lab 03's, with net::LineReader. LineReader hands out whole lines however
// the bytes arrive, drops one '\r' before the '\n', and, once the client
// has closed its side, returns a last line without '\n' and then nothing.
void answer_every_line(const net::Connection& client) {
    net::LineReader lines(client);
    // Lives as long as this connection, on this thread's own stack: each
    // client has its own count, and no other thread ever sees it.
    unsigned long long count = 0;
    while (const std::optional<std::string> line = lines.read_line()) {
        ++count;
        net::send_all(client, std::to_string(count) + ": " + *line + "\n");
    }
}

// The body of a client's thread. It takes the connection by value: the
// thread owns it, and the connection is closed when this function returns,
// whichever way it returns.
//
// Guarantee: nothing escapes from here, whatever the client does (README.md,
// "Nothing may escape a thread"). A client leaving, politely or with a
// reset, prints nothing; any other failure with this client is one line on
// standard error and ends this client's conversation, nobody else's.
void serve_client(net::Connection client) {
    // ===== YOUR CODE (lab 04) =============================================
    answer_every_line(client);
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "threaded-server");
    const net::Socket listener = net::listen_or_exit(options, "threaded-server");

    // Declared before the loop, so it outlives every thread it starts.
    net::ClientThreads threads;
    try {
        while (true) {
            net::Connection client = net::accept_client(listener);
            threads.join_finished();
            // The connection moves into the new thread: from here on,
            // `client` in this loop is empty, and the loop goes straight
            // back to accept() while the thread serves the client.
            threads.start(serve_client, std::move(client));
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed.
        // Returning destroys `threads`, which joins every thread: the
        // clients still connected are served until they leave.
        std::cerr << "threaded-server: " << error.what() << std::endl;
        return 1;
    }
}
