// Lab 01 — echo-server: accept one client, send back every byte it sends,
// and exit once it has gone.
//
// The whole life of a server, in its smallest form:
//   1. listen on a host and a port        (net::listen_or_exit, from common/)
//   2. accept a client                     accept()
//   3. talk: receive, send, repeat         recv(), send()
//   4. notice the client has gone          recv() returns 0, or a reset
//
// The server is a warehouse at a known address (the host, 127.0.0.1). Ships
// (sockets) arrive at a dock (the port, 8001); accept() assigns each arriving
// ship its own berth: a new socket for that one client, while the listening
// socket keeps watching the dock.

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

// Sends all `size` bytes. send() may accept fewer bytes than it is given
// (it returns how many it took), so we loop until none are left.
// Returns false if the client has gone, which is not an error for us.
bool send_everything(const net::Socket& client, const char* data, std::size_t size, const std::string& who) {
    while (size > 0) {
        // MSG_NOSIGNAL: if the client has closed, send() fails with EPIPE.
        // Without it the kernel sends us SIGPIPE, which ends the program on
        // the spot, before it can tell anyone anything.
        const ssize_t sent = ::send(client.fd(), data, size, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;  // interrupted by a signal: just retry
            if (errno == EPIPE || errno == ECONNRESET) return false;
            throw std::system_error(errno, std::system_category(), "send to " + who);
        }
        data += sent;
        size -= static_cast<std::size_t>(sent);
    }
    return true;
}

// Echoes until the client leaves: it closes its side (recv() returns 0) or
// resets the connection (recv() fails with ECONNRESET).
void echo_until_client_leaves(const net::Socket& client, const std::string& who) {
    // recv() returns whatever has arrived, up to the buffer's size: maybe one
    // byte, maybe 64 KiB. Bytes are bytes: a '\0' is echoed like any other,
    // so we never treat the buffer as a C string.
    std::array<char, 64 * 1024> buffer;
    while (true) {
        const ssize_t received = ::recv(client.fd(), buffer.data(), buffer.size(), 0);
        if (received == 0) return;  // end of stream: the client will send nothing more
        if (received < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNRESET) return;
            throw std::system_error(errno, std::system_category(), "recv from " + who);
        }
        if (!send_everything(client, buffer.data(), static_cast<std::size_t>(received), who)) return;
    }
}

}  // namespace

int main(int argc, char** argv) {
    // --host and --port, or a usage message and exit status 2.
    const net::Options options = net::parse_options(argc, argv, "echo-server");
    // socket(), bind(), listen(), then "listening on HOST:PORT"; or one line
    // of reason and exit status 1. See common/src/tcp.cpp for each call.
    const net::Socket listener = net::listen_or_exit(options, "echo-server");

    try {
        // accept() waits until a client connects, then returns a new socket
        // for talking to that client, and fills in the client's address.
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
    // `client` and `listener` are closed here by their destructors: closing
    // the client's socket is what tells the client we are done.
    return 0;
}
