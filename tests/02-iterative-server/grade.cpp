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

}  // namespace

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

TEST_SUITE("one client after another") {

TEST_CASE("serves a second client after the first has left") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "I am first\n");
    leave_politely(alice);
    server.expect_keeps_running("after its first client left", loop_hint);
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
    server.expect_keeps_running("once its clients had gone", loop_hint);
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
    server.expect_keeps_running("when it sent to a client that had gone", sigpipe_hint);
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
    grader::DescriptorWatch descriptors(server);
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
        if (i % 250 == 0) descriptors.after_clients(i, "every accept() returns a new descriptor: close it once that client has gone, whichever "
                         "way it left (a reset too). A net::Connection closes its socket when it goes out of "
                         "scope: declare it inside the loop");
    }
    MESSAGE("1000 clients served in " << std::chrono::duration<double>(grader::Clock::now() - start).count()
                                       << " s; open descriptors before and after: " << descriptors.before() << ", "
                                       << server.open_file_count());
    server.expect_running(loop_hint);
}

}  // TEST_SUITE
