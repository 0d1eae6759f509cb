#include "client.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "net/address.hpp"
#include "settings.hpp"
#include "transcript.hpp"

namespace grader {

namespace {

int milliseconds_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

void set_option(int fd, int level, int option, int value) {
    ::setsockopt(fd, level, option, &value, sizeof value);
}

}  // namespace

Client::Client(std::string name, const std::string& host, std::uint16_t port, int receive_buffer, Where where)
    : peer_({name, name, "the server"}, net::Socket()) {
    const bool ipv6 = host.find(':') != std::string::npos;
    net::Socket socket(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket.is_open())
        fail(name + " could not create a socket: " + std::strerror(errno),
             "the grader itself ran out of descriptors or memory: not the program's fault; run it again", where);
    set_option(socket.fd(), IPPROTO_TCP, TCP_NODELAY, 1);
    if (receive_buffer > 0) set_option(socket.fd(), SOL_SOCKET, SO_RCVBUF, receive_buffer);

    sockaddr_storage address{};
    socklen_t length = 0;
    if (ipv6) {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        ::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr);
        length = sizeof *v6;
    } else {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        ::inet_pton(AF_INET, host.c_str(), &v4->sin_addr);
        length = sizeof *v4;
    }
    const std::string target = net::join_host_port(host, port);
    // Non-blocking connect, then wait for it with a deadline: a server whose
    // accept queue is full would otherwise keep us waiting for minutes.
    int error = 0;
    if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), length) < 0) {
        error = errno;
        if (error == EINPROGRESS) {
            pollfd waiting{socket.fd(), POLLOUT, 0};
            if (::poll(&waiting, 1, milliseconds_until(Clock::now() + settings().reply_timeout())) == 0)
                fail(name + " could not connect to " + target + " within " + seconds_text(settings().reply_timeout()),
                     "is the server accepting connections? A full listen backlog makes clients wait", where);
            socklen_t size = sizeof error;
            ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &size);
        }
    }
    if (error != 0) {
        transcript().add(name, "cannot connect to " + target + ": " + std::strerror(error));
        fail(name + " could not connect to " + target + ": " + std::strerror(error),
             error == ECONNREFUSED ? "nothing is listening there any more: has the server exited or closed its "
                                     "listening socket?"
                                   : "the connection failed: is the server still accepting connections?", where);
    }
    address_ = net::local_address(socket).to_string();
    transcript().add(name, "connects from " + address_);
    peer_ = Peer({name, name, "the server"}, std::move(socket));
}

void Client::send(std::string_view bytes, Where where) {
    peer_.send(bytes, "the server must keep reading from every client it has accepted", where);
}

void Client::send_line(std::string_view line, Where where) { send(std::string(line) + "\n", where); }

void Client::send_slowly(std::string_view bytes, Where where) {
    peer_.send_slowly(bytes, "the server must keep reading from every client it has accepted", where);
}

}  // namespace grader
