#pragma once
// Base64 (RFC 4648): bytes as text, 3 bytes to 4 characters of
// A-Z a-z 0-9 + /, with '=' padding the last group to 4. 16 bytes are
// 24 characters, the last two "==".

#include <optional>
#include <string>
#include <string_view>

namespace base64 {

std::string encode(std::string_view bytes);

// The bytes `text` encodes, or nothing if it is not base64 as encode()
// writes it (length a multiple of 4, padding only at the end).
std::optional<std::string> decode(std::string_view text);

}  // namespace base64
