// Lab 11 starter: read README.md first (en español: README.es.md).
#include "websocket.hpp"

#include <openssl/sha.h>  // SHA1(), from OpenSSL's libcrypto

#include <utility>

#include "base64.hpp"
#include "utf8.hpp"

namespace ws {

std::string close_frame(std::uint16_t code, std::string_view reason) {
    std::string payload;
    payload += static_cast<char>(code >> 8);
    payload += static_cast<char>(code & 0xFF);
    payload += reason.substr(0, 123);  // a control frame carries at most 125 bytes
    return frame(Opcode::close, payload);
}

void Reader::append(std::string_view bytes) { bytes_.append(bytes); }

// ===== YOUR CODE (lab 11) =================================================
std::string accept_key(std::string_view key) {
    // YOUR CODE. Guarantees: base64 of the 20-byte SHA-1 (SHA1() from
    // <openssl/sha.h>) of the key followed by
    // "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" (README.md, "The upgrade").
    (void)key;
    return {};
}

Handshake handshake(const http::Request& request) {
    // YOUR CODE. Guarantees (websocket.hpp; README.md, "The upgrade"):
    // - Sec-WebSocket-Version missing or not 13: 426 Upgrade Required, with
    //   "Sec-WebSocket-Version: 13";
    // - otherwise an Upgrade that does not list "websocket", a Connection
    //   that does not list "Upgrade", or a Sec-WebSocket-Key that is not
    //   base64 of 16 bytes: 400 Bad Request;
    // - otherwise the 101 Switching Protocols, byte for byte as the
    //   README shows it, with the accept_key of the key.
    // (http::error_response writes the errors.) Until then, every
    // upgrade is refused with 400.
    (void)request;
    return {false, http::error_response(400, "Bad Request")};
}

std::string frame(Opcode opcode, std::string_view payload) {
    // YOUR CODE. Guarantees: FIN set, no reserved bits, this opcode, MASK
    // 0, the length in the shortest of its three forms (big-endian), then
    // the payload as it is (README.md, "Frames").
    (void)opcode;
    (void)payload;
    return {};
}

std::optional<Reader::Frame> Reader::next_frame() {
    // YOUR CODE. Guarantees (README.md, "Frames" and "Closing"):
    // - nothing (std::nullopt) while the frame in bytes_ is not whole;
    //   a whole frame comes out unmasked, and leaves bytes_;
    // - a header that breaks a rule throws Failure as soon as the bytes
    //   that break it are here, before the payload: reserved bits set,
    //   an unknown opcode, no mask, a length not in its shortest form or
    //   with the top bit of 64 set, a control frame without FIN or over
    //   125 bytes, a continuation with no message begun or a new message
    //   before the last one ended (all 1002); binary (1003); a message
    //   that would pass max_message_size_ (1009).
    return std::nullopt;
}

std::optional<Event> Reader::next() {
    // YOUR CODE. Guarantees (websocket.hpp, Event):
    // - a ping is a reply: the pong with the same payload;
    // - a pong is ignored;
    // - a close is a close event whose data is close_reply(payload);
    //   after it, nothing more;
    // - fragments are joined; the whole message, once it ends, is a
    //   message event if it is UTF-8, and a Failure (1007) if not.
    // Until then the connection is refused as soon as a frame comes.
    (void)max_message_size_;
    (void)in_message_;
    (void)closed_;
    throw Failure(code::protocol_error, "frames are not read yet");
}

std::string Reader::close_reply(std::string_view payload) {
    // YOUR CODE. Guarantees (README.md, "Closing"): an empty payload is
    // answered by an empty close; a one-byte payload, or a code a peer may
    // not send, is a Failure (1002); a reason that is not UTF-8 a Failure
    // (1007); otherwise the close frame with the same code.
    (void)payload;
    return {};
}
// ===== END OF YOUR CODE ===================================================

}  // namespace ws
