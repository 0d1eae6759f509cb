// Lab 06 — chat-server. One test per promise of the lab contract: start-up,
// join and leave notices, relaying ("ADDR says: LINE") to everyone but the
// sender, /who, lines however they are split, the last line on half-close,
// many clients at once (every line whole, in order, none lost or repeated),
// rude clients that disturb nobody, and a real client (netcat).

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grader.hpp"
#include "many_clients.hpp"

using grader::Client;
using grader::Server;
using grader::StartOptions;

namespace {

const char* const join_hint =
    "when a client connects, send '* ADDR joined' to every other client, ADDR being the newcomer's address as "
    "accept() gave it (IP:PORT); the newcomer itself gets nothing";
const char* const says_hint =
    "relay each line to every other client as 'ADDR says: LINE': ADDR is the sender's address (IP:PORT, as "
    "accept() gave it), LINE the line without its '\\n' (and without a '\\r' just before it)";
const char* const left_hint =
    "when a client leaves (its recv() returns 0, or fails with a reset), remove it from the list and send "
    "'* ADDR left' to every client still connected";
const char* const no_echo_hint =
    "the sender must not get its own line back: skip it when relaying, and send notices about a client to the "
    "others only";
const char* const framing_hint =
    "TCP is a byte stream: one recv() may hold part of a line, or several lines. Read with net::LineReader and "
    "relay whole lines, one 'ADDR says: LINE' per line";
const char* const survive_hint =
    "a client that resets or vanishes ends its own thread only: catch the error when sending to it (skip it, "
    "its own thread will see it leave) and keep relaying to the others";

std::string joined(const Client& client) { return "* " + client.address() + " joined"; }
std::string left(const Client& client) { return "* " + client.address() + " left"; }
std::string says(const Client& client, const std::string& line) { return client.address() + " says: " + line; }

// Connects a client, and waits until each client already here has heard it
// join: from then on the server has it listed, and lines reach it.
Client join(Server& server, std::string name, std::initializer_list<Client*> here) {
    Client newcomer = server.connect(std::move(name));
    for (Client* client : here) client->expect_line(joined(newcomer), join_hint);
    return newcomer;
}

}  // namespace

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

TEST_SUITE("starting up, chat") {

TEST_CASE("with --host ::1, a client's ADDR is written [IP]:PORT") {
    Server server(grader::with_args({"--host", "::1"}));
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    CHECK(bob.address().starts_with("[::1]:"));
    bob.send_line("over IPv6");
    alice.expect_line(says(bob, "over IPv6"), "an IPv6 address is written in brackets: [::1]:51234 (net::Address does it)");
    alice.send_line("/who");
    alice.expect_line("* online: " + alice.address() + " " + bob.address(),
                      "an IPv6 address is written in brackets: [::1]:51234 (net::Address does it)");
}

}  // TEST_SUITE

TEST_SUITE("joining and leaving") {

TEST_CASE("the others get '* ADDR joined' when a client connects; the newcomer gets nothing") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = server.connect("bob");
    alice.expect_line(joined(bob), join_hint);
    Client carol = server.connect("carol");
    alice.expect_line(joined(carol), join_hint);
    bob.expect_line(joined(carol), join_hint);
    carol.expect_silence("the newcomer gets no notice of its own arrival, nor of those who were there before it "
                         "(it can ask /who)");
}

TEST_CASE("the others get '* ADDR left' when a client closes its side; its connection is closed") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    bob.half_close();
    bob.expect_closed("once a client has closed its side, tell the others it left and close its socket; "
                      "the leaver itself gets no notice");
    alice.expect_line(left(bob), left_hint);
    carol.expect_line(left(bob), left_hint);
}

TEST_CASE("the others get '* ADDR left' when a client resets its connection") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    bob.reset();
    alice.expect_line(left(bob), std::string(left_hint) + "; a reset (ECONNRESET) is a client leaving too");
    carol.expect_line(left(bob), std::string(left_hint) + "; a reset (ECONNRESET) is a client leaving too");
    server.expect_running();
}

TEST_CASE("a client who left is heard no more, and hears nothing more") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    carol.half_close();
    carol.expect_closed();
    alice.expect_line(left(carol), left_hint);
    bob.expect_line(left(carol), left_hint);
    alice.send_line("just us two");
    bob.expect_line(says(alice, "just us two"), "remove a client from the list when it leaves");
}

}  // TEST_SUITE

TEST_SUITE("chat") {

TEST_CASE("a line goes to every other client as 'ADDR says: LINE'") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    alice.send_line("hello, everyone");
    bob.expect_line(says(alice, "hello, everyone"), says_hint);
    carol.expect_line(says(alice, "hello, everyone"), says_hint);
    carol.send_line("hi alice");
    alice.expect_line(says(carol, "hi alice"), says_hint);
    bob.expect_line(says(carol, "hi alice"), says_hint);
}

TEST_CASE("the sender gets nothing back") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send_line("do I hear myself?");
    bob.expect_line(says(alice, "do I hear myself?"), says_hint);
    alice.expect_silence(no_echo_hint);
}

TEST_CASE("empty lines are ignored") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send("\n\r\n\n");
    alice.send_line("after the empty lines");
    bob.expect_line(says(alice, "after the empty lines"),
                    "an empty line (\"\\n\", or \"\\r\\n\") says nothing: do not relay it");
    alice.expect_silence(no_echo_hint);
}

TEST_CASE("a line sent one byte at a time arrives whole") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send_slowly("one byte at a time\n");
    bob.expect_line(says(alice, "one byte at a time"), framing_hint);
}

TEST_CASE("many lines in one write, and a line over several writes, arrive as lines, in order") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send("first\nsecond\nthird\n");
    alice.send("fou");
    alice.send("rth\nfif");
    alice.send("th\n");
    for (const char* line : {"first", "second", "third", "fourth", "fifth"})
        bob.expect_line(says(alice, line), framing_hint);
}

TEST_CASE("'\\r\\n' ends a line too: one '\\r' before the '\\n' is dropped") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send("from telnet\r\n");
    bob.expect_line(says(alice, "from telnet"), "drop one '\\r' just before the '\\n' (telnet sends \"\\r\\n\")");
    alice.send("two\r\r\n");
    bob.expect_line(says(alice, "two\r"), "drop only one '\\r', the one just before the '\\n'");
}

TEST_CASE("a line of 64 KiB arrives whole") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    std::string long_line;
    for (int i = 0; long_line.size() < 65536; ++i) long_line += std::to_string(i) + ",";
    long_line.resize(65536);
    alice.send_line(long_line);
    bob.expect_line(says(alice, long_line), "a line may be longer than one recv(): keep reading until its '\\n'");
}

TEST_CASE("two clients typing at once: each line arrives whole") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    // alice and bob each send a line in pieces, the pieces of one between
    // those of the other.
    alice.send("alice starts ");
    bob.send("bob starts ");
    alice.send("and ends\n");
    bob.send("and ends too\n");
    std::multiset<std::string> got = {carol.next_line(framing_hint), carol.next_line(framing_hint)};
    const std::multiset<std::string> expected = {says(alice, "alice starts and ends"), says(bob, "bob starts and ends too")};
    if (got != expected)
        grader::fail("carol should have received\n  " + grader::quote_bytes(*expected.begin()) + " and\n  " +
                         grader::quote_bytes(*expected.rbegin()) + " (in either order)\n  but received\n  " +
                         grader::quote_bytes(*got.begin()) + " and\n  " + grader::quote_bytes(*got.rbegin()),
                     "each client's bytes go into that client's own line buffer (one LineReader per client), and "
                     "each line goes out whole: two threads writing to one socket take turns (a lock per client)");
    alice.expect_line(says(bob, "bob starts and ends too"), says_hint);
    bob.expect_line(says(alice, "alice starts and ends"), says_hint);
}

TEST_CASE("'/who' is answered to the asker alone: everyone online, in the order they connected") {
    Server server;
    Client alice = server.connect("alice");
    alice.send_line("/who");
    alice.expect_line("* online: " + alice.address(), "answer '/who' with '* online: ADDR ADDR ...', the asker included");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    bob.half_close();
    alice.expect_line(left(bob), left_hint);
    carol.expect_line(left(bob), left_hint);
    Client dave = join(server, "dave", {&alice, &carol});
    carol.send_line("/who");
    carol.expect_line("* online: " + alice.address() + " " + carol.address() + " " + dave.address(),
                      "list every client still connected, in the order they connected, the asker included, "
                      "separated by single spaces");
    dave.expect_silence("'/who' is answered to the asker alone: do not relay it");
}

TEST_CASE("'/who' is a command only as the exact whole line") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    for (const char* line : {"/who ", " /who", "/whom", "/WHO"}) {
        alice.send_line(line);
        bob.expect_line(says(alice, line), "only the line '/who' exactly is the command; anything else is chat");
    }
    alice.send("/who\r\n");
    alice.expect_line("* online: " + alice.address() + " " + bob.address(),
                      "'/who\\r\\n' is the line '/who' (the '\\r' before the '\\n' is dropped)");
    bob.expect_silence("'/who' is answered to the asker alone");
}

TEST_CASE("a last line without '\\n' is relayed when its sender closes its side, then '* ADDR left'") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    alice.send_line("a whole line");
    alice.send("last words, no newline");
    alice.half_close();
    for (Client* other : {&bob, &carol}) {
        other->expect_line(says(alice, "a whole line"), says_hint);
        other->expect_line(says(alice, "last words, no newline"),
                           "when recv() returns 0, bytes left over without a '\\n' are a last line: relay it "
                           "(net::LineReader returns it before reporting the end)");
        other->expect_line(left(alice), left_hint);
    }
    alice.expect_closed("after the last line, close the connection of the client who left");
}

}  // TEST_SUITE

TEST_SUITE("many clients") {

// The load test's lines: numbered, and of different lengths, so a line that
// is lost, repeated, cut, merged or out of order shows.
std::string numbered_line(std::size_t client, int number) {
    return "line " + std::to_string(number) + " from client " + std::to_string(client) + " " +
           std::string(static_cast<std::size_t>(number * 7 % 23), '~');
}

TEST_CASE("50 clients each send 100 lines at once: every other client gets them all, whole, in order") {
    constexpr std::size_t client_count = 50;
    constexpr int lines_each = 100;
    Server server;
    std::vector<Client> clients;
    std::map<std::string, std::size_t> index_of;  // address -> client
    for (std::size_t i = 0; i < client_count; ++i) {
        clients.push_back(server.connect("client" + std::to_string(i)));
        index_of[clients.back().address()] = i;
    }
    // Each client hears of every later one joining (in any order): then
    // the server has listed all 50.
    for (std::size_t i = 0; i < client_count; ++i) {
        clients[i].set_quiet(true);
        std::set<std::string> expected;
        for (std::size_t j = i + 1; j < client_count; ++j) expected.insert(joined(clients[j]));
        for (std::size_t j = i + 1; j < client_count; ++j) {
            const std::string line = clients[i].next_line(join_hint);
            if (expected.erase(line) == 0)
                grader::fail(clients[i].name() + " should hear each client that connected after it join, each "
                                 "once, but received " + grader::quote_bytes(line),
                             join_hint);
        }
    }

    // next[receiver][sender]: the number of the next line expected.
    std::vector<std::vector<int>> next(client_count, std::vector<int>(client_count, 0));
    std::size_t received = 0;
    const std::size_t expected_total = client_count * (client_count - 1) * lines_each;
    auto take = [&](std::size_t receiver, const std::string& line) {
        const auto says_at = line.find(" says: ");
        const auto sender = says_at == std::string::npos ? index_of.end() : index_of.find(line.substr(0, says_at));
        if (sender == index_of.end())
            grader::fail(clients[receiver].name() + " received " + grader::quote_bytes(line) +
                             ", which is not 'ADDR says: LINE' from any client",
                         std::string(framing_hint) + "; and every relayed line must go out whole (send_all), "
                                                     "one thread at a time per client (a lock per client)");
        const std::size_t from = sender->second;
        if (from == receiver) grader::fail(clients[receiver].name() + " received its own line " + grader::quote_bytes(line), no_echo_hint);
        int& number = next[receiver][from];
        const std::string text = line.substr(says_at + 7);
        if (number >= lines_each || text != numbered_line(from, number))
            grader::fail(clients[receiver].name() + " expected from " + clients[from].name() + " the line " +
                             grader::quote_bytes(says(clients[from], number < lines_each ? numbered_line(from, number) : "(nothing more)")) +
                             "\n  but received " + grader::quote_bytes(line),
                         "every receiver must get each sender's lines whole, in the order sent, none lost or "
                         "repeated. Lines lost or mixed up under load usually come from a list of clients "
                         "changed and read by several threads without a lock, from send() without a loop "
                         "(use send_all), or from two threads writing to one socket at once");
        ++number;
        ++received;
    };
    auto missing = [&] {
        std::string report;
        int shown = 0;
        for (std::size_t r = 0; r < client_count && shown < 5; ++r)
            for (std::size_t s = 0; s < client_count && shown < 5; ++s)
                if (r != s && next[r][s] < lines_each) {
                    report += "  " + clients[r].name() + " has " + std::to_string(next[r][s]) + " of " +
                              std::to_string(lines_each) + " lines from " + clients[s].name() + "\n";
                    ++shown;
                }
        return report + "  (" + std::to_string(received) + " of " + std::to_string(expected_total) +
               " lines received in all)";
    };

    // Every client sends its 100 lines, some in one write, others in pieces
    // of odd sizes; the test keeps reading as it goes.
    grader::transcript().add("grader", "has connected " + std::to_string(client_count) +
                                           " clients, and each has heard the later ones join");
    grader::transcript().add("grader", "makes each client send " + std::to_string(lines_each) +
                                           " numbered lines (the transcript does not show them), e.g.",
                             numbered_line(7, 3), true);
    for (std::size_t i = 0; i < client_count; ++i) {
        std::string lines;
        for (int n = 0; n < lines_each; ++n) lines += numbered_line(i, n) + "\n";
        chat_test::send_in_pieces(clients[i], lines, i % 3 == 0 ? 0 : 1 + (i * 37) % 200);
        chat_test::read_what_has_arrived(clients, take);
    }
    chat_test::read_round_robin(clients, take, [&] { return received == expected_total; }, missing,
                                "lines stopped arriving: is a thread stuck (a lock never released), or did the "
                                "server lose lines?");
}

TEST_CASE("clients joining and leaving during the traffic disturb nobody") {
    constexpr std::size_t steady_count = 8;
    constexpr int rounds = 10;
    constexpr int lines_per_round = 20;
    Server server;
    std::vector<Client> steady;
    std::map<std::string, std::size_t> index_of;
    for (std::size_t i = 0; i < steady_count; ++i) {
        steady.push_back(server.connect("steady" + std::to_string(i)));
        index_of[steady.back().address()] = i;
    }
    for (std::size_t i = 0; i < steady_count; ++i)
        for (std::size_t j = i + 1; j < steady_count; ++j) steady[i].expect_line(joined(steady[j]), join_hint);
    for (Client& client : steady) client.set_quiet(true);

    // What each steady client has heard of each visitor: "joined", then
    // (for talkers) its line, then "left", in that order.
    enum class Seen { nothing, joined, spoke, left };
    std::vector<std::map<std::string, Seen>> visitors(steady_count);
    std::map<std::string, bool> talks;  // visitor address -> sends a line before leaving
    std::vector<std::vector<int>> next(steady_count, std::vector<int>(steady_count, 0));
    const int lines_each = rounds * lines_per_round;

    auto receive = [&](std::size_t receiver, const std::string& line) {
        const std::string name = steady[receiver].name();
        const auto says_at = line.find(" says: ");
        if (says_at != std::string::npos && index_of.count(line.substr(0, says_at))) {
            const std::size_t from = index_of[line.substr(0, says_at)];
            int& number = next[receiver][from];
            if (from == receiver || number >= lines_each || line.substr(says_at + 7) != numbered_line(from, number))
                grader::fail(name + " expected from " + steady[from].name() + " the line " +
                                 grader::quote_bytes(says(steady[from], numbered_line(from, number))) +
                                 "\n  but received " + grader::quote_bytes(line),
                             "clients joining and leaving must not disturb the others' lines: the list of clients "
                             "is changed by one thread while others read it, so every use of it must hold the "
                             "same lock (or work on a copy made under that lock)");
            ++number;
            return;
        }
        // Otherwise it must be about a visitor, in order.
        std::string address;
        Seen now = Seen::nothing;
        if (line.starts_with("* ") && line.ends_with(" joined")) {
            address = line.substr(2, line.size() - 9);
            now = Seen::joined;
        } else if (line.starts_with("* ") && line.ends_with(" left")) {
            address = line.substr(2, line.size() - 7);
            now = Seen::left;
        } else if (says_at != std::string::npos) {
            address = line.substr(0, says_at);
            now = Seen::spoke;
        }
        const auto visitor = talks.find(address);
        if (visitor == talks.end())
            grader::fail(name + " received " + grader::quote_bytes(line) + ", which is no line, notice or visitor's line "
                         "the test expected", framing_hint);
        Seen& seen = visitors[receiver][address];
        const Seen expected = seen == Seen::nothing ? Seen::joined
                              : seen == Seen::joined ? (visitor->second ? Seen::spoke : Seen::left)
                                                     : Seen::left;
        if (now != expected || seen == Seen::left)
            grader::fail(name + " received " + grader::quote_bytes(line) + " out of order: each visitor must be heard "
                         "joining, then saying its line (if it says one), then leaving",
                         "a client's notices and lines go out from one thread, in order; the newcomer's join "
                         "notice before anything else about it");
        seen = now;
    };
    auto all_heard = [&] {
        for (std::size_t r = 0; r < steady_count; ++r) {
            for (std::size_t s = 0; s < steady_count; ++s)
                if (r != s && next[r][s] < lines_each) return false;
            for (const auto& [address, talker] : talks)
                if (visitors[r][address] != Seen::left) return false;
        }
        return true;
    };
    auto missing = [&] {
        std::string report;
        for (std::size_t r = 0; r < steady_count; ++r) {
            for (std::size_t s = 0; s < steady_count; ++s)
                if (r != s && next[r][s] < lines_each)
                    report += "  " + steady[r].name() + " has " + std::to_string(next[r][s]) + " of " +
                              std::to_string(lines_each) + " lines from " + steady[s].name() + "\n";
            for (const auto& [address, talker] : talks)
                if (visitors[r][address] != Seen::left)
                    report += "  " + steady[r].name() + " has not heard visitor " + address + " leave\n";
        }
        return report.substr(0, 2000);
    };

    grader::transcript().add("grader", "makes the steady clients send " + std::to_string(lines_per_round) +
                                           " numbered lines each, in " + std::to_string(rounds) +
                                           " rounds, with two visitors coming and going each round (the "
                                           "transcript does not show the numbered lines), e.g.",
                             numbered_line(3, 5), true);
    int visitor_count = 0;
    for (int round = 0; round < rounds; ++round) {
        for (std::size_t i = 0; i < steady_count; ++i) {
            std::string lines;
            for (int n = round * lines_per_round; n < (round + 1) * lines_per_round; ++n)
                lines += numbered_line(i, n) + "\n";
            chat_test::send_in_pieces(steady[i], lines, i % 2 == 0 ? 0 : 13);
        }
        // Meanwhile, visitors: one says a line and closes its side, one
        // resets without a word.
        {
            Client talker = server.connect("visitor" + std::to_string(++visitor_count));
            talks[talker.address()] = true;
            Client silent = server.connect("visitor" + std::to_string(++visitor_count));
            talks[silent.address()] = false;
            talker.send_line("hello and goodbye");
            talker.half_close();
            silent.reset();
            // The talker has been hearing the steady clients: it reads on
            // until the server closes its connection.
            talker.set_quiet(true);
            while (talker.try_next_line(grader::settings().reply_timeout())) {}
            if (!talker.is_closed())
                grader::fail(talker.name() + " closed its side, but the server has not closed its connection " +
                                 "after a while",
                             "once a client has closed its side, tell the others it left and close its socket");
        }
        chat_test::read_what_has_arrived(steady, receive);
    }
    chat_test::read_round_robin(steady, receive, all_heard, missing,
                                "lines or notices stopped arriving: is a thread stuck (a lock never released), or "
                                "was something lost while clients came and went?");
}

TEST_CASE("a client that resets while lines are relayed to it disturbs nobody") {
    Server server;
    Client alice = server.connect("alice");
    // bob reads nothing, and has a small receive window: the server's
    // sends to him soon have to wait, and then meet his reset.
    Client bob = server.connect("bob", 4096);
    alice.expect_line(joined(bob), join_hint);
    Client carol = join(server, "carol", {&alice, &bob});
    alice.set_quiet(true);
    carol.set_quiet(true);
    constexpr int line_count = 1500;
    std::string lines;
    for (int n = 0; n < line_count; ++n) lines += numbered_line(0, n) + "\n";
    grader::transcript().add("alice", "sends " + std::to_string(line_count) + " numbered lines at once, from",
                             numbered_line(0, 0), true);
    alice.send(lines);
    for (int n = 0; n < 100; ++n) carol.expect_line(says(alice, numbered_line(0, n)), says_hint);
    grader::transcript().add("carol", "has received alice's first 100 lines, as she should");
    bob.reset();
    bool bob_left = false;
    for (int n = 100; n < line_count; ++n) {
        std::string line = carol.next_line(survive_hint);
        if (!bob_left && line == left(bob)) {
            bob_left = true;
            line = carol.next_line(survive_hint);
        }
        if (line != says(alice, numbered_line(0, n)))
            grader::fail("carol expected " + grader::quote_bytes(says(alice, numbered_line(0, n))) + "\n  but received " +
                             grader::quote_bytes(line),
                         survive_hint);
    }
    if (!bob_left) carol.expect_line(left(bob), left_hint);
    carol.send_line("still here");
    alice.expect_line(left(bob), left_hint);
    alice.set_quiet(false);
    alice.expect_line(says(carol, "still here"), survive_hint);
    server.expect_running();
}

TEST_CASE("clients that reset or close in the middle of a line disturb nobody") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    Client dave = join(server, "dave", {&alice, &bob, &carol});

    carol.send("half a li");
    carol.reset();
    for (Client* other : {&alice, &bob, &dave}) {
        // Whether the half line of a client that reset is relayed, the
        // contract does not say: either way is fine here.
        std::string line = other->next_line(left_hint);
        if (line == says(carol, "half a li")) line = other->next_line(left_hint);
        if (line != left(carol))
            grader::fail(other->name() + " expected " + grader::quote_bytes(left(carol)) + "\n  but received " +
                             grader::quote_bytes(line),
                         std::string(left_hint) + "; a reset in the middle of a line is a client leaving too");
    }

    dave.send("cut sho");
    dave.half_close();
    for (Client* other : {&alice, &bob}) {
        other->expect_line(says(dave, "cut sho"), "a client that closes its side in the middle of a line: relay "
                                                  "what it sent as its last line, then say it left");
        other->expect_line(left(dave), left_hint);
    }

    alice.send_line("still here");
    bob.expect_line(says(alice, "still here"), survive_hint);
    bob.send_line("me too");
    alice.expect_line(says(bob, "me too"), survive_hint);
    server.expect_running(survive_hint);
}

TEST_CASE("threads and descriptors end with their clients") {
    Server server;
    Client alice = server.connect("alice");
    alice.send_line("/who");
    alice.expect_line("* online: " + alice.address());
    const int threads = server.thread_count();
    const int files = server.open_file_count();
    for (int round = 0; round < 3; ++round) {
        std::vector<Client> visitors;
        for (int i = 0; i < 10; ++i) {
            visitors.push_back(server.connect("visitor" + std::to_string(round * 10 + i)));
            alice.expect_line(joined(visitors.back()), join_hint);
        }
        for (Client& visitor : visitors) {
            if (&visitor - visitors.data() < 5) {
                visitor.half_close();
            } else {
                visitor.reset();
            }
            alice.expect_line(left(visitor), left_hint);
        }
    }
    if (!server.wait_for_threads_at_most(threads, grader::settings().scaled(1.0)))
        grader::fail("alice's connection used " + std::to_string(threads) + " threads; 30 clients came and went, and a "
                     "second later the server still has " + std::to_string(server.thread_count()),
                     "each client's thread must end (return from its function) once its client has left");
    if (!server.wait_for_open_files_at_most(files, grader::settings().scaled(1.0)))
        grader::fail("with alice connected the server had " + std::to_string(files) + " open files; 30 clients came "
                     "and went, and a second later it has " + std::to_string(server.open_file_count()),
                     "close each client's socket once it has left (a net::Socket closes itself when destroyed: is "
                     "something still holding it?)");
}

}  // TEST_SUITE

TEST_SUITE("a real client") {

// The first `nc` on the PATH, or "" if there is none.
std::string find_netcat() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / "nc";
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate.string();
        start = end + 1;
    }
    return "";
}

TEST_CASE("netcat (nc) chats with the others: a client nobody here wrote") {
    const std::string netcat_path = find_netcat();
    if (netcat_path.empty()) {
        MESSAGE("not checked: nc (netcat) is not on the PATH (./lab installs Debian's netcat-openbsd)");
        return;
    }
    Server server;
    Client alice = server.connect("alice");
    grader::transcript().add("grader", "starts netcat: nc " + server.host() + " " + std::to_string(server.port()));
    grader::ChildProcess netcat({netcat_path, server.host(), std::to_string(server.port())}, grader::Limits{}, true);
    auto netcat_says = [&] {
        return "\n  netcat printed " + grader::quote_bytes(netcat.stdout_text()) + "\n  and on standard error " +
               grader::quote_bytes(netcat.stderr_text());
    };

    const std::string notice = alice.next_line(join_hint);
    if (!notice.starts_with("* ") || !notice.ends_with(" joined"))
        grader::fail("alice expected netcat's '* ADDR joined', but received " + grader::quote_bytes(notice), join_hint);
    const std::string netcat_address = notice.substr(2, notice.size() - 9);

    alice.send_line("hello, netcat");
    const auto printed = netcat.next_stdout_line(grader::Clock::now() + grader::settings().reply_timeout());
    grader::transcript().add("netcat", "prints", printed.value_or("(nothing)"), true);
    if (printed != says(alice, "hello, netcat"))
        grader::fail("netcat should have printed " + grader::quote_bytes(says(alice, "hello, netcat")) + netcat_says(),
                     says_hint);

    grader::transcript().add("netcat", "is typed", "hello from netcat\n", true);
    netcat.write_stdin("hello from netcat\n");
    alice.expect_line(netcat_address + " says: hello from netcat", says_hint);

    grader::transcript().add("netcat", "is typed", "/who\n", true);
    netcat.write_stdin("/who\n");
    const auto who = netcat.next_stdout_line(grader::Clock::now() + grader::settings().reply_timeout());
    grader::transcript().add("netcat", "prints", who.value_or("(nothing)"), true);
    if (who != "* online: " + alice.address() + " " + netcat_address)
        grader::fail("netcat should have printed " +
                         grader::quote_bytes("* online: " + alice.address() + " " + netcat_address) + netcat_says(),
                     "answer '/who' with '* online: ADDR ADDR ...', in the order the clients connected");

    grader::transcript().add("grader", "stops netcat (SIGTERM)");
    netcat.signal_group(SIGTERM);
    alice.expect_line("* " + netcat_address + " left", left_hint);
}

}  // TEST_SUITE
