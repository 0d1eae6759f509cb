#include "program.hpp"

#include "busy_clock.hpp"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <fstream>
#include <random>
#include <sstream>

#include "client.hpp"
#include "diagnosis.hpp"
#include "net/address.hpp"
#include "net/tcp.hpp"
#include "settings.hpp"
#include "transcript.hpp"

namespace grader {

namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
}

// Takes "OPTION PLACEHOLDER" or "OPTION=PLACEHOLDER" out of a command line.
void remove_option(std::string& command, std::string_view option, std::string_view placeholder) {
    for (const std::string& form : {std::string(option) + " " + std::string(placeholder),
                                    std::string(option) + "=" + std::string(placeholder)}) {
        for (std::size_t at; (at = command.find(form)) != std::string::npos;) {
            std::size_t end = at + form.size();
            if (at > 0 && command[at - 1] == ' ') --at;  // and the space before it
            command.erase(at, end - at);
        }
    }
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
    // --cmd: {host} takes the test's --host, if it gives one (127.0.0.1 if
    // not); otherwise --host stays among the arguments added at the end.
    std::vector<std::string> args = options.args;
    std::string host;
    if (s.command.find("{host}") != std::string::npos) {
        host = "127.0.0.1";
        for (std::size_t i = 0; i + 1 < args.size(); ++i) {
            if (args[i] == "--host") {
                host = args[i + 1];
                args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
                break;
            }
        }
    }
    if (options.port.empty()) host = "";  // started without options: the defaults
    return shell_command(s.command, host, chosen_port != 0 ? std::to_string(chosen_port) : options.port, args);
}

std::vector<std::string> shell_command(std::string command, const std::string& host, const std::string& port,
                                       const std::vector<std::string>& more_args) {
    if (command.find("{host}") != std::string::npos) {
        if (host.empty()) remove_option(command, "--host", "{host}");
        replace_all(command, "{host}", shell_quote(host));
    } else if (!host.empty()) {
        command += " --host " + shell_quote(host);
    }
    if (command.find("{port}") != std::string::npos) {
        if (port.empty()) remove_option(command, "--port", "{port}");
        replace_all(command, "{port}", shell_quote(port));
    } else if (!port.empty()) {
        command += " --port " + shell_quote(port);
    }
    for (const std::string& arg : more_args) command += " " + shell_quote(arg);
    // A plain command line is exec'ed by the shell, so the program under
    // test is our direct child: its signals and exit status reach us as they
    // are, not as the shell's "status 128+N".
    const std::string first_word = command.substr(0, command.find(' '));
    const bool plain = command.find_first_of(";&|<>()`$\n") == std::string::npos &&
                       first_word.find('=') == std::string::npos;
    return {"/bin/sh", "-c", plain ? "exec " + command : command};
}

bool command_can_start_without_options(const std::string& command) {
    auto placeholder_only_as_option = [&](const std::string& option, const std::string& placeholder) {
        std::string rest = command;
        remove_option(rest, option, placeholder);
        return rest.find(placeholder) == std::string::npos;
    };
    return placeholder_only_as_option("--port", "{port}") && placeholder_only_as_option("--host", "{host}");
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
    previous_reporter_ = set_program_reporter([this](std::string_view hint) { return program_state(hint); });
    transcript().add("grader", "starts the server: " + command_line_ +
                                   (options.short_sends ? "  (every send() takes only a few bytes)" : ""));
    try {
        wait_until_listening(chosen_port, where);
    } catch (...) {
        set_program_reporter(std::move(previous_reporter_));  // no destructor runs for a constructor that throws
        throw;
    }
}

Server::~Server() {
    // A test that passed can still have caught the server dying on the way
    // (a crash, a limit, a sanitizer's report): that fails it. An exit with
    // a status is the test's business (lab 01's server ends by itself).
    if (!failed_this_test()) {
        const auto status = process_.exit_status();
        const bool died = process_.killed_by_watchdog() || has_sanitizer_report(process_.stderr_text()) ||
                          (status && !status->exited && signals_sent_ == 0);
        if (died) fail_without_stopping("the server did not survive the test");
    }
    set_program_reporter(std::move(previous_reporter_));
}

void Server::wait_until_listening(std::optional<std::uint16_t> chosen_port, Where where) {
    // The start-up deadline runs on a busy clock: the time the program
    // waited for a CPU (a busy machine) does not count.
    BusyClock clock(process_.pid());
    const auto within = settings().startup_timeout();
    if (chosen_port) {
        // The command was given the port: watch for it to be listening.
        // Listening, and by the program itself: with several graders at
        // once, another's program may have taken the port in the meantime.
        auto program_listens = [&] {
            for (unsigned long inode : listening_sockets(*chosen_port))
                if (process_.holds_socket(inode)) return true;
            return false;
        };
        while (!program_listens()) {
            if (const auto status = process_.exit_status())
                fail("the server " + status->describe() + " before it was listening on port " +
                         std::to_string(*chosen_port),
                     explain_exit(*status, process_.stderr_text()), where);
            if (clock.elapsed() > within)
                fail("nothing was listening on port " + std::to_string(*chosen_port) + " within " + clock.describe(),
                     "the command must listen on the port the grader puts where it says {port}", where);
            process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(5));  // poll /proc every 5 ms
        }
        port_ = *chosen_port;
        for (std::size_t i = 0; i + 1 < args_.size(); ++i)
            if (args_[i] == "--host") host_ = args_[i + 1];  // the grader gave the host, too
        transcript().add("server", "is listening on port " + std::to_string(port_));
        return;
    }
    std::optional<std::string> line;
    wait_on_busy_clock(
        clock, within, [&] { return line.has_value() || process_.exit_status().has_value(); },
        [&](Clock::time_point until) {
            line = process_.next_stdout_line(until);
            if (!line) process_.wait_for_exit(until);  // its output ended: wait for its exit
        });
    if (!line) line = process_.next_stdout_line(Clock::now());  // printed just before it exited
    if (!line) {
        if (const auto status = process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(200))) {
            const std::string why = explain_exit(*status, process_.stderr_text());
            fail("the server " + status->describe() + " without printing 'listening on HOST:PORT'",
                 !why.empty() ? why
                              : "a server starts by listening: create its socket, bind it to the address, listen, "
                                "then print 'listening on HOST:PORT' and flush it; only then accept clients, and "
                                "never end by itself",
                 where);
        }
        fail("the server printed no 'listening on HOST:PORT' line within " + clock.describe(),
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
    BusyClock clock(process_.pid());  // the time it waited for a CPU does not count
    std::optional<ExitStatus> ended;
    wait_on_busy_clock(
        clock, settings().exit_timeout(), [&] { return ended.has_value(); },
        [&](Clock::time_point until) { ended = process_.wait_for_exit(until); });
    if (!ended)
        fail("the server should have exited with status " + std::to_string(status) + ", but it is still running " +
                 clock.describe() + " later",
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

std::optional<long> Server::unread_bytes_from(const Client& client) const {
    const std::string& address = client.address();
    const auto client_port = static_cast<std::uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
    return receive_queue(port_, client_port);
}

bool Server::is_blocked_sending_to(const Client& client) const {
    const std::string& address = client.address();
    const auto client_port = static_cast<std::uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
    const auto inode = connection_socket(port_, client_port);
    return inode && process_.is_sending_to(*inode);
}

bool Server::has_read_all_from(const Client& client, std::chrono::milliseconds within) const {
    const auto deadline = Clock::now() + within;
    while (true) {
        const std::optional<long> unread = unread_bytes_from(client);
        if (unread && *unread == 0) return true;
        if (Clock::now() > deadline) return false;
        // /proc has no event to wait on: look again in a millisecond (or
        // sooner, if the server ends: then it will never read it).
        if (process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(1))) return false;
    }
}

void Server::wait_until_read(const Client& client, std::string_view hint, Where where) const {
    if (has_read_all_from(client, settings().reply_timeout())) return;
    const std::optional<long> unread = unread_bytes_from(client);
    fail("the server did not read what " + client.name() + " sent within " + seconds_text(settings().reply_timeout()) +
             (unread ? " (" + std::to_string(*unread) + " bytes unread)" : ""),
         hint, where);
}

int threads_at_rest(int before_any_client) { return before_any_client + (built_with_sanitizer() ? 1 : 0); }

ProgramState Server::program_state(std::string_view hint) const {
    ProgramState state;
    auto status = process_.exit_status();
    // A server that closed a connection, or has no threads or open files
    // left, may be in the middle of exiting (a crash, say): give its end a
    // moment to reach us, so the report can say how it ended.
    if (!status && (connection_lost_this_test() || process_.thread_count() == 0 || process_.open_file_count() == 0))
        status = process_.wait_for_exit(Clock::now() + std::chrono::milliseconds(500));
    if (status) process_.wait_for_output_end(Clock::now() + std::chrono::milliseconds(500));  // its last words
    if (auto ended = diagnose_end(process_, "server", signals_sent_ > 0 || settings().server_exits_by_itself)) {
        state.cause = std::move(ended->cause);
        state.cause_hint = std::move(ended->hint);
        state.evidence = std::move(ended->evidence);
    }
    state.details = status_report(state.cause.empty() ? hint : std::string_view(state.cause_hint));
    return state;
}

std::string Server::status_report(std::string_view hint) const {
    std::string report = "\nthe server: " + command_line_ + "\n";
    if (const auto status = process_.exit_status()) {
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
    } else if (has_sanitizer_report(err)) {
        // From the report's head: its first lines say what and where.
        report += "  its standard error, from the sanitizer's report on (the shortened report is above):\n" +
                  first_lines(err.substr(err.find_last_of('\n', sanitizer_report_offset(err)) + 1), 40);
    } else {
        report += "  its standard error (last lines):\n" + last_lines(err, 15);
    }
    return report;
}

Finished run_until_exit(const StartOptions& options, Where where) {
    const std::vector<std::string> argv = command_for(options, 0);
    transcript().add("grader", "runs: " + join(argv));
    ChildProcess process(argv, limits_for(options), false);
    BusyClock clock(process.pid());  // the time it waited for a CPU does not count
    std::optional<ExitStatus> status;
    wait_on_busy_clock(
        clock, settings().startup_timeout(), [&] { return status.has_value(); },
        [&](Clock::time_point until) { status = process.wait_for_exit(until); });
    if (!status) {
        fail("the program should have exited at once, but it is still running after " +
                 clock.describe() + "\n  its standard output: " + quote_bytes(process.stdout_text()) + "\n  its standard error: " +
                 quote_end(process.stderr_text()),
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

std::string first_lines(std::string_view text, std::size_t count) {
    std::string result;
    std::size_t shown = 0;
    while (!text.empty() && shown < count) {
        const auto newline = text.find('\n');
        result += "    " + std::string(text.substr(0, std::min<std::size_t>(newline, 300))) + "\n";
        ++shown;
        if (newline == std::string_view::npos) return result;
        text.remove_prefix(newline + 1);
    }
    if (!text.empty()) result += "    (more lines follow)\n";
    return result;
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
