// Lab 09 — event-chat. The lab 08 protocol on exactly one thread. This
// suite checks what is new: one thread at any time, 10,000 clients, a
// client that stops reading (holds the others at most the second of grace,
// is not dropped before --max-queue, is dropped past it), flow control
// (a paste storm reaches every reader, memory stays bounded: the shared
// checks, tests/harness/checks/flow.hpp), partial writes (the short-sends
// shim), shutdown from inside the loop; the chat of lab 06 by nickname, as
// in lab 08 (tests/harness/checks/chat.hpp); and, briefly, lab 08's
// commands and limits.

#include <csignal>
#include <string>
#include <vector>

#include "checks/chat.hpp"
#include "checks/flow.hpp"
#include "crowd.hpp"
#include "grader.hpp"

using grader::Client;
using grader::Server;
using grader::StartOptions;

namespace {

const char* const one_thread_hint =
    "lab 09 serves every client from the one thread main() runs on: no std::thread, no net::ClientThreads, no "
    "thread for signals (a signalfd or a self-pipe in the epoll set instead)";
const char* const join_hint = "when a client connects, send '* ADDR joined' to every other client";
const char* const says_hint = "relay each line to every other client as 'NAME says: LINE' (NAME is ADDR until /nick)";
const char* const left_hint =
    "when a client leaves (recv() returns 0, or fails with a reset), take it out of the room and tell the others "
    "'* NAME left'";
const char* const queue_hint =
    "relaying a line only appends it to each receiver's queue; the loop writes a queue when its socket is "
    "writable and keeps what send() did not take (EAGAIN, or a short write) for the next time";
const char* const stalled_hint =
    "the loop must never wait for one client: relaying appends to queues, and a queue is written when its socket "
    "takes it. A client that is behind may hold the room (stop watching the senders' sockets), but only while "
    "it reads: once its socket has taken nothing for a second, it no longer counts";

std::string joined(const Client& client) { return "* " + client.address() + " joined"; }
std::string left(const Client& client) { return "* " + client.address() + " left"; }
std::string says(const Client& client, const std::string& line) { return client.address() + " says: " + line; }

Client join(Server& server, std::string name, std::initializer_list<Client*> here, int receive_buffer = 0) {
    Client newcomer = server.connect(std::move(name), receive_buffer);
    for (Client* client : here) client->expect_line(joined(newcomer), join_hint);
    return newcomer;
}

void expect_one_thread(const Server& server, const char* when, grader::Where where = grader::Where::current()) {
    const int threads = server.thread_count();
    if (threads != 1)
        grader::fail("the server runs " + std::to_string(threads) + " threads " + when + "; lab 09 runs exactly one",
                     one_thread_hint, where);
}

StartOptions with(std::vector<std::string> args) {
    StartOptions options;
    options.args = std::move(args);
    return options;
}

}  // namespace

GRADER_START_UP_TESTS()

// The chat of lab 06, each client named by the nickname it takes as it
// connects; descriptors end with their clients (the thread count has its
// own test here: exactly one).
TEST_SUITE("joining and leaving") {
    TEST_CASE("the others get '* NAME joined' when a client connects; the newcomer gets nothing") {
        grader::chat::others_hear_a_client_join(grader::chat::by_nickname);
    }
    TEST_CASE("the others get '* NAME left' when a client closes its side; its connection is closed") {
        grader::chat::others_hear_a_client_leave_when_it_closes(grader::chat::by_nickname);
    }
    TEST_CASE("the others get '* NAME left' when a client resets its connection") {
        grader::chat::others_hear_a_client_leave_when_it_resets(grader::chat::by_nickname);
    }
    TEST_CASE("a client who left is heard no more") {
        grader::chat::a_client_who_left_is_heard_no_more(grader::chat::by_nickname);
    }
}
TEST_SUITE("chat") {
    TEST_CASE("a line goes to every other client as 'NAME says: LINE'") {
        grader::chat::a_line_goes_to_every_other_client(grader::chat::by_nickname);
    }
    TEST_CASE("the sender gets nothing back") {
        grader::chat::the_sender_gets_nothing_back(grader::chat::by_nickname);
    }
    TEST_CASE("empty lines are ignored") {
        grader::chat::empty_lines_are_ignored(grader::chat::by_nickname);
    }
    TEST_CASE("a line sent one byte at a time arrives whole") {
        grader::chat::a_line_sent_byte_by_byte_arrives_whole(grader::chat::by_nickname);
    }
    TEST_CASE("many lines in one write, and a line over several writes, arrive as lines, in order") {
        grader::chat::lines_arrive_as_lines_however_written(grader::chat::by_nickname);
    }
    TEST_CASE("'\\r\\n' ends a line too: one '\\r' before the '\\n' is dropped") {
        grader::chat::cr_lf_ends_a_line(grader::chat::by_nickname);
    }
    TEST_CASE("two clients typing at once: each line arrives whole") {
        grader::chat::two_clients_typing_at_once(grader::chat::by_nickname);
    }
    TEST_CASE("'/who' is answered to the asker alone: everyone online, in the order they connected") {
        grader::chat::who_lists_everyone_in_order(grader::chat::by_nickname);
    }
    TEST_CASE("'/who' is a command only as the exact whole line") {
        grader::chat::who_is_a_command_only_as_the_whole_line(grader::chat::by_nickname);
    }
    TEST_CASE("a last line without '\\n' is relayed when its sender closes its side") {
        grader::chat::a_last_line_is_relayed_at_half_close(grader::chat::by_nickname);
    }
}
TEST_SUITE("many clients") {
    TEST_CASE("50 clients each send 100 lines at once: every other client gets them all, whole, in order") {
        grader::chat::fifty_clients_send_at_once(grader::chat::by_nickname);
    }
    TEST_CASE("clients joining and leaving during the traffic disturb nobody") {
        grader::chat::clients_come_and_go_during_traffic(grader::chat::by_nickname);
    }
    TEST_CASE("a client that resets while lines are relayed to it disturbs nobody") {
        grader::chat::a_reset_while_relaying_disturbs_nobody(grader::chat::by_nickname);
    }
    TEST_CASE("clients that reset or close in the middle of a line disturb nobody") {
        grader::chat::resets_mid_line_disturb_nobody(grader::chat::by_nickname);
    }
    TEST_CASE("descriptors end with their clients") {
        grader::chat::descriptors_end_with_clients(grader::chat::by_nickname);
    }
}

TEST_SUITE("one thread") {

TEST_CASE("exactly one thread: at start, with 30 clients chatting, and after they leave") {
    Server server;
    expect_one_thread(server, "once it listens");
    std::vector<Client> clients;
    for (int i = 0; i < 30; ++i) {
        clients.push_back(server.connect("client" + std::to_string(i)));
        for (int j = 0; j < i; ++j) clients[static_cast<std::size_t>(j)].expect_line(joined(clients.back()), join_hint);
    }
    expect_one_thread(server, "with 30 clients connected");
    for (std::size_t i = 0; i < clients.size(); ++i) {
        clients[i].send_line("line " + std::to_string(i));
        for (std::size_t j = 0; j < clients.size(); ++j)
            if (j != i) clients[j].expect_line(says(clients[i], "line " + std::to_string(i)), says_hint);
        if (i % 10 == 0) expect_one_thread(server, "while relaying lines");
    }
    clients.clear();
    Client last = server.connect("last");
    last.send_line("/who");
    last.expect_line("* online: " + last.address(), left_hint);
    expect_one_thread(server, "after the clients left");
}

}  // TEST_SUITE

TEST_SUITE("the lab 08 commands and limits, on one thread") {

TEST_CASE("/who, /nick, a name taken, a bad name, an unknown command, /quit") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send_line("/nick alice");
    alice.expect_line("* you are now alice", "'/nick NAME' answers '* you are now NAME' to the asker");
    bob.expect_line("* " + alice.address() + " is now alice", "the others get '* OLD is now NAME'");
    bob.send_line("/nick alice");
    bob.expect_line("! name taken", "a name another client has is refused with '! name taken'");
    bob.send_line("/nick bad name");
    bob.expect_line("! invalid name", "a name is 1 to 20 of A-Z a-z 0-9 _ -");
    bob.send_line("/nick");
    bob.expect_line("! invalid name", "a bare '/nick' is '! invalid name'");
    bob.send_line("/dance");
    bob.expect_line("! unknown command: /dance", "any other line starting with '/' is an unknown command");
    bob.send_line("/who");
    bob.expect_line("* online: alice " + bob.address(), "'/who' lists everyone, in the order they connected");
    alice.send_line("hi");
    bob.expect_line("alice says: hi", "after /nick, lines go out as 'NAME says: LINE'");
    bob.send("/quit\nthis is discarded\n");
    bob.expect_closed("'/quit': the server closes that connection, discarding what came after it");
    alice.expect_line("* " + bob.address() + " left", left_hint);
    alice.expect_silence("what a client sent after /quit is discarded");
}

TEST_CASE("control bytes are removed; a line left empty is ignored") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    bob.send("\x1b[2Jred\x07 al\tert\r\n\x01\x02\n");
    alice.expect_line(says(bob, "[2Jred al\tert"), "remove bytes 0x00-0x1F (but tab) and 0x7F from relayed text");
    alice.expect_silence("a line left empty by removing control bytes is ignored");
}

TEST_CASE("4,096 bytes are a line; the 4,097th without '\\n' is '! line too long', then the connection closes") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    const std::string longest(4096, 'x');
    bob.send_line(longest);
    alice.expect_line(says(bob, longest), "lines of up to 4,096 bytes before the '\\n' are fine");
    bob.send(std::string(4097, 'y'));
    bob.expect_line("! line too long", "as soon as the 4,097th byte without '\\n' arrives: '! line too long'");
    bob.expect_closed("after '! line too long' the server closes that connection");
    alice.expect_line(left(bob), left_hint);
}

TEST_CASE("--max-clients 2: a third client gets '! server full' and is closed; nobody hears of it") {
    Server server(with({"--max-clients", "2"}));
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = server.connect("carol");
    carol.expect_line("! server full", "over --max-clients, accept the client, send '! server full', close it");
    carol.expect_closed("over --max-clients, the client is closed after '! server full'");
    alice.send_line("/who");
    alice.expect_line("* online: " + alice.address() + " " + bob.address(), "a refused client is never listed");
    bob.expect_silence("nobody sees a refused client join or leave");
}

}  // TEST_SUITE

TEST_SUITE("slow clients and partial writes") {

TEST_CASE("a client that stops reading holds the others at most a second, and is dropped past --max-queue") {
    Server server(with({"--max-queue", "65536"}));
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    // A small receive buffer: the kernel holds little for it, so the
    // server's queue for it fills soon after it stops reading.
    Client slow = join(server, "slow", {&alice, &bob}, 4096);
    slow.set_quiet(true);
    bob.set_quiet(true);
    alice.set_quiet(true);
    const std::string text(990, '.');
    // Until the server drops slow: the kernel's own buffers for it grow
    // (autotuning) before the server's queue does; 16 MiB at most.
    bool dropped = false;
    int sent = 0;
    // bob waits for each line as long as the reply deadline, plus the second
    // the server may wait for slow before it counts as stalled.
    const auto patience = grader::settings().reply_timeout() + grader::settings().scaled(1.0);
    auto next_for_bob = [&] {
        const auto line = bob.try_next_line(patience);
        if (!line)
            grader::fail("bob reads all the while, yet no line reached him for " + grader::seconds_text(patience) +
                             " (alice has sent " + std::to_string(sent) + " lines, slow reads nothing)",
                         stalled_hint);
        return *line;
    };
    for (int round = 0; !dropped && round < 400; ++round) {
        std::string burst;
        for (int i = 0; i < 40; ++i) burst += std::to_string(round * 40 + i) + text + "\n";
        alice.send(burst);
        for (int i = 0; i < 40; ++i) {
            std::string line = next_for_bob();
            if (line == left(slow)) {
                dropped = true;
                line = next_for_bob();
            }
            const std::string expected = says(alice, std::to_string(round * 40 + i) + text);
            if (line != expected)
                grader::fail("bob received " + grader::quote_bytes(line) + " where " + grader::quote_bytes(expected) +
                                 " was due: lines must arrive whole, in order, none lost",
                             queue_hint);
        }
        sent += 40;
    }
    // Sent faster than a second? Then slow must still go, without more
    // traffic, once it has taken nothing for a second past --max-queue.
    if (!dropped) {
        const auto line = bob.try_next_line(patience);
        dropped = line && *line == left(slow);
    }
    if (!dropped)
        grader::fail(std::to_string(sent) + " lines of 1 KB went to a client that reads nothing, and the server "
                     "still had not dropped it a second later (--max-queue 65536)",
                     "count the bytes waiting in each client's queue; a client that has taken nothing from its "
                     "socket for a second while past --max-queue is dropped (the others see it leave)");
    server.expect_running();
}

TEST_CASE("a slow client is not dropped before its pending output passes --max-queue") {
    grader::flow::a_slow_client_is_kept_until_past_max_queue(stalled_hint);
}

TEST_CASE("every send() takes only a few bytes: nothing is lost, repeated or reordered") {
    StartOptions options;
    options.short_sends = true;
    Server server(options);
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    carol.set_quiet(true);
    std::string from_alice, from_bob;
    for (int i = 0; i < 200; ++i) {
        from_alice += "a" + std::to_string(i) + " the quick brown fox\n";
        from_bob += "b" + std::to_string(i) + " jumps over the lazy dog\n";
    }
    alice.send(from_alice);
    bob.send(from_bob);
    int next_a = 0, next_b = 0;
    while (next_a < 200 || next_b < 200) {
        const std::string line = carol.next_line(queue_hint);
        if (line == says(alice, "a" + std::to_string(next_a) + " the quick brown fox")) ++next_a;
        else if (line == says(bob, "b" + std::to_string(next_b) + " jumps over the lazy dog")) ++next_b;
        else
            grader::fail("carol received " + grader::quote_bytes(line) + " where alice's line " +
                             std::to_string(next_a) + " or bob's line " + std::to_string(next_b) + " was due",
                         "send() wrote only part of a queue: keep the rest, and write it next, before anything "
                         "newer (OutputQueue::write_to)");
    }
}

}  // TEST_SUITE

TEST_SUITE("flow control") {

TEST_CASE("a paste storm: everyone sends at once, and every client that reads gets every line; none is dropped") {
    grader::flow::a_paste_storm_reaches_every_reader();
}

TEST_CASE("the server reads its senders no faster than its readers take their lines: memory stays bounded") {
    grader::flow::the_server_reads_no_faster_than_its_readers();
}

}  // TEST_SUITE

TEST_SUITE("shutting down") {

TEST_CASE("SIGTERM: everyone reading gets '* server shutting down', all close, exit 0 within 2 s") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client stuck = join(server, "stuck", {&alice, &bob}, 4096);
    stuck.set_quiet(true);
    bob.set_quiet(true);
    for (int i = 0; i < 20; ++i) {  // 80 KB that stuck never reads: its queue stays full
        alice.send_line(std::string(4000, 'z'));
        bob.expect_line(says(alice, std::string(4000, 'z')), says_hint);
    }
    server.send_signal(SIGTERM);
    alice.expect_line("* server shutting down", "on SIGTERM, tell every client '* server shutting down'");
    bob.expect_line("* server shutting down", "on SIGTERM, tell every client '* server shutting down'");
    alice.expect_closed("after the notice, close every connection");
    bob.expect_closed("after the notice, close every connection");
    server.expect_exit(0, "SIGINT or SIGTERM ends the loop (signalfd or self-pipe in the epoll set): write what you "
                          "can, close everything, exit 0 within 2 s, even with a client that stopped reading");
}

TEST_CASE("SIGINT: the same") {
    Server server;
    Client alice = server.connect("alice");
    server.send_signal(SIGINT);
    alice.expect_line("* server shutting down", "on SIGINT (Ctrl-C) too");
    alice.expect_closed("after the notice, close every connection");
    server.expect_exit(0, "SIGINT ends the server with status 0");
}

}  // TEST_SUITE

TEST_SUITE("ten thousand clients") {

TEST_CASE("10,000 clients connect within 30 s, then a line reaches all of them within 20 s, on one thread") {
    StartOptions options = with({"--max-clients", "10000"});
    options.limits.max_open_files = 20000;
    Server server(options);
    grader::Crowd crowd(server, 10000, grader::settings().scaled(30), 500);
    expect_one_thread(server, "with 10,000 clients");
    crowd.send_line(9999, "hello, everyone");
    crowd.expect_everyone_gets(crowd.address(9999) + " says: hello, everyone", {9999}, grader::settings().scaled(20),
                               "with 10,000 clients, batch the writes: one send() per client per round of the loop "
                               "carries everything queued for it, not one send() per line");
    expect_one_thread(server, "with 10,000 clients");
}

}  // TEST_SUITE
