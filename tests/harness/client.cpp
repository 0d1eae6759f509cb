#include "client.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "net/address.hpp"
#include "settings.hpp"
#include "transcript.hpp"

namespace grader {

namespace {

int milliseconds_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

void set_option(int fd, int level, int option, int value) {
    ::setsockopt(fd, level, option, &value, sizeof value);
}

}  // namespace

Client::Client(std::string name, const std::string& host, std::uint16_t port, int receive_buffer, Where where)
    : name_(std::move(name)) {
    const bool ipv6 = host.find(':') != std::string::npos;
    socket_ = net::Socket(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket_.is_open()) fail(name_ + " could not create a socket: " + std::strerror(errno), {}, where);
    set_option(socket_.fd(), IPPROTO_TCP, TCP_NODELAY, 1);
    if (receive_buffer > 0) set_option(socket_.fd(), SOL_SOCKET, SO_RCVBUF, receive_buffer);

    sockaddr_storage address{};
    socklen_t length = 0;
    if (ipv6) {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        ::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr);
        length = sizeof *v6;
    } else {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        ::inet_pton(AF_INET, host.c_str(), &v4->sin_addr);
        length = sizeof *v4;
    }
    const std::string target = net::join_host_port(host, port);
    // Non-blocking connect, then wait for it with a deadline: a server whose
    // accept queue is full would otherwise keep us waiting for minutes.
    int error = 0;
    if (::connect(socket_.fd(), reinterpret_cast<sockaddr*>(&address), length) < 0) {
        error = errno;
        if (error == EINPROGRESS) {
            pollfd waiting{socket_.fd(), POLLOUT, 0};
            if (::poll(&waiting, 1, milliseconds_until(Clock::now() + settings().reply_timeout())) == 0)
                fail(name_ + " could not connect to " + target + " within " + seconds_text(settings().reply_timeout()),
                     "is the server accepting connections? A full listen backlog makes clients wait", where);
            socklen_t size = sizeof error;
            ::getsockopt(socket_.fd(), SOL_SOCKET, SO_ERROR, &error, &size);
        }
    }
    if (error != 0) {
        transcript().add(name_, "cannot connect to " + target + ": " + std::strerror(error));
        fail(name_ + " could not connect to " + target + ": " + std::strerror(error),
             error == ECONNREFUSED ? "nothing is listening there any more: has the server exited or closed its "
                                     "listening socket?"
                                   : "", where);
    }
    address_ = net::local_address(socket_).to_string();
    transcript().add(name_, "connects from " + address_);
}

void Client::send(std::string_view bytes, Where where) {
    if (!quiet_) transcript().add(name_, "sends", bytes, true);
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (!bytes.empty()) {
        const ssize_t sent = ::send(socket_.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            transcript().add(name_, std::string("cannot send: ") + std::strerror(errno));
            fail(name_ + " could not send: " + std::strerror(errno),
                 errno == EPIPE || errno == ECONNRESET ? "the server closed or reset this connection" : "", where);
        }
        pollfd waiting{socket_.fd(), POLLOUT, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0)
            fail(name_ + " could not send for " + seconds_text(settings().reply_timeout()) +
                     ": the server is not reading from this connection",
                 "the server must keep reading from every client it has accepted", where);
    }
}

void Client::send_line(std::string_view line, Where where) { send(std::string(line) + "\n", where); }

void Client::send_slowly(std::string_view bytes, Where where) {
    transcript().add(name_, "sends one byte at a time", bytes, true);
    const bool was_quiet = std::exchange(quiet_, true);
    for (char byte : bytes) {
        send(std::string_view(&byte, 1), where);
        // Pacing, not waiting for an event: the pause makes each byte its own
        // TCP segment, so the server reads them one by one.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    quiet_ = was_quiet;
}

Client::Read Client::read_more(Clock::time_point deadline) {
    if (closed_) return Read::closed;
    std::array<char, 65536> buffer;
    while (true) {
        const ssize_t n = ::recv(socket_.fd(), buffer.data(), buffer.size(), 0);
        if (n > 0) {
            set_option(socket_.fd(), IPPROTO_TCP, TCP_QUICKACK, 1);  // ack now, not 40 ms later
            const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
            if (!quiet_) transcript().add(name_, "receives", chunk, true);
            pending_.append(chunk);
            return Read::data;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            reset_ = n < 0;
            closed_ = true;
            note_connection_lost();
            // A program that closes a connection (or exits) with bytes still
            // unread in it makes the kernel reset it rather than close it.
            transcript().add(name_, reset_ ? "sees the connection reset (" + std::string(std::strerror(errno)) +
                                                 "): the server closed it, or exited, with bytes unread"
                                           : "sees the server close the connection");
            return Read::closed;
        }
        if (errno == EINTR) continue;
        pollfd waiting{socket_.fd(), POLLIN, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0) return Read::timed_out;
    }
}

std::optional<std::string> Client::take_line() {
    const auto newline = pending_.find('\n');
    if (newline == std::string::npos) return std::nullopt;
    std::string line = pending_.substr(0, newline);
    pending_.erase(0, newline + 1);
    return line;
}

void Client::fail_expecting(const std::string& expected, std::string_view hint, Read why, Where where) {
    std::string what = name_ + " expected " + expected + "\n";
    if (why == Read::timed_out)
        what += "  but within " + seconds_text(settings().reply_timeout()) + " it received ";
    else
        what += "  but the server " + std::string(reset_ ? "reset" : "closed") + " the connection after sending ";
    what += pending_.empty() ? std::string("nothing more") : quote_bytes(pending_) + " (no more)";
    std::string full_hint(hint);
    if (full_hint.empty() && why == Read::timed_out && pending_.empty())
        full_hint = "nothing came back: is the server still reading from this connection, and sending what it should?";
    if (full_hint.empty() && why == Read::timed_out && !pending_.empty())
        full_hint = "part of the reply came, but not its end: does the server send the whole line, '\\n' included?";
    if (why == Read::timed_out) transcript().add(name_, "gives up waiting");
    fail(what, full_hint, where);
}

std::string Client::next_line(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        if (auto line = take_line()) return *line;
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting("a line ending in '\\n'", hint, result, where);
    }
}

std::optional<std::string> Client::try_next_line(std::chrono::milliseconds within) {
    const auto deadline = Clock::now() + within;
    while (true) {
        if (auto line = take_line()) return line;
        if (read_more(deadline) != Read::data) return std::nullopt;
    }
}

void Client::expect_line(std::string_view expected, std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        if (auto line = take_line()) {
            if (*line == expected) return;
            fail(name_ + " expected the line " + quote_bytes(std::string(expected) + "\n") + "\n  but received      " +
                     quote_bytes(*line + "\n"),
                 hint, where);
        }
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting("the line " + quote_bytes(std::string(expected) + "\n"), hint, result, where);
    }
}

std::string Client::next_bytes(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (pending_.empty()) {
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting("some bytes", hint, result, where);
    }
    return std::exchange(pending_, std::string());
}

void Client::expect_bytes(std::string_view expected, std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        const std::size_t common = std::min(pending_.size(), expected.size());
        const auto mismatch = std::mismatch(expected.begin(), expected.begin() + static_cast<long>(common), pending_.begin());
        if (mismatch.first != expected.begin() + static_cast<long>(common)) {
            const std::size_t at = static_cast<std::size_t>(mismatch.first - expected.begin());
            fail(name_ + " expected " + quote_bytes(expected) + "\n  but received " + quote_bytes(pending_) +
                     "\n  (they differ from byte " + std::to_string(at) + " on)",
                 hint, where);
        }
        if (pending_.size() >= expected.size()) {
            pending_.erase(0, expected.size());
            return;
        }
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting(quote_bytes(expected), hint, result, where);
    }
}

void Client::expect_silence(std::string_view hint, Where where) {
    const auto window = settings().silence_window();
    transcript().add(name_, "watches for " + seconds_text(window) + " that nothing arrives");
    const auto deadline = Clock::now() + window;
    while (pending_.empty() && Clock::now() < deadline) {
        if (read_more(deadline) == Read::closed) break;
    }
    if (!pending_.empty())
        fail(name_ + " should have received nothing, but received " + quote_bytes(pending_), hint, where);
}

void Client::expect_closed(std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (!closed_) {
        if (!pending_.empty()) break;
        if (read_more(deadline) == Read::timed_out) {
            fail(name_ + " expected the server to close the connection, but it is still open " +
                     seconds_text(settings().reply_timeout()) + " later",
                 hint.empty() ? "close the client's socket once you are done with it" : hint, where);
        }
    }
    if (!pending_.empty())
        fail(name_ + " expected the server to close the connection, but first received " + quote_bytes(pending_), hint, where);
}

void Client::expect_echo(std::string_view bytes, std::string_view hint, Where where) {
    const std::string nul_diagnosis =
        "the echo went wrong at a '\\0' byte: is the buffer treated as a C string (strlen, printf(\"%s\"), "
        "std::string(buffer))? Bytes have a length; '\\0' is data like any other";
    transcript().add(name_, "sends " + std::to_string(bytes.size()) + " bytes, reading the echo at the same time",
                     bytes.substr(0, 40), true);
    std::size_t sent = 0, checked = 0;
    std::array<char, 65536> buffer;
    auto progress = [&] {
        return name_ + " sent " + std::to_string(sent) + " of " + std::to_string(bytes.size()) + " bytes and got " +
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
            fail(progress() + "; then nothing moved for " + seconds_text(settings().reply_timeout()) +
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
            note_connection_lost();
            fail(progress() + "; then the server " + (n < 0 ? "reset" : "closed") + " the connection", hint, where);
        }
        set_option(socket_.fd(), IPPROTO_TCP, TCP_QUICKACK, 1);
        const std::string_view got(buffer.data(), static_cast<std::size_t>(n));
        if (checked + got.size() > bytes.size())
            fail(progress() + ", and then " + std::to_string(checked + got.size() - bytes.size()) +
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
            fail(name_ + " got a wrong byte back at offset " + std::to_string(at) + "\n  expected from there " +
                     quote_bytes(bytes.substr(at, 40)) + "\n  but received        " + quote_bytes(got.substr(diff, 40)),
                 diagnosis, where);
        }
        checked += got.size();
        deadline = Clock::now() + settings().reply_timeout();
    }
    transcript().add(name_, "got all " + std::to_string(bytes.size()) + " bytes back, unchanged");
}

void Client::half_close() {
    transcript().add(name_, "closes its sending side (shutdown SHUT_WR)");
    ::shutdown(socket_.fd(), SHUT_WR);
}

void Client::reset() {
    transcript().add(name_, "resets the connection (close with SO_LINGER 0)");
    const linger abort_on_close{1, 0};
    ::setsockopt(socket_.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    socket_.close();
    closed_ = true;
}

}  // namespace grader
