#include "http.hpp"

#include <algorithm>

namespace http {

namespace {

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

bool is_token(std::string_view text) {
    return !text.empty() && std::ranges::all_of(text, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

std::string lower_case(std::string_view text) {
    std::string lower(text);
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return lower;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
    const std::string wanted = lower_case(name);
    for (const Header& header : headers)
        if (header.name == wanted) return header.value;
    return std::nullopt;
}

bool Request::lists(std::string_view name, std::string_view token) const {
    const std::string wanted_name = lower_case(name);
    const std::string wanted_token = lower_case(token);
    for (const Header& header : headers) {
        if (header.name != wanted_name) continue;
        std::string_view rest = header.value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            if (lower_case(trimmed(rest.substr(0, comma))) == wanted_token) return true;
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    return false;
}

// BEGIN YOURS
RequestReader::Status RequestReader::append(std::string_view bytes) {
    if (status_ != Status::incomplete) return status_;
    bytes_.append(bytes);
    // Each line once: parsed_ is where the first line not yet parsed begins.
    for (auto end = bytes_.find('\n', parsed_); end != std::string::npos; end = bytes_.find('\n', parsed_)) {
        if (end + 1 > max_head_size) return status_ = Status::too_large;
        const std::string_view line = std::string_view(bytes_).substr(parsed_, end - parsed_);
        parsed_ = end + 1;
        // Every line ends in CRLF; a '\n' alone does not end one.
        if (!line.ends_with('\r')) return status_ = Status::bad_request;
        if (const Status status = parse_line(line.substr(0, line.size() - 1)); status != Status::incomplete) {
            if (status == Status::complete) head_size_ = parsed_;
            return status_ = status;
        }
    }
    // No end of the head in sight, and already too long: no need to wait for it.
    if (bytes_.size() > max_head_size) return status_ = Status::too_large;
    return status_;
}

RequestReader::Status RequestReader::parse_line(std::string_view line) {
    if (!request_line_seen_) {
        // "GET /chat?x=1 HTTP/1.1": three parts, one space apart.
        request_line_seen_ = true;
        const auto first_space = line.find(' ');
        const auto second_space = line.find(' ', first_space + 1);
        if (first_space == std::string_view::npos || second_space == std::string_view::npos) return Status::bad_request;
        const std::string_view method = line.substr(0, first_space);
        const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
        const std::string_view version = line.substr(second_space + 1);
        const bool target_ok = target.starts_with('/') && std::ranges::none_of(target, [](char c) {
            return static_cast<unsigned char>(c) <= ' ' || c == 0x7F;
        });
        if (method != "GET" || !target_ok || version != "HTTP/1.1") return Status::bad_request;
        request_.target = std::string(target);
        request_.path = std::string(target.substr(0, target.find('?')));
        return Status::incomplete;
    }
    if (line.empty()) return Status::complete;  // the empty line: the head is whole
    // "Name: value". No blank before the colon, and no line folded onto the
    // one before (starting with a blank): both are refused by RFC 9112.
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return Status::bad_request;
    request_.headers.push_back({lower_case(line.substr(0, colon)), std::string(trimmed(line.substr(colon + 1)))});
    return Status::incomplete;
}
// INSTEAD
//| RequestReader::Status RequestReader::append(std::string_view bytes) {
//|     // YOUR CODE. Guarantees (README.md, "HTTP, byte by byte"):
//|     // - the bytes are kept, however the request was split into reads;
//|     // - each line (ending in "\r\n") is parsed once, by parse_line;
//|     // - bad_request as soon as a bad line has ended; too_large as soon as
//|     //   more than max_head_size bytes have come and the head has not ended;
//|     // - complete once the empty line has come: request() is filled in, and
//|     //   rest() is what came after the head;
//|     // - once it has said anything but incomplete, it says the same again.
//|     // Until then, every request is answered 400.
//|     (void)bytes;
//|     (void)parsed_;
//|     return status_ = Status::bad_request;
//| }
//|
//| RequestReader::Status RequestReader::parse_line(std::string_view line) {
//|     // YOUR CODE. One line, without its "\r\n". Guarantees:
//|     // - the first is the request line, "GET TARGET HTTP/1.1", one space
//|     //   apart, TARGET starting with '/': request_.target and request_.path
//|     //   (the target without its query string) are set; anything else is
//|     //   bad_request;
//|     // - an empty line is the end of the head: complete;
//|     // - any other is a header "Name: value", added to request_.headers with
//|     //   its name in lower case and the blanks around its value removed; a
//|     //   line without ':' or with a name that is not a token is bad_request.
//|     (void)line;
//|     (void)request_line_seen_;
//|     return Status::bad_request;
//| }
// END YOURS

std::string_view RequestReader::rest() const { return std::string_view(bytes_).substr(head_size_); }

std::string response(int status, std::string_view reason, const std::vector<Header>& headers, std::string_view body) {
    std::string text = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    for (const Header& header : headers) text += header.name + ": " + header.value + "\r\n";
    // The length of the body in bytes, so that the client knows where it
    // ends; and we close after it, so it need not wait for more.
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    text += "Connection: close\r\n\r\n";
    text += body;
    return text;
}

std::string error_response(int status, std::string_view reason, const std::vector<Header>& headers) {
    std::vector<Header> all = headers;
    all.push_back({"Content-Type", "text/plain; charset=utf-8"});
    return response(status, reason, all, std::to_string(status) + " " + std::string(reason) + "\n");
}

}  // namespace http
