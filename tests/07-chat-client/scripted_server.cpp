#include "scripted_server.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "net/address.hpp"
#include "net/tcp.hpp"

namespace chat_client_test {

namespace {

std::string seconds_text(std::chrono::milliseconds duration) {
    std::string text = std::to_string(duration.count() / 1000.0);
    return text.substr(0, text.find('.') + 2) + " s";
}

int milliseconds_until(grader::Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - grader::Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

void set_non_blocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

// ------------------------------------------------------------ the server --

ScriptedServer::ScriptedServer(const std::string& host) : host_(host) {
    listener_ = net::listen_on(host, 0);
    set_non_blocking(listener_.fd());
    port_ = net::local_address(listener_).port();
    grader::transcript().add("server", "(the grader's) listens on " + net::join_host_port(host, port_));
}

void ScriptedServer::accept_client(std::string_view hint) {
    const auto deadline = grader::Clock::now() + grader::settings().startup_timeout();
    while (true) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        const int fd = ::accept4(listener_.fd(), reinterpret_cast<sockaddr*>(&peer), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            connection_ = net::Socket(fd);
            const int yes = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
            grader::transcript().add("server", "accepts the client, from " +
                                                   net::Address(reinterpret_cast<sockaddr*>(&peer), length).to_string());
            return;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
            grader::fail(std::string("the grader's server could not accept: ") + std::strerror(errno));
        pollfd waiting{listener_.fd(), POLLIN, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0)
            grader::fail("the client did not connect to " + net::join_host_port(host_, port_) + " within " +
                             seconds_text(grader::settings().startup_timeout()),
                         hint.empty() ? "connect to the host and port given with --host and --port "
                                        "(net::connect_to) as soon as the program starts"
                                      : hint);
    }
}

void ScriptedServer::send(std::string_view bytes) {
    if (!quiet_) grader::transcript().add("server", "sends", bytes, true);
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
    while (!bytes.empty()) {
        const ssize_t sent = ::send(connection_.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            grader::fail(std::string("the server could not send to the client: ") + std::strerror(errno),
                         "the client closed or reset its connection: it must keep reading until the server "
                         "closes");
        pollfd waiting{connection_.fd(), POLLOUT, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0)
            grader::fail("the server could not send for " + seconds_text(grader::settings().reply_timeout()) +
                             ": the client is not reading from the network",
                         "read the network all the time, in a thread of its own, whatever the keyboard does: "
                         "a client that waits for the keyboard before reading stops reading the server");
    }
}

void ScriptedServer::send_quietly(std::string_view bytes, std::string_view summary) {
    grader::transcript().add("server", std::string(summary));
    const bool was_quiet = std::exchange(quiet_, true);
    send(bytes);
    quiet_ = was_quiet;
}

ScriptedServer::Read ScriptedServer::read_more(grader::Clock::time_point deadline) {
    if (peer_closed_) return Read::closed;
    std::array<char, 65536> buffer;
    while (true) {
        const ssize_t n = ::recv(connection_.fd(), buffer.data(), buffer.size(), 0);
        if (n > 0) {
            const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
            if (!quiet_) grader::transcript().add("server", "receives", chunk, true);
            pending_.append(chunk);
            return Read::data;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            peer_closed_ = true;
            grader::transcript().add("server", n == 0 ? "sees the client close its sending side"
                                                      : std::string("sees the connection fail: ") +
                                                            std::strerror(errno));
            return Read::closed;
        }
        if (errno == EINTR) continue;
        pollfd waiting{connection_.fd(), POLLIN, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0) return Read::timed_out;
    }
}

std::optional<std::string> ScriptedServer::take_line() {
    const auto newline = pending_.find('\n');
    if (newline == std::string::npos) return std::nullopt;
    std::string line = pending_.substr(0, newline);
    pending_.erase(0, newline + 1);
    return line;
}

void ScriptedServer::fail_expecting(const std::string& expected, std::string_view hint, Read why) {
    std::string what = "the server expected " + expected + " from the client\n";
    what += why == Read::timed_out ? "  but within " + seconds_text(grader::settings().reply_timeout()) + " it received "
                                   : "  but the client closed its sending side after sending ";
    what += pending_.empty() ? std::string("nothing more") : grader::quote_bytes(pending_) + " (no more)";
    grader::fail(what, hint);
}

std::string ScriptedServer::next_line(std::string_view hint) {
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
    while (true) {
        if (auto line = take_line()) return *line;
        const Read result = read_more(deadline);
        if (result != Read::data) fail_expecting("a line ending in '\\n'", hint, result);
    }
}

std::optional<std::string> ScriptedServer::try_next_line(std::chrono::milliseconds within) {
    const auto deadline = grader::Clock::now() + within;
    while (true) {
        if (auto line = take_line()) return line;
        if (read_more(deadline) != Read::data) return std::nullopt;
    }
}

void ScriptedServer::expect_line(std::string_view expected, std::string_view hint) {
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
    while (true) {
        if (auto line = take_line()) {
            if (*line == expected) return;
            grader::fail("the server expected the line " + grader::quote_bytes(std::string(expected) + "\n") +
                             "\n  but received          " + grader::quote_bytes(*line + "\n"),
                         hint);
        }
        const Read result = read_more(deadline);
        if (result != Read::data)
            fail_expecting("the line " + grader::quote_bytes(std::string(expected) + "\n"), hint, result);
    }
}

void ScriptedServer::expect_end_of_stream(std::string_view hint) {
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
    while (!peer_closed_ && pending_.empty()) {
        if (read_more(deadline) == Read::timed_out)
            grader::fail("the server expected the client to close its sending side (end of its input), but "
                         "the connection is still open " + seconds_text(grader::settings().reply_timeout()) +
                         " later",
                         hint);
    }
    if (!pending_.empty())
        grader::fail("the server expected the client to close its sending side, but first received " +
                         grader::quote_bytes(pending_),
                     hint);
}

void ScriptedServer::expect_silence(std::string_view hint) {
    const auto window = grader::settings().silence_window();
    grader::transcript().add("server", "watches for " + seconds_text(window) + " that nothing arrives");
    const auto deadline = grader::Clock::now() + window;
    while (pending_.empty() && grader::Clock::now() < deadline) {
        if (read_more(deadline) == Read::closed) break;
    }
    if (!pending_.empty())
        grader::fail("the server should have received nothing, but received " + grader::quote_bytes(pending_), hint);
}

void ScriptedServer::close() {
    grader::transcript().add("server", "closes the connection");
    connection_.close();
}

void ScriptedServer::reset() {
    grader::transcript().add("server", "resets the connection (close with SO_LINGER 0)");
    const linger abort_on_close{1, 0};
    ::setsockopt(connection_.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    connection_.close();
}

// ------------------------------------------------------------ the client --

namespace {
std::string join_words(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& word : words) line += (line.empty() ? "" : " ") + grader::shell_quote(word);
    return line;
}
}  // namespace

ChatClient::ChatClient(std::uint16_t port, std::vector<std::string> args)
    : ChatClient(std::to_string(port), std::move(args)) {}

ChatClient::ChatClient(const std::string& port_text, std::vector<std::string> args) {
    grader::StartOptions options;
    options.port = port_text;
    options.args = std::move(args);
    options.pipe_stdin = true;
    const std::vector<std::string> argv = grader::command_for(options, 0);
    command_line_ = join_words(argv);
    grader::transcript().add("grader", "starts the client: " + command_line_);
    process_ = std::make_unique<grader::ChildProcess>(argv, options.limits, true);
    grader::set_status_reporter([this] { return status_report(); });
}

ChatClient::~ChatClient() {
    if (!grader::failed_this_test()) {
        const std::string err = process_->stderr_text();
        if (err.find("WARNING: ThreadSanitizer") != std::string::npos ||
            err.find("ERROR: AddressSanitizer") != std::string::npos || err.find("runtime error:") != std::string::npos)
            grader::fail_without_stopping("a sanitizer reported a bug in the client (its report is below)",
                                          "read the report from the top: it names the kind of bug and shows "
                                          "the stack of each access involved");
        else if (const auto reason = process_->killed_by_watchdog())
            grader::fail_without_stopping("the grader had to stop the client: it " + *reason);
    }
    grader::set_status_reporter(nullptr);
}

void ChatClient::type(std::string_view bytes) {
    grader::transcript().add("keyboard", "types", bytes, true);
    process_->write_stdin(std::string(bytes));
}

void ChatClient::type_quietly(std::string_view bytes) { process_->write_stdin(std::string(bytes)); }

void ChatClient::end_input() {
    grader::transcript().add("keyboard", "ends the input (Ctrl-D: standard input closed)");
    process_->close_stdin();
}

std::string ChatClient::next_printed_line(std::string_view hint) {
    const auto line = process_->next_stdout_line(grader::Clock::now() + grader::settings().reply_timeout());
    if (!line) {
        const auto status = process_->exit_status();
        grader::fail("the client should have printed a line on standard output, but " +
                         (status ? "it " + status->describe() + " first"
                                 : "none came within " + seconds_text(grader::settings().reply_timeout())),
                     hint.empty() ? "print each line from the server as soon as it arrives, and flush it "
                                    "(std::endl): standard output is a pipe here, which buffers until flushed"
                                  : hint);
    }
    if (!quiet_) grader::transcript().add("client", "prints", *line + "\n", true);
    return *line;
}

void ChatClient::expect_printed(std::string_view expected, std::string_view hint) {
    const std::string line = next_printed_line(hint);
    if (line != expected)
        grader::fail("the client should have printed " + grader::quote_bytes(std::string(expected) + "\n") +
                         "\n  but printed                  " + grader::quote_bytes(line + "\n"),
                     hint.empty() ? "print each line from the server exactly as it came, one per line" : hint);
}

grader::ExitStatus ChatClient::expect_exit(int status, std::string_view hint) {
    const auto ended = process_->wait_for_exit(grader::Clock::now() + grader::settings().exit_timeout());
    if (!ended)
        grader::fail("the client should have exited with status " + std::to_string(status) +
                         ", but it is still running " + seconds_text(grader::settings().exit_timeout()) + " later",
                     hint);
    grader::transcript().add("client", ended->describe());
    if (!ended->exited || ended->code != status) {
        std::string explanation = grader::explain_exit(*ended, process_->stderr_text());
        if (!hint.empty()) explanation = std::string(hint) + (explanation.empty() ? "" : "\n      " + explanation);
        grader::fail("the client should have exited with status " + std::to_string(status) + ", but it " +
                         ended->describe(),
                     explanation);
    }
    return *ended;
}

void ChatClient::expect_running(std::string_view hint) {
    const auto window = grader::settings().silence_window();
    grader::transcript().add("grader", "checks for " + seconds_text(window) + " that the client keeps running");
    if (const auto ended = process_->wait_for_exit(grader::Clock::now() + window))
        grader::fail("the client should still be running, but it " + ended->describe(), hint);
}

std::string ChatClient::stderr_to_end() {
    // Called once the client has exited: what it wrote last may still be on
    // its way through the pipe until the pipe reaches its end.
    process_->wait_for_output_end(grader::Clock::now() + grader::settings().reply_timeout());
    return process_->stderr_text();
}

std::string ChatClient::status_report() const {
    std::string report = "\nthe client: " + command_line_ + "\n";
    if (const auto status = process_->exit_status()) {
        report += "  it " + status->describe() + "\n";
        const std::string explanation = grader::explain_exit(*status, process_->stderr_text());
        if (!explanation.empty()) report += "  " + explanation + "\n";
    } else {
        report += "  still running (pid " + std::to_string(process_->pid()) + ")\n";
    }
    const std::string out = process_->stdout_text();
    report += out.empty() ? "  it printed nothing on standard output\n"
                          : "  what it printed on standard output (last lines):\n" + grader::last_lines(out, 15);
    const std::string err = process_->stderr_text();
    report += err.empty() ? "  its standard error is empty\n"
                          : "  its standard error (last lines):\n" + grader::last_lines(err, 40);
    return report;
}

}  // namespace chat_client_test
