#pragma once
// A test client for a web port (lab 11): one connection that sends an HTTP
// request, reads the response, and after an upgrade speaks WebSocket
// frames (RFC 6455) with the program under test, one rule at a time.
//
// It writes frames as a browser does (masked, each length in its shortest
// form) unless a test asks it to break a rule on purpose, and it reads
// whatever the server sends, however it is split. What the server does
// that the RFC forbids (masked frames, a length not in its shortest form, a
// wrong Sec-WebSocket-Accept) is noted, not failed on: only the tests about
// those rules look (faults()), so that one mistake fails only its own tests.
//
//   grader::WebClient anna("anna", host, web_port);
//   anna.upgrade();                          // GET /chat ... -> 101
//   anna.send_text("hello");                 // a masked text frame
//   anna.expect_text("* 127.0.0.1:5000 joined", hint);
//   anna.send_frame(grader::Opcode::text, "x", {.mask = false});
//   anna.expect_close(1002, hint);           // a close frame with 1002; it answers, the server closes

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client.hpp"
#include "transcript.hpp"

namespace grader {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// An HTTP response as it came.
struct HttpResponse {
    std::string status_line;  // "HTTP/1.1 101 Switching Protocols"
    int status = 0;           // 101; 0 if the status line is not "HTTP/1.1 NNN ..."
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, values trimmed
    std::string body;         // Content-Length bytes (none for a 101)
    std::string head;         // the head as it came, for reports

    // The value of the first header with this name, in any case.
    std::optional<std::string> header(std::string_view name) const;
    // True if a header with this name lists `token` (comma-separated, any case).
    bool lists(std::string_view name, std::string_view token) const;
};

// How the grader writes a frame: by default as a browser does.
struct FrameOptions {
    bool fin = true;
    std::uint8_t rsv = 0;  // the three reserved bits, 0 to 7
    bool mask = true;
    int length_form = 0;   // 0: the shortest; 7, 16 or 64: that form, whatever the length
};

// A frame as the server sent it.
struct Frame {
    bool fin = true;
    std::uint8_t rsv = 0;
    std::uint8_t opcode = 0;
    bool masked = false;
    int length_form = 7;  // 7, 16 or 64: how its length was written
    std::string payload;  // unmasked

    std::string describe() const;  // "a text frame: \"hi\"", "a close frame: 1002 \"unmasked\""
    // A close frame's code, if its payload has one.
    std::optional<std::uint16_t> close_code() const;
};

// The bytes of one client frame.
std::string encode_frame(Opcode opcode, std::string_view payload, const FrameOptions& options = {});
// The Sec-WebSocket-Accept for a key (RFC 6455: base64 of SHA-1 of key + GUID).
std::string expected_accept(std::string_view key);

class WebClient {
public:
    // Connects to host:port (the web port), or fails the test.
    // receive_buffer: a small SO_RCVBUF, as grader::Client's.
    WebClient(std::string name, const std::string& host, std::uint16_t port, int receive_buffer = 0,
              Where where = Where::current());
    WebClient(WebClient&&) = default;
    WebClient& operator=(WebClient&&) = default;

    const std::string& name() const { return client_.name(); }
    // This connection's address as the server sees it: a browser's name in the room.
    const std::string& address() const { return client_.address(); }

    // ---- HTTP ----
    // Sends bytes as they are.
    void send(std::string_view bytes, Where where = Where::current());
    // One byte per send(), so that the server gets them in as many reads.
    void send_slowly(std::string_view bytes, Where where = Where::current());
    // Reads one response: its head, and its body by Content-Length. Fails
    // if none comes, or the connection ends in its middle.
    HttpResponse read_response(std::string_view hint, Where where = Where::current());
    // A whole upgrade request for `path`, with a fresh key: the headers a
    // browser sends, then `extra` lines ("Name: value\r\n" each).
    std::string upgrade_request(std::string_view path = "/chat", std::string_view extra = {});
    const std::string& key() const { return key_; }

    // Sends the upgrade request and reads the 101, or fails the test. A
    // wrong Sec-WebSocket-Accept is noted in faults(), not failed on.
    void upgrade(std::string_view path = "/chat", Where where = Where::current());

    // ---- WebSocket ----
    void send_frame(Opcode opcode, std::string_view payload, const FrameOptions& options = {},
                    Where where = Where::current());
    void send_text(std::string_view text, Where where = Where::current()) { send_frame(Opcode::text, text, {}, where); }
    // A close frame with this code (and reason).
    void send_close(std::uint16_t code, std::string_view reason = {}, Where where = Where::current());

    // The next frame, or the test fails with the hint.
    Frame next_frame(std::string_view hint, Where where = Where::current());
    // The next frame within `within`, or nothing (the connection ended, or nothing came).
    std::optional<Frame> try_next_frame(std::chrono::milliseconds within);
    // The next text message (fragments joined); a close or anything else
    // instead fails the test, saying what came.
    std::string next_text(std::string_view hint, Where where = Where::current());
    void expect_text(std::string_view expected, std::string_view hint, Where where = Where::current());
    // The next frame is a close with this code (or, with no code, an empty
    // close). The client then answers it, as a browser does, and the server
    // must close the connection.
    void expect_close(std::optional<std::uint16_t> code, std::string_view hint, Where where = Where::current());
    // The server closes the connection (end of stream or reset), with no
    // more bytes before it.
    void expect_closed(std::string_view hint, Where where = Where::current());
    // Nothing arrives for the silence window.
    void expect_silence(std::string_view hint, Where where = Where::current());

    void reset() { client_.reset(); }  // close with SO_LINGER 0
    void close() { client_.peer().close(); }
    bool is_closed() const { return closed_; }
    void set_quiet(bool quiet) { quiet_ = quiet; }
    int fd() { return client_.peer().fd(); }  // to wait on it with others (poll)

    // What the server did that the RFC forbids, seen so far: "masked a
    // frame", "wrote a length of 5 in the 16-bit form", "answered key K with
    // Sec-WebSocket-Accept A where B was due".
    const std::vector<std::string>& faults() const { return faults_; }

private:
    enum class Read { data, closed, timed_out };
    Read read_more(Clock::time_point deadline);
    // A whole frame at the front of pending_, taken out; nothing if not whole yet.
    std::optional<Frame> take_frame();
    [[noreturn]] void fail_waiting(const std::string& expected, std::string_view hint, Read why, Where where);

    Client client_;
    std::string key_;
    std::string pending_;  // received, not yet taken
    bool closed_ = false;
    bool reset_ = false;
    bool quiet_ = false;
    std::vector<std::string> faults_;
};

}  // namespace grader
