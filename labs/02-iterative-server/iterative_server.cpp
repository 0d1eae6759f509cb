// Lab 02 starter: read README.md first (en español: README.es.md).
// Lab 02 — iterative-server: the echo of lab 01, served to one client after
// another, forever, surviving clients that leave rudely.
//
// As given, it accepts one client, echoes nothing, and exits. Your part is
// marked YOUR CODE: the echo (lab 01's, with common/'s calls), what to do
// when a client fails, and the loop.
// Grade it with:   ./lab test 02

#include <array>
#include <cstddef>
#include <exception>
#include <iostream>
#include <string_view>
#include <system_error>

#include "net/errors.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Lab 01's echo, with common/'s calls in place of lab 01's own (README.md
// has the table): sends back every byte the client sends until it closes
// its side, then returns. When the client resets or vanishes, the call that
// meets it throws std::system_error (net::is_disconnect(error) is true).
void echo_until_client_leaves(const net::Connection& client) {
    // ===== YOUR CODE (lab 02) =============================================
    (void)client;
    // ===== END OF YOUR CODE ===============================================
}

// Serves one client. Whatever the client does, returns to the accept loop:
// a client leaving, politely or not, prints nothing; any other failure
// with this client is one line on standard error, and the server goes on.
//   client.socket: the connected socket;  client.peer.to_string(): "127.0.0.1:51234"
void serve_client(const net::Connection& client) {
    // ===== YOUR CODE (lab 02) =============================================
    echo_until_client_leaves(client);
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "iterative-server");
    const net::Socket listener = net::listen_or_exit(options, "iterative-server");

    // ===== YOUR CODE (lab 02) =============================================
    // As given, lab 01's life: one client, then exit. A server serves
    // clients one after another and never exits on its own; each client's
    // socket is closed once it has been served, whichever way it left.
    net::Connection client = net::accept_client(listener);
    serve_client(client);
    return 0;
    // ===== END OF YOUR CODE ===============================================
}
