// Lab 01 — echo-server: accept one client, send back every byte it sends,
// and exit once it has gone. Read README.md in this folder first.
//
// Already done for you: the command line, listening, the `listening on`
// line, and accepting the client. Your part is marked YOUR CODE below.
// Grade it with:   ./lab test 01

#include <array>
#include <cerrno>
#include <cstddef>
#include <iostream>
#include <string>
#include <system_error>

#include <sys/socket.h>

#include "net/address.hpp"
#include "net/options.hpp"
#include "net/socket.hpp"

namespace {

// Echoes until the client leaves.
//   client: the socket connected to this one client (client.fd() is its descriptor)
//   who:    the client's address, e.g. "127.0.0.1:51234", for error messages
void echo_until_client_leaves(const net::Socket& client, const std::string& who) {
    // ===== YOUR CODE (lab 01) =============================================
    // Loop:
    //   - recv() some bytes from the client into a buffer;
    //   - 0 means the client has closed its side: return;
    //   - send() every byte back (send() may take fewer than you give it);
    //   - a client that resets the connection (ECONNRESET) or has gone
    //     (EPIPE) has left too: return. Other errors: throw
    //     std::system_error(errno, std::system_category(), "recv from " + who)
    //     (or "send to " + who when send() failed).
    // Pass MSG_NOSIGNAL to send(), or a client that leaves kills the server
    // with SIGPIPE.
    (void)client;
    (void)who;
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "echo-server");
    const net::Socket listener = net::listen_or_exit(options, "echo-server");

    try {
        sockaddr_storage peer{};
        socklen_t peer_length = sizeof peer;
        const net::Socket client(::accept(listener.fd(), reinterpret_cast<sockaddr*>(&peer), &peer_length));
        if (!client.is_open()) throw std::system_error(errno, std::system_category(), "accept");
        const std::string who = net::Address(reinterpret_cast<sockaddr*>(&peer), peer_length).to_string();

        echo_until_client_leaves(client, who);
    } catch (const std::exception& error) {
        std::cerr << "echo-server: " << error.what() << std::endl;
        return 1;
    }
    return 0;
}
