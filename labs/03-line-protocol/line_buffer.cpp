// Lab 03 starter: read README.md first (en español: README.es.md).
// Lab 03: net::LineBuffer, the line framing. What each function must
// guarantee is in line_buffer.hpp; how, in the handout (README.md, "A line
// buffer"). The unit of work is a guarantee: when ./lab test 03 fails, it
// says which one.
#include "line_buffer.hpp"

#include <string>

namespace net {

LineBuffer::LineBuffer(std::size_t max_line_length) : max_line_length_(max_line_length) {}

void LineBuffer::append(std::string_view bytes) {
    // ===== YOUR CODE (lab 03) =============================================
    (void)bytes;
    // ===== END OF YOUR CODE ===============================================
}

std::optional<std::string> LineBuffer::next_line() {
    // ===== YOUR CODE (lab 03) =============================================
    return std::nullopt;
    // ===== END OF YOUR CODE ===============================================
}

std::optional<std::string> LineBuffer::last_line() {
    // ===== YOUR CODE (lab 03) =============================================
    return std::nullopt;
    // ===== END OF YOUR CODE ===============================================
}

std::size_t LineBuffer::size() const {
    // ===== YOUR CODE (lab 03) =============================================
    return 0;
    // ===== END OF YOUR CODE ===============================================
}

void LineBuffer::throw_too_long() const {
    throw LineTooLong("line longer than " + std::to_string(max_line_length_) + " bytes");
}

}  // namespace net
