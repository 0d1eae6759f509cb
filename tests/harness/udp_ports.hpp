#pragma once
// UDP ports for the programs under test (lab 10), and the kernel's UDP
// tables (/proc/net/udp, /proc/net/udp6): what is bound where, checked
// without sending anything (a datagram would be the protocol's business).
// The same services as ports.hpp gives for TCP.

#include <cstdint>
#include <vector>

#include "net/socket.hpp"

namespace grader {

// A UDP port that is taken: a socket is bound to 127.0.0.1 there (without
// SO_REUSEADDR) for as long as this lives. Nothing reads it.
class UdpPortInUse {
public:
    UdpPortInUse();
    std::uint16_t port() const { return port_; }

private:
    net::Socket socket_;
    std::uint16_t port_ = 0;
};

// A UDP port nothing is bound to now, below the range of ephemeral ports.
std::uint16_t find_free_udp_port();
// True if nothing is bound to this UDP port on 127.0.0.1 now.
bool udp_port_is_free(std::uint16_t port);
// The UDP sockets (inodes) bound to this port now, IPv4 and IPv6.
std::vector<unsigned long> udp_sockets_bound_to(std::uint16_t port);

}  // namespace grader
