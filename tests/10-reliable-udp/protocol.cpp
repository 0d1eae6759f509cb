#include "protocol.hpp"

#include <fmt/core.h>

namespace reliable_udp {

namespace {

std::uint32_t byte_at(std::string_view bytes, std::size_t at) { return static_cast<unsigned char>(bytes[at]); }
std::uint16_t big_16(std::string_view bytes, std::size_t at) {
    return static_cast<std::uint16_t>(byte_at(bytes, at) << 8 | byte_at(bytes, at + 1));
}
std::uint16_t little_16(std::string_view bytes, std::size_t at) {
    return static_cast<std::uint16_t>(byte_at(bytes, at + 1) << 8 | byte_at(bytes, at));
}
std::uint32_t big_32(std::string_view bytes, std::size_t at) {
    return std::uint32_t{big_16(bytes, at)} << 16 | big_16(bytes, at + 2);
}
std::uint16_t swapped(std::uint16_t value) { return static_cast<std::uint16_t>(value << 8 | value >> 8); }

void put(std::string& bytes, std::uint64_t value, int size) {
    for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) bytes += static_cast<char>((value >> shift) & 0xff);
}

const char* const type_names[] = {"", "DATA", "ACK", "FIN"};

}  // namespace

std::uint16_t checksum_of(std::string_view datagram) {
    std::string bytes(datagram);
    for (std::size_t at : {7, 8})
        if (at < bytes.size()) bytes[at] = 0;
    std::uint32_t sum = 0;
    for (std::size_t at = 0; at < bytes.size(); at += 2)
        sum += byte_at(bytes, at) << 8 | (at + 1 < bytes.size() ? byte_at(bytes, at + 1) : 0);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::string encode_raw(std::uint8_t type, std::uint32_t number, std::uint16_t length, std::string_view payload) {
    std::string bytes;
    put(bytes, type, 1);
    put(bytes, number, 4);
    put(bytes, length, 2);
    put(bytes, 0, 2);
    bytes += payload;
    const std::uint16_t checksum = checksum_of(bytes);
    bytes[7] = static_cast<char>(checksum >> 8);
    bytes[8] = static_cast<char>(checksum & 0xff);
    return bytes;
}

std::string encode(const Datagram& datagram) {
    return encode_raw(datagram.type, datagram.number, static_cast<std::uint16_t>(datagram.payload.size()), datagram.payload);
}

Checked check(std::string_view bytes) {
    if (bytes.size() < header_size)
        return {std::nullopt, fmt::format("only {} bytes: shorter than the 9-byte header", bytes.size())};
    const std::uint32_t type = byte_at(bytes, 0);
    if (type < DATA || type > FIN)
        return {std::nullopt, fmt::format("type {}: neither 1 (DATA), 2 (ACK) nor 3 (FIN)", type)};
    const std::size_t length = big_16(bytes, 5);
    const std::size_t came = bytes.size() - header_size;
    if (length != came) {
        std::string problem = fmt::format("its length field (bytes 5-6) says {} bytes of payload, but {} came", length, came);
        if (little_16(bytes, 5) == came)
            problem += " (read little-endian it would be right: numbers go big-endian, most significant byte first)";
        return {std::nullopt, problem};
    }
    if (type == DATA && (length == 0 || length > max_payload))
        return {std::nullopt, fmt::format("a DATA with {} bytes of payload: DATA carries 1 to 1,200", length)};
    if (type != DATA && length != 0)
        return {std::nullopt, fmt::format("{} with {} bytes of payload: only DATA has one", type_names[type], length)};
    const std::uint16_t stored = big_16(bytes, 7);
    const std::uint16_t right = checksum_of(bytes);
    // 0x0000 and 0xffff are the same number in ones' complement: either is right.
    const bool same = stored == right || (stored == 0xffff && right == 0) || (stored == 0 && right == 0xffff);
    if (!same) {
        std::string problem = fmt::format("its checksum field says 0x{:04x}, but the datagram's checksum is 0x{:04x}", stored, right);
        if (stored == swapped(right))
            problem += " (the same two bytes, swapped: write it big-endian, most significant byte first)";
        return {std::nullopt, problem};
    }
    return {Datagram{static_cast<std::uint8_t>(type), big_32(bytes, 1), std::string(bytes.substr(header_size))}, ""};
}

std::string name(const Datagram& datagram) {
    if (datagram.type == DATA) return fmt::format("DATA {} ({} bytes)", datagram.number, datagram.payload.size());
    return fmt::format("{} {}", type_names[datagram.type], datagram.number);
}

std::string hex(std::string_view bytes, std::size_t max) {
    std::string text;
    for (std::size_t i = 0; i < bytes.size() && i < max; ++i) text += fmt::format("{}{:02x}", i == 0 ? "" : " ", byte_at(bytes, i));
    if (bytes.size() > max) text += " ...";
    return text;
}

grader::DatagramInfo describe(std::string_view bytes) {
    const Checked checked = check(bytes);
    if (checked.datagram)
        return {type_names[checked.datagram->type], checked.datagram->number, name(*checked.datagram)};
    std::uint64_t hash = 1469598103934665603ULL;
    for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return {"invalid", hash, fmt::format("an invalid datagram [{}]: {}", hex(bytes), checked.problem)};
}

}  // namespace reliable_udp
