// Lab 02 — iterative-server: echo to one client after another, forever, and
// survive clients that leave rudely. Read README.md in this folder first.
//
// As given, this is lab 01's server: it serves one client and exits, and a
// client that resets the connection kills it. Your part is marked YOUR CODE.
// Grade it with:   ./lab test 02

#include <array>
#include <cstddef>
#include <iostream>
#include <string_view>
#include <system_error>

#include "net/errors.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Lab 01's echo, written with the calls from common/ that lab 01 had you
// write: net::receive_some() (recv(), retried on EINTR) and net::send_all()
// (a send() loop with MSG_NOSIGNAL). Both throw std::system_error when the
// call fails, e.g. with ECONNRESET when the client resets the connection.
void echo_until_client_leaves(const net::Connection& client) {
    std::array<char, 64 * 1024> buffer;
    while (true) {
        const std::size_t received = net::receive_some(client, buffer);
        if (received == 0) return;  // the client closed its side
        net::send_all(client, std::string_view(buffer.data(), received));
    }
}

// Serves one client, and returns whatever the client does.
//   client.socket: the connected socket;  client.peer.to_string(): "127.0.0.1:51234"
void serve_client(const net::Connection& client) {
    // ===== YOUR CODE (lab 02) =============================================
    // A client that leaves rudely must not stop the server. Catch the
    // std::system_error that echo_until_client_leaves() throws:
    //   - net::is_disconnect(error) is true for ECONNRESET, EPIPE and the
    //     like: the client has left; just return;
    //   - any other error: print one line on std::cerr and return (the
    //     server goes on with the next client).
    echo_until_client_leaves(client);
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "iterative-server");
    const net::Socket listener = net::listen_or_exit(options, "iterative-server");

    // ===== YOUR CODE (lab 02) =============================================
    // This serves one client and exits, like lab 01. Make it a loop that
    // accepts clients one after another and never ends. Check that every
    // client's socket is closed once it has been served: a net::Connection
    // closes its socket when it goes out of scope.
    net::Connection client = net::accept_client(listener);
    serve_client(client);
    // ===== END OF YOUR CODE ===============================================
    return 0;
}
