// Lab 11 starter: read README.md first (en español: README.es.md).
#pragma once
// UTF-8, the encoding of text on the web (RFC 3629). A character is one to
// four bytes:
//
//   U+0000..U+007F      0xxxxxxx                              ASCII as it is
//   U+0080..U+07FF      110xxxxx 10xxxxxx
//   U+0800..U+FFFF      1110xxxx 10xxxxxx 10xxxxxx            (but not U+D800..U+DFFF)
//   U+10000..U+10FFFF   11110xxx 10xxxxxx 10xxxxxx 10xxxxxx
//
// and each character in the shortest form (no "overlong" 0xC0 0xAF for '/').
// A WebSocket text message must be UTF-8; a chat client on the plain port
// may send any bytes at all (a Latin-1 "é" is the lone byte 0xE9).

#include <string>
#include <string_view>

namespace utf8 {

// True if `text` is well-formed UTF-8, as a whole.
bool is_valid(std::string_view text);

// `text` with every byte that is not part of a well-formed sequence
// replaced by U+FFFD (the replacement character, 0xEF 0xBF 0xBD), one
// replacement per byte: what a browser may be sent of anything.
std::string repaired(std::string_view text);

}  // namespace utf8
