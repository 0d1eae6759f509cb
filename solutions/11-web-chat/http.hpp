#pragma once
// HTTP/1.1, as much of it as the chat needs (RFC 9112): one request per
// connection, read from its bytes however they are split, and one answer.
//
//   GET /chat HTTP/1.1\r\n                 request line: METHOD SP TARGET SP VERSION CRLF
//   Host: 127.0.0.1:8080\r\n               headers: NAME ":" VALUE CRLF, blanks around VALUE ignored
//   Upgrade: websocket\r\n
//   Connection: Upgrade\r\n
//   \r\n                                   an empty line ends the head
//
// A GET has no body: its head is the whole request. After an upgrade, the
// bytes that follow the head are the new protocol's.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace http {

// The request line and the headers together, every CRLF counted (the
// empty line's too), may take this many bytes; a request still going past
// that is answered 431.
inline constexpr std::size_t max_head_size = 8 * 1024;

struct Header {
    std::string name;   // in a request, in lower case: names are compared in any case
    std::string value;  // without the blanks around it
};

struct Request {
    std::string target;  // as sent: "/chat?room=1"
    std::string path;    // the target without its query string: "/chat"
    std::vector<Header> headers;

    // The value of the first header with this name (given in any case).
    std::optional<std::string_view> header(std::string_view name) const;
    // True if a header with this name lists `token` in its comma-separated
    // value, in any case: "Connection: keep-alive, Upgrade" lists "upgrade".
    bool lists(std::string_view name, std::string_view token) const;
};

// Reads the head of one request as its bytes arrive.
class RequestReader {
public:
    enum class Status {
        incomplete,   // the head has not ended yet: more bytes, please
        complete,     // request() is the request
        bad_request,  // 400: the first line is not "GET TARGET HTTP/1.1", or a header line is not "NAME: VALUE"
        too_large,    // 431: more than max_head_size bytes and the head has not ended
    };

    // Adds the bytes of one read and says where the request stands. A bad
    // first line is told as soon as that line has ended; a head too large
    // as soon as its first byte too many has arrived. Once it has said
    // anything but incomplete, it says the same again.
    Status append(std::string_view bytes);

    const Request& request() const { return request_; }
    // What came after the head (after an upgrade: the first frames).
    std::string_view rest() const;

private:
    Status parse_line(std::string_view line);

    std::string bytes_;         // everything appended, until the head is complete
    std::size_t parsed_ = 0;    // bytes_ before this are lines already parsed
    std::size_t head_size_ = 0; // once complete: where the head ends in bytes_
    bool request_line_seen_ = false;
    Status status_ = Status::incomplete;
    Request request_;
};

// A whole response that closes the connection after it: the status line,
// `headers`, Content-Length (the body's size in bytes), Connection: close,
// the empty line, the body.
std::string response(int status, std::string_view reason, const std::vector<Header>& headers,
                     std::string_view body);

// The same with a one-line plain-text body, for errors: "404 Not Found\n".
std::string error_response(int status, std::string_view reason, const std::vector<Header>& headers = {});

// "Upgrade" -> "upgrade": header names and tokens are compared in any case.
std::string lower_case(std::string_view text);

// True if `text` is a token, as a header's name must be: letters, digits
// and !#$%&'*+-.^_`|~, at least one, no blanks.
bool is_token(std::string_view text);

}  // namespace http
