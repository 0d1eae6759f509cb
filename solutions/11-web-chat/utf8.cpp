#include "utf8.hpp"

#include <cstddef>

namespace utf8 {

namespace {

// The length of the well-formed sequence that starts at text[at], or 0 if
// none does (a stray continuation byte, a sequence cut short, an overlong
// form, a surrogate, or past U+10FFFF).
std::size_t sequence_at(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char first = byte(at);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range allowed for the second byte
    if (first < 0x80) return 1;
    if (first >= 0xC2 && first <= 0xDF) {
        length = 2;  // 0xC0 and 0xC1 could only start overlong forms
    } else if (first >= 0xE0 && first <= 0xEF) {
        length = 3;
        if (first == 0xE0) low = 0xA0;   // below: overlong
        if (first == 0xED) high = 0x9F;  // above: the surrogates U+D800..U+DFFF
    } else if (first >= 0xF0 && first <= 0xF4) {
        length = 4;
        if (first == 0xF0) low = 0x90;   // below: overlong
        if (first == 0xF4) high = 0x8F;  // above: past U+10FFFF
    } else {
        return 0;
    }
    if (at + length > text.size()) return 0;
    if (byte(at + 1) < low || byte(at + 1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
    return length;
}

}  // namespace

bool is_valid(std::string_view text) {
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t length = sequence_at(text, at);
        if (length == 0) return false;
        at += length;
    }
    return true;
}

std::string repaired(std::string_view text) {
    std::string valid;
    valid.reserve(text.size());
    for (std::size_t at = 0; at < text.size();) {
        if (const std::size_t length = sequence_at(text, at); length > 0) {
            valid.append(text.substr(at, length));
            at += length;
        } else {
            valid += "\xEF\xBF\xBD";
            ++at;
        }
    }
    return valid;
}

}  // namespace utf8
