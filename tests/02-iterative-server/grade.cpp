// Lab 02 — iterative-server. One test per promise of the lab contract:
// start-up, clients served one after another and forever, clients that
// connect meanwhile waiting their turn, the connection closed when the
// client leaves; rude clients that do not stop the server, and no
// descriptor left behind (tests/harness/checks/rude_clients.hpp, shared
// with the later labs).

#include <algorithm>
#include <chrono>
#include <string>

#include "checks/rude_clients.hpp"
#include "grader.hpp"

using grader::Client;
using grader::Server;
using grader::StartOptions;

namespace {

const char* const loop_hint =
    "a server is a loop: once a client has left, close its socket and go back to accept() for the next one";

// A short echo, to show the server is serving this client now.
void expect_served(Client& client, const std::string& message, std::string_view hint = loop_hint) {
    client.send(message);
    client.expect_bytes(message, hint);
}

// The client says goodbye: it closes its side ("I will send nothing more").
// Whether the server then closes the connection has a test of its own.
void leave_politely(Client& client) { client.half_close(); }

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

TEST_CASE("closes the connection once the client closes its side") {
    Server server;
    Client alice = server.connect("alice");
    expect_served(alice, "bye\n");
    alice.half_close();
    alice.expect_closed("when recv() returns 0 the client has closed its side: close its socket (and go on to the "
                        "next client)");
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
}

}  // TEST_SUITE

// Rude clients, and descriptors (tests/harness/checks/rude_clients.hpp).
GRADER_RUDE_CLIENT_TESTS(grader::echo_answers(), 1000)
