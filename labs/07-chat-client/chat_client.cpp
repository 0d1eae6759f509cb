// Lab 07 starter: read README.md first (en español: README.es.md).
// Lab 07 — chat-client: a client for the chat server of lab 06, that reads
// the keyboard and the network at the same time.
//
// Already done for you: the command line and connecting. Your parts are
// marked YOUR CODE below: the keyboard thread, the printing of what the
// server sends, and how main starts and ends them.
// Grade it with:   ./lab test 07

#include <atomic>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Connects to the server, or says why not on one line and exits with 1.
net::Connection connect_or_exit(const net::Options& options) {
    try {
        net::Connection server = net::connect_to(options.host, options.port);
        // Nagle's algorithm would hold back a short line while the previous
        // one is unacknowledged, in the hope of merging them: right for bulk
        // data, wrong for a conversation.
        net::set_no_delay(server.socket);
        return server;
    } catch (const std::system_error& error) {
        std::cerr << "chat-client: cannot connect to " << net::join_host_port(options.host, options.port) << ": "
                  << error.code().message() << std::endl;
        std::exit(1);  // no other thread yet: a normal exit is fine here
    }
}

// The keyboard thread. Guarantees:
// - every line of standard input reaches the server, ending in '\n' (a last
//   line typed without one too);
// - at the end of input the server sees the end of this client's stream and
//   can still send (a half-close), and by the time it can react,
//   input_ended is already true;
// - when the server has gone, this thread ends quietly: nothing escapes it.
void send_what_is_typed(const net::Connection& server, std::atomic<bool>& input_ended) {
    // ===== YOUR CODE (lab 07) =============================================
    // README.md: "Two sources, two threads", "Ending cleanly".
    (void)server;
    (void)input_ended;
    // ===== END OF YOUR CODE ===============================================
}

// Prints each line the server sends on standard output as soon as it has
// arrived whole, even when standard output is a pipe. Returns once the
// server has closed the connection (or reset it).
void print_what_arrives(const net::Connection& server) {
    // ===== YOUR CODE (lab 07) =============================================
    (void)server;
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-client");
    const net::Connection server = connect_or_exit(options);

    std::atomic<bool> input_ended = false;
    // ===== YOUR CODE (lab 07) =============================================
    // As given, main does one thing after the other: the keyboard until the
    // end of input, and only then the network, so nothing the server sends
    // is printed while the user types. Guarantees to reach:
    // - what arrives is printed while the user types (or types nothing);
    // - the input ended first: the program ends with status 0 once the
    //   server has closed, and says nothing more;
    // - the server went first: "* disconnected" on standard error, status
    //   0, at once, even while the keyboard thread waits in getline for a
    //   line that may never come (README.md, "Ending cleanly": which ways of
    //   ending a program wait for that thread, and which do not).
    send_what_is_typed(server, input_ended);
    print_what_arrives(server);
    return 0;
    // ===== END OF YOUR CODE ===============================================
}
