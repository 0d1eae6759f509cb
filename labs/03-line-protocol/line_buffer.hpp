// Lab 03 starter: read README.md first (en español: README.es.md).
#pragma once
// Lab 03: you write this class. Keep the public part as it is (the grader
// and lab 04 on rely on these promises); choose the private members.
//
// LineBuffer: line framing with no system calls. TCP delivers bytes, not
// messages: one read may hold half a line, or three lines and the start of
// a fourth. Whoever reads the socket puts each read's bytes in with
// append(); whole lines come out of next_line(), however the bytes were
// split. It never reads a socket itself, so the same class serves a thread
// that blocks in recv() and an event loop that reads whatever is ready.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace net {

// More than max_line_length bytes have arrived without a '\n' (a '\r'
// counts): a client must not make the server buffer without end.
class LineTooLong : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class LineBuffer {
public:
    // Lines of up to max_line_length bytes (without the '\n') come out;
    // longer ones make next_line() throw LineTooLong.
    explicit LineBuffer(std::size_t max_line_length = 1024 * 1024);

    // Keeps bytes as they were received, in order, whatever they hold
    // ('\0' included).
    void append(std::string_view bytes);

    // The next whole line, without its '\n' and without one '\r' just
    // before it ("a\r\r\n" is the line "a\r"); std::nullopt while no whole
    // line is held. Lines come out in the order they arrived, each once.
    // Throws LineTooLong when the next line has more than max_line_length
    // bytes before its '\n', or when more than that are held with no '\n'
    // at all: as soon as the first byte too many has been appended.
    // Each byte is looked at once, however many pieces a line came in.
    std::optional<std::string> next_line();

    // For the end of the stream, once next_line() has given every whole
    // line: the bytes left after the last '\n', as a last line (a '\r' at
    // its end stays: only "\r\n" ends a line), or std::nullopt if there are
    // none. Afterwards the buffer is empty.
    std::optional<std::string> last_line();

    // Bytes held that have not come out as lines yet.
    std::size_t size() const;

private:
    [[noreturn]] void throw_too_long() const;  // throws LineTooLong (already written)

    std::size_t max_line_length_;
    // ===== YOUR CODE (lab 03): what the buffer must remember ==============
    // Yours to design, from the guarantees above and the handout's "A line
    // buffer".
    // ===== END OF YOUR CODE ===============================================
};

}  // namespace net
