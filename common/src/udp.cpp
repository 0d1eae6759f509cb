#include "net/udp.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <system_error>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include "net/errors.hpp"

namespace net {

namespace {

using AddressList = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

AddressList look_up(const std::string& host, std::uint16_t port, int flags) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;     // IPv4 or IPv6, whichever host is
    hints.ai_socktype = SOCK_DGRAM;  // UDP
    hints.ai_flags = flags | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int status = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (status != 0)
        throw std::system_error(status, address_lookup_category(), "getaddrinfo " + join_host_port(host, port));
    return AddressList(found, &::freeaddrinfo);
}

}  // namespace

Socket bind_udp(const std::string& host, std::uint16_t port) {
    const std::string where = join_host_port(host, port);
    std::system_error last_error(std::make_error_code(std::errc::address_not_available), where);
    const AddressList addresses = look_up(host, port, AI_PASSIVE);
    for (const addrinfo* a = addresses.get(); a; a = a->ai_next) {
        try {
            Socket socket(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
            if (!socket.is_open()) throw_errno("socket", where);
            if (::bind(socket.fd(), a->ai_addr, a->ai_addrlen) < 0) throw_errno("bind", where);
            return socket;
        } catch (const std::system_error& error) {
            last_error = error;  // try the host's next address, if it has one
        }
    }
    throw last_error;
}

Socket bind_udp_or_exit(const Options& options, std::string_view program) {
    try {
        Socket socket = bind_udp(options.host, options.port);
        // Whoever started us waits for this line: std::endl flushes it now.
        std::cout << "listening on " << local_address(socket).to_string() << std::endl;
        return socket;
    } catch (const std::system_error& error) {
        std::cerr << program << ": cannot listen on " << join_host_port(options.host, options.port) << ": "
                  << error.code().message() << std::endl;
        std::exit(1);
    }
}

std::optional<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.front() == '[') {  // "[::1]:9000"
        if (host.size() < 3 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // "::1:9000" is ambiguous: IPv6 needs brackets
    }
    if (port_text.empty() || port_text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
        return std::nullopt;
    return std::pair{std::string(host), static_cast<std::uint16_t>(port)};
}

Address resolve_udp(const std::string& host, std::uint16_t port) {
    const AddressList addresses = look_up(host, port, 0);
    return Address(addresses->ai_addr, addresses->ai_addrlen);
}

Socket udp_socket_for(const Address& peer) {
    Socket socket(::socket(peer.get()->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!socket.is_open()) throw_errno("socket", "for " + peer.to_string());
    return socket;
}

void send_to(const Socket& socket, const Address& to, std::string_view datagram) {
    while (::sendto(socket.fd(), datagram.data(), datagram.size(), MSG_NOSIGNAL, to.get(), to.length()) < 0) {
        switch (errno) {
            case EINTR:
                continue;
            // Full buffers, or an ICMP error about an earlier datagram (the
            // port was closed, the host unreachable): the network lost this
            // one, as it may lose any.
            case EAGAIN:
            case ENOBUFS:
            case ECONNREFUSED:
            case EHOSTUNREACH:
            case ENETUNREACH:
                return;
            default:
                throw_errno("sendto", to.to_string());
        }
    }
}

std::optional<Received> receive_from(const Socket& socket, std::chrono::steady_clock::time_point deadline) {
    using namespace std::chrono;
    while (true) {
        // Rounded up: poll() waits whole milliseconds, and a deadline 0.4 ms
        // away must not become a busy loop of poll(0).
        const long long wait = std::max<long long>(0, ceil<milliseconds>(deadline - steady_clock::now()).count());
        pollfd readable{socket.fd(), POLLIN, 0};
        const int ready = ::poll(&readable, 1, static_cast<int>(std::min<long long>(wait, 60'000)));
        if (ready < 0 && errno != EINTR) throw_errno("poll", "fd " + std::to_string(socket.fd()));
        if (ready <= 0) {
            if (steady_clock::now() >= deadline) return std::nullopt;
            continue;
        }
        char buffer[65536];
        sockaddr_storage from{};
        socklen_t length = sizeof from;
        const ssize_t n = ::recvfrom(socket.fd(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
        if (n >= 0)
            return Received{std::string(buffer, static_cast<std::size_t>(n)), Address(reinterpret_cast<sockaddr*>(&from), length)};
        // An ICMP error about an earlier datagram we sent: not a datagram.
        if (errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
            continue;
        throw_errno("recvfrom", "on " + local_address(socket).to_string());
    }
}

}  // namespace net
