// Lab 03 — line-server: answers every line a client sends with "N: LINE",
// N counting that connection's lines from 1.
//
// The lesson: TCP delivers a stream of bytes, not messages. The client's
// send("hello\n") may reach us as "hel" and "lo\n" in two recv()s, and three
// send()s may arrive together in one. The original course's chat server took
// each recv(1024) as one message, and so numbered reads, not lines. Here a
// small LineReader keeps what has arrived in a buffer and hands out one whole
// line at a time, however the bytes were split on the way.
//
// Everything else is lab 02's server: one client after another, forever,
// whatever the clients do.

#include <array>
#include <cstddef>
#include <exception>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "net/errors.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Lines of any length up to this work. Past it the client is dropped: a
// buffer with no bound is memory that any client can make us spend.
constexpr std::size_t max_line_length = 1024 * 1024;

// Reads a connection line by line: a buffer of bytes received but not yet
// handed out, refilled with net::receive_some() whenever it holds no whole line.
class LineReader {
public:
    explicit LineReader(const net::Connection& connection) : connection_(connection) {}

    // The next line, without its '\n' and without one '\r' just before it.
    // Once the client has closed its side, a last line without '\n' is
    // handed out too, and then std::nullopt: there will be no more lines.
    std::optional<std::string> read_line() {
        while (true) {
            // Search only the bytes not searched before: a long line that
            // arrives in many small pieces is then read in linear time.
            const std::size_t newline = buffer_.find('\n', searched_);
            if (newline != std::string::npos) {
                std::string line = buffer_.substr(0, newline);
                buffer_.erase(0, newline + 1);  // the bytes after it start the next line
                searched_ = 0;
                // telnet and Windows end lines with "\r\n": drop that one '\r'.
                // Only one: "a\r\r\n" is the line "a\r".
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return line;
            }
            searched_ = buffer_.size();
            if (client_closed_) {
                // The client said it will send nothing more: what is left,
                // if anything, is a last line without '\n'. Its '\r', if it
                // has one, stays: only "\r\n" ends a line.
                if (buffer_.empty()) return std::nullopt;
                searched_ = 0;
                return std::exchange(buffer_, std::string());
            }
            if (buffer_.size() > max_line_length)
                throw std::length_error("line longer than " + std::to_string(max_line_length) + " bytes");

            // recv() returns what has arrived: part of a line, or several
            // lines and part of the next. The chunk's size is no limit on a
            // line's length: buffer_ grows to hold what a line needs.
            std::array<char, 4096> chunk;
            const std::size_t received = net::receive_some(connection_, chunk);
            if (received == 0) client_closed_ = true;
            buffer_.append(chunk.data(), received);
        }
    }

private:
    const net::Connection& connection_;
    std::string buffer_;        // received, not yet handed out as lines
    std::size_t searched_ = 0;  // how much of buffer_ is known to hold no '\n'
    bool client_closed_ = false;
};

// Answers each of one client's lines, until the client closes its side.
// Then it returns, and the accept loop closes the socket: the end of the
// stream the client then sees tells it that every answer has been sent.
void answer_every_line(const net::Connection& client) {
    LineReader lines(client);
    // Lives as long as this connection: the next client starts again at 1.
    unsigned long long count = 0;
    while (const std::optional<std::string> line = lines.read_line()) {
        ++count;
        net::send_all(client, std::to_string(count) + ": " + *line + "\n");
    }
}

// Serves one client; whatever that client does, returns to the accept loop.
void serve_client(const net::Connection& client) {
    try {
        answer_every_line(client);
    } catch (const std::system_error& error) {
        // ECONNRESET, EPIPE and the like: the client left without saying
        // goodbye. That is a normal way to leave, so nothing is logged.
        if (net::is_disconnect(error)) return;
        // Anything else went wrong with this one client only: say so on
        // standard error (one line, naming the call and the client, which
        // the message already does) and go on with the next client.
        std::cerr << "line-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        // Not a failed call (a line too long, say): the same, one line.
        std::cerr << "line-server: " << client.peer.to_string() << ": " << error.what() << std::endl;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "line-server");
    const net::Socket listener = net::listen_or_exit(options, "line-server");

    try {
        while (true) {
            // `client` lives for one turn of the loop: its destructor closes
            // the client's socket at the end of each turn, however
            // serve_client returned. Without that, every client would leave
            // one descriptor behind, and after about a thousand clients
            // accept() would fail with EMFILE ("too many open files").
            net::Connection client = net::accept_client(listener);
            serve_client(client);
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed,
        // which no client can cause. That is the end of this server.
        std::cerr << "line-server: " << error.what() << std::endl;
        return 1;
    }
}
