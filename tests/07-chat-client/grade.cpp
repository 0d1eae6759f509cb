// Lab 07 — chat-client. The grader plays the server (a scripted one of its
// own) and types on the client's standard input. One test per promise of
// the lab contract: lines from the server printed as they arrive, whatever
// the keyboard does; lines typed sent whole, in order; the last line
// without '\n'; the end of input (half-close, keep printing, exit 0); the
// server leaving first ('* disconnected', exit 0); cannot connect (exit 1);
// bad arguments (exit 2); the defaults (127.0.0.1:8001). Every failure is a
// grader::fail: the transcript, the client's state and output, and a hint.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <vector>

#include "grader.hpp"
#include "scripted_server.hpp"

using chat_client_test::ChatClient;
using chat_client_test::ClientOptions;
using chat_client_test::ScriptedServer;

namespace {

const char* const freeze_hint =
    "the client must print what the server sends even while the user types nothing: a loop that waits in "
    "getline() for the keyboard and only then reads the network freezes the conversation. Read the network in "
    "a thread of its own";
const char* const send_hint =
    "send every line read from standard input to the server, '\\n' included, as soon as it is read";
const char* const end_of_input_hint =
    "at the end of standard input (getline fails), close the sending side of the connection "
    "(net::shutdown_sending), but keep printing what the server sends until it closes";

// The client started with --port PORT (and more arguments), whatever listens there.
ClientOptions on_port(std::string port, std::vector<std::string> args = {}) {
    ClientOptions options;
    options.port = std::move(port);
    options.args = std::move(args);
    return options;
}

// A line from the server, as a chat server would send it.
std::string says(int port, const std::string& line) { return "127.0.0.1:" + std::to_string(port) + " says: " + line; }

}  // namespace

TEST_SUITE("connecting") {

TEST_CASE("connects to the port given with --port") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    server.send_line("* online: 127.0.0.1:40001 127.0.0.1:40002");
    client.expect_printed("* online: 127.0.0.1:40001 127.0.0.1:40002");
}

TEST_CASE("connects over IPv6 with --host ::1") {
    ScriptedServer server("::1");
    ChatClient client(server);  // --host ::1 (or ::1 where --cmd says {host})
    server.accept_client("connect to the host given with --host (net::connect_to takes IPv6 addresses too)");
    server.send_line("hello over IPv6");
    client.expect_printed("hello over IPv6");
}

TEST_CASE("cannot connect: one line on standard error, exit status 1") {
    const std::uint16_t port = grader::find_free_port();  // nothing listens there
    ChatClient client(on_port(std::to_string(port)));  // no server: it must fail to connect
    client.expect_exit(1, "when the connection fails, print one line on standard error and exit with status 1");
    const std::string err = client.stderr_to_end();
    const char* const one_line_hint = "catch the std::system_error of net::connect_to and print one line: "
                                      "\"chat-client: cannot connect to HOST:PORT: REASON\"";
    if (std::count(err.begin(), err.end(), '\n') != 1)
        grader::fail("standard error should be exactly one line, but was " + grader::quote_bytes(err), one_line_hint);
    if (err.find(std::to_string(port)) == std::string::npos)
        grader::fail("the error should name the address it could not connect to (127.0.0.1:" + std::to_string(port) +
                         "), but was " + grader::quote_bytes(err),
                     one_line_hint);
    client.expect_all_printed("", "standard output carries the server's lines only: errors go to standard error");
}

TEST_CASE("bad arguments: a usage message on standard error, exit status 2") {
    ScriptedServer server;  // so that a client that ignores them has somewhere to go
    const std::string port = std::to_string(server.port());
    for (const ClientOptions& bad : {on_port("abc"), on_port("70000"), on_port(port, {"--bogus"})}) {
        ChatClient client(bad);
        client.expect_exit(2, "check every argument before connecting: net::parse_options(argc, argv, "
                              "\"chat-client\") prints the usage and exits with 2");
        const std::string err = client.stderr_to_end();
        std::string lower = err;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower.find("usage") == std::string::npos)
            grader::fail("standard error should show the usage, but was " + grader::quote_bytes(err),
                         "print \"usage: chat-client [--host HOST] [--port PORT]\" on standard error");
    }
}

}  // TEST_SUITE

// Started without options at all: a --cmd's "--host {host}" and "--port
// {port}" are left out. Port 8001 is shared with every suite that checks a
// default: grader::DefaultPortLock takes turns across suites.
TEST_SUITE("connecting") {

TEST_CASE("without options, connects to 127.0.0.1:8001") {
    grader::DefaultPortLock port_8001;
    if (!port_8001.available()) grader::skip_test(grader::default_port_taken);
    if (!grader::settings().command.empty() && !grader::command_can_start_without_options(grader::settings().command))
        grader::fail("the grader cannot start this command without options: it has {port} or {host}, but not as "
                     "\"--port {port}\" and \"--host {host}\"",
                     "write the command with \"--host {host} --port {port}\", as the lab contract's arguments are");
    ScriptedServer server("127.0.0.1", 8001);
    ChatClient client(ClientOptions{}, &server);  // no --host, no --port
    server.accept_client("the defaults are host 127.0.0.1 and port 8001 (net::parse_options gives them)");
    server.send_line("* online: 127.0.0.1:40001");
    client.expect_printed("* online: 127.0.0.1:40001");
}

}  // TEST_SUITE

TEST_SUITE("printing what the server sends") {

TEST_CASE("prints each line the server sends while the user types nothing") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    server.send_line("* 127.0.0.1:40001 joined");
    client.expect_printed("* 127.0.0.1:40001 joined", freeze_hint);
    server.send_line(says(40001, "anyone here?"));
    client.expect_printed(says(40001, "anyone here?"), freeze_hint);
}

TEST_CASE("keeps printing while the user types, between the lines typed") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("hi\n");
    server.expect_line("hi", send_hint);
    server.send_line(says(40001, "hi yourself"));
    server.send_line(says(40002, "hello"));
    client.expect_printed(says(40001, "hi yourself"), freeze_hint);
    client.expect_printed(says(40002, "hello"), freeze_hint);
    client.type("half a li");  // the user is in the middle of a line...
    server.send_line(says(40001, "are you typing?"));
    client.expect_printed(says(40001, "are you typing?"),
                          "a line from the server is printed at once, even while the user is in the middle of "
                          "typing a line");
    client.type("ne\n");
    server.expect_line("half a line", send_hint);
}

TEST_CASE("a line that arrives in pieces is printed whole") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    server.send("127.0.0.1:40001 says: in ");
    server.send("pie");
    server.send("ces\n127.0.0.1:40001 says: and two lines\n127.0.0.1:40001 says: in one\n");
    client.expect_printed(says(40001, "in pieces"));
    client.expect_printed(says(40001, "and two lines"));
    client.expect_printed(says(40001, "in one"));
}

TEST_CASE("prints 2000 lines from the server while the user types 2000 lines") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    server.set_quiet(true);
    client.set_quiet(true);
    constexpr int rounds = 20;
    constexpr int lines_per_round = 100;
    auto from_server = [](int n) { return says(40001, "server line " + std::to_string(n)); };
    auto typed = [](int n) { return "typed line " + std::to_string(n) + " " + std::string(n % 37, '='); };
    grader::transcript().add("grader", "in " + std::to_string(rounds) + " rounds, the server sends and the user types " +
                                           std::to_string(lines_per_round) + " lines each (not shown), e.g.",
                             typed(3), true);
    int printed = 0;
    for (int round = 0; round < rounds; ++round) {
        std::string server_lines, typed_lines;
        for (int n = round * lines_per_round; n < (round + 1) * lines_per_round; ++n) {
            server_lines += from_server(n) + "\n";
            typed_lines += typed(n) + "\n";
        }
        server.send(server_lines);
        client.type_quietly(typed_lines);
        for (int n = round * lines_per_round; n < (round + 1) * lines_per_round; ++n) {
            const std::string line = server.next_line(send_hint);
            if (line != typed(n))
                grader::fail("the server expected the typed line " + grader::quote_bytes(typed(n)) + "\n  but received " +
                                 grader::quote_bytes(line),
                             "send each line typed, whole and in order, '\\n' included");
        }
        for (; printed < (round + 1) * lines_per_round; ++printed) {
            const std::string line = client.next_printed_line(freeze_hint);
            if (line != from_server(printed))
                grader::fail("the client should have printed " + grader::quote_bytes(from_server(printed)) +
                                 "\n  but printed " + grader::quote_bytes(line),
                             "print every line from the server, whole and in order");
        }
    }
}

}  // TEST_SUITE

TEST_SUITE("sending what the user types") {

TEST_CASE("sends each line typed, whole and in order") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("first\n");
    server.expect_line("first", send_hint);
    client.type("second\nthird\n");
    server.expect_line("second", send_hint);
    server.expect_line("third", send_hint);
    client.type("typed ");
    client.type("slowly\n");
    server.expect_line("typed slowly", send_hint);
    client.type("/who\n");
    server.expect_line("/who", "commands are lines like any other: send them as they are");
    std::string long_line(10000, 'x');
    client.type(long_line + "\n");
    server.expect_line(long_line, "a long line goes out whole: send_all sends every byte");
}

TEST_CASE("sends an empty line typed as an empty line") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("\nafter\n");
    server.expect_line("", "send each line as it was typed, even an empty one (the server ignores it)");
    server.expect_line("after", send_hint);
}

TEST_CASE("a last line without '\\n' is sent with one") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("a whole line\nno newline at the end");
    client.end_input();
    server.expect_line("a whole line", send_hint);
    server.expect_line("no newline at the end",
                       "a last line without '\\n' at the end of input is a line too: send it with a '\\n' "
                       "(std::getline returns it, then fails)");
    server.expect_end_of_stream(end_of_input_hint);
}

TEST_CASE("prints nothing of its own on standard output") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("hello\n");
    server.expect_line("hello", send_hint);
    server.send_line("the only line");
    client.expect_printed("the only line",
                          "standard output carries the server's lines only: no prompt, no echo of what was typed "
                          "(the terminal shows it already), messages go to standard error");
}

}  // TEST_SUITE

TEST_SUITE("ending") {

const char* const flag_order_hint =
    "the client printed '* disconnected' after its own end of input: its network thread saw the server close "
    "before it knew that the input had ended. Set input_ended before the half-close (net::shutdown_sending), "
    "never after: the server may close as soon as it sees the half-close, before shutdown() has even returned";

TEST_CASE("end of input: closes its sending side, keeps printing, exits 0 when the server closes") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("goodbye\n");
    client.end_input();
    server.expect_line("goodbye");
    server.expect_end_of_stream();
    server.send_line("* 127.0.0.1:40001 says: wait, one more thing");
    server.send_line("* the server closes now");
    client.expect_printed("* 127.0.0.1:40001 says: wait, one more thing",
                          "after the end of input, keep printing what the server sends, until it closes: do not "
                          "exit as soon as standard input ends");
    client.expect_printed("* the server closes now", "keep printing until the server closes");
    client.expect_running("after the end of input the client waits for the server to close");
    server.send("and a last line without a newline");
    server.close();
    client.expect_exit(0, "when the server closes after the end of input, the conversation is over: exit 0");
    client.expect_all_printed("* 127.0.0.1:40001 says: wait, one more thing\n* the server closes now\n"
                              "and a last line without a newline\n",
                              "print the server's last line, which came without '\\n', with one (net::LineReader "
                              "returns it as a last line)");
    client.expect_stderr("", "the client ended its input first, so the server's close is the normal end: nothing on "
                             "standard error ('* disconnected' is for a server that goes while the user could still "
                             "type). " + std::string(flag_order_hint));
}

TEST_CASE("end of input right away: half-close, then exit 0 when the server closes") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.end_input();
    server.expect_end_of_stream();
    server.send_line("bye");
    client.expect_printed("bye", "keep printing until the server closes");
    server.close();
    client.expect_exit(0);
}

// The server answers the half-close by closing at once. Whether the client's
// network thread sees that close before the keyboard thread has set its flag
// is, on a real machine, a race of microseconds; here shutdown() returns
// only once the program has reacted to the close (its other threads sleep,
// none reading the socket, or one joins the keyboard thread), so a flag set
// after the half-close is caught every time.
TEST_CASE("end of input: no '* disconnected', however slowly the half-close returns") {
    ScriptedServer server;
    ClientOptions options = on_port(std::to_string(server.port()));
    options.slow_shutdown = true;
    ChatClient client(options, &server);
    server.accept_client();
    client.type("see you\n");
    client.end_input();
    server.expect_line("see you");
    server.expect_end_of_stream();
    server.close();  // while the client is still inside shutdown()
    // The shim holds shutdown() 10 s at most: time for that too.
    client.expect_exit(0, "when the server closes after the end of input, the conversation is over: exit 0",
                       grader::Where::current(), std::chrono::seconds(10));
    client.expect_stderr("", flag_order_hint);
}

TEST_CASE("the server closes first: '* disconnected' on standard error, exit 0") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("hello?\n");
    server.expect_line("hello?");
    server.send_line("* server going down");
    client.expect_printed("* server going down");
    client.wait_until_waiting_for_input();  // the keyboard thread is in getline
    server.close();  // while the client's standard input is still open
    client.expect_exit(0, "when the server closes while standard input is still open, print '* disconnected' on "
                          "standard error and end at once with std::_Exit(0), after flushing std::cout: the keyboard "
                          "thread still waits in getline, so returning from main (the std::jthread joins it) or "
                          "std::exit (it waits for the lock of standard input, held by getline) would wait for the user");
    client.expect_stderr("* disconnected\n", "print the one line \"* disconnected\" on standard error (std::cerr)");
    client.expect_all_printed("* server going down\n",
                              "standard output holds the server's lines only: '* disconnected' goes to standard error");
}

TEST_CASE("the server resets the connection: '* disconnected' on standard error, exit 0") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    server.send_line("bye");
    client.expect_printed("bye");
    client.wait_until_waiting_for_input();
    server.reset();
    client.expect_exit(0, "a reset (ECONNRESET) is the server going away too: print '* disconnected' on standard "
                          "error and exit 0");
    client.expect_stderr("* disconnected\n", "a reset (net::is_disconnect) is the server going away too: print "
                                             "\"* disconnected\" on standard error, and nothing else");
}

TEST_CASE("the server closes while the user is typing: the client still ends") {
    ScriptedServer server;
    ChatClient client(server);
    server.accept_client();
    client.type("I was about to s");
    client.wait_until_waiting_for_input();  // for the rest of the line
    server.close();
    client.expect_exit(0, "the server's end ends the client, whatever the keyboard is doing");
    client.expect_stderr("* disconnected\n", "the server went first: print \"* disconnected\" on standard error, "
                                             "and nothing else");
}

}  // TEST_SUITE
