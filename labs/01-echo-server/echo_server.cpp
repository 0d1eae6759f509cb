// Lab 01 starter: read README.md first (en español: README.es.md).
// Lab 01 — echo-server: accept one client, send back every byte it sends,
// and exit once it has gone.
//
// You write the whole life of the server, with the system calls themselves:
// the four functions marked YOUR CODE. main (given) calls them in order.
// Given: the command line (net::parse_options), and from common/ the types
// net::Socket (owns a descriptor, closes it once) and net::Address (turns a
// sockaddr into "127.0.0.1:51234").
// Grade it with:   ./lab test 01

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>

#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/options.hpp"
#include "net/socket.hpp"

namespace {

// A client as accept() hands it over: its own socket, and its address.
struct Client {
    net::Socket socket;
    net::Address address;
};

// Returns a socket listening on host:port (IPv4 or IPv6; port 0: the system
// picks a free port), set up so that a restarted server can listen on the
// same port at once. Throws std::system_error naming the call that failed:
// a port that is taken fails in bind().
net::Socket listen_on(const std::string& host, std::uint16_t port) {
    // ===== YOUR CODE (lab 01) =============================================
    (void)host;
    (void)port;
    return net::Socket();
    // ===== END OF YOUR CODE ===============================================
}

// Prints "listening on HOST:PORT" on standard output, with the port the
// socket is really bound to, and makes sure the line leaves the program now
// (the grader waits for it on a pipe). Throws std::system_error on failure.
void print_listening_line(const net::Socket& listener) {
    // ===== YOUR CODE (lab 01) =============================================
    (void)listener;
    // ===== END OF YOUR CODE ===============================================
}

// Waits until a client connects, and returns it. Throws std::system_error
// if the listening socket fails.
Client accept_one_client(const net::Socket& listener) {
    // ===== YOUR CODE (lab 01) =============================================
    (void)listener;
    return {};
    // ===== END OF YOUR CODE ===============================================
}

// Sends back every byte the client sends, unchanged, until the client
// leaves: it closes its side, or resets the connection. Leaving is normal:
// return. Never dies of SIGPIPE. Any other failure throws std::system_error
// naming the call and the client ("recv from 127.0.0.1:51234").
//   who: the client's address, for those messages
void echo_until_client_leaves(const net::Socket& client, const std::string& who) {
    // ===== YOUR CODE (lab 01) =============================================
    (void)client;
    (void)who;
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    // --host and --port, or a usage message and exit status 2.
    const net::Options options = net::parse_options(argc, argv, "echo-server");

    net::Socket listener;
    try {
        listener = listen_on(options.host, options.port);
        print_listening_line(listener);
    } catch (const std::system_error& error) {
        std::cerr << "echo-server: cannot listen on " << net::join_host_port(options.host, options.port)
                  << ": " << error.code().message() << std::endl;
        return 1;
    }

    try {
        const Client client = accept_one_client(listener);
        echo_until_client_leaves(client.socket, client.address.to_string());
    } catch (const std::exception& error) {
        std::cerr << "echo-server: " << error.what() << std::endl;
        return 1;
    }
    // `client` was closed at the end of its block, by its destructor:
    // closing is what tells the client we are done. `listener` is closed
    // as main returns.
    return 0;
}
