#include "net/line_buffer.hpp"

#include <string>

namespace net {

LineBuffer::LineBuffer(std::size_t max_line_length) : max_line_length_(max_line_length) {}

void LineBuffer::append(std::string_view bytes) {
    // Lines that came out leave their bytes at the front until now: moving
    // the rest down once per append, not once per line, keeps a read full
    // of short lines linear instead of quadratic.
    if (start_ > 0) {
        bytes_.erase(0, start_);
        searched_ -= start_;
        start_ = 0;
    }
    bytes_.append(bytes);
}

std::optional<std::string> LineBuffer::next_line() {
    // Search only bytes never searched before: a long line arriving one
    // byte at a time then costs linear time, not quadratic.
    const std::size_t newline = bytes_.find('\n', searched_);
    if (newline == std::string::npos) {
        searched_ = bytes_.size();
        if (size() > max_line_length_) throw_too_long();
        return std::nullopt;
    }
    if (newline - start_ > max_line_length_) throw_too_long();  // a '\r' before the '\n' counts
    std::string line = bytes_.substr(start_, newline - start_);
    start_ = searched_ = newline + 1;  // the bytes after the '\n' start the next line
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::optional<std::string> LineBuffer::last_line() {
    if (size() > max_line_length_) throw_too_long();
    std::optional<std::string> last;
    if (size() > 0) last = bytes_.substr(start_);
    bytes_.clear();
    start_ = searched_ = 0;
    return last;
}

std::size_t LineBuffer::size() const { return bytes_.size() - start_; }

void LineBuffer::throw_too_long() const {
    throw LineTooLong("line longer than " + std::to_string(max_line_length_) + " bytes");
}

}  // namespace net
