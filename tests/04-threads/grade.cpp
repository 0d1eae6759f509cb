// Lab 04 — threaded-server. The lab 03 line protocol (each line answered
// "N: LINE", N counting that connection's lines), with every client served
// at the same time by a thread of its own; threads end with their clients.
// Lab 02's and lab 03's rules still hold: start-up, lines, rude clients.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "grader.hpp"

using grader::Client;
using grader::Server;

namespace {

std::string answer(int number, std::string_view line) { return std::to_string(number) + ": " + std::string(line); }

// Sends one line and expects its answer.
void exchange(Client& client, int number, std::string_view line, std::string_view hint = {},
              grader::Where where = grader::Where::current()) {
    client.send_line(line, where);
    client.expect_line(answer(number, line), hint, where);
}

// Expects a line, with a hint for each way it can go wrong: no line at all
// (the server is busy elsewhere), or a wrong one.
void expect_line_from(Client& client, const std::string& expected, std::string_view if_nothing,
                      std::string_view if_wrong, grader::Where where = grader::Where::current()) {
    const std::optional<std::string> line = client.try_next_line(grader::settings().reply_timeout());
    if (!line)
        grader::fail(client.name() + " expected the line " + grader::quote_bytes(expected + "\n") +
                         "\n  but nothing came back within " +
                         grader::seconds_text(grader::settings().reply_timeout()),
                     if_nothing, where);
    if (*line != expected)
        grader::fail(client.name() + " expected the line " + grader::quote_bytes(expected + "\n") +
                         "\n  but received      " + grader::quote_bytes(*line + "\n"),
                     if_wrong, where);
}

const char* const per_client_hint =
    "each client's lines are numbered from 1, on its own: one counter per connection, in the client's thread";

const char* const concurrency_hint =
    "is the server still busy with another client? Each client must be served on a thread of its own, so that "
    "main goes straight back to accept() and a client that sends nothing holds up only its own thread";

std::vector<Client> connect_many(Server& server, int count, const std::string& prefix,
                                 grader::Where where = grader::Where::current()) {
    std::vector<Client> clients;
    clients.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) clients.push_back(server.connect(prefix + std::to_string(i), 0, where));
    return clients;
}

}  // namespace

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

TEST_SUITE("lines, as in lab 03") {

TEST_CASE("answers each line with 'N: LINE', N counting from 1") {
    Server server;
    Client alice = server.connect("alice");
    exchange(alice, 1, "hello", "answer each line with its number, a colon, a space, the line and '\\n'");
    exchange(alice, 2, "hello again", "count the lines of the connection: the second line is number 2");
    exchange(alice, 3, "and a third, with more words");
}

TEST_CASE("each connection counts its own lines from 1") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = server.connect("bob");
    exchange(alice, 1, "alice one");
    exchange(alice, 2, "alice two");
    bob.send_line("bob one");
    expect_line_from(bob, "1: bob one", concurrency_hint, per_client_hint);
    exchange(alice, 3, "alice three", per_client_hint);
    exchange(bob, 2, "bob two", per_client_hint);
}

TEST_CASE("an empty line counts, and is answered 'N: '") {
    Server server;
    Client alice = server.connect("alice");
    exchange(alice, 1, "");
    exchange(alice, 2, "after the empty line", "an empty line is a line: it is counted too");
}

TEST_CASE("'\\r\\n' ends a line like '\\n', and only one '\\r' is dropped") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("telnet\r\n");
    alice.expect_line("1: telnet", "drop one '\\r' just before the '\\n': telnet ends its lines with \"\\r\\n\"");
    alice.send("two\r\r\n");
    alice.expect_line("2: two\r", "only one '\\r' is dropped: \"two\\r\\r\\n\" is the line \"two\\r\"");
    alice.send("in\rside\n");
    alice.expect_line("3: in\rside", "a '\\r' that is not just before the '\\n' is part of the line");
}

TEST_CASE("many lines in one write, and one line over many writes") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("one\ntwo\nthr");
    alice.expect_line("1: one", "one recv() can return several lines: answer every whole line in it");
    alice.expect_line("2: two");
    alice.send("ee\n");
    alice.expect_line("3: three", "keep the start of an unfinished line until the rest of it arrives");
    alice.send_slowly("byte by byte\n");
    alice.expect_line("4: byte by byte", "a line may arrive one byte per recv()");
}

TEST_CASE("every byte of a line comes back unchanged, '\\0' included") {
    Server server;
    Client alice = server.connect("alice");
    const std::string line = std::string("nul\0here, tab\there, and \xff\xfe", 26);
    alice.send(line + "\n");
    alice.expect_bytes("1: " + line + "\n", "a line is bytes with a length, not a C string: a '\\0' is data too");
}

TEST_CASE("a line of 65,536 bytes is answered whole") {
    Server server;
    Client alice = server.connect("alice");
    std::string line(65536, 'x');
    for (std::size_t i = 0; i < line.size(); i += 100) line[i] = static_cast<char>('a' + (i / 100) % 26);
    alice.send(line + "\nshort\n");
    alice.expect_bytes("1: " + line + "\n2: short\n",
                       "lines of up to 65,536 bytes must work: keep reading until the '\\n', however many recv()s it takes");
}

TEST_CASE("a last line without '\\n' is answered when the client closes its side; then the connection closes") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("first\nlast words");
    alice.half_close();
    alice.expect_line("1: first");
    alice.expect_line("2: last words",
                      "once recv() returns 0, bytes left without a '\\n' are a last line: answer it too");
    alice.expect_closed("after the last line, close the connection: the client has said all it will say");
}

TEST_CASE("the connection closes once the client closes its side") {
    Server server;
    Client alice = server.connect("alice");
    exchange(alice, 1, "bye");
    alice.half_close();
    alice.expect_closed("when recv() returns 0 the client is done: end its thread, which closes its socket");
    Client bob = server.connect("bob");
    exchange(bob, 1, "still here?", "the server must keep serving after a client leaves");
}

}  // TEST_SUITE

TEST_SUITE("rude clients, as in lab 02") {

TEST_CASE("a client that resets in the middle of a line disturbs nobody") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = server.connect("bob");
    exchange(alice, 1, "before");
    bob.send("half a li");
    bob.reset();
    exchange(alice, 2, "after bob's reset", "a reset ends that client's thread only: catch the error in the thread");
    Client carol = server.connect("carol");
    carol.send_line("hello");
    expect_line_from(carol, "1: hello", concurrency_hint, per_client_hint);
    server.expect_running();
}

TEST_CASE("a client that leaves without reading its answers does not stop the server") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = server.connect("bob", 4096);  // a small window: the answers back up at once
    std::string lines;
    for (int i = 0; i < 8192; ++i) lines += "line\n";  // 40 KiB in, four times that in answers
    bob.send(lines);
    bob.next_bytes(concurrency_hint);  // the server is answering...
    bob.reset();       // ...and bob goes away with the rest unread
    exchange(alice, 1, "are you there?",
             "a send() to a client that has gone fails with EPIPE or ECONNRESET (or, without MSG_NOSIGNAL, "
             "kills the server with SIGPIPE): it ends that client's thread, and nothing else");
    server.expect_running();
}

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
        exchange(clients[i], 1, "my turn",
                 "when the server runs out of descriptors, accept() fails with EMFILE: that is no reason to "
                 "stop. Wait a little and try again (net::accept_client does): clients that leave give "
                 "their descriptors back");
    server.expect_running();
}

TEST_CASE("300 clients, one after another, leave no file descriptor open") {
    Server server;
    const int before = server.open_file_count();
    for (int i = 0; i < 300; ++i) {
        Client client = server.connect("client" + std::to_string(i));
        client.set_quiet(true);
        exchange(client, 1, "hi");
    }  // each client closes its connection here
    if (!server.wait_for_open_files_at_most(before, grader::settings().scaled(1.0)))
        grader::fail("the server had " + std::to_string(before) + " open files before 300 clients came and went, and " +
                         std::to_string(server.open_file_count()) + " a second after they had all left",
                     "close each client's socket when its thread ends: let the net::Connection be destroyed (it "
                     "is moved into the thread, and dies with it)");
}

}  // TEST_SUITE

TEST_SUITE("every client at once") {

TEST_CASE("a client that sends nothing never delays another") {
    Server server;
    Client silent = server.connect("silent");
    Client half = server.connect("half");
    half.send("half a line, no end");
    Client bob = server.connect("bob");
    exchange(bob, 1, "hello", concurrency_hint);
    exchange(bob, 2, "hello again", concurrency_hint);
    half.send(" yet\n");
    half.expect_line("1: half a line, no end yet");
    exchange(silent, 1, "at last", "a client that waited must still be served");
}

TEST_CASE("a client that sends a line one byte at a time never delays another") {
    Server server;
    Client slow = server.connect("slow");
    Client bob = server.connect("bob");
    bob.set_quiet(true);
    const std::string line = "one byte at a time";
    int number = 0;
    for (char byte : line) {
        slow.send(std::string(1, byte));
        ++number;
        exchange(bob, number, "bob's line " + std::to_string(number), concurrency_hint);
    }
    slow.send("\n");
    slow.expect_line("1: " + line, "the slow client's line must come back whole");
}

TEST_CASE("100 clients connected at once, their lines interleaved: every answer right") {
    Server server;
    std::vector<Client> clients = connect_many(server, 100, "client");
    for (Client& client : clients) client.set_quiet(true);
    for (int round = 1; round <= 3; ++round)
        for (Client& client : clients) client.send_line(client.name() + " round " + std::to_string(round));
    for (Client& client : clients)
        for (int round = 1; round <= 3; ++round)
            expect_line_from(client, answer(round, client.name() + " round " + std::to_string(round)),
                             "every one of 100 clients connected at once must be answered: a thread each, "
                             "not one thread, nor a pool of a few threads that each serve a client until it leaves",
                             per_client_hint);
}

TEST_CASE("100 clients each send 20 lines in one write, all at once: every answer right, in order") {
    Server server;
    std::vector<Client> clients = connect_many(server, 100, "client");
    for (Client& client : clients) {
        client.set_quiet(true);
        std::string lines;
        for (int i = 1; i <= 20; ++i) lines += client.name() + " line " + std::to_string(i) + "\n";
        client.send(lines);
    }
    for (Client& client : clients)
        for (int i = 1; i <= 20; ++i)
            expect_line_from(client, answer(i, client.name() + " line " + std::to_string(i)), concurrency_hint,
                             per_client_hint);
}

TEST_CASE("partial lines from different clients never mix") {
    Server server;
    std::vector<Client> clients = connect_many(server, 10, "client");
    // Each piece is read by the server before the next is sent, so a
    // line's pieces reach the server in separate reads.
    const std::vector<std::string> pieces = {"the start of ", "the line of ", ""};
    for (const std::string& piece : pieces) {
        for (Client& client : clients) {
            client.send(piece.empty() ? client.name() + "\n" : piece);
            server.wait_until_read(client, concurrency_hint);
        }
    }
    for (Client& client : clients)
        expect_line_from(client, "1: the start of the line of " + client.name(), concurrency_hint,
                         "each client needs a line buffer of its own (its own net::LineReader, a local "
                         "variable of its thread): one buffer shared by all threads mixes their bytes");
}

TEST_CASE("each connected client has a thread of its own") {
    Server server;
    const int before = server.thread_count();
    std::vector<Client> clients = connect_many(server, 10, "client");
    for (Client& client : clients) exchange(client, 1, "hi", concurrency_hint);
    const int during = server.thread_count();
    if (during < before + 10)
        grader::fail("the server had " + std::to_string(before) + " threads before any client, and only " +
                         std::to_string(during) + " with 10 clients connected",
                     "start one thread per client, as each client is accepted");
}

TEST_CASE("threads end with their clients: the thread count returns to its start within a second") {
    Server server;
    const int before = server.thread_count();
    int during = 0;
    {
        std::vector<Client> clients = connect_many(server, 30, "client");
        for (Client& client : clients) {
            client.set_quiet(true);
            exchange(client, 1, "hi", concurrency_hint);
        }
        during = server.thread_count();
        // Three ways to leave: close both sides, half-close after a last
        // line without '\n', reset.
        for (std::size_t i = 0; i < clients.size(); ++i) {
            if (i % 3 == 1) {
                clients[i].send("bye");
                clients[i].half_close();
                clients[i].expect_line("2: bye");
                clients[i].expect_closed();
            } else if (i % 3 == 2) {
                clients[i].reset();
            }
        }
    }  // the others close here
    if (!server.wait_for_threads_at_most(grader::threads_at_rest(before), grader::settings().scaled(1.0)))
        grader::fail("the server had " + std::to_string(before) + " threads before any client, " +
                         std::to_string(during) + " with 30 clients, and still has " +
                         std::to_string(server.thread_count()) + " a second after they all left",
                     "threads are leaking: a client's thread must end as soon as its client has gone (recv() "
                     "returned 0, or the connection was reset). Does it wait for something after that?");
    Client late = server.connect("late");
    exchange(late, 1, "anyone home?", "the server must go on serving new clients");
}

TEST_CASE("clients that come and go in waves are all served, and leave no thread behind") {
    Server server;
    const int before = server.thread_count();
    for (int wave = 0; wave < 5; ++wave) {
        std::vector<Client> clients = connect_many(server, 20, "wave" + std::to_string(wave) + "-");
        for (Client& client : clients) client.set_quiet(true);
        for (Client& client : clients) client.send_line("in wave " + std::to_string(wave));
        for (Client& client : clients)
            expect_line_from(client, answer(1, "in wave " + std::to_string(wave)), concurrency_hint, per_client_hint);
    }
    if (!server.wait_for_threads_at_most(grader::threads_at_rest(before), grader::settings().scaled(1.0)))
        grader::fail("the server had " + std::to_string(before) + " threads before any client, and still has " +
                         std::to_string(server.thread_count()) + " a second after 100 clients came and went",
                     "a client's thread must end as soon as its client has gone");
}

}  // TEST_SUITE
