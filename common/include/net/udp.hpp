#pragma once
// UDP in a few calls: a socket bound to an address, one datagram sent to an
// address, one datagram received (with the address it came from) by a
// deadline. Lab 10 builds reliable delivery on them: they only move
// datagrams, and the network may lose, repeat, reorder or damage any of them.
//
// UDP has no connection: one socket talks to anyone, every datagram says
// where it goes (sendto) and every datagram received says where it came
// from (recvfrom). A datagram arrives whole or not at all: its boundaries
// are kept, unlike TCP's byte stream.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "net/address.hpp"
#include "net/options.hpp"
#include "net/socket.hpp"

namespace net {

// A UDP socket bound to host:port (IPv4 or IPv6; port 0 lets the system
// choose). No SO_REUSEADDR: for UDP it would let two programs share the
// port, and split its datagrams between them.
Socket bind_udp(const std::string& host, std::uint16_t port);

// Binds options.host:options.port and prints "listening on HOST:PORT" with
// the real port (flushed), as a server does; or prints "PROGRAM: cannot
// listen on HOST:PORT: REASON" on standard error and exits with status 1.
Socket bind_udp_or_exit(const Options& options, std::string_view program);

// "127.0.0.1:9000", "localhost:9000" or "[::1]:9000" split into host and
// port; nothing if the text is not of that form or the port is not a
// number from 1 to 65535.
std::optional<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text);

// The address of host:port, looked up (a name, or an IPv4 or IPv6 address).
// Throws std::system_error naming it if it cannot be found.
Address resolve_udp(const std::string& host, std::uint16_t port);

// An unbound UDP socket of `peer`'s family (IPv4 or IPv6): the system gives
// it a port of its own at its first send.
Socket udp_socket_for(const Address& peer);

// Sends one datagram, whole. A send the system refuses for now (its buffers
// are full, an ICMP error came back for an earlier datagram) is a datagram
// lost, like any other on the way: it returns quietly. Throws
// std::system_error for a mistake of the caller's (a datagram too large for
// UDP, a wrong address).
void send_to(const Socket& socket, const Address& to, std::string_view datagram);

// One datagram, and the address it came from.
struct Received {
    std::string bytes;
    Address from;
};

// Waits until one datagram arrives, or `deadline` passes (then nothing).
// Datagrams of up to 65,507 bytes (the most UDP over IPv4 can carry) come
// whole.
std::optional<Received> receive_from(const Socket& socket, std::chrono::steady_clock::time_point deadline);

}  // namespace net
