#include "net/line_reader.hpp"

#include <array>

namespace net {

LineReader::LineReader(const Connection& connection, std::size_t max_line_length)
    : connection_(connection), buffer_(max_line_length) {}

std::optional<std::string> LineReader::read_line() {
    try {
        while (true) {
            if (std::optional<std::string> line = buffer_.next_line()) return line;
            if (peer_closed_) return buffer_.last_line();  // then nothing, ever after
            std::array<char, 64 * 1024> chunk;
            const std::size_t received = receive_some(connection_, chunk);
            if (received == 0) peer_closed_ = true;
            buffer_.append({chunk.data(), received});
        }
    } catch (const LineTooLong& error) {
        throw LineTooLong(std::string(error.what()) + " from " + connection_.peer.to_string());
    }
}

}  // namespace net
