// Lab 05 — shared-server. Lab 04's threaded line server with state that all
// threads share: one count over the whole server (every number from 1 up
// handed out exactly once, however many clients send at once), and a
// registry of connected clients that answers "/who". No data race: run the
// suite on a ThreadSanitizer build with ./lab test 05 --tsan.
// The rules of labs 02 to 04 still hold: start-up, lines, rude clients,
// a thread per client that ends with its client (tests/harness/checks/).

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "checks/lines.hpp"
#include "checks/rude_clients.hpp"
#include "checks/threads.hpp"
#include "grader.hpp"
#include "helpers.hpp"

using grader::Client;
using grader::Server;

namespace {

std::string answer(int number, std::string_view line) { return std::to_string(number) + ": " + std::string(line); }

void exchange(Client& client, int number, std::string_view line, std::string_view hint = {},
              grader::Where where = grader::Where::current()) {
    client.send_line(line, where);
    client.expect_line(answer(number, line), hint, where);
}

const char* const shared_count_hint =
    "N counts the lines of the whole server, not of one connection: one counter shared by every client's "
    "thread (a std::atomic, or a number guarded by a std::mutex)";

std::vector<Client> connect_many(Server& server, int count, const std::string& prefix,
                                 grader::Where where = grader::Where::current()) {
    std::vector<Client> clients;
    clients.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) clients.push_back(server.connect(prefix + std::to_string(i), 0, where));
    return clients;
}

// A client as "/who" should list it: its address (and its name, for hints).
struct Listed {
    Listed(const Client* client) : name(client->name()), address(client->address()) {}
    Listed(const lab::ClientFromHighAddress* client) : name(client->name()), address(client->address()) {}
    std::string name;
    std::string address;
};

// "* online: ADDR ADDR ..." for these clients, in this order.
std::string online(const std::vector<Listed>& clients) {
    std::string line = "* online:";
    for (const Listed& client : clients) line += " " + client.address;
    return line;
}

std::vector<std::string> words_after_prefix(const std::string& line, std::string_view prefix) {
    std::istringstream rest(line.substr(prefix.size()));
    std::vector<std::string> words;
    for (std::string word; rest >> word;) words.push_back(word);
    return words;
}

// Why a "/who" answer is not the expected one, in plain words.
std::string who_hint(const std::string& got, const std::vector<Listed>& expected, const Client& asker) {
    if (!got.empty() && std::isdigit(static_cast<unsigned char>(got[0])))
        return "\"/who\" is a command, not a line to number: answer it with \"* online: \" and the addresses";
    const std::string prefix = "* online: ";
    if (got.rfind(prefix, 0) != 0)
        return "answer \"/who\" with \"* online: \" followed by each client's address (IP:PORT), separated by spaces";
    const std::vector<std::string> listed = words_after_prefix(got, prefix);
    const auto is_listed = [&](const std::string& address) {
        return std::find(listed.begin(), listed.end(), address) != listed.end();
    };
    if (!is_listed(asker.address()))
        return "the asker is connected too: list it, in its place (the list is of every connected client)";
    for (const Listed& client : expected)
        if (!is_listed(client.address))
            return client.name + " (" + client.address +
                   ") is connected but not listed: add each client to the registry as it is accepted";
    for (const std::string& address : listed) {
        const bool known = std::any_of(expected.begin(), expected.end(),
                                       [&](const Listed& c) { return c.address == address; });
        if (!known)
            return address + " is listed but is not connected any more: take a client off the registry when its "
                             "thread ends, however it ended (closed, half-closed, reset)";
    }
    if (listed.size() != expected.size()) return "each connected client must be listed exactly once";
    return "list the clients in the order they connected: add each at the end of a list as it is accepted, on "
           "the accept loop's thread; remove with erase (not by swapping with the last, not in a std::set or "
           "a map, which sort by address); and separate the addresses with one space";
}

// Asks "/who" and expects exactly these clients, in this order.
void expect_who(Client& asker, const std::vector<Listed>& expected,
                grader::Where where = grader::Where::current()) {
    asker.send_line("/who", where);
    const std::string want = online(expected);
    const std::optional<std::string> got = asker.try_next_line(grader::settings().reply_timeout());
    if (!got)
        grader::fail(asker.name() + " sent \"/who\" and expected " + grader::quote_bytes(want + "\n") +
                         "\n  but nothing came back",
                     "answer the line \"/who\" (exactly that line) with \"* online: \" and the addresses", where);
    if (*got != want)
        grader::fail(asker.name() + " sent \"/who\" and expected " + grader::quote_bytes(want + "\n") +
                         "\n  but received                       " + grader::quote_bytes(*got + "\n"),
                     who_hint(*got, expected, asker), where);
}

// The registry changes after a client leaves, on the server's own time:
// asks "/who" until the answer is the expected one, or the reply deadline
// has passed.
void expect_who_eventually(Client& asker, const std::vector<Listed>& expected,
                           grader::Where where = grader::Where::current()) {
    const std::string want = online(expected);
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
    std::string got;
    int asked = 0;
    while (true) {
        asker.send_line("/who", where);
        ++asked;
        const std::optional<std::string> line = asker.try_next_line(grader::settings().reply_timeout());
        if (!line)
            grader::fail(asker.name() + " sent \"/who\" and expected an answer, but nothing came back",
                         "answer the line \"/who\" (exactly that line) with \"* online: \" and the addresses", where);
        got = *line;
        if (got == want) return;
        if (grader::Clock::now() > deadline) break;
        // Ask again in a moment: a client's thread takes it off the list
        // once it has seen it leave.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    grader::fail(asker.name() + " asked \"/who\" " + std::to_string(asked) + " times over " +
                     grader::seconds_text(grader::settings().reply_timeout()) +
                     ", expecting " + grader::quote_bytes(want + "\n") + "\n  but the last answer was  " +
                     grader::quote_bytes(got + "\n"),
                 who_hint(got, expected, asker), where);
}

// Connects a client and waits until the server lists it: its own "/who"
// lists everyone before it, then itself.
Client join(Server& server, const std::string& name, const std::vector<Listed>& present,
            grader::Where where = grader::Where::current()) {
    Client client = server.connect(name, 0, where);
    std::vector<Listed> expected = present;
    expected.push_back(&client);
    expect_who(client, expected, where);
    return client;
}

}  // namespace

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

// Lab 03's line rules (tests/harness/checks/lines.hpp).
GRADER_LINE_TESTS()

TEST_SUITE("one count for the whole server") {

TEST_CASE("lines are numbered across all clients, in the order they arrive") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = server.connect("bob");
    exchange(alice, 1, "alice's first");
    exchange(bob, 2, "bob's first", shared_count_hint);
    exchange(alice, 3, "alice's second", shared_count_hint);
    Client carol = server.connect("carol");
    exchange(carol, 4, "carol's first", shared_count_hint);
    exchange(bob, 5, "bob's second", shared_count_hint);
}

TEST_CASE("the count goes on after clients leave") {
    Server server;
    {
        Client alice = server.connect("alice");
        exchange(alice, 1, "one");
        exchange(alice, 2, "two");
        alice.half_close();
    }  // alice closes; whether the server closes its side has tests of its own
    Client bob = server.connect("bob");
    exchange(bob, 3, "three", "the count belongs to the server, not to a client: it goes on from where it was");
}

TEST_CASE("25 clients send 2,000 lines each at once: every number from 1 to 50,000 is handed out exactly once") {
    constexpr int client_count = 25, lines_each = 2000, rounds = 20, total = client_count * lines_each;
    Server server;
    std::vector<Client> clients = connect_many(server, client_count, "client");
    for (Client& client : clients) client.set_quiet(true);
    // Every line is sent before any answer is read, a hundred lines per
    // client in turn, so that all the server's threads are numbering lines
    // at the same time, for as long as possible.
    for (int round = 0; round < rounds; ++round) {
        for (Client& client : clients) {
            std::string lines;
            for (int i = round * lines_each / rounds + 1; i <= (round + 1) * lines_each / rounds; ++i)
                lines += client.name() + " line " + std::to_string(i) + "\n";
            client.send(lines);
        }
    }
    std::map<long long, std::vector<std::string>> holders;  // number -> who got it
    std::string out_of_order;  // the first client whose numbers did not go up, if any
    for (Client& client : clients) {
        long long previous = 0;
        for (int i = 1; i <= lines_each; ++i) {
            const std::string line = client.next_line();
            const std::string text = client.name() + " line " + std::to_string(i);
            const auto colon = line.find(": ");
            long long number = 0;
            try {
                number = colon == std::string::npos ? 0 : std::stoll(line.substr(0, colon));
            } catch (const std::exception&) {
                number = 0;
            }
            if (number <= 0 || line.substr(colon + 2) != text)
                grader::fail(client.name() + " expected \"N: " + text + "\" with N a number from 1 to " +
                                 std::to_string(total) + "\n  but received " + grader::quote_bytes(line + "\n"),
                             "answer each line with its number, a colon, a space, and the line, in the order "
                             "the client sent them");
            if (number <= previous && out_of_order.empty())
                out_of_order = client.name() + " received number " + std::to_string(number) + " after number " +
                               std::to_string(previous) + " (" + grader::quote_bytes(line + "\n") + ")";
            previous = number;
            holders[number].push_back(client.name());
        }
    }
    std::vector<long long> repeated, missing;
    for (const auto& [number, names] : holders)
        if (names.size() > 1) repeated.push_back(number);
    for (long long n = 1; n <= total; ++n)
        if (!holders.contains(n)) missing.push_back(n);
    if (!repeated.empty() || !missing.empty()) {
        std::string what = std::to_string(total) + " lines should have been numbered 1 to " + std::to_string(total) +
                           ", each number once, but";
        if (!repeated.empty()) {
            const auto& names = holders[repeated.front()];
            what += "\n  " + std::to_string(repeated.size()) + " numbers were handed out more than once (" +
                    std::to_string(repeated.front()) + " went to " + names[0] + " and " + names[1] + ")";
        }
        if (!missing.empty())
            what += "\n  " + std::to_string(missing.size()) + " numbers were never handed out (the first: " +
                    std::to_string(missing.front()) + ")";
        grader::fail(what,
                     "lost updates: `++count` on a shared variable is three steps (read, add one, write back), "
                     "and two threads can both read 41 and both write 42. Make the counter a std::atomic, or "
                     "hold a std::mutex around reading and incrementing it");
    }
    // Each client's lines are answered in order, by its one thread, each
    // taking the next number when it is answered: one client's numbers go up.
    if (!out_of_order.empty())
        grader::fail(out_of_order, "take each line's number as it is answered, in the client's own thread: the "
                                   "count is shared, but one client's lines are numbered in the order they came");
}

}  // TEST_SUITE

TEST_SUITE("who is online") {

TEST_CASE("'/who' lists every connected client in the order they connected, the asker included") {
    Server server;
    std::vector<Listed> present;
    Client alice = join(server, "alice", present);
    present.push_back(&alice);
    Client bob = join(server, "bob", present);
    present.push_back(&bob);
    Client carol = join(server, "carol", present);
    present.push_back(&carol);
    expect_who(alice, present);
    expect_who(bob, present);
    expect_who(carol, present);
}

TEST_CASE("'/who' lists clients in the order they connected, not sorted by address") {
    Server server;
    // first connects from an address that sorts after every later client's.
    const lab::ClientFromHighAddress first("first", server);
    if (!first.available()) grader::skip_test(first.why());
    std::vector<Listed> present = {&first};
    Client alice = join(server, "alice", present);
    present.push_back(&alice);
    Client bob = join(server, "bob", present);
    present.push_back(&bob);
    expect_who(alice, present);
}

TEST_CASE("'/who' is not numbered: it takes no number from the count") {
    Server server;
    Client alice = server.connect("alice");
    exchange(alice, 1, "one");
    expect_who(alice, {&alice});
    exchange(alice, 2, "two",
             "\"/who\" is a command, not a line: it is not counted, so the line after it gets the next number");
    expect_who(alice, {&alice});
    expect_who(alice, {&alice});
    exchange(alice, 3, "three",
             "\"/who\" is a command, not a line: it is not counted, so the line after it gets the next number");
}

TEST_CASE("'/who' is a command only as the exact whole line; anything else is an ordinary line") {
    Server server;
    Client alice = server.connect("alice");
    const char* const hint = "only the exact line \"/who\" is the command; with anything before or after it, it is "
                             "an ordinary line, numbered and answered as such";
    int number = 0;
    for (const char* line : {"/who ", " /who", "/WHO", "/whom", "/who /who", "who", "/", "x/who"}) {
        ++number;
        exchange(alice, number, line, hint);
    }
    alice.send("/who\r\r\n");
    alice.expect_line(answer(number + 1, "/who\r"), "\"/who\\r\\r\\n\" is the line \"/who\\r\": not the command");
    alice.send("/who\r\n");
    const std::optional<std::string> got = alice.try_next_line(grader::settings().reply_timeout());
    if (got != online({&alice}))
        grader::fail("alice sent \"/who\\r\\n\" and expected " + grader::quote_bytes(online({&alice}) + "\n") +
                         "\n  but received " + (got ? grader::quote_bytes(*got + "\n") : std::string("nothing")),
                     "\"/who\\r\\n\" is the line \"/who\" (one '\\r' before the '\\n' is dropped): the command");
}

TEST_CASE("'/who' is recognised however it is split, and several in one write are each answered") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("/w");
    server.wait_until_read(alice, "the server must read from every client");
    alice.send("ho\n");
    const std::optional<std::string> got = alice.try_next_line(grader::settings().reply_timeout());
    if (got != online({&alice}))
        grader::fail("alice sent \"/w\", then \"ho\\n\", and expected " + grader::quote_bytes(online({&alice}) + "\n") +
                         "\n  but received " + (got ? grader::quote_bytes(*got + "\n") : std::string("nothing")),
                     "recognise the command on whole lines, after the line reader has put the pieces together");
    alice.send_slowly("/who\n");
    alice.expect_line(online({&alice}), "a command may arrive one byte per recv()");
    alice.send("/who\nline\n/who\n");
    alice.expect_line(online({&alice}));
    alice.expect_line("1: line");
    alice.expect_line(online({&alice}));
}

TEST_CASE("a last '/who' without '\\n' is answered when the client closes its side") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = server.connect("bob");
    exchange(bob, 1, "hi");
    alice.send("/who");
    alice.half_close();
    alice.expect_line(online({&alice, &bob}),
                      "a last line without '\\n' is a line, and \"/who\" as a last line is the command; the asker "
                      "is still connected while it is answered");
}

TEST_CASE("'/who' over IPv6 lists addresses as [IP]:PORT") {
    Server server(grader::with_args({"--host", "::1"}));
    std::vector<Listed> present;
    Client alice = join(server, "alice", present);
    present.push_back(&alice);
    Client bob = join(server, "bob", present);
    present.push_back(&bob);
    expect_who(alice, present);
}

TEST_CASE("a client that leaves is no longer listed, however it leaves") {
    Server server;
    std::vector<Listed> present;
    Client alice = join(server, "alice", present);
    present.push_back(&alice);
    std::optional<Client> bob = join(server, "bob", present);
    present.push_back(&*bob);
    Client carol = join(server, "carol", present);
    present.push_back(&carol);
    Client dave = join(server, "dave", present);
    present.push_back(&dave);
    Client erin = join(server, "erin", present);
    present.push_back(&erin);

    carol.half_close();  // half-close: the server sees the end of her stream
    expect_who_eventually(alice, {&alice, &*bob, &dave, &erin});
    bob.reset();  // std::optional::reset: bob's Client is destroyed, and closes its socket
    expect_who_eventually(alice, {&alice, &dave, &erin});
    dave.send("half a li");
    dave.reset();  // a reset, in the middle of a line
    expect_who_eventually(alice, {&alice, &erin});
    std::vector<Listed> still = {&alice, &erin};
    Client frank = join(server, "frank", still);
    expect_who(erin, {&alice, &erin, &frank});
}

TEST_CASE("clients come and go while others ask '/who': every answer is right") {
    Server server;
    std::vector<Listed> present;
    std::vector<Client> regulars;
    regulars.reserve(5);
    for (int i = 0; i < 5; ++i) {
        regulars.push_back(join(server, "regular" + std::to_string(i), present));
        present.push_back(&regulars.back());
    }
    // Guests connect and leave while the regulars ask. A guest may or may
    // not be listed yet just after it connects, or still just after it
    // left; but the regulars are always listed, first, in order, and every
    // guest listed is one that connected, in the order they connected.
    std::vector<std::optional<Client>> guests;
    guests.reserve(40);
    // A guest's address -> the rounds it connected in (a port can be used
    // again once its guest has gone).
    std::map<std::string, std::vector<int>> guest_rounds;
    for (int round = 0; round < 40; ++round) {
        guests.push_back(server.connect("guest" + std::to_string(round)));
        guests.back()->set_quiet(true);
        guest_rounds[guests.back()->address()].push_back(round);
        if (round >= 2) {
            if (round % 2 == 0) guests[static_cast<std::size_t>(round - 2)].reset();  // closes
            else guests[static_cast<std::size_t>(round - 2)]->reset();                 // resets
        }
        for (Client& regular : regulars) {
            regular.set_quiet(true);
            regular.send_line("/who");
        }
        for (Client& regular : regulars) {
            const std::string got = regular.next_line("answer every \"/who\"");
            const std::string prefix = online(present);
            bool right = got.rfind(prefix, 0) == 0 && (got.size() == prefix.size() || got[prefix.size()] == ' ');
            int last = -1;
            if (right) {
                for (const std::string& address : words_after_prefix(got, prefix)) {
                    const std::vector<int>& rounds = guest_rounds[address];
                    const auto later = std::find_if(rounds.begin(), rounds.end(), [&](int r) { return r > last; });
                    if (later == rounds.end()) right = false;
                    else last = *later;
                }
            }
            if (!right)
                grader::fail(regular.name() + " asked \"/who\" and expected " + grader::quote_bytes(prefix) +
                                 " followed by guests (connected in the order of their names)\n  but received " +
                                 grader::quote_bytes(got + "\n"),
                             "the list must stay right while clients come and go: every change and every reading "
                             "of the registry under its mutex, new clients added at the end, leaving ones erased");
        }
    }
    std::vector<Listed> expected = present;
    for (const std::optional<Client>& guest : guests)
        if (guest && !guest->is_closed()) expected.push_back(&*guest);
    expect_who_eventually(regulars.front(), expected);
}

}  // TEST_SUITE

// Lab 02's rude clients and descriptors (tests/harness/checks/rude_clients.hpp).
GRADER_RUDE_CLIENT_TESTS(grader::numbered_lines(), 300)

// Lab 04's threads (tests/harness/checks/threads.hpp): any N, the count is
// the whole server's.
GRADER_THREAD_TESTS(grader::numbered_lines())
