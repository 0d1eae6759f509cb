// Lab 11 starter: read README.md first (en español: README.es.md).
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

// ===== YOUR CODE (lab 11) =================================================
RequestReader::Status RequestReader::append(std::string_view bytes) {
    // YOUR CODE. Guarantees (README.md, "HTTP, byte by byte"):
    // - the bytes are kept, however the request was split into reads;
    // - each line (ending in "\r\n") is parsed once, by parse_line;
    // - bad_request as soon as a bad line has ended; too_large as soon as
    //   more than max_head_size bytes have come and the head has not ended;
    // - complete once the empty line has come: request() is filled in, and
    //   rest() is what came after the head;
    // - once it has said anything but incomplete, it says the same again.
    // Until then, every request is answered 400.
    (void)bytes;
    (void)parsed_;
    return status_ = Status::bad_request;
}

RequestReader::Status RequestReader::parse_line(std::string_view line) {
    // YOUR CODE. One line, without its "\r\n". Guarantees:
    // - the first is the request line, "GET TARGET HTTP/1.1", one space
    //   apart, TARGET starting with '/': request_.target and request_.path
    //   (the target without its query string) are set; anything else is
    //   bad_request;
    // - an empty line is the end of the head: complete;
    // - any other is a header "Name: value", added to request_.headers with
    //   its name in lower case and the blanks around its value removed; a
    //   line without ':' or with a name that is not a token is bad_request.
    (void)line;
    (void)request_line_seen_;
    return Status::bad_request;
}
// ===== END OF YOUR CODE ===================================================

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
