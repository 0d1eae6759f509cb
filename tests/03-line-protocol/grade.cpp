// Lab 03 — line-server. One test per promise of the lab contract: start-up
// (tests/harness/startup.hpp); every line answered "N: LINE", however the
// byte stream is split into reads, the '\r' rule, the last line at the end
// of the stream (tests/harness/checks/lines.hpp, shared with labs 04 and
// 05); numbering per connection; and lab 02's rules: the next client, rude
// clients, no descriptor left open (tests/harness/checks/rude_clients.hpp).

#include <string>

#include "checks/lines.hpp"
#include "checks/rude_clients.hpp"
#include "grader.hpp"

using grader::Client;
using grader::Server;

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

// The line rules (tests/harness/checks/lines.hpp).
GRADER_LINE_TESTS()

TEST_SUITE("one client after another") {

TEST_CASE("numbering starts again at 1 for each connection") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("a\nb\nc\n");
    grader::lines::expect_reply(alice, 1, "a");
    grader::lines::expect_reply(alice, 2, "b");
    grader::lines::expect_reply(alice, 3, "c");
    alice.half_close();
    for (const char* name : {"bob", "carol"}) {
        Client client = server.connect(name);
        client.send_line(std::string("I am ") + name);
        grader::lines::expect_reply(client, 1, std::string("I am ") + name,
                     "once a client has left, accept the next one, and count its lines from 1");
        client.send_line("again");
        grader::lines::expect_reply(client, 2, "again");
        client.half_close();
    }
    server.expect_running("a server never exits on its own: after a client has left, accept the next one");
}

}  // TEST_SUITE

// Lab 02's rude clients and descriptors, in lines (tests/harness/checks/rude_clients.hpp).
GRADER_RUDE_CLIENT_TESTS(grader::numbered_lines(), 1000)
