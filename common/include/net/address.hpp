#pragma once
// An IPv4 or IPv6 address and port, in the form the kernel hands them to us
// (struct sockaddr_storage), and their text form: "127.0.0.1:51234" for IPv4,
// "[::1]:51234" for IPv6. The brackets keep the port apart from the colons
// inside an IPv6 address.

#include <cstdint>
#include <string>
#include <string_view>

#include <sys/socket.h>

#include "net/socket.hpp"

namespace net {

class Address {
public:
    Address() = default;
    Address(const sockaddr* address, socklen_t length);

    std::string ip() const;      // "127.0.0.1" or "::1"
    std::uint16_t port() const;  // in host byte order
    std::string to_string() const;

    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
    socklen_t length() const { return length_; }

private:
    sockaddr_storage storage_{};
    socklen_t length_ = 0;
};

// "host:port", with brackets around an IPv6 host: for messages about an
// address we have not resolved yet ("cannot listen on [::1]:8001").
std::string join_host_port(std::string_view host, std::uint16_t port);

// The address a socket is bound to (getsockname): after listening on port 0,
// this tells which port the system chose.
Address local_address(const Socket& socket);

}  // namespace net
