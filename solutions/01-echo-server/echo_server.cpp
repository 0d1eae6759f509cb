// Lab 01 — echo-server: accept one client, send back every byte it sends,
// and exit once it has gone.
//
// BEGIN SOLUTION ONLY
// The whole life of a server, in its smallest form, every call by hand:
//   1. find the address to listen on          getaddrinfo()
//   2. open a socket, claim the port, listen   socket(), setsockopt(), bind(), listen()
//   3. say where we listen                     getsockname(), "listening on HOST:PORT"
//   4. accept a client                         accept()
//   5. talk: receive, send, repeat             recv(), send()
//   6. notice the client has gone, and close   recv() returns 0, or a reset; close()
//
// The server is a warehouse at a known address (the host, 127.0.0.1). Ships
// (sockets) arrive at its dock (the port, 8001). The listening socket is the
// dock's watchman; accept() gives each arriving ship a berth of its own (a
// new socket for that one client), and the watchman goes on watching.
//
// From lab 02 on, common/ makes these calls (net::listen_or_exit,
// net::accept_client, net::receive_some, net::send_all): the same calls as
// here, written once.
// INSTEAD
//| // You write the whole life of the server, with the system calls themselves:
//| // the four functions marked YOUR CODE. main (given) calls them in order.
//| // Given: the command line (net::parse_options), and from common/ the types
//| // net::Socket (owns a descriptor, closes it once) and net::Address (turns a
//| // sockaddr into "127.0.0.1:51234").
//| // Grade it with:   ./lab test 01
// END SOLUTION ONLY

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

// BEGIN SOLUTION ONLY
// A std::system_error for errno, whose message names the call that failed:
// "bind: Address already in use" says which of a dozen calls it was.
std::system_error error_from_errno(const std::string& call) {
    return std::system_error(errno, std::system_category(), call);
}

// END SOLUTION ONLY
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
    // BEGIN YOURS
    // getaddrinfo turns text ("127.0.0.1", "::1", "localhost") into the
    // kernel's address form, IPv4 or IPv6, so that nothing below cares which.
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;      // IPv4 or IPv6: whatever the host is
    hints.ai_socktype = SOCK_STREAM;  // TCP
    hints.ai_flags = AI_PASSIVE;      // an address to listen on
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);  // the port, as text
    const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    // getaddrinfo has its own error numbers (EAI_*), not errno.
    if (status != 0)
        throw std::system_error(status, net::address_lookup_category(), "getaddrinfo");
    // The list is ours to free; unique_ptr frees it however we leave.
    using AddressList = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;
    const AddressList addresses(found, &::freeaddrinfo);
    const addrinfo& address = *found;  // a name may have several: the first will do

    // Owned at once: if bind() or listen() throws, the socket is closed.
    net::Socket listener(
        ::socket(address.ai_family, address.ai_socktype, address.ai_protocol));
    if (!listener.is_open()) throw error_from_errno("socket");
    // Without SO_REUSEADDR, a server restarted on the same port fails in
    // bind() for a minute, while its old connections wait out TIME_WAIT.
    const int yes = 1;
    if (::setsockopt(listener.fd(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0)
        throw error_from_errno("setsockopt");
    if (::bind(listener.fd(), address.ai_addr, address.ai_addrlen) < 0)
        throw error_from_errno("bind");
    // From here on the kernel completes connections for us and queues them
    // (up to 16 here) until accept() takes them.
    if (::listen(listener.fd(), 16) < 0) throw error_from_errno("listen");
    return listener;
    // INSTEAD
    //| (void)host;
    //| (void)port;
    //| return net::Socket();
    // END YOURS
}

// Prints "listening on HOST:PORT" on standard output, with the port the
// socket is really bound to, and makes sure the line leaves the program now
// (the grader waits for it on a pipe). Throws std::system_error on failure.
void print_listening_line(const net::Socket& listener) {
    // BEGIN YOURS
    // With --port 0 the system chose the port: only getsockname() can tell which.
    sockaddr_storage bound{};  // big enough for IPv4 and IPv6 addresses
    socklen_t length = sizeof bound;
    auto* address = reinterpret_cast<sockaddr*>(&bound);
    if (::getsockname(listener.fd(), address, &length) < 0)
        throw error_from_errno("getsockname");
    // std::endl flushes. Whoever started us (the grader, a script) waits for
    // this line; without the flush it would wait in our buffer, since
    // standard output to a pipe is flushed only every 4 KiB.
    std::cout << "listening on " << net::Address(address, length).to_string() << std::endl;
    // INSTEAD
    //| (void)listener;
    // END YOURS
}

// Waits until a client connects, and returns it. Throws std::system_error
// if the listening socket fails.
Client accept_one_client(const net::Socket& listener) {
    // BEGIN YOURS
    while (true) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        auto* address = reinterpret_cast<sockaddr*>(&peer);
        net::Socket client(::accept(listener.fd(), address, &length));
        if (client.is_open()) return {std::move(client), net::Address(address, length)};
        // A signal, or a client that gave up while waiting in the queue:
        // neither is a reason to stop waiting for the next one.
        if (errno != EINTR && errno != ECONNABORTED) throw error_from_errno("accept");
    }
    // INSTEAD
    //| (void)listener;
    //| return {};
    // END YOURS
}

// BEGIN SOLUTION ONLY

// Sends all `size` bytes. send() may take fewer bytes than it is given (it
// returns how many it took), so we loop until none are left.
// Returns false if the client has gone, which is not an error for us.
bool send_all(const net::Socket& client, const char* data, std::size_t size,
              const std::string& who) {
    while (size > 0) {
        // MSG_NOSIGNAL: if the client has gone, send() fails with EPIPE.
        // Without it the kernel also sends us SIGPIPE, which ends the
        // program on the spot, before it can tell anyone anything.
        const ssize_t sent = ::send(client.fd(), data, size, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;  // interrupted by a signal: just retry
            if (errno == EPIPE || errno == ECONNRESET) return false;
            throw error_from_errno("send to " + who);
        }
        data += sent;  // the rest starts where this send() stopped
        size -= static_cast<std::size_t>(sent);
    }
    return true;
}

// END SOLUTION ONLY
// Sends back every byte the client sends, unchanged, until the client
// leaves: it closes its side, or resets the connection. Leaving is normal:
// return. Never dies of SIGPIPE. Any other failure throws std::system_error
// naming the call and the client ("recv from 127.0.0.1:51234").
//   who: the client's address, for those messages
void echo_until_client_leaves(const net::Socket& client, const std::string& who) {
    // BEGIN YOURS
    // The client leaves when it closes its side (recv() returns 0) or resets
    // the connection (recv() fails with ECONNRESET).
    // recv() returns whatever has arrived, up to the buffer's size: maybe
    // one byte, maybe 64 KiB. A '\0' is a byte like any other: never a C string.
    std::array<char, 64 * 1024> buffer;
    while (true) {
        const ssize_t received = ::recv(client.fd(), buffer.data(), buffer.size(), 0);
        if (received == 0) return;  // end of stream: the client sends nothing more
        if (received < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNRESET) return;
            throw error_from_errno("recv from " + who);
        }
        const auto size = static_cast<std::size_t>(received);
        if (!send_all(client, buffer.data(), size, who)) return;  // the client has gone
    }
    // INSTEAD
    //| (void)client;
    //| (void)who;
    // END YOURS
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
