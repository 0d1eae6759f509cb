// Lab 10 starter: read README.md first (en español: README.es.md).
#pragma once
// The datagrams of lab 10: a 9-byte header, then the payload.
//
//    byte 0     1    2    3    4     5    6     7    8     9 ...
//       +------+-------------------+---------+---------+-----------------+
//       | type |      number       | length  |checksum | payload         |
//       +------+-------------------+---------+---------+-----------------+
//
//   type      1 DATA, 2 ACK, 3 FIN
//   number    DATA: 0, 1, 2, ... in the order of the bytes they carry;
//             FIN: the number after the last DATA;
//             ACK: the next number the receiver expects (every one below
//             it has arrived)
//   length    of the payload: 1 to 1,200 for DATA, 0 for ACK and FIN
//   checksum  the Internet checksum (RFC 1071) of the whole datagram,
//             computed with this field 0
//
// Every number is unsigned and big-endian ("network byte order"): the most
// significant byte first, whatever order this machine keeps them in. That
// is why a header is built byte by byte, never by copying a struct: a
// struct has the machine's byte order and the compiler's padding, and a
// protocol must mean the same bytes on every machine.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

enum class Type : std::uint8_t { data = 1, ack = 2, fin = 3 };

struct Datagram {
    Type type = Type::data;
    std::uint32_t number = 0;
    std::string payload;  // DATA only
};

inline constexpr std::size_t header_size = 9;
inline constexpr std::size_t max_payload = 1200;

// The bytes of a datagram, header and payload, checksum filled in.
std::string encode(const Datagram& datagram);

// The datagram these bytes are, or nothing if they are not one: shorter
// than a header, or than the header says; of an unknown type; with a
// length that type cannot have; or a wrong checksum. A datagram that
// decodes to nothing is ignored, as if it had been lost.
std::optional<Datagram> decode(std::string_view bytes);

// The Internet checksum (RFC 1071) of these bytes: their ones' complement
// sum as 16-bit big-endian words (an odd last byte padded with a zero),
// complemented.
std::uint16_t internet_checksum(std::string_view bytes);
