#pragma once
// The grader's own reading and writing of lab 10's datagrams, written apart
// from the reference's (solutions/10-reliable-udp/datagram.cpp) so that a
// mistake there cannot hide here. It also says, in words, what is wrong with
// bytes that are not a datagram: the failure reports quote it.
//
//   byte 0: type (1 DATA, 2 ACK, 3 FIN); 1-4: number; 5-6: payload length;
//   7-8: checksum (RFC 1071, over the whole datagram with this field 0);
//   9-: payload (DATA only, 1 to 1,200 bytes). Numbers big-endian.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lossy_network.hpp"

namespace reliable_udp {

enum Type : std::uint8_t { DATA = 1, ACK = 2, FIN = 3 };

inline constexpr std::size_t header_size = 9;
inline constexpr std::size_t max_payload = 1200;

struct Datagram {
    std::uint8_t type = DATA;
    std::uint32_t number = 0;
    std::string payload;
};

// Bytes as the contract says, checksum filled in.
std::string encode(const Datagram& datagram);
// The same with any header: for datagrams that break the rules on purpose.
// (The checksum is computed over them, so only the named field is wrong.)
std::string encode_raw(std::uint8_t type, std::uint32_t number, std::uint16_t length, std::string_view payload);
std::uint16_t checksum_of(std::string_view datagram);  // computed with bytes 7-8 taken as 0

// A datagram, or why these bytes are not one ("the checksum field says
// 0x1234 but should be 0x3412: its two bytes are swapped, write it
// big-endian").
struct Checked {
    std::optional<Datagram> datagram;
    std::string problem;
};
Checked check(std::string_view bytes);

// "DATA 17 (1200 bytes)", "ACK 18", "FIN 874".
std::string name(const Datagram& datagram);
// For the network's timeline.
grader::DatagramInfo describe(std::string_view bytes);
// The first bytes in hex: "01 00 00 00 11 04 b0 3f 2a ...".
std::string hex(std::string_view bytes, std::size_t max = 12);

}  // namespace reliable_udp
