// Lab 10 starter: read README.md first (en español: README.es.md).
#include "datagram.hpp"

namespace {

// ===== YOUR CODE (lab 10) =================================================
// Helpers of your own, if you like: writing and reading 16- and 32-bit
// numbers big-endian (README.md, "The header, byte by byte").
// ===== END OF YOUR CODE ===================================================

}  // namespace

std::string encode(const Datagram& datagram) {
    // ===== YOUR CODE (lab 10) =============================================
    // Guarantees: the 9-byte header (type, number, the payload's length,
    // the checksum), every number big-endian, then the payload; the
    // checksum is the Internet checksum of the whole datagram computed
    // with the checksum field 0.
    (void)datagram;
    return {};
    // ===== END OF YOUR CODE ===============================================
}

std::optional<Datagram> decode(std::string_view bytes) {
    // ===== YOUR CODE (lab 10) =============================================
    // Guarantees: nothing (std::nullopt) for bytes that are not a datagram
    // of this protocol: shorter than the header, or than its length says
    // (or longer); a type other than 1, 2 or 3; DATA whose payload is not
    // 1 to 1,200 bytes, or an ACK or FIN with one; a wrong checksum.
    // Otherwise the datagram, its numbers read big-endian.
    (void)bytes;
    return std::nullopt;
    // ===== END OF YOUR CODE ===============================================
}

std::uint16_t internet_checksum(std::string_view bytes) {
    // ===== YOUR CODE (lab 10) =============================================
    // Guarantees: RFC 1071: the bytes summed as 16-bit big-endian words
    // (an odd last byte padded with a zero) in ones' complement (every
    // carry out of the top bit added back in at the bottom), complemented.
    (void)bytes;
    return 0;
    // ===== END OF YOUR CODE ===============================================
}
