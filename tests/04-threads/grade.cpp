// Lab 04 — threaded-server. The lab 03 line protocol (each line answered
// "N: LINE", N counting that connection's lines), with every client served
// at the same time by a thread of its own; threads end with their clients
// (tests/harness/checks/threads.hpp, shared with lab 05). Lab 02's and lab
// 03's rules still hold: start-up, lines, rude clients (tests/harness/checks/).

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "checks/lines.hpp"
#include "checks/rude_clients.hpp"
#include "checks/threads.hpp"
#include "grader.hpp"

using grader::Client;
using grader::Server;

namespace {

const grader::Answers numbered = grader::numbered_per_connection();

// Sends the client's `number`th line and expects its answer.
void exchange(Client& client, int number, std::string_view line, std::string_view hint = {},
              grader::Where where = grader::Where::current()) {
    grader::expect_served(client, numbered, number, line, hint, where);
}

const char* const per_client_hint =
    "each client's lines are numbered from 1, on its own: one counter per connection, in the client's thread";

const char* const concurrency_hint =
    "is the server still busy with another client? Each client must be served on a thread of its own, so that "
    "main goes straight back to accept() and a client that sends nothing holds up only its own thread";

}  // namespace

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

// Lab 03's line rules (tests/harness/checks/lines.hpp).
GRADER_LINE_TESTS()

TEST_SUITE("lines, per connection") {

TEST_CASE("each connection counts its own lines from 1") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = server.connect("bob");
    exchange(alice, 1, "alice one");
    exchange(alice, 2, "alice two");
    exchange(bob, 1, "bob one", concurrency_hint);
    exchange(alice, 3, "alice three", per_client_hint);
    exchange(bob, 2, "bob two", per_client_hint);
}

}  // TEST_SUITE

// Lab 02's rude clients and descriptors (tests/harness/checks/rude_clients.hpp).
GRADER_RUDE_CLIENT_TESTS(grader::numbered_lines(), 300)

TEST_SUITE("rude clients, at once") {

TEST_CASE("clients beyond the open-file limit wait their turn, and the server survives them") {
    // The server may have 32 descriptors open at once: about 28 clients. 40
    // connect (the kernel queues those the server cannot accept yet); then
    // 25 leave, and each of the other 15 must be served.
    grader::StartOptions options;
    options.limits.max_open_files = 32;
    Server server(options);
    std::vector<Client> clients;
    for (int i = 0; i < 40; ++i) {
        clients.push_back(server.connect("client" + std::to_string(i)));
        clients.back().set_quiet(true);
    }
    for (int i = 0; i < 25; ++i) {
        clients[static_cast<std::size_t>(i)].half_close();
        clients[static_cast<std::size_t>(i)].expect_closed();
    }
    for (std::size_t i = 25; i < clients.size(); ++i)
        grader::expect_served(clients[i], grader::numbered_lines(), 1, "my turn",
                 "when the server runs out of descriptors, accept() fails with EMFILE: that is no reason to "
                 "stop. Wait a little and try again (net::accept_client does): clients that leave give "
                 "their descriptors back");
    server.expect_running();
}

}  // TEST_SUITE

// Every client at once, a thread each (tests/harness/checks/threads.hpp).
GRADER_THREAD_TESTS(grader::numbered_lines())
