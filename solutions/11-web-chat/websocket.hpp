#pragma once
// WebSocket (RFC 6455): how an HTTP request becomes a connection that
// carries messages both ways, and the frames that carry them.
//
// The handshake: the browser asks to upgrade, the server agrees.
//
//   GET /chat HTTP/1.1                            HTTP/1.1 101 Switching Protocols
//   Host: 127.0.0.1:8080                          Upgrade: websocket
//   Upgrade: websocket                            Connection: Upgrade
//   Connection: Upgrade                           Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
//   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
//   Sec-WebSocket-Version: 13                     ...then frames, both ways
//
// A frame (bit 0 is the most significant bit of its byte):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-------+-+-------------+-------------------------------+
//   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//   |I|S|S|S|  (4)  |A|     (7)     |            (16/64)            |
//   |N|V|V|V|       |S|             |  (if payload len == 126/127)  |
//   | |1|2|3|       |K|             |                               |
//   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//   |     Extended payload length continued, if payload len == 127  |
//   + - - - - - - - - - - - - - - - +-------------------------------+
//   |                               |Masking-key, if MASK set to 1  |
//   +-------------------------------+-------------------------------+
//   | Masking-key (continued)       |          Payload Data         |
//   +-------------------------------- - - - - - - - - - - - - - - - +
//   :                     Payload Data continued ...                :
//   +---------------------------------------------------------------+
//
// - FIN: the last frame of a message. A message may come in fragments: a
//   text frame without FIN, continuation frames, the last with FIN.
// - RSV1-3: for extensions; none is agreed here, so they must be 0.
// - opcode: 0x1 text, 0x2 binary, 0x0 continuation; 0x8 close, 0x9 ping,
//   0xA pong (control frames: never fragmented, at most 125 bytes, and
//   allowed between the fragments of a message).
// - Payload len: 0 to 125 as it is; 126: the length is the next 2 bytes;
//   127: the next 8 (big-endian, top bit 0). Always the shortest form.
// - MASK and Masking-key: every frame from a client is masked (payload
//   byte i XOR key[i % 4]); a server's frames never are.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http.hpp"

namespace ws {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Close codes (RFC 6455, section 7.4), the two bytes that start a close
// frame's payload.
namespace code {
inline constexpr std::uint16_t normal = 1000;            // done
inline constexpr std::uint16_t going_away = 1001;        // the server is shutting down
inline constexpr std::uint16_t protocol_error = 1002;    // a frame broke the rules
inline constexpr std::uint16_t unsupported_data = 1003;  // a binary message: the chat takes text
inline constexpr std::uint16_t invalid_text = 1007;      // text that is not UTF-8
inline constexpr std::uint16_t message_too_big = 1009;   // over ChatRoom::max_line_length
inline constexpr std::uint16_t try_again_later = 1013;   // the room is full (--max-clients)
}  // namespace code

// ---- the handshake ----

// The Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64 of the SHA-1 of
// the key followed by "258EAFA5-E914-47DA-95CA-C5AB0DC85B11". It proves to
// the browser that the server read its request as WebSocket, not as some
// HTTP request it answers blindly.
std::string accept_key(std::string_view key);

struct Handshake {
    bool upgraded = false;  // the response is the 101: from now on the connection speaks frames
    std::string response;   // the whole response to send
};

// The answer to a request for the chat's path: 101 Switching Protocols
// with the Sec-WebSocket-Accept; 426 Upgrade Required (with
// "Sec-WebSocket-Version: 13") when Sec-WebSocket-Version is missing or
// not 13; 400 Bad Request for any other bad upgrade (no "Upgrade:
// websocket", a Connection without the token "Upgrade", a key that is not
// base64 of 16 bytes).
Handshake handshake(const http::Request& request);

// ---- what the server sends ----

// One unmasked frame with FIN set, its length in the shortest form.
std::string frame(Opcode opcode, std::string_view payload);

// A close frame: the code, big-endian, and a reason (cut to fit 125 bytes).
std::string close_frame(std::uint16_t code, std::string_view reason = {});

// ---- what a client sends ----

// The client broke a rule: the server sends a close frame with this code
// (and the reason, for whoever debugs the client), and the connection ends.
class Failure : public std::runtime_error {
public:
    Failure(std::uint16_t code, const std::string& reason) : std::runtime_error(reason), code_(code) {}
    std::uint16_t code() const { return code_; }

private:
    std::uint16_t code_;
};

// What a client's frames amount to, one at a time.
struct Event {
    enum class Kind {
        message,  // a whole text message: `data` is its text, valid UTF-8
        reply,    // send `data` back now (a pong for a ping)
        close,    // the client closes: send `data` back (the close that answers it), then end
    };
    Kind kind;
    std::string data;
};

// Reads a client's frames as their bytes arrive, however they are split:
// unmasks them, joins fragments into messages, answers control frames, and
// enforces every rule (the Failure says which, with its code).
class Reader {
public:
    // A message longer than this is refused with 1009 (message_too_big).
    explicit Reader(std::size_t max_message_size) : max_message_size_(max_message_size) {}

    void append(std::string_view bytes);

    // The next event, or nothing until more bytes have come. Throws
    // Failure when the client breaks a rule. After a close, nothing more.
    std::optional<Event> next();

private:
    struct Frame {
        bool fin;
        Opcode opcode;
        std::string payload;  // unmasked
    };
    // The next whole frame, or nothing yet; throws Failure for a frame
    // whose header breaks a rule, as soon as its header has arrived.
    std::optional<Frame> next_frame();
    // The close frame that answers a client's close with this payload.
    static std::string close_reply(std::string_view payload);

    std::size_t max_message_size_;
    std::string bytes_;        // received, not yet taken as frames
    std::string message_;      // the fragments of a text message so far
    bool in_message_ = false;  // a text message has begun and not ended
    bool closed_ = false;      // the client's close has been read
};

}  // namespace ws
