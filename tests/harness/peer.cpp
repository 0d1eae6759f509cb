#include "peer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "settings.hpp"

namespace grader {

namespace {

int milliseconds_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

void set_option(int fd, int level, int option, int value) { ::setsockopt(fd, level, option, &value, sizeof value); }

// Every failure carries a hint: the test's own, or a general one.
std::string hint_or(std::string_view hint, std::string general) { return hint.empty() ? general : std::string(hint); }

}  // namespace

Peer::Peer(PeerNames names, net::Socket socket) : names_(std::move(names)), socket_(std::move(socket)) {
    ::fcntl(socket_.fd(), F_SETFL, ::fcntl(socket_.fd(), F_GETFL) | O_NONBLOCK);
    set_option(socket_.fd(), IPPROTO_TCP, TCP_NODELAY, 1);
}

void Peer::send(std::string_view bytes, std::string_view hint, Where where) {
    if (!quiet_) transcript().add(names_.name, "sends", bytes, true);
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (!bytes.empty()) {
        const ssize_t sent = ::send(socket_.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            const int error = errno;
            transcript().add(names_.name, std::string("cannot send: ") + std::strerror(error));
            std::string why(hint);
            if (why.empty() && (error == EPIPE || error == ECONNRESET))
                why = names_.other + " closed or reset this connection";
            fail_with(names_.subject + " could not send: " + std::strerror(error), why, where);
        }
        pollfd waiting{socket_.fd(), POLLOUT, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0)
            fail_with(names_.subject + " could not send for " + seconds_text(settings().reply_timeout()) + ": " +
                     names_.other + " is not reading from this connection",
                 hint.empty() ? names_.other + " must keep reading from the connection" : std::string(hint), where);
    }
}

void Peer::send_line(std::string_view line, std::string_view hint, Where where) {
    send(std::string(line) + "\n", hint, where);
}

void Peer::send_quietly(std::string_view bytes, std::string_view summary, std::string_view hint, Where where) {
    transcript().add(names_.name, std::string(summary));
    const bool was_quiet = std::exchange(quiet_, true);
    send(bytes, hint, where);
    quiet_ = was_quiet;
}

Peer::Read Peer::read_more(Clock::time_point deadline) {
    if (closed_) return Read::closed;
    std::array<char, 65536> buffer;
    while (true) {
        const ssize_t n = ::recv(socket_.fd(), buffer.data(), buffer.size(), 0);
        if (n > 0) {
            set_option(socket_.fd(), IPPROTO_TCP, TCP_QUICKACK, 1);  // ack now, not 40 ms later
            const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
            if (!quiet_) transcript().add(names_.name, "receives", chunk, true);
            pending_.append(chunk);
            return Read::data;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            reset_ = n < 0;
            closed_ = true;
            note_connection_lost();
            // A program that closes a connection (or exits) with bytes still
            // unread in it makes the kernel reset it rather than close it.
            transcript().add(names_.name, reset_ ? "sees the connection reset (" + std::string(std::strerror(errno)) +
                                                       "): " + names_.other + " closed it, or exited, with bytes unread"
                                                 : "sees " + names_.other + " close its side of the connection");
            return Read::closed;
        }
        if (errno == EINTR) continue;
        pollfd waiting{socket_.fd(), POLLIN, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0) return Read::timed_out;
    }
}

std::optional<std::string> Peer::take_line() {
    const auto newline = pending_.find('\n');
    if (newline == std::string::npos) return std::nullopt;
    std::string line = pending_.substr(0, newline);
    pending_.erase(0, newline + 1);
    return line;
}

void Peer::fail_expecting(const std::string& expected, std::string_view hint, Read why, Where where) {
    std::string what = names_.subject + " expected " + expected + "\n";
    if (why == Read::timed_out)
        what += "  but within " + seconds_text(settings().reply_timeout()) + " it received ";
    else
        what += "  but " + names_.other + (reset_ ? " reset the connection" : " closed its side of the connection") +
                " after sending ";
    what += pending_.empty() ? std::string("nothing more") : quote_bytes(pending_) + " (no more)";
    std::string full_hint(hint);
    if (full_hint.empty() && why == Read::timed_out && pending_.empty())
        full_hint = "nothing came: is " + names_.other + " still reading, and sending what it should?";
    if (full_hint.empty() && why == Read::timed_out && !pending_.empty())
        full_hint = "part of a line came, but not its end: does " + names_.other + " send the whole line, '\\n' included?";
    if (full_hint.empty())
        full_hint = names_.other + " closed before sending it: did it end (or crash) too early?";
    if (why == Read::timed_out) transcript().add(names_.name, "gives up waiting");
    fail_with(what, full_hint, where);
}

void Peer::fail_with(const std::string& what, std::string_view hint, Where where) {
    const std::string ended = explain_end_ ? explain_end_() : std::string();
    fail(what, ended.empty() ? hint : std::string_view(ended), where);
}

std::string Peer::next_line(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        if (auto line = take_line()) return *line;
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting("a line ending in '\\n'", hint, result, where);
    }
}

std::optional<std::string> Peer::try_next_line(std::chrono::milliseconds within) {
    const auto deadline = Clock::now() + within;
    while (true) {
        if (auto line = take_line()) return line;
        if (read_more(deadline) != Read::data) return std::nullopt;
    }
}

void Peer::expect_line(std::string_view expected, std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        if (auto line = take_line()) {
            if (*line == expected) return;
            fail_with(names_.subject + " expected the line " + quote_bytes(std::string(expected) + "\n") +
                     "\n  but received " + std::string(names_.subject.size() + 4, ' ') + quote_bytes(*line + "\n"),
                 hint_or(hint, names_.other + " sent another line than the one expected"), where);
        }
        const Read result = read_more(deadline);
        if (result != Read::data)
            fail_expecting("the line " + quote_bytes(std::string(expected) + "\n"), hint, result, where);
    }
}

std::string Peer::next_bytes(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (pending_.empty()) {
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting("some bytes", hint, result, where);
    }
    return std::exchange(pending_, std::string());
}

void Peer::expect_bytes(std::string_view expected, std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        const std::size_t common = std::min(pending_.size(), expected.size());
        const auto mismatch =
            std::mismatch(expected.begin(), expected.begin() + static_cast<long>(common), pending_.begin());
        if (mismatch.first != expected.begin() + static_cast<long>(common)) {
            const std::size_t at = static_cast<std::size_t>(mismatch.first - expected.begin());
            fail_with(names_.subject + " expected " + quote_bytes(expected) + "\n  but received " + quote_bytes(pending_) +
                     "\n  (they differ from byte " + std::to_string(at) + " on)",
                 hint_or(hint, names_.other + " sent other bytes than the ones expected"), where);
        }
        if (pending_.size() >= expected.size()) {
            pending_.erase(0, expected.size());
            return;
        }
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting(quote_bytes(expected), hint, result, where);
    }
}

void Peer::expect_silence(std::string_view hint, Where where) {
    const auto window = settings().silence_window();
    transcript().add(names_.name, "watches for " + seconds_text(window) + " that nothing arrives");
    const auto deadline = Clock::now() + window;
    while (pending_.empty() && Clock::now() < deadline) {
        if (read_more(deadline) == Read::closed) break;
    }
    if (!pending_.empty())
        fail_with(names_.subject + " should have received nothing, but received " + quote_bytes(pending_),
             hint_or(hint, names_.other + " sent something it should not have"), where);
}

void Peer::expect_closed(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (!closed_ && pending_.empty()) {
        if (read_more(deadline) == Read::timed_out)
            fail_with(names_.subject + " expected " + names_.other + " to close its side of the connection, but it is "
                     "still open " + seconds_text(settings().reply_timeout()) + " later",
                 hint_or(hint, names_.other + " should close its side of the connection once it is done"), where);
    }
    if (!pending_.empty())
        fail_with(names_.subject + " expected " + names_.other + " to close its side of the connection, but first received " +
                 quote_bytes(pending_),
             hint_or(hint, names_.other + " sent more than expected before closing"), where);
}

void Peer::send_slowly(std::string_view bytes, std::string_view hint, Where where) {
    transcript().add(names_.name, "sends one byte at a time", bytes, true);
    const bool was_quiet = std::exchange(quiet_, true);
    for (char byte : bytes) {
        send(std::string_view(&byte, 1), hint, where);
        // Pacing, not waiting for an event: the pause makes each byte its own
        // TCP segment, so the other side reads them one by one.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    quiet_ = was_quiet;
}

void Peer::expect_echo(std::string_view bytes, std::string_view hint, Where where) {
    const std::string nul_diagnosis =
        "the echo went wrong at a '\\0' byte: is the buffer treated as a C string (strlen, printf(\"%s\"), "
        "std::string(buffer))? Bytes have a length; '\\0' is data like any other";
    transcript().add(names_.name, "sends " + std::to_string(bytes.size()) + " bytes, reading the echo at the same time",
                     bytes.substr(0, 40), true);
    std::size_t sent = 0, checked = 0;
    std::array<char, 65536> buffer;
    auto progress = [&] {
        return names_.name + " sent " + std::to_string(sent) + " of " + std::to_string(bytes.size()) + " bytes and got " +
               std::to_string(checked) + " back";
    };
    // The deadline moves with progress: it is the longest the transfer may
    // stand still, not a bound on the whole transfer.
    auto deadline = Clock::now() + settings().reply_timeout();
    while (checked < bytes.size()) {
        pollfd waiting{socket_.fd(), static_cast<short>(POLLIN | (sent < bytes.size() ? POLLOUT : 0)), 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0) {
            std::string diagnosis(hint.empty() ? "does the server send back everything it receives?" : hint);
            if (checked < sent && bytes[checked] == '\0')
                diagnosis = nul_diagnosis;
            else if (checked == 0 && sent > 0)
                diagnosis = "nothing came back while the client kept sending: echo each piece as it arrives, "
                            "rather than reading everything first";
            fail_with(progress() + "; then nothing moved for " + seconds_text(settings().reply_timeout()) +
                     (checked < bytes.size() ? "\n  the next byte expected back: " + quote_bytes(bytes.substr(checked, 1))
                                             : std::string()),
                 diagnosis, where);
        }
        if ((waiting.revents & POLLOUT) && sent < bytes.size()) {
            const ssize_t n = ::send(socket_.fd(), bytes.data() + sent, std::min<std::size_t>(bytes.size() - sent, 65536), MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
                deadline = Clock::now() + settings().reply_timeout();
            }
        }
        if (!(waiting.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(socket_.fd(), buffer.data(), buffer.size(), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
            closed_ = true;
            reset_ = n < 0;
            note_connection_lost();
            fail_with(progress() + "; then " + names_.other + " " + (n < 0 ? "reset the connection" : "closed its side of the connection"),
                      hint_or(hint, names_.other + " closed before echoing everything: did it stop early?"), where);
        }
        set_option(socket_.fd(), IPPROTO_TCP, TCP_QUICKACK, 1);
        const std::string_view got(buffer.data(), static_cast<std::size_t>(n));
        if (checked + got.size() > bytes.size())
            fail_with(progress() + ", and then " + std::to_string(checked + got.size() - bytes.size()) +
                     " bytes more than it sent: " + quote_bytes(got.substr(bytes.size() - checked), 40),
                 "send back exactly the bytes received: send the number recv() returned, not the buffer's size",
                 where);
        const std::string_view want = bytes.substr(checked, got.size());
        if (got != want) {
            const auto diff = static_cast<std::size_t>(std::mismatch(want.begin(), want.end(), got.begin()).first - want.begin());
            const std::size_t at = checked + diff;
            std::string diagnosis = std::string(hint);
            if (bytes[at] == '\0' || (at > 0 && bytes[at - 1] == '\0'))
                diagnosis = nul_diagnosis;
            else if (got.size() - diff >= 16 && bytes.substr(0, at).find(got.substr(diff, 16)) != std::string_view::npos)
                diagnosis = "bytes that had already come back came again: after a partial send(), send the rest "
                            "from where it stopped, not from the start of the buffer";
            fail_with(names_.name + " got a wrong byte back at offset " + std::to_string(at) + "\n  expected from there " +
                     quote_bytes(bytes.substr(at, 40)) + "\n  but received        " + quote_bytes(got.substr(diff, 40)),
                 diagnosis, where);
        }
        checked += got.size();
        deadline = Clock::now() + settings().reply_timeout();
    }
    transcript().add(names_.name, "got all " + std::to_string(bytes.size()) + " bytes back, unchanged");
}

void Peer::half_close() {
    transcript().add(names_.name, "closes its sending side (shutdown SHUT_WR)");
    ::shutdown(socket_.fd(), SHUT_WR);
}

void Peer::close() {
    transcript().add(names_.name, "closes the connection");
    socket_.close();
    closed_ = true;
}

void Peer::reset() {
    transcript().add(names_.name, "resets the connection (close with SO_LINGER 0)");
    const linger abort_on_close{1, 0};
    ::setsockopt(socket_.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    socket_.close();
    closed_ = true;
}

}  // namespace grader
