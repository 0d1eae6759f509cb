// ANSWER TO LAB 01. This file is the finished answer to lab 01
// (labs/01-echo-server). If you have not done lab 01 yet, close it: that
// lab has you write this yourself. From lab 02 on, use it freely.

#include "net/tcp.hpp"

#include <cerrno>
#include <memory>
#include <system_error>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "net/errors.hpp"

namespace net {

namespace {

using AddressList = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

// Turns "localhost" or "::1" and a port into the kernel's address form.
// One name can have several addresses (IPv4 and IPv6): we get them all.
AddressList look_up(const std::string& host, std::uint16_t port, int flags) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;        // IPv4 or IPv6, whichever host is
    hints.ai_socktype = SOCK_STREAM;    // TCP
    hints.ai_flags = flags | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int status = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (status != 0) {
        throw std::system_error(status, address_lookup_category(),
                                "getaddrinfo " + join_host_port(host, port));
    }
    return AddressList(found, &::freeaddrinfo);
}

Socket open_socket(const addrinfo& address, const std::string& context) {
    // SOCK_CLOEXEC: a program we might start later does not inherit it.
    Socket socket(::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC,
                           address.ai_protocol));
    if (!socket.is_open()) throw_errno("socket", context);
    return socket;
}

}  // namespace

Socket listen_on(const std::string& host, std::uint16_t port, int backlog) {
    const std::string where = join_host_port(host, port);
    std::system_error last_error(std::make_error_code(std::errc::address_not_available), where);
    const AddressList addresses = look_up(host, port, AI_PASSIVE);
    for (const addrinfo* a = addresses.get(); a; a = a->ai_next) {
        try {
            Socket socket = open_socket(*a, where);
            const int yes = 1;
            if (::setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0)
                throw_errno("setsockopt SO_REUSEADDR", where);
            if (::bind(socket.fd(), a->ai_addr, a->ai_addrlen) < 0) throw_errno("bind", where);
            if (::listen(socket.fd(), backlog) < 0) throw_errno("listen", where);
            return socket;
        } catch (const std::system_error& error) {
            last_error = error;  // try the host's next address, if it has one
        }
    }
    throw last_error;
}

Connection accept_client(const Socket& listener) {
    while (true) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        Socket client(::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&peer), &length,
                                SOCK_CLOEXEC));
        if (client.is_open()) return {std::move(client), Address(reinterpret_cast<sockaddr*>(&peer), length)};
        switch (errno) {
            // A signal arrived, or the client gave up while waiting in the
            // queue, or (accept(2) says to treat these like that) a network
            // error already pending on the new connection: none is a
            // reason to stop accepting the next client.
            case EINTR:
            case ECONNABORTED:
            case EPROTO:
            case ENETDOWN:
            case ENETUNREACH:
            case EHOSTDOWN:
            case EHOSTUNREACH:
            case ENONET:
            case ENOPROTOOPT:
            case EOPNOTSUPP:
                continue;
            // Out of descriptors or memory: clients have used them up, and
            // will give them back as they leave. The client stays in the
            // queue meanwhile; wait a little (not to spin), then try again.
            // A server must not die of what its clients do.
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                ::poll(nullptr, 0, 50);
                continue;
            default:
                throw_errno("accept", "on " + local_address(listener).to_string());
        }
    }
}

Connection connect_to(const std::string& host, std::uint16_t port) {
    const std::string where = join_host_port(host, port);
    std::system_error last_error(std::make_error_code(std::errc::address_not_available), where);
    const AddressList addresses = look_up(host, port, 0);
    for (const addrinfo* a = addresses.get(); a; a = a->ai_next) {
        try {
            Socket socket = open_socket(*a, where);
            if (::connect(socket.fd(), a->ai_addr, a->ai_addrlen) < 0) throw_errno("connect", where);
            return {std::move(socket), Address(a->ai_addr, a->ai_addrlen)};
        } catch (const std::system_error& error) {
            last_error = error;
        }
    }
    throw last_error;
}

void send_all(const Connection& connection, std::string_view bytes) {
    while (!bytes.empty()) {
        // MSG_NOSIGNAL: writing to a connection the peer has closed returns
        // EPIPE instead of killing the whole program with SIGPIPE.
        const ssize_t sent = ::send(connection.socket.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            throw_errno("send", "to " + connection.peer.to_string());
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
}

std::size_t receive_some(const Connection& connection, std::span<char> buffer) {
    while (true) {
        const ssize_t received = ::recv(connection.socket.fd(), buffer.data(), buffer.size(), 0);
        if (received >= 0) return static_cast<std::size_t>(received);
        if (errno == EINTR) continue;
        throw_errno("recv", "from " + connection.peer.to_string());
    }
}

void shutdown_sending(const Connection& connection) {
    if (::shutdown(connection.socket.fd(), SHUT_WR) < 0)
        throw_errno("shutdown", "to " + connection.peer.to_string());
}

void set_no_delay(const Socket& socket) {
    const int yes = 1;
    if (::setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes) < 0)
        throw_errno("setsockopt TCP_NODELAY", "fd " + std::to_string(socket.fd()));
}

}  // namespace net
