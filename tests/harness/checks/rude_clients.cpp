#include "checks/rude_clients.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "program.hpp"
#include "settings.hpp"

namespace grader::rude {

namespace {

const char* const sigpipe_hint =
    "send() to a client that has gone fails with EPIPE, and without MSG_NOSIGNAL the kernel also raises SIGPIPE, "
    "which ends the program: use net::send_all (or pass MSG_NOSIGNAL), and treat EPIPE as the client leaving";

// Lines to send and never read the answers of: more than the kernel's
// buffers hold, so the server's send() meets the reset or the close.
std::string bulk(std::size_t bytes) {
    std::string lines;
    while (lines.size() < bytes) lines += "a line whose answer will never be read\n";
    return lines;
}

// Whether the program goes on to the next client once one has said
// goodbye, seen once per run on a server of its own. Every check here
// needs it; a program seen not to is not waited for in full again in each
// (a correct one never waits for either).
bool serves_the_next_client(const Answers& answers) {
    static std::optional<bool> learned;
    if (learned) return *learned;
    transcript().add("grader", "first learns, on a server of its own, whether this program serves a second client "
                               "once the first has said goodbye");
    {
        Server probe;
        {
            Client first = probe.connect("probe1");
            first.send_line("hello");
            (void)first.try_next_line(settings().reply_timeout());
            first.half_close();
        }
        Client second = probe.connect("probe2");
        second.send_line("next");
        const auto reply = second.try_next_line(settings().reply_timeout());
        learned = reply && answers.matches(*reply, 1, "next");
    }
    transcript().add("grader", std::string("has learned: ") + (*learned ? "it does" : "it does NOT") +
                                   "; now the test itself");
    return *learned;
}

// Sends the client's `nth` line and expects its answer: within the reply
// deadline, or the silence window for a program seen not to serve the
// next client.
void served(Client& client, const Answers& answers, int nth, std::string_view line, std::string_view hint = {},
            Where where = Where::current()) {
    const auto within = serves_the_next_client(answers) ? settings().reply_timeout() : settings().silence_window();
    client.send_line(line, where);
    const std::optional<std::string> reply = client.try_next_line(within);
    if (!reply || !answers.matches(*reply, nth, line))
        fail(client.name() + " expected the line " + quote_bytes(answers.expected(nth, line) + "\n") + "\n  but " +
                 (reply ? "received      " + quote_bytes(*reply + "\n")
                        : client.is_closed() ? std::string("the server closed the connection")
                                             : "nothing came within " + seconds_text(within)) +
                 (serves_the_next_client(answers) ? std::string()
                                                  : "\n  (at the start, this program was seen not to serve a second "
                                                    "client once the first had left: the grader waits no longer)"),
             hint, where);
}

// The client has said all it will say: "I will send nothing more", and
// then it closes (when it goes out of scope). Whether the server closes
// its side has tests of its own.
void says_goodbye(Client& client) { client.half_close(); }

}  // namespace

void a_reset_does_not_stop_the_server(const Answers& answers) {
    serves_the_next_client(answers);  // learned before this test starts its own server
    Server server;
    Client alice = server.connect("alice");
    served(alice, answers, 1, "a whole line");
    alice.send("half a li");
    alice.reset();  // the server's recv() fails with ECONNRESET
    Client bob = server.connect("bob");
    served(bob, answers, 1, "after the reset", answers.survive_hint);
    server.expect_running(answers.survive_hint);
}

void a_reset_mid_transfer_does_not_stop_the_server(const Answers& answers) {
    serves_the_next_client(answers);  // learned before this test starts its own server
    Server server;
    {
        Client alice = server.connect("alice", 4096);  // a small window: the answers back up at once
        alice.send(bulk(256 * 1024));
        alice.reset();
    }
    Client bob = server.connect("bob");
    served(bob, answers, 1, "after the reset", answers.survive_hint);
    server.expect_running(answers.survive_hint);
}

void leaving_without_reading_does_not_kill_with_sigpipe(const Answers& answers) {
    serves_the_next_client(answers);  // learned before this test starts its own server
    Server server;
    Client alice = server.connect("alice");
    served(alice, answers, 1, "alice");
    // bob says something (perhaps while he waits his turn), closes his side,
    // and goes away. When the server answers, it sends to a connection that
    // is gone: send() fails with EPIPE.
    Client bob = server.connect("bob");
    bob.send("are\nyou\nthere?\n");
    bob.half_close();
    bob.reset();
    says_goodbye(alice);
    server.expect_keeps_running("when it answered a client that had gone", sigpipe_hint);
    Client carol = server.connect("carol");
    served(carol, answers, 1, "still here?", sigpipe_hint);
}

void closing_mid_transfer_does_not_stop_the_server(const Answers& answers) {
    serves_the_next_client(answers);  // learned before this test starts its own server
    Server server;
    {
        Client alice = server.connect("alice", 4096);
        alice.send(bulk(200 * 1024));
        alice.next_bytes();  // part of the answers came back; then alice closes her socket
    }
    Client bob = server.connect("bob");
    served(bob, answers, 1, "next, please", answers.survive_hint);
    server.expect_running(answers.survive_hint);
}

void clients_leaving_while_waiting_do_not_stop_the_server(const Answers& answers) {
    serves_the_next_client(answers);  // learned before this test starts its own server
    Server server;
    Client alice = server.connect("alice");
    served(alice, answers, 1, "alice");
    {
        Client bob = server.connect("bob");  // waits in the backlog (one client at a time)...
        bob.send("bob\n");
    }  // ...and gives up before his turn: his answer will meet a closed socket
    Client carol = server.connect("carol");
    carol.reset();  // connects and resets at once
    {
        Client dave = server.connect("dave");
    }  // connects and closes without a word
    says_goodbye(alice);
    Client erin = server.connect("erin");
    served(erin, answers, 1, "erin, after three rude clients", answers.survive_hint);
    server.expect_running(answers.survive_hint);
}

void clients_in_a_row_leave_no_descriptor_open(const Answers& answers, int count) {
    serves_the_next_client(answers);  // learned before this test starts its own server
    Server server;
    // A leak grows with the clients; a runtime's constant overhead (Go keeps
    // a pipe pair, say) does not: the count is taken once 10 clients have
    // come and gone, and must not grow after.
    int before = server.open_file_count();
    const auto start = Clock::now();
    for (int i = 1; i <= count; ++i) {
        {
            Client client = server.connect("client " + std::to_string(i));
            client.set_quiet(true);
            served(client, answers, 1, std::to_string(i));
            // Three ways to leave: reset, close the sending side first, close.
            if (i % 3 == 1) client.reset();
            if (i % 3 == 2) says_goodbye(client);
        }
        if (i == 10) before = std::max(before, server.open_file_count());
        if ((i % 250 == 0 || i == count) &&
            !server.wait_for_open_files_at_most(before, settings().reply_timeout())) {
            fail("after " + std::to_string(i) + " clients had come and gone, the server has " +
                     std::to_string(server.open_file_count()) + " descriptors open; it had " + std::to_string(before) +
                     " once 10 clients had come and gone",
                 "every accept() returns a new descriptor: close it once that client has gone, whichever way it "
                 "left (a reset too). A net::Connection closes its socket when it goes out of scope: let it");
        }
    }
    MESSAGE(count << " clients served in " << std::chrono::duration<double>(Clock::now() - start).count()
                  << " s; open descriptors before and after: " << before << ", " << server.open_file_count());
}

}  // namespace grader::rude
