#include "checks/threads.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "program.hpp"
#include "settings.hpp"

namespace grader::threads {

namespace {

const char* const concurrency_hint =
    "is the server still busy with another client? Each client must be served on a thread of its own, so that "
    "main goes straight back to accept() and a client that sends nothing holds up only its own thread";
const char* const own_buffer_hint =
    "each client needs a line buffer of its own (its own net::LineReader, a local variable of its thread): one "
    "buffer shared by all threads mixes their bytes";

// Whether the program serves many clients at once, seen once per run on a
// server of its own: an 11th client is answered while 10 others, silent,
// are connected (a pool of a few threads is not). A program seen not to is not waited for in full again in
// every test (a correct one never waits for either).
bool serves_clients_at_once(const Answers& answers) {
    static std::optional<bool> learned;
    if (learned) return *learned;
    transcript().add("grader", "first learns, on a server of its own, whether this program serves many clients at once "
                               "(an 11th while 10 others are connected)");
    {
        Server probe;
        std::vector<Client> silent;
        silent.reserve(10);
        for (int i = 0; i < 10; ++i) silent.push_back(probe.connect("probe" + std::to_string(i + 1)));
        Client eleventh = probe.connect("probe11");
        eleventh.send_line("am I served?");
        const auto reply = eleventh.try_next_line(settings().reply_timeout());
        learned = reply && answers.matches(*reply, 1, "am I served?");
    }
    transcript().add("grader", std::string("has learned: ") + (*learned ? "it does" : "it does NOT") +
                                   "; now the test itself");
    return *learned;
}

// How long to wait for an answer: the reply deadline, or the silence window
// for a program seen not to serve clients at once.
std::chrono::milliseconds patience(const Answers& answers) {
    return serves_clients_at_once(answers) ? settings().reply_timeout() : settings().silence_window();
}

// The answer to `client`'s `nth` line, with a hint for each way it can go
// wrong: nothing at all (the server is busy elsewhere), or a wrong line.
void expect_answer_from(Client& client, const Answers& answers, int nth, std::string_view line,
                        std::string_view if_nothing, std::string_view if_wrong, Where where = Where::current()) {
    const std::string expected = answers.expected(nth, line);
    const auto within = patience(answers);
    const std::optional<std::string> reply = client.try_next_line(within);
    if (!reply)
        fail(client.name() + " expected the line " + quote_bytes(expected + "\n") + "\n  but nothing came back within " +
                 seconds_text(within) +
                 (serves_clients_at_once(answers) ? std::string()
                                                  : "\n  (at the start, this program was seen not to serve 11 "
                                                    "clients at once: the grader waits no longer)"),
             if_nothing, where);
    if (!answers.matches(*reply, nth, line))
        fail(client.name() + " expected the line " + quote_bytes(expected + "\n") + "\n  but received      " +
                 quote_bytes(*reply + "\n"),
             if_wrong, where);
}

// Sends the client's `nth` line and expects its answer.
void served(Client& client, const Answers& answers, int nth, std::string_view line, std::string_view hint,
            Where where = Where::current()) {
    client.send_line(line, where);
    expect_answer_from(client, answers, nth, line, hint, own_buffer_hint, where);
}

std::vector<Client> connect_many(Server& server, int count, const std::string& prefix) {
    std::vector<Client> clients;
    clients.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) clients.push_back(server.connect(prefix + std::to_string(i)));
    return clients;
}

}  // namespace

void a_silent_client_delays_nobody(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
    Server server;
    Client silent = server.connect("silent");
    Client bob = server.connect("bob");
    served(bob, answers, 1, "hello", concurrency_hint);
    served(bob, answers, 2, "hello again", concurrency_hint);
    served(silent, answers, 1, "at last", "a client that waited must still be served");
}

void a_slow_client_delays_nobody(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
    Server server;
    Client slow = server.connect("slow");
    Client bob = server.connect("bob");
    bob.set_quiet(true);
    const std::string line = "one byte at a time";
    int number = 0;
    for (char byte : line) {
        slow.send(std::string(1, byte));
        server.wait_until_read(slow, concurrency_hint);
        ++number;
        served(bob, answers, number, "bob's line " + std::to_string(number), concurrency_hint);
    }
    slow.send("\n");
    expect_answer_from(slow, answers, 1, line, concurrency_hint, "the slow client's line must come back whole");
}

void a_hundred_clients_at_once(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
    Server server;
    std::vector<Client> clients = connect_many(server, 100, "client");
    for (Client& client : clients) client.set_quiet(true);
    for (int round = 1; round <= 3; ++round)
        for (Client& client : clients) client.send_line(client.name() + " round " + std::to_string(round));
    for (Client& client : clients)
        for (int round = 1; round <= 3; ++round)
            expect_answer_from(client, answers, round, client.name() + " round " + std::to_string(round),
                               "every one of 100 clients connected at once must be answered: a thread each, "
                               "not one thread, nor a pool of a few threads that each serve a client until it leaves",
                               own_buffer_hint);
}

void a_hundred_clients_send_twenty_lines_each(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
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
            expect_answer_from(client, answers, i, client.name() + " line " + std::to_string(i), concurrency_hint,
                               own_buffer_hint);
}

void partial_lines_never_mix(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
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
        expect_answer_from(client, answers, 1, "the start of the line of " + client.name(), concurrency_hint,
                           own_buffer_hint);
}

void each_client_has_a_thread(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
    Server server;
    const int before = server.thread_count();
    std::vector<Client> clients = connect_many(server, 10, "client");
    for (Client& client : clients) served(client, answers, 1, "hi", concurrency_hint);
    const int during = server.thread_count();
    if (during < before + 10)
        fail("the server had " + std::to_string(before) + " threads before any client, and only " +
                 std::to_string(during) + " with 10 clients connected",
             "start one thread per client, as each client is accepted");
}

void threads_end_with_their_clients(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
    Server server;
    const int before = server.thread_count();
    int during = 0;
    {
        std::vector<Client> clients = connect_many(server, 30, "client");
        for (Client& client : clients) {
            client.set_quiet(true);
            served(client, answers, 1, "hi", concurrency_hint);
        }
        during = server.thread_count();
        // Three ways to leave: close, half-close first, reset.
        for (std::size_t i = 0; i < clients.size(); ++i) {
            if (i % 3 == 1) clients[i].half_close();
            if (i % 3 == 2) clients[i].reset();
        }
    }  // the others close here
    if (!server.wait_for_threads_at_most(threads_at_rest(before), settings().scaled(1.0)))
        fail("the server had " + std::to_string(before) + " threads before any client, " + std::to_string(during) +
                 " with 30 clients, and still has " + std::to_string(server.thread_count()) +
                 " a second after they all left",
             "threads are leaking: a client's thread must end as soon as its client has gone (recv() "
             "returned 0, or the connection was reset). Does it wait for something after that?");
    Client late = server.connect("late");
    served(late, answers, 1, "anyone home?", "the server must go on serving new clients");
}

void clients_in_waves_leave_no_thread(const Answers& answers) {
    serves_clients_at_once(answers);  // learned before this test starts its own server
    Server server;
    const int before = server.thread_count();
    for (int wave = 0; wave < 5; ++wave) {
        std::vector<Client> clients = connect_many(server, 20, "wave" + std::to_string(wave) + "-");
        for (Client& client : clients) client.set_quiet(true);
        for (Client& client : clients) client.send_line("in wave " + std::to_string(wave));
        for (Client& client : clients)
            expect_answer_from(client, answers, 1, "in wave " + std::to_string(wave), concurrency_hint, own_buffer_hint);
    }
    if (!server.wait_for_threads_at_most(threads_at_rest(before), settings().scaled(1.0)))
        fail("the server had " + std::to_string(before) + " threads before any client, and still has " +
                 std::to_string(server.thread_count()) + " a second after 100 clients came and went",
             "a client's thread must end as soon as its client has gone");
}

}  // namespace grader::threads
