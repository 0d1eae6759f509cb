// Lab 02 — iterative-server. One test per promise of the lab contract:
// start-up, clients served one after another and forever, clients that
// connect meanwhile waiting their turn, rude clients that do not stop the
// server, and no descriptor left behind.

#include <algorithm>
#include <chrono>
#include <string>

#include "grader.hpp"

using grader::Client;
using grader::Server;
using grader::StartOptions;

namespace {

const char* const loop_hint =
    "a server is a loop: once a client has left, close its socket and go back to accept() for the next one";
const char* const survive_hint =
    "a client that resets or vanishes ends its own conversation, not the server: catch the std::system_error, "
    "and when net::is_disconnect(error) is true just return to the accept loop";

// A short echo, to show the server is serving this client now.
void expect_served(Client& client, const std::string& message, std::string_view hint = loop_hint) {
    client.send(message);
    client.expect_bytes(message, hint);
}

// The client says goodbye (closes its side) and the server closes too.
void leave_politely(Client& client) {
    client.half_close();
    client.expect_closed("when recv() returns 0 the client has closed its side: close its socket (and go on "
                         "to the next client)");
}

// A server that is about to exit gets a short fixed window to do it: the
// one way to see that something does not happen.
void expect_still_running(Server& server, const std::string& after, std::string_view hint) {
    if (const auto status = server.process().wait_for_exit(grader::Clock::now() + grader::settings().silence_window()))
        grader::fail("the server " + status->describe() + " " + after + "; it should keep serving clients, forever",
                     hint);
}

}  // namespace

TEST_SUITE("starting up") {

TEST_CASE("prints 'listening on 127.0.0.1:PORT' with the real port") {
    Server server;
    const auto line = server.listening_line();
    if (!line) grader::fail("the server printed no 'listening on HOST:PORT' line", "print it once listening, and flush");
    CHECK(*line == "listening on 127.0.0.1:" + std::to_string(server.port()));
    Client alice = server.connect("alice");
    expect_served(alice, "ok");
}

TEST_CASE("listens on the port given with --port") {
    const std::uint16_t port = grader::find_free_port();
    Server server(grader::on_port(std::to_string(port)));
    CHECK(server.port() == port);
    Client alice = server.connect("alice");
    expect_served(alice, "ok");
}

TEST_CASE("without options, listens on 127.0.0.1:8001") {
    if (!grader::settings().command.empty()) {
        MESSAGE("not checked with --cmd: the command line decides the options");
        return;
    }
    grader::DefaultPortLock port_8001;
    if (!port_8001.available()) {
        MESSAGE("not checked: another program on this machine is using port 8001");
        return;
    }
    Server server(grader::on_port(""));
    CHECK(server.listening_line() == "listening on 127.0.0.1:8001");
    Client alice = server.connect("alice");
    expect_served(alice, "ok");
}

TEST_CASE("listens on IPv6 with --host ::1") {
    Server server(grader::with_args({"--host", "::1"}));
    CHECK(server.host() == "::1");
    Client alice = server.connect("alice");
    expect_served(alice, "over IPv6\n");
}

TEST_CASE("a port that is taken: one line on standard error naming the address, exit status 1") {
    const grader::PortInUse taken;
    const std::string address = "127.0.0.1:" + std::to_string(taken.port());
    const grader::Finished run = grader::run_until_exit(grader::on_port(std::to_string(taken.port())));
    if (!run.status.exited || run.status.code != 1)
        grader::fail("the server should have exited with status 1, but it " + run.status.describe(),
                     "when listening fails, print one line on standard error and exit(1)");
    CHECK_MESSAGE(run.err.find(address) != std::string::npos,
                  "standard error should name the address " << address << ", but was " << grader::quoted(run.err));
    CHECK_MESSAGE(std::count(run.err.begin(), run.err.end(), '\n') == 1,
                  "standard error should be exactly one line, but was " << grader::quoted(run.err));
    CHECK_MESSAGE(run.out.find("listening on") == std::string::npos,
                  "a server that could not listen must not say it is listening");
}

TEST_CASE("a host that cannot be bound: exit status 1") {
    // 192.0.2.1 is reserved for documentation: no machine has it.
    const grader::Finished run = grader::run_until_exit(grader::with_args({"--host", "192.0.2.1"}));
    if (!run.status.exited || run.status.code != 1)
        grader::fail("the server should have exited with status 1, but it " + run.status.describe(),
                     "when listening fails, print one line on standard error and exit(1)");
    CHECK_MESSAGE(run.err.find("192.0.2.1") != std::string::npos,
                  "standard error should name the address, but was " << grader::quoted(run.err));
}

TEST_CASE("bad arguments: a usage message on standard error, exit status 2") {
    for (const StartOptions& bad : {grader::on_port("abc"), grader::on_port("70000"),
                                    grader::with_args({"--bogus"})}) {
        const grader::Finished run = grader::run_until_exit(bad);
        CAPTURE(run.err);
        if (!run.status.exited || run.status.code != 2)
            grader::fail("bad arguments should end the program with status 2, but it " + run.status.describe(),
                         "check every argument before listening: a port is a number from 0 to 65535");
        CHECK_MESSAGE(run.err.find("usage") != std::string::npos,
                      "standard error should show the usage, but was " << grader::quoted(run.err));
        CHECK(run.out.find("listening on") == std::string::npos);
    }
}

}  // TEST_SUITE

TEST_SUITE("one client after another") {

TEST_CASE("serves a second client after the first has left") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "I am first\n");
    leave_politely(alice);
    expect_still_running(server, "after its first client left", loop_hint);
    Client bob = server.connect("bob");
    expect_served(bob, "I am second\n");
}

TEST_CASE("serves ten clients one after another, each echoed in full") {
    Server server;
    for (int i = 1; i <= 10; ++i) {
        Client client = server.connect("client " + std::to_string(i));
        expect_served(client, "message " + std::to_string(i) + " of client " + std::to_string(i) + "\n");
        expect_served(client, std::string(3000, static_cast<char>('a' + i)));
        leave_politely(client);
    }
    server.expect_running(loop_hint);
}

TEST_CASE("never exits on its own: still running once every client has gone") {
    Server server;
    {
        Client alice = server.connect("alice");
        expect_served(alice, "hello\n");
    }  // alice closes her socket
    {
        Client bob = server.connect("bob");
        expect_served(bob, "hello\n");
        leave_politely(bob);
    }
    expect_still_running(server, "once its clients had gone", loop_hint);
}

TEST_CASE("a client that connects while another is served waits, then is served once the first leaves") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "alice 1\n");
    // The kernel completes bob's connection and keeps his bytes until the
    // server accepts him: he is connected, and waits.
    Client bob = server.connect("bob");
    bob.send("bob, waiting\n");
    bob.expect_silence("bob's echo came while alice was still being served: this lab serves one client at a "
                       "time (threads come in lab 04), and the others wait in the listen backlog");
    expect_served(alice, "alice 2, still served\n",
                  "the client being served must keep being served while others wait in the backlog");
    leave_politely(alice);
    bob.expect_bytes("bob, waiting\n",
                     "bob connected and sent while alice was served; once alice left, the server should have "
                     "accepted bob and echoed what he sent while he waited. Is the accept loop going on?");
    expect_served(bob, "bob, served\n");
}

TEST_CASE("clients that wait are served in the order they connected") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "alice\n");
    Client bob = server.connect("bob");
    bob.send("bob\n");
    Client carol = server.connect("carol");
    carol.send("carol\n");
    carol.half_close();  // carol has said all she will say before her turn comes
    leave_politely(alice);
    bob.expect_bytes("bob\n", "once alice left, the next client in the backlog (bob) should be served");
    carol.expect_silence("carol's echo came while bob was still being served: one client at a time");
    leave_politely(bob);
    carol.expect_bytes("carol\n",
                       "carol sent her line and closed her side while waiting: once her turn comes, the server "
                       "should echo what she sent, then see the end of her stream");
    carol.expect_closed("after echoing carol's bytes, recv() returns 0: close her socket");
}

}  // TEST_SUITE

TEST_SUITE("rude clients") {

TEST_CASE("a client that resets the connection does not stop the server") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "x");
    alice.reset();  // the server's recv() fails with ECONNRESET
    Client bob = server.connect("bob");
    expect_served(bob, "after the reset\n", survive_hint);
}

TEST_CASE("a client that resets in the middle of a large echo does not stop the server") {
    Server server;
    Client alice = server.connect("alice");
    alice.send(std::string(1024 * 1024, 'z'));  // never read: the server's send() meets the reset
    alice.reset();
    Client bob = server.connect("bob");
    expect_served(bob, "after the reset\n", survive_hint);
}

TEST_CASE("a client that leaves without reading its echo does not kill the server with SIGPIPE") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "alice\n");
    // bob says something while he waits his turn, closes his side, and
    // goes away. When his turn comes, the server receives his line and
    // echoes it to a connection that is gone: send() fails with EPIPE.
    Client bob = server.connect("bob");
    bob.send("are you there?\n");
    bob.half_close();
    bob.reset();
    leave_politely(alice);
    const char* const sigpipe_hint =
        "send() to a client that has gone fails with EPIPE, and without MSG_NOSIGNAL the kernel also raises "
        "SIGPIPE, which ends the program: use net::send_all (or pass MSG_NOSIGNAL), and treat EPIPE as the "
        "client leaving";
    expect_still_running(server, "when it sent to a client that had gone", sigpipe_hint);
    Client carol = server.connect("carol");
    expect_served(carol, "still here?\n", sigpipe_hint);
}

TEST_CASE("a client that closes in the middle of a transfer does not stop the server") {
    Server server;
    {
        Client alice = server.connect("alice", 4096);
        alice.send(std::string(200 * 1024, 'q'));
        alice.next_bytes();  // part of the echo came back; then alice closes her socket
    }
    Client bob = server.connect("bob");
    expect_served(bob, "next, please\n", survive_hint);
}

TEST_CASE("clients that leave at once, or while waiting their turn, do not stop the server") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "alice\n");
    {
        Client bob = server.connect("bob");  // waits in the backlog...
        bob.send("bob\n");
    }  // ...and gives up before his turn: his unread echo will meet a closed socket
    Client carol = server.connect("carol");
    carol.reset();  // connects and resets at once, also in the backlog
    {
        Client dave = server.connect("dave");
    }  // connects and closes without a word
    leave_politely(alice);
    Client erin = server.connect("erin");
    expect_served(erin, "erin, after three rude clients\n", survive_hint);
}

}  // TEST_SUITE

TEST_SUITE("descriptors") {

TEST_CASE("a thousand clients one after another leave no descriptor open") {
    Server server;
    const int before = server.open_file_count();
    const auto start = grader::Clock::now();
    for (int i = 1; i <= 1000; ++i) {
        {
            Client client = server.connect("client " + std::to_string(i));
            client.set_quiet(true);
            const std::string message = std::to_string(i) + "\n";
            client.send(message);
            client.expect_bytes(message, loop_hint);
            // Three ways to leave: reset, close the sending side first, close.
            if (i % 3 == 1) client.reset();
            if (i % 3 == 2) leave_politely(client);
        }
        if (i % 250 == 0 && !server.wait_for_open_files_at_most(before, grader::settings().reply_timeout())) {
            grader::fail("after " + std::to_string(i) + " clients had come and gone, the server has " +
                             std::to_string(server.open_file_count()) + " descriptors open; it had " +
                             std::to_string(before) + " before the first client",
                         "every accept() returns a new descriptor: close it once that client has gone, whichever "
                         "way it left (a reset too). A net::Connection closes its socket when it goes out of "
                         "scope: declare it inside the loop");
        }
    }
    MESSAGE("1000 clients served in " << std::chrono::duration<double>(grader::Clock::now() - start).count()
                                       << " s; open descriptors before and after: " << before << ", "
                                       << server.open_file_count());
    server.expect_running(loop_hint);
}

}  // TEST_SUITE
