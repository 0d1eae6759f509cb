#pragma once
// Starting the program under test: a lab program built here (--program) or
// any command line (--cmd), as the lab contract says.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/socket.hpp"
#include "diagnosis.hpp"
#include "ports.hpp"
#include "process.hpp"
#include "transcript.hpp"

namespace grader {

class Client;

struct StartOptions {
    // The value given to --port (or put where --cmd says {port}). "0" asks
    // for a free port: the program picks one and announces it, or, when
    // --cmd has {port}, the grader picks one. "" gives no --port at all (to
    // check the default; --program only).
    std::string port = "0";
    std::vector<std::string> args;  // more arguments, after the port
    Limits limits;
    bool pipe_stdin = false;
    // Every send() or write() on a socket in the program takes only a few
    // bytes (an LD_PRELOAD shim): checks that partial sends are finished.
    bool short_sends = false;
    // False: without the suite's settings().server_args (to check the
    // defaults they would override).
    bool server_args = true;
};

// Shorthands: on_port("8001") gives --port 8001; with_args({"--host", "::1"})
// gives --port 0 --host ::1.
StartOptions on_port(std::string port);
StartOptions with_args(std::vector<std::string> args);

// The command line for these options, in the mode the grader was started in.
std::vector<std::string> command_for(const StartOptions& options, std::uint16_t chosen_port);
std::string shell_quote(std::string_view word);
// A --cmd command line, for /bin/sh -c: {host} and {port} filled in, or,
// without them, --host and --port added; an empty host or port leaves its
// option out, "--port {port}" included (to check the defaults).
std::vector<std::string> shell_command(std::string command, const std::string& host, const std::string& port,
                                       const std::vector<std::string>& more_args);
// False when {port} or {host} appear other than as "--port {port}" and
// "--host {host}": the command cannot then be started without options.
bool command_can_start_without_options(const std::string& command);

// The program under test, running as a server. The constructor starts it
// and returns once it is listening, or fails the test saying why not. The
// destructor kills it, and fails the test if it had crashed or a sanitizer
// had reported on the way.
class Server {
public:
    explicit Server(StartOptions options = {}, Where where = Where::current());
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const { return port_; }
    const std::string& host() const { return host_; }
    // The `listening on` line; with --cmd and {port}, waits for it up to the
    // reply deadline. Nothing if the program has not printed it.
    std::optional<std::string> listening_line();

    // A new test client connected to this server (receive_buffer: see Client).
    Client connect(std::string name, int receive_buffer = 0, Where where = Where::current());

    // The program must end with this exit status before the exit deadline.
    void expect_exit(int status, std::string_view hint = {}, Where where = Where::current());
    // The server is running now (an instant check)...
    void expect_running(std::string_view hint = {}, Where where = Where::current());
    // ...or still runs a fixed window later: the one way to see that a
    // server about to exit does not. `after` says when, for the message
    // ("after its first client left").
    void expect_keeps_running(std::string_view after, std::string_view hint = {}, Where where = Where::current());
    void send_signal(int signal);
    // Freezes the server (SIGSTOP) and lets it go on (SIGCONT): while it is
    // frozen, the kernel still accepts connections and data for it, so test
    // clients can come and go before the server has seen anything.
    void freeze();
    void unfreeze();

    // Summed over the program's processes, from /proc.
    int thread_count() const { return process_.thread_count(); }
    int open_file_count() const { return process_.open_file_count(); }
    // Waits until the thread count is at most `count`; true if it got there.
    bool wait_for_threads_at_most(int count, std::chrono::milliseconds within) const;
    bool wait_for_open_files_at_most(int count, std::chrono::milliseconds within) const;

    // Bytes `client` has sent that the server has not read yet, from the
    // server's receive queue in /proc/net/tcp; nothing if it is not found.
    std::optional<long> unread_bytes_from(const Client& client) const;
    // Waits until the server has read everything `client` sent, or fails.
    // A test that sends a piece, waits for this, then sends the next, makes
    // the pieces arrive in separate reads in any language, however fast or
    // slow the server's threads wake up.
    void wait_until_read(const Client& client, std::string_view hint = {}, Where where = Where::current()) const;
    // The same, without failing: true once it has read everything, false
    // if `within` passed first.
    bool has_read_all_from(const Client& client, std::chrono::milliseconds within) const;
    // True while a thread of the server waits in send() to `client` (whose
    // window is full): a reset from that client then meets the send.
    bool is_blocked_sending_to(const Client& client) const;

    ChildProcess& process() { return process_; }
    const ChildProcess& process() const { return process_; }
    // For failure reports: why it ended, if its end is the cause, and its state.
    ProgramState program_state(std::string_view hint = {}) const;
    std::string status_report(std::string_view hint = {}) const;

private:
    Server(const StartOptions& options, std::optional<std::uint16_t> chosen_port, Where where);
    void wait_until_listening(std::optional<std::uint16_t> chosen_port, Where where);

    std::string command_line_;
    std::vector<std::string> args_;
    ChildProcess process_;
    std::string host_ = "127.0.0.1";
    std::uint16_t port_ = 0;
    std::optional<std::string> listening_line_;
    int signals_sent_ = 0;
    ProgramReporter previous_reporter_;  // put back when this server goes
};

// The thread count a server should return to once its clients have gone,
// given its count before any client came. ThreadSanitizer starts a thread
// of its own when the program starts its first thread, and keeps it: in a
// sanitizer build, one more.
int threads_at_rest(int before_any_client);

// For start-up checks: runs the program until it exits (or the start-up
// deadline passes, which fails the test).
struct Finished {
    ExitStatus status;
    std::string out;
    std::string err;
};
Finished run_until_exit(const StartOptions& options, Where where = Where::current());

// The last (or first) lines of a text, indented, for reports.
std::string last_lines(std::string_view text, std::size_t count);
std::string first_lines(std::string_view text, std::size_t count);

}  // namespace grader
