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

// BEGIN YOURS
std::string accept_key(std::string_view key) {
    const std::string text = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return base64::encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

Handshake handshake(const http::Request& request) {
    // The version first: a client that speaks another one is told which we
    // speak (426), whatever else its request holds.
    if (request.header("Sec-WebSocket-Version") != "13")
        return {false, http::error_response(426, "Upgrade Required",
                                             {{"Sec-WebSocket-Version", "13"}, {"Upgrade", "websocket"}})};
    const auto key = request.header("Sec-WebSocket-Key");
    const auto nonce = key ? base64::decode(*key) : std::nullopt;
    if (!request.lists("Upgrade", "websocket") || !request.lists("Connection", "Upgrade") || !nonce ||
        nonce->size() != 16)
        return {false, http::error_response(400, "Bad Request")};
    // No Content-Length, no "Connection: close": the connection goes on,
    // in frames.
    return {true, "HTTP/1.1 101 Switching Protocols\r\n"
                  "Upgrade: websocket\r\n"
                  "Connection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: " + accept_key(*key) + "\r\n"
                  "\r\n"};
}

std::string frame(Opcode opcode, std::string_view payload) {
    std::string bytes;
    bytes += static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));  // FIN, no reserved bits
    // The second byte's top bit is MASK: 0, a server never masks.
    const std::uint64_t length = payload.size();
    if (length <= 125) {
        bytes += static_cast<char>(length);
    } else if (length <= 0xFFFF) {
        bytes += static_cast<char>(126);
        bytes += static_cast<char>(length >> 8);  // big-endian: the most significant byte first
        bytes += static_cast<char>(length & 0xFF);
    } else {
        bytes += static_cast<char>(127);
        for (int shift = 56; shift >= 0; shift -= 8) bytes += static_cast<char>(length >> shift & 0xFF);
    }
    bytes += payload;
    return bytes;
}

std::optional<Reader::Frame> Reader::next_frame() {
    const std::string_view bytes = bytes_;
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    if (bytes.size() < 2) return std::nullopt;
    // Each rule is checked as soon as the bytes it needs are here: a frame
    // that breaks one is refused on its header, never waited for.
    const bool fin = byte(0) & 0x80;
    if (byte(0) & 0x70) throw Failure(code::protocol_error, "reserved bits set, but no extension was agreed");
    const std::uint8_t opcode = byte(0) & 0x0F;
    if (opcode > 0xA || (opcode > 0x2 && opcode < 0x8))
        throw Failure(code::protocol_error, "unknown opcode " + std::to_string(opcode));
    const bool control = opcode >= 0x8;
    if (!(byte(1) & 0x80)) throw Failure(code::protocol_error, "a client's frames must be masked");
    std::uint64_t length = byte(1) & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
        if (bytes.size() < 4) return std::nullopt;
        length = std::uint64_t{byte(2)} << 8 | byte(3);
        header = 4;
        if (length <= 125) throw Failure(code::protocol_error, "a 16-bit length for a payload that fits in 7 bits");
    } else if (length == 127) {
        if (bytes.size() < 10) return std::nullopt;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = length << 8 | byte(i);
        header = 10;
        if (length >> 63) throw Failure(code::protocol_error, "a 64-bit length with its top bit set");
        if (length <= 0xFFFF) throw Failure(code::protocol_error, "a 64-bit length for a payload that fits in 16 bits");
    }
    if (control && (!fin || length > 125))
        throw Failure(code::protocol_error, "a control frame fragmented, or over 125 bytes");
    if (!control) {
        // Whether this data frame may come now, and fits in the message.
        if (opcode == 0x0 && !in_message_) throw Failure(code::protocol_error, "a continuation with no message begun");
        if (opcode != 0x0 && in_message_) throw Failure(code::protocol_error, "a new message before the last one ended");
        if (opcode == 0x2) throw Failure(code::unsupported_data, "binary messages are not chat lines");
        if (length > max_message_size_ - message_.size())
            throw Failure(code::message_too_big, "a message over " + std::to_string(max_message_size_) + " bytes");
    }
    if (bytes.size() < header + 4 + length) return std::nullopt;  // the rest of it is on its way
    const std::string_view mask = bytes.substr(header, 4);
    std::string payload(bytes.substr(header + 4, length));
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    bytes_.erase(0, header + 4 + length);
    return Frame{fin, static_cast<Opcode>(opcode), std::move(payload)};
}

std::optional<Event> Reader::next() {
    while (!closed_) {
        std::optional<Frame> frame = next_frame();
        if (!frame) return std::nullopt;
        switch (frame->opcode) {
        case Opcode::ping:
            return Event{Event::Kind::reply, ws::frame(Opcode::pong, frame->payload)};
        case Opcode::pong:
            continue;  // we never ping: an unasked pong is allowed, and ignored
        case Opcode::close: {
            std::string reply = close_reply(frame->payload);
            closed_ = true;  // anything after a close is ignored
            return Event{Event::Kind::close, std::move(reply)};
        }
        default:  // text or continuation (binary was refused on its header)
            message_ += frame->payload;
            in_message_ = !frame->fin;
            if (in_message_) continue;
            // The whole message, not each fragment: a character's bytes may
            // be split between two fragments.
            if (!utf8::is_valid(message_)) throw Failure(code::invalid_text, "a text message that is not UTF-8");
            return Event{Event::Kind::message, std::exchange(message_, {})};
        }
    }
    return std::nullopt;
}

std::string Reader::close_reply(std::string_view payload) {
    if (payload.empty()) return frame(Opcode::close, {});  // no code: an empty close answers it
    if (payload.size() == 1) throw Failure(code::protocol_error, "a close payload of one byte");
    const auto code = static_cast<std::uint16_t>(static_cast<std::uint8_t>(payload[0]) << 8 |
                                                 static_cast<std::uint8_t>(payload[1]));
    // What a peer may send: the codes the RFC and IANA define for the
    // protocol (not 1004, and not 1005, 1006 or 1015, which only report
    // what happened locally), and 3000-4999 for libraries and applications.
    const bool may_be_sent = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                             (code >= 3000 && code <= 4999);
    if (!may_be_sent) throw Failure(code::protocol_error, "close code " + std::to_string(code) + " may not be sent");
    if (!utf8::is_valid(payload.substr(2))) throw Failure(code::invalid_text, "a close reason that is not UTF-8");
    return close_frame(code);  // the same code back
}
// INSTEAD
//| std::string accept_key(std::string_view key) {
//|     // YOUR CODE. Guarantees: base64 of the 20-byte SHA-1 (SHA1() from
//|     // <openssl/sha.h>) of the key followed by
//|     // "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" (README.md, "The upgrade").
//|     (void)key;
//|     return {};
//| }
//|
//| Handshake handshake(const http::Request& request) {
//|     // YOUR CODE. Guarantees (websocket.hpp; README.md, "The upgrade"):
//|     // - Sec-WebSocket-Version missing or not 13: 426 Upgrade Required, with
//|     //   "Sec-WebSocket-Version: 13";
//|     // - otherwise an Upgrade that does not list "websocket", a Connection
//|     //   that does not list "Upgrade", or a Sec-WebSocket-Key that is not
//|     //   base64 of 16 bytes: 400 Bad Request;
//|     // - otherwise the 101 Switching Protocols, byte for byte as the
//|     //   README shows it, with the accept_key of the key.
//|     // (http::error_response writes the errors.) Until then, every
//|     // upgrade is refused with 400.
//|     (void)request;
//|     return {false, http::error_response(400, "Bad Request")};
//| }
//|
//| std::string frame(Opcode opcode, std::string_view payload) {
//|     // YOUR CODE. Guarantees: FIN set, no reserved bits, this opcode, MASK
//|     // 0, the length in the shortest of its three forms (big-endian), then
//|     // the payload as it is (README.md, "Frames").
//|     (void)opcode;
//|     (void)payload;
//|     return {};
//| }
//|
//| std::optional<Reader::Frame> Reader::next_frame() {
//|     // YOUR CODE. Guarantees (README.md, "Frames" and "Closing"):
//|     // - nothing (std::nullopt) while the frame in bytes_ is not whole;
//|     //   a whole frame comes out unmasked, and leaves bytes_;
//|     // - a header that breaks a rule throws Failure as soon as the bytes
//|     //   that break it are here, before the payload: reserved bits set,
//|     //   an unknown opcode, no mask, a length not in its shortest form or
//|     //   with the top bit of 64 set, a control frame without FIN or over
//|     //   125 bytes, a continuation with no message begun or a new message
//|     //   before the last one ended (all 1002); binary (1003); a message
//|     //   that would pass max_message_size_ (1009).
//|     return std::nullopt;
//| }
//|
//| std::optional<Event> Reader::next() {
//|     // YOUR CODE. Guarantees (websocket.hpp, Event):
//|     // - a ping is a reply: the pong with the same payload;
//|     // - a pong is ignored;
//|     // - a close is a close event whose data is close_reply(payload);
//|     //   after it, nothing more;
//|     // - fragments are joined; the whole message, once it ends, is a
//|     //   message event if it is UTF-8, and a Failure (1007) if not.
//|     // Until then the connection is refused as soon as a frame comes.
//|     (void)max_message_size_;
//|     (void)in_message_;
//|     (void)closed_;
//|     throw Failure(code::protocol_error, "frames are not read yet");
//| }
//|
//| std::string Reader::close_reply(std::string_view payload) {
//|     // YOUR CODE. Guarantees (README.md, "Closing"): an empty payload is
//|     // answered by an empty close; a one-byte payload, or a code a peer may
//|     // not send, is a Failure (1002); a reason that is not UTF-8 a Failure
//|     // (1007); otherwise the close frame with the same code.
//|     (void)payload;
//|     return {};
//| }
// END YOURS

}  // namespace ws
