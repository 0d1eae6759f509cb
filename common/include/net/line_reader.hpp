#pragma once
// Reads a connection line by line, with a thread that waits in recv(): a
// net::LineBuffer (the framing) fed by net::receive_some (the reading).
// TCP delivers bytes, not messages; LineReader receives until the buffer
// holds a whole line, and hands that out (CS:APP's rio_readlineb).

#include <cstddef>
#include <optional>
#include <string>

#include "net/line_buffer.hpp"
#include "net/tcp.hpp"

namespace net {

class LineReader {
public:
    explicit LineReader(const Connection& connection,
                        std::size_t max_line_length = 1024 * 1024);

    // The next line, without its '\n' and without one '\r' just before it
    // (so telnet's "\r\n" works). Once the peer has closed its side, a last
    // line without '\n' is returned as a line, and then std::nullopt.
    // Throws LineTooLong (naming the peer) as soon as more than
    // max_line_length bytes have arrived without a '\n' (a '\r' counts), and
    // std::system_error if receiving fails (a reset, say).
    std::optional<std::string> read_line();

private:
    const Connection& connection_;
    LineBuffer buffer_;
    bool peer_closed_ = false;
};

}  // namespace net
