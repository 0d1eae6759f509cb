#pragma once
// The grader's side of lab 07: a chat server of its own, played step by step
// by the test, and the client under test started as a child process.
//
//   ScriptedServer server;                    // listens on a free port
//   ChatClient client(server.port());         // starts the program under test
//   server.accept_client();                   // the client connects
//   server.send_line("* 127.0.0.1:5000 joined");
//   client.expect_printed("* 127.0.0.1:5000 joined");
//   client.type("hello\n");                   // on its standard input
//   server.expect_line("hello");
//
// Every wait has a deadline; every failure shows the transcript (what the
// server sent and received, what was typed, what the client printed) and the
// client's state, standard output and standard error.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grader.hpp"
#include "net/socket.hpp"

namespace chat_client_test {

class ScriptedServer {
public:
    explicit ScriptedServer(const std::string& host = "127.0.0.1");
    std::uint16_t port() const { return port_; }
    const std::string& host() const { return host_; }

    // Waits for the client under test to connect, or fails the test.
    void accept_client(std::string_view hint = {});

    void send(std::string_view bytes);
    void send_line(std::string_view line) { send(std::string(line) + "\n"); }
    void send_quietly(std::string_view bytes, std::string_view summary);  // for bulk: one transcript line

    // What the client sent: its next whole line (without '\n').
    std::string next_line(std::string_view hint = {});
    std::optional<std::string> try_next_line(std::chrono::milliseconds within);
    void expect_line(std::string_view expected, std::string_view hint = {});
    // The client closed its sending side (recv() returned 0), with nothing
    // more before it.
    void expect_end_of_stream(std::string_view hint = {});
    // Nothing arrives for the silence window.
    void expect_silence(std::string_view hint = {});

    void close();  // close the connection: "the server has gone"
    void reset();  // close with SO_LINGER 0: the client sees a reset
    void set_quiet(bool quiet) { quiet_ = quiet; }

private:
    enum class Read { data, closed, timed_out };
    Read read_more(grader::Clock::time_point deadline);
    std::optional<std::string> take_line();
    [[noreturn]] void fail_expecting(const std::string& expected, std::string_view hint, Read why);

    std::string host_;
    net::Socket listener_;
    net::Socket connection_;
    std::uint16_t port_ = 0;
    std::string pending_;
    bool peer_closed_ = false;
    bool quiet_ = false;
};

// The program under test: chat-client, started with --port (and --host, or
// other arguments), its standard input a pipe the test types into.
class ChatClient {
public:
    // --program: PROGRAM --port PORT ARGS...; --cmd: COMMAND with {port}.
    explicit ChatClient(std::uint16_t port, std::vector<std::string> args = {});
    ChatClient(const std::string& port_text, std::vector<std::string> args);
    ~ChatClient();
    ChatClient(const ChatClient&) = delete;
    ChatClient& operator=(const ChatClient&) = delete;

    void type(std::string_view bytes);  // on the client's standard input
    void type_quietly(std::string_view bytes);  // the same, not shown in the transcript
    void set_quiet(bool quiet) { quiet_ = quiet; }  // printed lines not shown in the transcript
    void end_input();                   // closes its standard input (Ctrl-D)

    // The next line the client printed on standard output.
    std::string next_printed_line(std::string_view hint = {});
    void expect_printed(std::string_view expected, std::string_view hint = {});

    // The client must end with this status before the exit deadline.
    grader::ExitStatus expect_exit(int status, std::string_view hint = {});
    // The client must still be running a short while from now.
    void expect_running(std::string_view hint = {});
    // Everything the client wrote on standard error, once it has exited
    // (waits, up to the reply deadline, for the pipe to reach its end).
    std::string stderr_to_end();

    std::string printed() const { return process_->stdout_text(); }
    std::string printed_on_stderr() const { return process_->stderr_text(); }
    std::string status_report() const;

private:
    std::string command_line_;
    std::unique_ptr<grader::ChildProcess> process_;
    bool quiet_ = false;
};

}  // namespace chat_client_test
