#pragma once
// ANSWER TO LAB 03. This file is the finished answer to lab 03
// (labs/03-line-protocol). If you have not done lab 03 yet, close it: that
// lab has you write this yourself. From lab 04 on, use it freely.
//
// Reads a connection line by line. TCP delivers bytes, not messages: one
// receive may return half a line, or three lines and the start of a fourth.
// LineReader keeps what it has received in a buffer and hands out one whole
// line at a time (CS:APP's rio_readlineb).

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

#include "net/tcp.hpp"

namespace net {

// Thrown as soon as more than max_line_length bytes arrive without a '\n'
// (a '\r' counts): a client must not make the server buffer without end.
class LineTooLong : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class LineReader {
public:
    explicit LineReader(const Connection& connection,
                        std::size_t max_line_length = 1024 * 1024);

    // The next line, without its '\n' and without one '\r' just before it
    // (so telnet's "\r\n" works). Once the peer has closed its side, a last
    // line without '\n' is returned as a line, and then std::nullopt.
    std::optional<std::string> read_line();

private:
    LineTooLong too_long() const;

    const Connection& connection_;
    std::size_t max_line_length_;
    std::string buffer_;        // received, not yet handed out
    std::size_t scanned_ = 0;   // bytes of buffer_ known to hold no '\n'
    bool peer_closed_ = false;
};

}  // namespace net
