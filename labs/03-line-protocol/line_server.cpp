// Lab 03 — line-server: answer every line a client sends with "N: LINE",
// N counting that connection's lines from 1. Read README.md in this folder
// first.
//
// Already done for you: lab 02's server (one client after another, forever,
// surviving rude clients). Your part is marked YOUR CODE: a line reader,
// and the numbered answers.
// Grade it with:   ./lab test 03

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

// Reads a connection line by line. TCP delivers bytes, not messages: one
// net::receive_some() may return part of a line, or several lines and part
// of the next. This class keeps what has arrived and hands out whole lines.
class LineReader {
public:
    explicit LineReader(const net::Connection& connection) : connection_(connection) {}

    // The next line, without its '\n' and without one '\r' just before it.
    // Once the client has closed its side, a last line without '\n' is
    // handed out too, and then std::nullopt: there will be no more lines.
    std::optional<std::string> read_line() {
        // ===== YOUR CODE (lab 03) =========================================
        // Loop:
        //   - if the buffer holds a '\n': take the line before it out of the
        //     buffer (keep the bytes after it for the next line), drop one
        //     '\r' at its end, and return it;
        //   - if the client has closed its side: return what is left as a
        //     last line, or std::nullopt if nothing is left;
        //   - otherwise receive more with net::receive_some(connection_, chunk)
        //     into a std::array<char, 4096>, and append what came to the
        //     buffer; 0 bytes means the client has closed its side.
        // A line may be longer than the chunk you receive into (up to 65,536
        // bytes at least): the buffer must grow to hold it.
        (void)connection_;
        return std::nullopt;
        // ===== END OF YOUR CODE ===========================================
    }

private:
    const net::Connection& connection_;
    // ===== YOUR CODE (lab 03): what the reader must remember ==============
    // e.g. a std::string of bytes received but not handed out yet, and
    // whether the client has closed its side.
    // ===== END OF YOUR CODE ===============================================
};

// Answers each of one client's lines, until the client closes its side.
// Then it returns, and the accept loop closes the socket: the end of the
// stream the client then sees tells it that every answer has been sent.
void answer_every_line(const net::Connection& client) {
    LineReader lines(client);
    // ===== YOUR CODE (lab 03) =============================================
    // For each line from lines.read_line(), send back "N: LINE\n" with
    // net::send_all(client, ...), N counting this connection's lines from 1.
    (void)lines;
    // ===== END OF YOUR CODE ===============================================
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
