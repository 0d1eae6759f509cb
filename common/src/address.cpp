#include "net/address.hpp"

#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "net/errors.hpp"

namespace net {

Address::Address(const sockaddr* address, socklen_t length) : length_(length) {
    if (length > sizeof storage_) throw std::invalid_argument("address too long");
    std::memcpy(&storage_, address, length);
}

std::string Address::ip() const {
    char text[INET6_ADDRSTRLEN] = "";
    if (storage_.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage_);
        ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    } else if (storage_.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
        ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    }
    return text;
}

std::uint16_t Address::port() const {
    // Ports travel in network byte order (big-endian); ntohs turns them back.
    if (storage_.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    if (storage_.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    return 0;
}

std::string Address::to_string() const {
    if (storage_.ss_family == AF_INET6) return "[" + ip() + "]:" + std::to_string(port());
    return ip() + ":" + std::to_string(port());
}

std::string join_host_port(std::string_view host, std::uint16_t port) {
    const bool is_ipv6 = host.find(':') != std::string_view::npos;
    std::string text = is_ipv6 ? "[" + std::string(host) + "]" : std::string(host);
    return text + ":" + std::to_string(port);
}

Address local_address(const Socket& socket) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&storage), &length) < 0)
        throw_errno("getsockname", "fd " + std::to_string(socket.fd()));
    return Address(reinterpret_cast<sockaddr*>(&storage), length);
}

}  // namespace net
