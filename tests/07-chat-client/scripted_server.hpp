#pragma once
// The grader's side of lab 07: a chat server of its own, played step by step
// by the test, and the client under test started as a child process.
//
//   ScriptedServer server;                    // listens on a free port
//   ChatClient client(server);                // starts the program under test
//   server.accept_client();                   // the client connects
//   server.send_line("* 127.0.0.1:5000 joined");
//   client.expect_printed("* 127.0.0.1:5000 joined");
//   client.type("hello\n");                   // on its standard input
//   server.expect_line("hello");
//
// The accepted connection is a grader::Peer, the same type a test client is
// built on: every wait has a deadline, every failure shows the transcript
// (what the server sent and received, what was typed, what the client
// printed), the client's state, its standard output and error, and a hint.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grader.hpp"
#include "net/socket.hpp"
#include "peer.hpp"

namespace chat_client_test {

class ChatClient;

class ScriptedServer {
public:
    // port 0: a free port, chosen by the system.
    explicit ScriptedServer(const std::string& host = "127.0.0.1", std::uint16_t port = 0,
                            grader::Where where = grader::Where::current());
    std::uint16_t port() const { return port_; }
    const std::string& host() const { return host_; }

    // Waits for the client under test to connect, or fails the test.
    void accept_client(std::string_view hint = {}, grader::Where where = grader::Where::current());

    // The accepted connection (the test fails if there is none yet).
    grader::Peer& connection(grader::Where where = grader::Where::current());

    // Shorthands for the connection, with this lab's hints when a test gives none.
    void send(std::string_view bytes, grader::Where where = grader::Where::current());
    void send_line(std::string_view line, grader::Where where = grader::Where::current());
    std::string next_line(std::string_view hint = {}, grader::Where where = grader::Where::current());
    void expect_line(std::string_view expected, std::string_view hint = {},
                     grader::Where where = grader::Where::current());
    // The client closed its sending side (end of its input), with nothing more before it.
    void expect_end_of_stream(std::string_view hint = {}, grader::Where where = grader::Where::current());
    void close(grader::Where where = grader::Where::current());  // "the server has gone"
    void reset(grader::Where where = grader::Where::current());  // close with SO_LINGER 0: a reset
    void set_quiet(bool quiet, grader::Where where = grader::Where::current()) { connection(where).set_quiet(quiet); }

    // The client under test, whose end (an exit, a crash) a failure names
    // before the test's own hint. ChatClient(server) calls it; nullptr: none.
    void watch(const ChatClient* client);

private:
    void explain_client_end();

    std::string host_;
    net::Socket listener_;
    std::uint16_t port_ = 0;
    std::optional<grader::Peer> connection_;
    const ChatClient* client_ = nullptr;
};

// How the client under test is started.
struct ClientOptions {
    // The grader's server's address: --host and --port, or where --cmd says
    // {host} and {port}. An empty port gives no --port at all, and the
    // default host no --host (to check the defaults).
    std::string host = "127.0.0.1";
    std::string port;
    std::vector<std::string> args;  // more arguments, at the end
    // shutdown() is slow to return (a preloaded shim): a client that notes
    // the end of input only after its half-close is caught every time.
    bool slow_shutdown = false;
};

// The program under test: chat-client, its standard input a pipe the test
// types into. On every system exit() waits for the lock of standard input
// first, as glibc 2.41 and later do (a preloaded shim).
class ChatClient {
public:
    // A client of this server, with these more arguments.
    explicit ChatClient(ScriptedServer& server, std::vector<std::string> args = {});
    // A client started as the options say; `server`, if given, names the
    // client's end in its failures (see ScriptedServer::watch).
    explicit ChatClient(ClientOptions options, ScriptedServer* server = nullptr);
    ~ChatClient();
    ChatClient(const ChatClient&) = delete;
    ChatClient& operator=(const ChatClient&) = delete;

    void type(std::string_view bytes);          // on the client's standard input
    void type_quietly(std::string_view bytes);  // the same, not shown in the transcript
    void set_quiet(bool quiet) { quiet_ = quiet; }  // printed lines not shown in the transcript
    void end_input();                           // closes its standard input (Ctrl-D)

    // The next line the client printed on standard output.
    std::string next_printed_line(std::string_view hint = {}, grader::Where where = grader::Where::current());
    void expect_printed(std::string_view expected, std::string_view hint = {},
                        grader::Where where = grader::Where::current());

    // The client must end with this status before the exit deadline (plus
    // `more_time`).
    grader::ExitStatus expect_exit(int status, std::string_view hint = {},
                                   grader::Where where = grader::Where::current(),
                                   std::chrono::milliseconds more_time = {});
    // Waits until one of the client's threads waits for its standard input
    // (in read() on it, or in poll, select or epoll), so that what the test
    // does next happens while the keyboard side is waiting, as with a user
    // who types nothing. Gives up quietly after the reply deadline.
    void wait_until_waiting_for_input();
    // The client must still be running a short while from now.
    void expect_running(std::string_view hint = {}, grader::Where where = grader::Where::current());

    // Once the client has exited: all it printed on standard output, or on
    // standard error, must be exactly `expected`.
    void expect_all_printed(std::string_view expected, std::string_view hint,
                            grader::Where where = grader::Where::current());
    void expect_stderr(std::string_view expected, std::string_view hint,
                       grader::Where where = grader::Where::current());
    // Everything the client wrote on standard error, once it has exited
    // (waits, up to the reply deadline, for the pipe to reach its end).
    std::string stderr_to_end();

    std::string printed() const { return process_->stdout_text(); }
    // For failure reports: how the client is or how it ended, its output.
    std::string status_report(std::string_view hint) const;
    // How the client ended, as a hint, or "" while it runs.
    std::string hint_if_ended() const;

private:
    std::string command_line_;
    std::unique_ptr<grader::ChildProcess> process_;
    ScriptedServer* server_ = nullptr;
    bool quiet_ = false;
};

}  // namespace chat_client_test
