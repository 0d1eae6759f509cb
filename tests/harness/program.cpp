#include "program.hpp"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <fstream>
#include <random>
#include <sstream>

#include "client.hpp"
#include "net/address.hpp"
#include "net/tcp.hpp"
#include "settings.hpp"
#include "transcript.hpp"

namespace grader {

namespace {

const char* const sanitizer_markers[] = {"WARNING: ThreadSanitizer", "ERROR: ThreadSanitizer", "ERROR: AddressSanitizer",
                                         "ERROR: LeakSanitizer", "runtime error:"};

bool has_sanitizer_report(std::string_view text) {
    for (const char* marker : sanitizer_markers)
        if (text.find(marker) != std::string_view::npos) return true;
    return false;
}

std::string join(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& word : words) line += (line.empty() ? "" : " ") + shell_quote(word);
    return line;
}

}  // namespace

std::string shell_quote(std::string_view word) {
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:{}") == std::string_view::npos)
        return std::string(word);
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

StartOptions on_port(std::string port) {
    StartOptions options;
    options.port = std::move(port);
    return options;
}

StartOptions with_args(std::vector<std::string> args) {
    StartOptions options;
    options.args = std::move(args);
    return options;
}

std::vector<std::string> command_for(const StartOptions& options, std::uint16_t chosen_port) {
    const Settings& s = settings();
    if (!s.program.empty()) {
        std::vector<std::string> argv = {s.program};
        if (!options.port.empty()) argv.insert(argv.end(), {"--port", options.port});
        argv.insert(argv.end(), options.args.begin(), options.args.end());
        return argv;
    }
    // --cmd: {port} marks where the port goes; without it, --port is added.
    std::string command = s.command;
    const std::string port = chosen_port != 0 ? std::to_string(chosen_port) : options.port;
    if (command.find("{port}") != std::string::npos) {
        for (std::size_t at; (at = command.find("{port}")) != std::string::npos;) command.replace(at, 6, port);
    } else {
        command += " --port " + shell_quote(port);
    }
    for (const std::string& arg : options.args) command += " " + shell_quote(arg);
    // A plain command line is exec'ed by the shell, so the program under
    // test is our direct child: its signals and exit status reach us as they
    // are, not as the shell's "status 128+N".
    const std::string first_word = command.substr(0, command.find(' '));
    const bool plain = command.find_first_of(";&|<>()`$\n") == std::string::npos &&
                       first_word.find('=') == std::string::npos;
    return {"/bin/sh", "-c", plain ? "exec " + command : command};
}

namespace {
// In --cmd mode with {port} and port "0", the grader picks the port.
std::optional<std::uint16_t> grader_chosen_port(const StartOptions& options) {
    if (settings().command.find("{port}") == std::string::npos || options.port != "0") return std::nullopt;
    return find_free_port();
}

std::vector<std::string> command_with_port(const StartOptions& options, std::optional<std::uint16_t> port) {
    return command_for(options, port.value_or(0));
}
}  // namespace

// The test's limits, tightened by what the grader was told (--max-threads).
Limits limits_for(const StartOptions& options) {
    Limits limits = options.limits;
    if (settings().max_threads > 0) limits.max_threads = std::min(limits.max_threads, settings().max_threads);
    return limits;
}

Server::Server(StartOptions options, Where where)
    : Server(options, grader_chosen_port(options), where) {}

Server::Server(const StartOptions& options, std::optional<std::uint16_t> chosen_port, Where where)
    : command_line_(join(command_with_port(options, chosen_port))),
      args_(options.args),
      process_(command_with_port(options, chosen_port), limits_for(options), options.pipe_stdin,
               options.short_sends ? SHORT_SENDS_LIBRARY : "") {
    set_status_reporter([this](std::string_view hint) { return status_report(hint); });
    transcript().add("grader", "starts the server: " + command_line_ +
                                   (options.short_sends ? "  (every send() takes only a few bytes)" : ""));
    try {
        wait_until_listening(chosen_port, where);
    } catch (...) {
        set_status_reporter(nullptr);  // no destructor runs for a constructor that throws
        throw;
    }
}

Server::~Server() {
    if (!failed_this_test()) {
        const auto status = process_.exit_status();
        const std::string err = process_.stderr_text();
        if (const auto reason = process_.killed_by_watchdog()) {
            fail_without_stopping("the grader had to stop the server: it " + *reason);
        } else if (has_sanitizer_report(err)) {
            fail_without_stopping("a sanitizer reported a bug in the server (its report is below)",
                                  "read the report from the top: it names the kind of bug and shows "
                                  "the stack of each access involved");
        } else if (status && !status->exited && signals_sent_ == 0) {
            fail_without_stopping("the server " + status->describe(), explain_exit(*status, err));
        }
    }
    set_status_reporter(nullptr);
}

void Server::wait_until_listening(std::optional<std::uint16_t> chosen_port, Where where) {
    const auto deadline = Clock::now() + settings().startup_timeout();
    const std::string seconds = seconds_text(settings().startup_timeout());
    if (chosen_port) {
        // The command was given the port: watch for it to be listening.
        while (!is_listening(*chosen_port)) {
            if (const auto status = process_.exit_status())
                fail("the server " + status->describe() + " before it was listening on port " +
                         std::to_string(*chosen_port),
                     explain_exit(*status, process_.stderr_text()), where);
            if (Clock::now() > deadline)
                fail("nothing was listening on port " + std::to_string(*chosen_port) + " within " + seconds,
                     "the command must listen on the port the grader puts where it says {port}", where);
            process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(5));  // poll /proc every 5 ms
        }
        port_ = *chosen_port;
        for (std::size_t i = 0; i + 1 < args_.size(); ++i)
            if (args_[i] == "--host") host_ = args_[i + 1];  // the grader gave the host, too
        transcript().add("server", "is listening on port " + std::to_string(port_));
        return;
    }
    const std::optional<std::string> line = process_.next_stdout_line(deadline);
    if (!line) {
        if (const auto status = process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(200)))
            fail("the server " + status->describe() + " without printing 'listening on HOST:PORT'",
                 explain_exit(*status, process_.stderr_text()), where);
        fail("the server printed no 'listening on HOST:PORT' line within " + seconds,
             "print the line once listen() has succeeded, and flush it (std::endl, or fflush(stdout)): "
             "when standard output is a pipe, as it is here, it stays in a buffer until flushed", where);
    }
    transcript().add("server", "prints", *line + "\n", true);
    // "listening on HOST:PORT": HOST is everything up to the last ':'.
    const std::string prefix = "listening on ";
    const auto colon = line->rfind(':');
    const std::string port_text = colon == std::string::npos ? "" : line->substr(colon + 1);
    const bool well_formed = line->starts_with(prefix) && colon > prefix.size() && !port_text.empty() &&
                             port_text.size() <= 5 && port_text.find_first_not_of("0123456789") == std::string::npos;
    if (!well_formed)
        fail("the first line on standard output must be 'listening on HOST:PORT', but it was " + quote_bytes(*line),
             "print exactly 'listening on ' followed by the address, e.g. 'listening on 127.0.0.1:8001'; "
             "anything else goes after that line, or to standard error", where);
    listening_line_ = *line;
    std::string host = line->substr(prefix.size(), colon - prefix.size());
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host != "0.0.0.0" && host != "::") host_ = host;
    port_ = static_cast<std::uint16_t>(std::stoi(port_text));
    if (port_ == 0)
        fail("the server announced port 0", "print the port it really listens on: ask the socket with getsockname()", where);
}

std::optional<std::string> Server::listening_line() {
    if (!listening_line_) listening_line_ = process_.next_stdout_line(Clock::now() + settings().reply_timeout());
    return listening_line_;
}

Client Server::connect(std::string name, int receive_buffer, Where where) {
    return Client(std::move(name), host_, port_, receive_buffer, where);
}

void Server::expect_exit(int status, std::string_view hint, Where where) {
    const auto ended = process_.wait_for_exit(Clock::now() + settings().exit_timeout());
    if (!ended)
        fail("the server should have exited with status " + std::to_string(status) + ", but it is still running " +
                 seconds_text(settings().exit_timeout()) + " later",
             hint, where);
    transcript().add("server", ended->describe());
    if (!ended->exited || ended->code != status) {
        process_.wait_for_output_end(Clock::now() + std::chrono::milliseconds(500));  // its last words
        std::string explanation = explain_exit(*ended, process_.stderr_text());
        if (!hint.empty()) explanation = std::string(hint) + (explanation.empty() ? "" : "\n      " + explanation);
        fail("the server should have exited with status " + std::to_string(status) + ", but it " + ended->describe(),
             explanation, where);
    }
}

void Server::expect_running(std::string_view hint, Where where) {
    if (const auto status = process_.exit_status()) {
        std::string explanation = explain_exit(*status, process_.stderr_text());
        fail("the server should still be running, but it " + status->describe(),
             explanation.empty() ? hint : std::string_view(explanation), where);
    }
}

void Server::expect_keeps_running(std::string_view after, std::string_view hint, Where where) {
    const auto window = settings().silence_window();
    transcript().add("grader", "watches for " + seconds_text(window) + " that the server keeps running");
    if (const auto status = process_.wait_for_exit(Clock::now() + window)) {
        const std::string explanation = explain_exit(*status, process_.stderr_text());
        fail("the server " + status->describe() + " " + std::string(after) + "; it should keep running",
             explanation.empty() ? hint : std::string_view(explanation), where);
    }
}

void Server::send_signal(int signal) {
    ++signals_sent_;
    transcript().add("grader", "sends signal " + std::to_string(signal) + " to the server");
    process_.signal_group(signal);
}

void Server::freeze() {
    transcript().add("grader", "freezes the server (SIGSTOP)");
    process_.signal_group(SIGSTOP);
}

void Server::unfreeze() {
    transcript().add("grader", "lets the server go on (SIGCONT)");
    process_.signal_group(SIGCONT);
}

bool Server::wait_for_threads_at_most(int count, std::chrono::milliseconds within) const {
    const auto deadline = Clock::now() + within;
    while (process_.thread_count() > count) {
        if (Clock::now() > deadline) return false;
        // /proc has no event to wait on: look again every 10 ms until the deadline.
        process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(10));
    }
    return true;
}

bool Server::wait_for_open_files_at_most(int count, std::chrono::milliseconds within) const {
    const auto deadline = Clock::now() + within;
    while (process_.open_file_count() > count) {
        if (Clock::now() > deadline) return false;
        process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(10));
    }
    return true;
}

namespace {
// "0100007F:1F41" -> 8001: the port of an address in /proc/net/tcp.
unsigned long port_of(const std::string& hex_address) {
    return std::stoul(hex_address.substr(hex_address.rfind(':') + 1), nullptr, 16);
}
}  // namespace

std::optional<long> Server::unread_bytes_from(const Client& client) const {
    const std::string& address = client.address();
    const unsigned long client_port = std::stoul(address.substr(address.rfind(':') + 1));
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // header
        while (std::getline(file, line)) {
            // "  3: 0100007F:9C41 0100007F:D3F2 01 00000000:00000005 ...":
            // slot, local address, remote address, state, tx_queue:rx_queue
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues;
            fields >> slot >> local >> remote >> state >> queues;
            if (port_of(local) == port_ && port_of(remote) == client_port)
                return std::stol(queues.substr(queues.find(':') + 1), nullptr, 16);
        }
    }
    return std::nullopt;
}

void Server::wait_until_read(const Client& client, std::string_view hint, Where where) const {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        const std::optional<long> unread = unread_bytes_from(client);
        if (unread && *unread == 0) return;
        if (Clock::now() > deadline)
            fail("the server did not read what " + client.name() + " sent within " +
                     seconds_text(settings().reply_timeout()) +
                     (unread ? " (" + std::to_string(*unread) + " bytes unread)" : ""),
                 hint, where);
        // /proc has no event to wait on: look again in a millisecond.
        process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(1));
    }
}

int threads_at_rest(int before_any_client) { return before_any_client + (built_with_sanitizer() ? 1 : 0); }

std::string Server::status_report(std::string_view hint) const {
    std::string report = "\nthe server: " + command_line_ + "\n";
    if (has_sanitizer_report(process_.stderr_text()))
        report += "  A SANITIZER STOPPED IT: its report, below, is the real cause of this failure\n";
    auto status = process_.exit_status();
    // A server that closed a connection, or has no threads or open files
    // left, may be in the middle of exiting (a crash, say): give its end a
    // moment to reach us, so the report can say how it ended.
    if (!status && (connection_lost_this_test() || process_.thread_count() == 0 || process_.open_file_count() == 0))
        status = process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(500));
    if (status) {
        process_.wait_for_output_end(Clock::now() + std::chrono::milliseconds(500));  // its last words
        report += "  it " + status->describe() + "\n";
        if (const auto reason = process_.killed_by_watchdog()) report += "  (stopped by the grader: it " + *reason + ")\n";
        const std::string explanation = explain_exit(*status, process_.stderr_text());
        if (!explanation.empty() && hint.find(explanation) == std::string_view::npos) report += "  " + explanation + "\n";
    } else {
        report += "  still running (pid " + std::to_string(process_.pid()) + "), " +
                  std::to_string(process_.thread_count()) + " threads, " +
                  std::to_string(process_.open_file_count()) + " open files\n";
    }
    const std::string err = process_.stderr_text();
    if (err.empty()) {
        report += "  its standard error is empty\n";
    } else {
        report += "  its standard error (last lines):\n" + last_lines(err, has_sanitizer_report(err) ? 60 : 15);
    }
    return report;
}

Finished run_until_exit(const StartOptions& options, Where where) {
    const std::vector<std::string> argv = command_for(options, 0);
    transcript().add("grader", "runs: " + join(argv));
    ChildProcess process(argv, limits_for(options), false);
    const auto status = process.wait_for_exit(Clock::now() + settings().startup_timeout());
    if (!status) {
        fail("the program should have exited at once, but it is still running after " +
                 seconds_text(settings().startup_timeout()) + "\n  its standard output: " + quote_bytes(process.stdout_text()) + "\n  its standard error: " +
                 quote_bytes(process.stderr_text()),
             "check its arguments before doing anything else, and exit when they are wrong or when it "
             "cannot listen", where);
    }
    // Output written just before exiting may still be on its way through the
    // pipes: wait for both to reach their end.
    process.wait_for_output_end(Clock::now() + settings().reply_timeout());
    Finished finished{*status, process.stdout_text(), process.stderr_text()};
    transcript().add("program", status->describe());
    if (!finished.out.empty()) transcript().add("program", "printed", finished.out, true);
    if (!finished.err.empty()) transcript().add("program", "printed on standard error", finished.err, true);
    return finished;
}

PortInUse::PortInUse() : listener_(net::listen_on("127.0.0.1", 0)), port_(net::local_address(listener_).port()) {
    transcript().add("grader", "listens on 127.0.0.1:" + std::to_string(port_) + " to make the port taken");
}

DefaultPortLock::DefaultPortLock() {
    lock_fd_ = ::open("/tmp/netlabs-port-8001.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lock_fd_ >= 0) ::flock(lock_fd_, LOCK_EX);  // waits while another suite checks the default
    try {
        const net::Socket probe = net::listen_on("127.0.0.1", 8001);
        available_ = true;
    } catch (const std::system_error&) {
        available_ = false;
    }
}

DefaultPortLock::~DefaultPortLock() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the lock
}

std::uint16_t find_free_port() {
    // Below the range the kernel hands out to outgoing connections
    // (/proc/sys/net/ipv4/ip_local_port_range, from 32768), so that none of
    // our own test clients can be using the port by chance. Picked at random,
    // so suites running at the same time do not all try the same one.
    static std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> candidates(20000, 32000);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const auto port = static_cast<std::uint16_t>(candidates(random));
        try {
            const net::Socket probe = net::listen_on("127.0.0.1", port);
            return port;  // free now; closed again when probe goes
        } catch (const std::system_error&) {
            // taken: try another
        }
    }
    fail("found no free port between 20000 and 32000 in 100 tries");
}

bool is_listening(std::uint16_t port) {
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // header
        while (std::getline(file, line)) {
            // "  0: 0100007F:1F41 00000000:0000 0A ...": local address, remote address, state
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            if (state == "0A" && port_of(local) == port) return true;
        }
    }
    return false;
}

std::string explain_exit(const ExitStatus& status, std::string_view stderr_text) {
    if (has_sanitizer_report(stderr_text))
        return "a sanitizer stopped it: its report is in its standard error below";
    // A shell (from --cmd) reports a child killed by signal N as status 128+N.
    const int signal = status.exited ? (status.code > 128 && status.code < 160 ? status.code - 128 : 0) : status.signal;
    switch (signal) {
        case SIGPIPE:
            return "SIGPIPE kills a program that writes to a connection the other side has closed. "
                   "Send with MSG_NOSIGNAL (or ignore SIGPIPE), then handle the EPIPE error: "
                   "that client has left";
        case SIGSEGV:
        case SIGBUS:
            return "it crashed on a bad memory access (a dangling pointer, an index out of range); "
                   "an AddressSanitizer build shows where";
        case SIGABRT:
            return "it aborted: usually an exception nobody caught (std::terminate), or a failed assert; "
                   "its standard error says which";
        case SIGXCPU:
            return "it used up its CPU time limit: is a loop spinning without waiting for anything?";
        case SIGKILL:
            return "";
        default:
            break;
    }
    if (status.exited && status.code == 127) return "the command was not found or could not be run";
    return "";
}

std::string last_lines(std::string_view text, std::size_t count) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        lines.push_back(text.substr(0, newline));
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
    std::string result;
    if (lines.size() > count) result += "    (" + std::to_string(lines.size() - count) + " earlier lines)\n";
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
        result += "    " + std::string(lines[i].substr(0, 300)) + "\n";
    return result;
}

}  // namespace grader
