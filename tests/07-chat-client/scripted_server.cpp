#include "scripted_server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "net/address.hpp"
#include "net/tcp.hpp"

namespace chat_client_test {

namespace {

int milliseconds_until(grader::Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - grader::Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

const char* const not_reading_hint =
    "read the network all the time, in a thread of its own, whatever the keyboard does: a client that waits "
    "for the keyboard before reading stops reading the server";
const char* const send_line_hint = "send every line read from standard input to the server, '\\n' included, as soon as "
                                   "it is read";
const char* const end_of_stream_hint =
    "at the end of standard input (getline fails), close the sending side of the connection "
    "(net::shutdown_sending), but keep printing what the server sends until it closes";

// What the shim in tests/harness/shim/stdin_lock_at_exit.cpp writes when
// exit() finds the lock of standard input taken.
const char* const exit_waits_marker = "[grader] exit() is waiting for the lock of standard input";

bool has_sanitizer_report(std::string_view err) {
    return err.find("WARNING: ThreadSanitizer") != std::string_view::npos ||
           err.find("ERROR: AddressSanitizer") != std::string_view::npos ||
           err.find("runtime error:") != std::string_view::npos;
}

}  // namespace

// ------------------------------------------------------------ the server --

ScriptedServer::ScriptedServer(const std::string& host, std::uint16_t port, grader::Where where) : host_(host) {
    try {
        listener_ = net::listen_on(host, port);
    } catch (const std::system_error& error) {
        grader::fail("the grader's server cannot listen on " + net::join_host_port(host, port) + ": " +
                         error.code().message(),
                     "a problem of this machine, not of your program: run the test again", where);
    }
    ::fcntl(listener_.fd(), F_SETFL, ::fcntl(listener_.fd(), F_GETFL) | O_NONBLOCK);
    port_ = net::local_address(listener_).port();
    grader::transcript().add("server", "(the grader's) listens on " + net::join_host_port(host, port_));
}

void ScriptedServer::accept_client(std::string_view hint, grader::Where where) {
    const auto deadline = grader::Clock::now() + grader::settings().startup_timeout();
    while (true) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        net::Socket accepted(
            ::accept4(listener_.fd(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (accepted.is_open()) {
            grader::transcript().add("server", "accepts the client, from " +
                                                   net::Address(reinterpret_cast<sockaddr*>(&peer), length).to_string());
            connection_.emplace(grader::PeerNames{"server", "the grader's server", "the client"}, std::move(accepted));
            explain_client_end();
            return;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
            grader::fail(std::string("the grader's server could not accept: ") + std::strerror(errno),
                         "a problem of this machine, not of your program: run the test again", where);
        pollfd waiting{listener_.fd(), POLLIN, 0};
        if (::poll(&waiting, 1, milliseconds_until(deadline)) == 0)
            grader::fail("the client did not connect to " + net::join_host_port(host_, port_) + " within " +
                             grader::seconds_text(grader::settings().startup_timeout()),
                         hint.empty() ? "connect to the host and port given with --host and --port "
                                        "(net::connect_to) as soon as the program starts"
                                      : hint,
                         where);
    }
}

void ScriptedServer::watch(const ChatClient* client) {
    client_ = client;
    explain_client_end();
}

void ScriptedServer::explain_client_end() {
    if (!connection_) return;
    if (client_)
        connection_->set_end_explainer([client = client_] { return client->hint_if_ended(); });
    else
        connection_->set_end_explainer(nullptr);
}

grader::Peer& ScriptedServer::connection(grader::Where where) {
    if (!connection_) grader::fail("the test used the connection before the client connected", {}, where);
    return *connection_;
}

void ScriptedServer::send(std::string_view bytes, grader::Where where) {
    connection(where).send(bytes, not_reading_hint, where);
}

void ScriptedServer::send_line(std::string_view line, grader::Where where) {
    connection(where).send_line(line, not_reading_hint, where);
}

std::string ScriptedServer::next_line(std::string_view hint, grader::Where where) {
    return connection(where).next_line(hint.empty() ? send_line_hint : hint, where);
}

void ScriptedServer::expect_line(std::string_view expected, std::string_view hint, grader::Where where) {
    connection(where).expect_line(expected, hint.empty() ? send_line_hint : hint, where);
}

void ScriptedServer::expect_end_of_stream(std::string_view hint, grader::Where where) {
    grader::Peer& peer = connection(where);
    peer.expect_closed(hint.empty() ? end_of_stream_hint : hint, where);
    if (peer.was_reset())
        grader::fail("the grader's server expected the client to close its sending side (shutdown), but the client "
                     "reset the connection",
                     "at the end of input, close only the sending side (net::shutdown_sending), not the whole "
                     "socket, and keep reading until the server closes",
                     where);
}

void ScriptedServer::close(grader::Where where) { connection(where).close(); }

void ScriptedServer::reset(grader::Where where) { connection(where).reset(); }

// ------------------------------------------------------------ the client --

namespace {

std::string join_words(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& word : words) line += (line.empty() ? "" : " ") + grader::shell_quote(word);
    return line;
}

// The client's command line. Lab 07's contract: {host} and {port} in a --cmd
// are the grader's server's address; without them, --host (when not the
// default) and --port are added at the end, as for --program.
std::vector<std::string> client_command_line(const ClientOptions& options) {
    const bool default_host = options.host == "127.0.0.1";
    const grader::Settings& settings = grader::settings();
    if (!settings.program.empty()) {
        std::vector<std::string> argv = {settings.program};
        if (!default_host) argv.insert(argv.end(), {"--host", options.host});
        if (!options.port.empty()) argv.insert(argv.end(), {"--port", options.port});
        argv.insert(argv.end(), options.args.begin(), options.args.end());
        return argv;
    }
    // Without options (the defaults' check), "--host {host}" and "--port
    // {port}" are left out; a default host is not added where there is no {host}.
    const bool has_host = settings.command.find("{host}") != std::string::npos;
    const std::string host = options.port.empty() && default_host ? ""
                             : has_host || !default_host ? options.host
                                                         : "";
    return grader::shell_command(settings.command, host, options.port, options.args);
}

std::string preload_for(const ClientOptions& options) {
    std::string preload = STDIN_LOCK_AT_EXIT_LIBRARY;
    if (options.slow_shutdown) preload += std::string(":") + SLOW_SHUTDOWN_LIBRARY;
    return preload;
}

}  // namespace

ChatClient::ChatClient(ScriptedServer& server, std::vector<std::string> args)
    : ChatClient(ClientOptions{server.host(), std::to_string(server.port()), std::move(args)}, &server) {}

ChatClient::ChatClient(ClientOptions options, ScriptedServer* server) : server_(server) {
    const std::vector<std::string> argv = client_command_line(options);
    command_line_ = join_words(argv);
    grader::transcript().add("grader", "starts the client: " + command_line_ +
                                           (options.slow_shutdown ? "  (shutdown() is slow to return)" : ""));
    process_ = std::make_unique<grader::ChildProcess>(argv, grader::Limits{}, true, preload_for(options));
    grader::set_status_reporter([this](std::string_view hint) { return status_report(hint); });
    if (server_) server_->watch(this);
}

ChatClient::~ChatClient() {
    if (!grader::failed_this_test()) {
        const std::string err = process_->stderr_text();
        if (const auto reason = process_->killed_by_watchdog())
            grader::fail_without_stopping("the grader had to stop the client: it " + *reason,
                                          "a chat client waits for its two sources, it does not spin or pile up "
                                          "threads or memory");
        else if (has_sanitizer_report(err))
            grader::fail_without_stopping("a sanitizer reported a bug in the client (its report is below)",
                                          "read the report from the top: it names the kind of bug and shows "
                                          "the stack of each access involved");
    }
    grader::set_status_reporter(nullptr);
    if (server_) server_->watch(nullptr);
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

std::string ChatClient::hint_if_ended() const {
    auto status = process_->exit_status();
    // A client that closed its connection may be in the middle of exiting:
    // give its end a moment to reach us.
    if (!status && grader::connection_lost_this_test())
        status = process_->wait_for_exit(grader::Clock::now() + std::chrono::milliseconds(500));
    if (!status) return "";
    std::string explanation = grader::explain_exit(*status, process_->stderr_text());
    if (!explanation.empty()) return explanation;
    return "the client ended while the server was still there: a chat client runs until the server closes the "
           "connection (after the end of its input too: half-close, then keep printing)";
}

std::string ChatClient::next_printed_line(std::string_view hint, grader::Where where) {
    const auto line = process_->next_stdout_line(grader::Clock::now() + grader::settings().reply_timeout());
    if (!line) {
        const std::string ended = hint_if_ended();  // waits a moment for an exit on its way
        const auto status = process_->exit_status();
        grader::fail("the client should have printed a line on standard output, but " +
                         (status ? "it " + status->describe() + " first"
                                 : "none came within " + grader::seconds_text(grader::settings().reply_timeout())),
                     !ended.empty() ? ended
                     : hint.empty() ? "print each line from the server as soon as it arrives, and flush it "
                                      "(std::endl): standard output is a pipe here, which buffers until flushed"
                                    : std::string(hint),
                     where);
    }
    if (!quiet_) grader::transcript().add("client", "prints", *line + "\n", true);
    return *line;
}

void ChatClient::expect_printed(std::string_view expected, std::string_view hint, grader::Where where) {
    const std::string line = next_printed_line(hint, where);
    if (line != expected)
        grader::fail("the client should have printed " + grader::quote_bytes(std::string(expected) + "\n") +
                         "\n  but printed                  " + grader::quote_bytes(line + "\n"),
                     hint.empty() ? "print each line from the server exactly as it came, one per line" : hint, where);
}

grader::ExitStatus ChatClient::expect_exit(int status, std::string_view hint, grader::Where where,
                                           std::chrono::milliseconds more_time) {
    const std::string test_hint(hint.empty() ? "a chat client exits once the server has closed the connection" : hint);
    const auto waited = grader::settings().exit_timeout() + more_time;
    const auto deadline = grader::Clock::now() + waited;
    std::optional<grader::ExitStatus> ended;
    bool exit_waits = false;
    // Waits for the exit, and looks every 20 ms for the shim's word that
    // exit() is stuck: then the client will not exit, and we can say so now.
    while (!ended && !exit_waits && grader::Clock::now() < deadline) {
        ended = process_->wait_for_exit(std::min(deadline, grader::Clock::now() + std::chrono::milliseconds(20)));
        exit_waits = !ended && process_->stderr_text().find(exit_waits_marker) != std::string::npos;
    }
    if (exit_waits) {
        grader::transcript().add("client", "calls exit(), which waits for the lock of standard input");
        grader::fail(
            "the client should have exited with status " + std::to_string(status) +
                ", but its exit() is stuck: it waits for the lock of standard input",
            "it called exit() (std::exit, or a return from main) while the keyboard thread waits in getline. "
            "exit() flushes every stdio stream, and since glibc 2.41 (Debian 13) takes each stream's lock first: "
            "the lock of standard input is held by getline until a line comes, so exit() waits for the user. (The "
            "grader makes exit() wait like this on every system.) End with std::_Exit(0) after flushing std::cout "
            "yourself: it ends the process at once, with no destructors and no flush of stdio buffers",
            where);
    }
    if (!ended) {
        grader::transcript().add("grader", "gives up waiting for the client to exit");
        grader::fail("the client should have exited with status " + std::to_string(status) +
                         ", but it is still running " + grader::seconds_text(waited) + " later",
                     test_hint, where);
    }
    grader::transcript().add("client", ended->describe());
    if (!ended->exited || ended->code != status) {
        std::string explanation = grader::explain_exit(*ended, process_->stderr_text());
        if (explanation.empty()) explanation = test_hint;
        grader::fail("the client should have exited with status " + std::to_string(status) + ", but it " +
                         ended->describe(),
                     explanation, where);
    }
    return *ended;
}

namespace {

// True if the thread whose /proc/PID/task/TID/syscall this is waits for
// standard input: in read(0, ...), or in one of the calls that wait for
// several descriptors (a client with an event loop).
bool waits_for_input(const std::filesystem::path& syscall_file) {
    std::ifstream file(syscall_file);
    long number = -1;
    std::string first_argument;
    if (!(file >> number >> first_argument)) return false;  // "running", or gone
    if (number == SYS_read) return first_argument == "0x0";
    for (const long waits_for_many : {
#ifdef SYS_poll
             long{SYS_poll},
#endif
#ifdef SYS_select
             long{SYS_select},
#endif
#ifdef SYS_epoll_wait
             long{SYS_epoll_wait},
#endif
             long{SYS_ppoll}, long{SYS_pselect6}, long{SYS_epoll_pwait}})
        if (number == waits_for_many) return true;
    return false;
}

}  // namespace

void ChatClient::wait_until_waiting_for_input() {
    const std::filesystem::path tasks = "/proc/" + std::to_string(process_->pid()) + "/task";
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
    while (grader::Clock::now() < deadline && !process_->exit_status()) {
        std::error_code error;
        for (const auto& task : std::filesystem::directory_iterator(tasks, error))
            if (waits_for_input(task.path() / "syscall")) {
                grader::transcript().add("grader", "sees the client wait for its standard input");
                return;
            }
        // Polling /proc: the kernel has no event for "a thread now waits".
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    grader::transcript().add("grader", "did not see the client wait for its standard input (goes on anyway)");
}

void ChatClient::expect_running(std::string_view hint, grader::Where where) {
    const auto window = grader::settings().silence_window();
    grader::transcript().add("grader", "checks for " + grader::seconds_text(window) + " that the client keeps running");
    if (const auto ended = process_->wait_for_exit(grader::Clock::now() + window)) {
        const std::string explanation = grader::explain_exit(*ended, process_->stderr_text());
        grader::fail("the client should still be running, but it " + ended->describe(),
                     !explanation.empty() ? explanation
                     : hint.empty()       ? "a chat client runs until the server closes the connection"
                                          : std::string(hint),
                     where);
    }
}

void ChatClient::expect_all_printed(std::string_view expected, std::string_view hint, grader::Where where) {
    process_->wait_for_output_end(grader::Clock::now() + grader::settings().reply_timeout());
    const std::string out = process_->stdout_text();
    if (out != expected)
        grader::fail("standard output should be, in all,\n    " + grader::quote_bytes(expected) + "\n  but was\n    " +
                         grader::quote_bytes(out),
                     hint, where);
}

void ChatClient::expect_stderr(std::string_view expected, std::string_view hint, grader::Where where) {
    const std::string err = stderr_to_end();
    if (err != expected)
        grader::fail("standard error should be, in all,\n    " + grader::quote_bytes(expected) + "\n  but was\n    " +
                         grader::quote_bytes(err),
                     hint, where);
}

std::string ChatClient::stderr_to_end() {
    // Called once the client has exited: what it wrote last may still be on
    // its way through the pipe until the pipe reaches its end.
    process_->wait_for_output_end(grader::Clock::now() + grader::settings().reply_timeout());
    return process_->stderr_text();
}

std::string ChatClient::status_report(std::string_view hint) const {
    std::string report = "\nthe client: " + command_line_ + "\n";
    const std::string err = process_->stderr_text();
    if (has_sanitizer_report(err))
        report += "  A SANITIZER STOPPED IT: its report, below, is the real cause of this failure\n";
    auto status = process_->exit_status();
    // A client that closed its connection may be in the middle of exiting
    // (a crash, say): give its end a moment to reach us, so the report can
    // say how it ended.
    if (!status && grader::connection_lost_this_test())
        status = process_->wait_for_exit(grader::Clock::now() + std::chrono::milliseconds(500));
    if (status) {
        process_->wait_for_output_end(grader::Clock::now() + std::chrono::milliseconds(500));  // its last words
        report += "  it " + status->describe() + "\n";
        const std::string explanation = grader::explain_exit(*status, process_->stderr_text());
        if (!explanation.empty() && hint.find(explanation) == std::string_view::npos)
            report += "  " + explanation + "\n";
    } else {
        report += "  still running (pid " + std::to_string(process_->pid()) + ")\n";
    }
    const std::string out = process_->stdout_text();
    report += out.empty() ? "  it printed nothing on standard output\n"
                          : "  what it printed on standard output (last lines):\n" + grader::last_lines(out, 15);
    const std::string all_err = process_->stderr_text();
    report += all_err.empty() ? "  its standard error is empty\n"
                              : "  its standard error (last lines):\n" +
                                    grader::last_lines(all_err, has_sanitizer_report(all_err) ? 60 : 40);
    return report;
}

}  // namespace chat_client_test
