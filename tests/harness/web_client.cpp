#include "web_client.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "settings.hpp"

namespace grader {

namespace {

int milliseconds_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

std::string lower(std::string_view text) {
    std::string result(text);
    for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

std::string base64(std::string_view bytes) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text;
    for (std::size_t at = 0; at < bytes.size(); at += 3) {
        const std::size_t count = std::min<std::size_t>(3, bytes.size() - at);
        std::uint32_t group = 0;
        for (std::size_t i = 0; i < 3; ++i)
            group = group << 8 | (i < count ? static_cast<unsigned char>(bytes[at + i]) : 0u);
        for (std::size_t i = 0; i < 4; ++i) text += i <= count ? alphabet[group >> (18 - 6 * i) & 0x3F] : '=';
    }
    return text;
}

std::mt19937& random_engine() {
    static std::mt19937 engine(std::random_device{}());
    return engine;
}

std::string opcode_name(std::uint8_t opcode) {
    switch (opcode) {
        case 0x0: return "continuation";
        case 0x1: return "text";
        case 0x2: return "binary";
        case 0x8: return "close";
        case 0x9: return "ping";
        case 0xA: return "pong";
        default: return "opcode-" + std::to_string(opcode);
    }
}

// "(masked, 16-bit length, no FIN, RSV 4)" for a transcript: what is not as usual.
std::string frame_details(bool masked, int length_form, bool fin, std::uint8_t rsv) {
    std::string details = masked ? "masked" : "NOT masked";
    details += ", " + std::to_string(length_form) + "-bit length";
    if (!fin) details += ", no FIN";
    if (rsv != 0) details += ", reserved bits " + std::to_string(rsv);
    return details;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    const std::string wanted = lower(name);
    for (const auto& [header_name, value] : headers)
        if (header_name == wanted) return value;
    return std::nullopt;
}

bool HttpResponse::lists(std::string_view name, std::string_view token) const {
    const std::string wanted = lower(name), wanted_token = lower(token);
    for (const auto& [header_name, value] : headers) {
        if (header_name != wanted) continue;
        std::string_view rest = value;
        while (true) {
            const auto comma = rest.find(',');
            if (lower(trim(rest.substr(0, comma))) == wanted_token) return true;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return false;
}

std::string Frame::describe() const {
    std::string text = "a " + opcode_name(opcode) + " frame";
    if (opcode == 0x8) {
        if (const auto code = close_code())
            text += " with code " + std::to_string(*code) + (payload.size() > 2 ? " and reason " + quote_bytes(payload.substr(2)) : "");
        else
            text += payload.empty() ? " without a code" : " with a payload of one byte " + quote_bytes(payload);
        return text;
    }
    return text + ": " + quote_bytes(payload);
}

std::optional<std::uint16_t> Frame::close_code() const {
    if (opcode != 0x8 || payload.size() < 2) return std::nullopt;
    return static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 | static_cast<unsigned char>(payload[1]));
}

std::string encode_frame(Opcode opcode, std::string_view payload, const FrameOptions& options) {
    std::string bytes;
    bytes += static_cast<char>((options.fin ? 0x80 : 0) | (options.rsv & 7) << 4 | static_cast<int>(opcode));
    const std::uint64_t length = payload.size();
    int form = options.length_form;
    if (form == 0) form = length <= 125 ? 7 : length <= 0xFFFF ? 16 : 64;
    const char mask_bit = options.mask ? static_cast<char>(0x80) : 0;
    if (form == 7) {
        bytes += static_cast<char>(mask_bit | static_cast<char>(length & 0x7F));
    } else if (form == 16) {
        bytes += static_cast<char>(mask_bit | 126);
        bytes += static_cast<char>(length >> 8 & 0xFF);
        bytes += static_cast<char>(length & 0xFF);
    } else {
        bytes += static_cast<char>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8) bytes += static_cast<char>(length >> shift & 0xFF);
    }
    if (!options.mask) return bytes + std::string(payload);
    std::array<char, 4> mask;
    for (char& c : mask) c = static_cast<char>(random_engine()() & 0xFF);
    bytes.append(mask.data(), mask.size());
    for (std::size_t i = 0; i < payload.size(); ++i) bytes += static_cast<char>(payload[i] ^ mask[i % 4]);
    return bytes;
}

std::string expected_accept(std::string_view key) {
    const std::string text = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return base64(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

WebClient::WebClient(std::string name, const std::string& host, std::uint16_t port, int receive_buffer, Where where)
    : client_(std::move(name), host, port, receive_buffer, where) {}

void WebClient::send(std::string_view bytes, Where where) {
    client_.peer().send(bytes, "the server must keep reading from every connection it has accepted", where);
}

void WebClient::send_slowly(std::string_view bytes, Where where) {
    client_.peer().send_slowly(bytes, "the server must keep reading from every connection it has accepted", where);
}

std::string WebClient::upgrade_request(std::string_view path, std::string_view extra) {
    std::string nonce(16, '\0');
    for (char& c : nonce) c = static_cast<char>(random_engine()() & 0xFF);
    key_ = base64(nonce);
    return "GET " + std::string(path) + " HTTP/1.1\r\n"
           "Host: 127.0.0.1\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: " + key_ + "\r\n"
           "Sec-WebSocket-Version: 13\r\n" + std::string(extra) + "\r\n";
}

WebClient::Read WebClient::read_more(Clock::time_point deadline) {
    if (closed_) return Read::closed;
    const int fd = client_.peer().fd();
    std::array<char, 65536> buffer;
    while (true) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n > 0) {
            const int on = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);  // ack now, not 40 ms later
            pending_.append(buffer.data(), static_cast<std::size_t>(n));
            return Read::data;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            reset_ = n < 0;
            closed_ = true;
            note_connection_lost();
            transcript().add(name(), reset_ ? "sees the connection reset (" + std::string(std::strerror(errno)) +
                                                  "): the server closed it, or exited, with bytes unread"
                                            : "sees the server close its side of the connection");
            return Read::closed;
        }
        if (errno == EINTR) continue;
        pollfd waiting{fd, POLLIN, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0) return Read::timed_out;
    }
}

void WebClient::fail_waiting(const std::string& expected, std::string_view hint, Read why, Where where) {
    std::string what = name() + " expected " + expected + "\n  but ";
    if (why == Read::timed_out) {
        transcript().add(name(), "gives up waiting");
        what += "within " + seconds_text(settings().reply_timeout()) + " it received ";
    } else {
        what += std::string("the server ") + (reset_ ? "reset the connection" : "closed its side of the connection") +
                " after sending ";
    }
    what += pending_.empty() ? std::string("nothing more") : quote_bytes(pending_) + " (no more)";
    fail(what, hint, where);
}

HttpResponse WebClient::read_response(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
        if (pending_.size() > 65536)
            fail(name() + " received 64 KiB without the end of a response's head (\"\\r\\n\\r\\n\"): " +
                     quote_bytes(pending_),
                 "end each header line with \"\\r\\n\", and the head with an empty line", where);
        const Read result = read_more(deadline);
        if (result != Read::data) fail_waiting("an HTTP response", hint, result, where);
    }
    HttpResponse response;
    response.head = pending_.substr(0, end + 4);
    pending_.erase(0, end + 4);
    if (!quiet_) transcript().add(name(), "receives", response.head, true);
    std::string_view head = response.head;
    response.status_line = std::string(head.substr(0, head.find("\r\n")));
    head.remove_prefix(std::min(head.size(), response.status_line.size() + 2));
    const std::string_view status = std::string_view(response.status_line);
    if (status.starts_with("HTTP/1.1 ") && status.size() >= 12 &&
        std::all_of(status.begin() + 9, status.begin() + 12, [](char c) { return c >= '0' && c <= '9'; }) &&
        (status.size() == 12 || status[12] == ' '))
        response.status = std::stoi(std::string(status.substr(9, 3)));
    while (!head.empty()) {
        const std::string_view line = head.substr(0, head.find("\r\n"));
        head.remove_prefix(std::min(head.size(), line.size() + 2));
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            fail(name() + " received a header line without ':' : " + quote_bytes(line), "each header is \"Name: value\\r\\n\"",
                 where);
        response.headers.emplace_back(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    if (response.status == 101) return response;  // no body: frames follow
    const auto length = response.header("Content-Length");
    if (!length || length->empty() || length->find_first_not_of("0123456789") != std::string::npos)
        fail(name() + " received a response without a valid Content-Length: " + quote_bytes(response.head),
             "send \"Content-Length: N\" with the body's size in bytes, so that the client knows where it ends", where);
    const std::size_t size = std::stoul(*length);
    while (pending_.size() < size) {
        const Read result = read_more(deadline);
        if (result != Read::data)
            fail_waiting("a body of " + std::to_string(size) + " bytes (its Content-Length)",
                         "Content-Length must be the body's size in bytes, and the whole body must be sent", result, where);
    }
    response.body = pending_.substr(0, size);
    pending_.erase(0, size);
    if (!quiet_) transcript().add(name(), "receives a body of " + std::to_string(size) + " bytes", response.body.substr(0, 80), true);
    return response;
}

void WebClient::upgrade(std::string_view path, Where where) {
    send(upgrade_request(path), where);
    const HttpResponse response =
        read_response("a request for /chat with a good upgrade is answered \"HTTP/1.1 101 Switching Protocols\", then "
                      "the connection speaks WebSocket", where);
    if (response.status != 101)
        fail(name() + " asked to upgrade " + std::string(path) + " to WebSocket and expected \"HTTP/1.1 101 Switching "
                 "Protocols\"\n  but received " + quote_bytes(response.status_line),
             "answer a good upgrade request (Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Version: 13, a "
             "Sec-WebSocket-Key) with 101 and the Sec-WebSocket-Accept", where);
    const std::string due = expected_accept(key_);
    const auto accept = response.header("Sec-WebSocket-Accept");
    if (accept != due)
        faults_.push_back("answered Sec-WebSocket-Key " + key_ + " with " +
                          (accept ? "Sec-WebSocket-Accept " + quote_bytes(*accept) : std::string("no Sec-WebSocket-Accept")) +
                          " where " + quote_bytes(due) + " was due");
}

void WebClient::send_frame(Opcode opcode, std::string_view payload, const FrameOptions& options, Where where) {
    const std::string bytes = encode_frame(opcode, payload, options);
    int form = options.length_form;
    if (form == 0) form = payload.size() <= 125 ? 7 : payload.size() <= 0xFFFF ? 16 : 64;
    std::string summary = "sends a " + opcode_name(static_cast<std::uint8_t>(opcode)) + " frame (" +
                          frame_details(options.mask, form, options.fin, options.rsv) + ")";
    if (opcode == Opcode::close && payload.size() >= 2)
        summary += ": code " + std::to_string(static_cast<unsigned char>(payload[0]) << 8 | static_cast<unsigned char>(payload[1])) +
                   (payload.size() > 2 ? " " + quote_bytes(payload.substr(2)) : "");
    else
        summary += ": " + (payload.size() > 60 ? std::to_string(payload.size()) + " bytes, " + quote_bytes(payload, 40)
                                               : quote_bytes(payload));
    client_.peer().send_quietly(bytes, quiet_ ? std::string() : summary,
                                "the server must keep reading from every connection it has accepted", where);
}

void WebClient::send_close(std::uint16_t code, std::string_view reason, Where where) {
    std::string payload;
    payload += static_cast<char>(code >> 8);
    payload += static_cast<char>(code & 0xFF);
    payload += reason;
    send_frame(Opcode::close, payload, {}, where);
}

std::optional<Frame> WebClient::take_frame() {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(pending_[i]); };
    if (pending_.size() < 2) return std::nullopt;
    Frame frame;
    frame.fin = byte(0) & 0x80;
    frame.rsv = static_cast<std::uint8_t>(byte(0) >> 4 & 7);
    frame.opcode = static_cast<std::uint8_t>(byte(0) & 0x0F);
    frame.masked = byte(1) & 0x80;
    std::uint64_t length = byte(1) & 0x7F;
    std::size_t header = 2;
    frame.length_form = 7;
    if (length == 126) {
        if (pending_.size() < 4) return std::nullopt;
        length = std::uint64_t{byte(2)} << 8 | byte(3);
        header = 4;
        frame.length_form = 16;
    } else if (length == 127) {
        if (pending_.size() < 10) return std::nullopt;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = length << 8 | byte(i);
        header = 10;
        frame.length_form = 64;
    }
    if (frame.masked) header += 4;
    if (length > (std::uint64_t{1} << 30) || pending_.size() < header + length) return std::nullopt;
    frame.payload = pending_.substr(header, length);
    if (frame.masked)
        for (std::size_t i = 0; i < frame.payload.size(); ++i)
            frame.payload[i] = static_cast<char>(frame.payload[i] ^ pending_[header - 4 + i % 4]);
    pending_.erase(0, header + length);
    // What the RFC forbids a server, noted for the tests about it.
    if (frame.masked) faults_.push_back("masked " + frame.describe());
    const int shortest = length <= 125 ? 7 : length <= 0xFFFF ? 16 : 64;
    if (frame.length_form != shortest)
        faults_.push_back("wrote the length of " + frame.describe() + " (" + std::to_string(length) + " bytes) in the " +
                          std::to_string(frame.length_form) + "-bit form, where the " + std::to_string(shortest) +
                          "-bit form is the shortest");
    if (!quiet_)
        transcript().add(name(), "receives " + frame.describe() +
                                     (frame.masked || frame.length_form != shortest || !frame.fin || frame.rsv
                                          ? " (" + frame_details(frame.masked, frame.length_form, frame.fin, frame.rsv) + ")"
                                          : ""));
    return frame;
}

Frame WebClient::next_frame(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        if (auto frame = take_frame()) return *frame;
        const Read result = read_more(deadline);
        if (result != Read::data) fail_waiting("a WebSocket frame", hint, result, where);
    }
}

std::optional<Frame> WebClient::try_next_frame(std::chrono::milliseconds within) {
    const auto deadline = Clock::now() + within;
    while (true) {
        if (auto frame = take_frame()) return frame;
        if (read_more(deadline) != Read::data) return std::nullopt;
    }
}

std::string WebClient::next_text(std::string_view hint, Where where) {
    std::string message;
    bool in_message = false;
    while (true) {
        const Frame frame = next_frame(hint, where);
        const bool text = frame.opcode == 0x1 && !in_message;
        const bool continuation = frame.opcode == 0x0 && in_message;
        if (!text && !continuation) {
            fail(name() + " expected a text message, but received " + frame.describe() +
                     (frame.opcode == 0x8 ? ": the server closed the WebSocket" : ""),
                 hint, where);
        }
        message += frame.payload;
        in_message = !frame.fin;
        if (!in_message) return message;
    }
}

void WebClient::expect_text(std::string_view expected, std::string_view hint, Where where) {
    const std::string text = next_text(hint, where);
    if (text != expected)
        fail(name() + " expected the text message " + quote_bytes(expected) + "\n  but received " +
                 std::string(name().size() + 1, ' ') + quote_bytes(text),
             hint, where);
}

void WebClient::expect_close(std::optional<std::uint16_t> code, std::string_view hint, Where where) {
    const std::string wanted = code ? "a close frame with code " + std::to_string(*code) : std::string("an empty close frame");
    const auto deadline = Clock::now() + settings().reply_timeout();
    std::optional<Frame> frame;
    while (!(frame = take_frame())) {
        const Read result = read_more(deadline);
        if (result != Read::data) fail_waiting(wanted, hint, result, where);
    }
    const bool right = frame->opcode == 0x8 && (code ? frame->close_code() == code : frame->payload.empty());
    if (!right) fail(name() + " expected " + wanted + "\n  but received " + frame->describe(), hint, where);
    // As a browser does: answer the close (the same code back), then wait
    // for the server to close the connection.
    if (!closed_) {
        transcript().add(name(), "answers the close with a close of its own");
        const std::string answer = encode_frame(Opcode::close, frame->payload.substr(0, 2));
        ::send(client_.peer().fd(), answer.data(), answer.size(), MSG_NOSIGNAL);  // the server may have closed already
    }
    expect_closed("after the close frames, the server closes the TCP connection", where);
    client_.peer().close();  // and so does the client: the server need not wait for it
}

void WebClient::expect_closed(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (!closed_ && pending_.empty()) {
        if (read_more(deadline) == Read::timed_out)
            fail(name() + " expected the server to close the connection, but it is still open " +
                     seconds_text(settings().reply_timeout()) + " later",
                 hint, where);
    }
    if (!pending_.empty()) {
        std::string what = quote_bytes(pending_);
        if (auto frame = take_frame()) what = frame->describe();
        fail(name() + " expected the server to close the connection, but first received " + what, hint, where);
    }
}

void WebClient::expect_silence(std::string_view hint, Where where) {
    const auto window = settings().silence_window();
    transcript().add(name(), "watches for " + seconds_text(window) + " that nothing arrives");
    const auto deadline = Clock::now() + window;
    while (pending_.empty() && Clock::now() < deadline)
        if (read_more(deadline) == Read::closed) break;
    if (!pending_.empty()) {
        std::string what = quote_bytes(pending_);
        if (auto frame = take_frame()) what = frame->describe();
        fail(name() + " should have received nothing, but received " + what, hint, where);
    }
}

}  // namespace grader
