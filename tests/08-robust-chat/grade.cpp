// Lab 08 — robust-chat. The suite is the contract's section 08, sentence by
// sentence; each sentence maps to the tests named after it:
//
//  S1  Everything of lab 06 (notices, relaying, /who, framing, the last line
//      on half-close, many clients, rude clients)  -> the shared chat checks
//      (tests/harness/checks/chat.hpp), by nickname: "joining and leaving",
//      "chat", "many clients"
//  S2  Commands are whole lines, matched exactly: /who, /quit, /nick NAME;
//      any other line starting with '/' is answered "! unknown command:
//      LINE" to the asker alone                     -> "commands": unknown, exact
//  S3  /nick NAME: 1-20 of A-Z a-z 0-9 _ -, byte for byte, not taken; others
//      "* OLD is now NAME", asker "* you are now NAME"; then NAME in says,
//      notices and /who; bare /nick or bad name "! invalid name"; in use
//      "! name taken"                               -> "nicknames": all four
//  S4  /quit: the server closes; what was sent after is discarded
//                                                   -> "commands": /quit
//  S5  Errors go to the asker alone, start with "! "
//                                                   -> every error test checks
//      that the others' next line is the next real one
//  S6  Line over 4,096 bytes (a '\r' counts): as soon as the 4,097th byte
//      arrives, "! line too long", closed; 4,096 fine -> "line limit": three
//  S7  Control bytes removed from text relayed; a line left empty ignored
//                                                   -> "control bytes": two
//  S8  A client that stops reading never delays the others (for longer than
//      the second it takes to tell it from a slow one); pending output
//      bounded by --max-queue (default 1 MiB): a client that has taken
//      nothing for a second while past it is dropped, and the others see it
//      leave                                        -> "slow clients": four
//  S8b A client that reads as fast as it can is never dropped and loses
//      nothing, however many write at once: the server reads from the
//      senders no faster than the readers take their lines (backpressure),
//      so its memory stays bounded              -> "flow control": two
//  S9  --max-clients N (default 1000): over it "! server full", closed,
//      nobody sees it, /who never lists it          -> "limits"
//  S10 Bad --max-clients / --max-queue: usage, exit 2 -> "limits"
//  S11 SIGINT/SIGTERM: every client still reading gets "* server shutting
//      down", all connections close (a stalled one too), exit 0 within 2 s
//                                                   -> "shutdown": three
//  "every thread is joined" cannot be seen from outside; the exit status and
//  ThreadSanitizer are what the suite has (see the handout).
//
// Timing: no test sleeps; each waits for its event with a deadline. The
// slow-client tests move a few MiB over loopback, because the kernel itself
// buffers about 3 MiB for a client that reads nothing.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "checks/chat.hpp"
#include "checks/flow.hpp"
#include "checks/many_clients.hpp"
#include "grader.hpp"

using grader::Client;
using grader::Server;
using grader::StartOptions;

namespace {

const char* const join_hint =
    "when a client connects, send '* ADDR joined' to every other client, ADDR being the newcomer's address (IP:PORT)";
const char* const says_hint =
    "relay each line to every other client as 'NAME says: LINE', NAME being the sender's address until it "
    "chooses a name with /nick";
const char* const left_hint =
    "when a client leaves (end of stream, reset, /quit, a line too long, dropped), remove it and send "
    "'* NAME left' to every client still connected";
const char* const error_alone_hint =
    "errors (lines starting with '! ') go to the asker alone: nobody else hears of them";
const char* const head_of_line_hint =
    "a thread that relays a line must never wait for a client that does not read: relaying only appends the "
    "line to each receiver's queue, and each client's own writer thread sends its queue to its socket. A "
    "client that is behind may hold the readers (flow control), but only while it reads: once its socket has "
    "taken nothing for a second, it no longer counts";
const char* const shutdown_hint =
    "turn SIGINT and SIGTERM into something the accept loop can wait on (signalfd, or a self-pipe, or a "
    "thread in sigwait); then tell every client '* server shutting down', close every connection, join "
    "every thread and return 0 from main";

std::string joined(const Client& client) { return "* " + client.address() + " joined"; }
std::string left(const std::string& name) { return "* " + name + " left"; }
std::string left(const Client& client) { return left(client.address()); }
std::string says(const std::string& name, const std::string& line) { return name + " says: " + line; }
std::string says(const Client& client, const std::string& line) { return says(client.address(), line); }

// Connects a client, and waits until each client already here has heard it
// join: from then on the server has it listed, and lines reach it.
Client join(Server& server, std::string name, std::initializer_list<Client*> here, int receive_buffer = 0) {
    Client newcomer = server.connect(std::move(name), receive_buffer);
    for (Client* client : here) client->expect_line(joined(newcomer), join_hint);
    return newcomer;
}

// client says /nick NAME, hears "* you are now NAME"; the others hear the
// change. Returns NAME.
std::string rename(Client& client, const std::string& old_name, const std::string& name,
                   std::initializer_list<Client*> others) {
    client.send_line("/nick " + name);
    client.expect_line("* you are now " + name,
                       "'/nick NAME' with a free, valid name is answered '* you are now NAME' to the asker");
    for (Client* other : others)
        other->expect_line("* " + old_name + " is now " + name,
                           "when a client takes a name, the others hear '* OLD is now NAME' (OLD: its address, "
                           "or its previous name)");
    return name;
}

// Reads what arrives at `client` until it is closed, or fails.
void expect_closed_after_anything(Client& client, std::string_view hint) {
    client.set_quiet(true);
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout() * 2;
    while (!client.is_closed() && grader::Clock::now() < deadline) client.try_next_line(std::chrono::milliseconds(50));
    if (!client.is_closed()) grader::fail(client.name() + "'s connection should have been closed, but it is still open", hint);
}

StartOptions with_limits(std::vector<std::string> args) { return grader::with_args(std::move(args)); }

// The next line must be `expected`, but "* BOB left" may come first: for
// tests where dropping bob would be wrong, but is another test's business.
void expect_line_perhaps_after(Client& client, const std::string& expected, const std::string& bob_left,
                               std::string_view hint) {
    std::string line = client.next_line(hint);
    if (line == bob_left) line = client.next_line(hint);
    if (line != expected)
        grader::fail(client.name() + " expected " + grader::quote_bytes(expected) + "\n  but received " +
                         grader::quote_bytes(line),
                     hint);
}

// The next line must be `expected`; `unwanted` in its place gets its own hint.
void expect_line_not_after(Client& client, const std::string& expected, const std::string& unwanted,
                           std::string_view hint, std::string_view unwanted_hint,
                           grader::Where where = grader::Where::current()) {
    const std::string line = client.next_line(hint, where);
    if (line == expected) return;
    grader::fail(client.name() + " expected " + grader::quote_bytes(expected) + "\n  but received " +
                     grader::quote_bytes(line),
                 line == unwanted ? unwanted_hint : hint, where);
}

}  // namespace

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

// Everything of lab 06, each client named by the nickname it takes as it
// connects (tests/harness/checks/chat.hpp).
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
    TEST_CASE("threads and descriptors end with their clients") {
        grader::chat::threads_and_descriptors_end_with_clients(grader::chat::by_nickname);
    }
}

TEST_SUITE("commands") {

TEST_CASE("'/who' lists everyone, in the order they connected, to the asker alone") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    const std::string everyone = "* online: " + alice.address() + " " + bob.address() + " " + carol.address();
    carol.send_line("/who");
    carol.expect_line(everyone, "'/who' lists every client, in the order they connected, by name (its address "
                                "until it takes one), separated by single spaces");
    carol.send("/who\r\n");
    carol.expect_line(everyone, "'/who\\r\\n' is the line '/who'");
    alice.send_line("after");
    bob.expect_line(says(alice, "after"), "'/who' is answered to the asker alone: do not relay it");
}

TEST_CASE("any other line starting with '/' is '! unknown command: LINE', to the asker alone") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    for (const char* line : {"/foo", "/who ", " /who", "/WHO", "/nickname", "/quit now", "/"}) {
        alice.send_line(line);
        if (line[0] == ' ') {
            bob.expect_line(says(alice, line), "only lines that start with '/' are commands; ' /who' is chat");
            continue;
        }
        alice.expect_line(std::string("! unknown command: ") + line,
                          "commands are matched as the exact whole line: any other line that starts with '/' is "
                          "answered '! unknown command: LINE' (it is not chat)");
    }
    alice.send_line("a real line");
    bob.expect_line(says(alice, "a real line"), error_alone_hint);
}

TEST_CASE("'/quit': the connection is closed, the others hear it leave, what came after is discarded") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    alice.send("/quit\nnot relayed\n");
    alice.expect_closed("after '/quit' close the connection (the client gets no answer)");
    const char* const discarded_hint =
        "after '/quit', read nothing more from that client: its later lines are discarded";
    expect_line_not_after(bob, left(alice), says(alice, "not relayed"),
                          "'/quit' is a client leaving: the others hear '* NAME left'", discarded_hint);
    expect_line_not_after(carol, left(alice), says(alice, "not relayed"), left_hint, discarded_hint);
    bob.send_line("still here");
    expect_line_not_after(carol, says(bob, "still here"), says(alice, "not relayed"), says_hint, discarded_hint);
}

}  // TEST_SUITE

TEST_SUITE("nicknames") {

TEST_CASE("'/nick NAME': '* you are now NAME', the others '* OLD is now NAME', and NAME from then on") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    rename(alice, alice.address(), "alice", {&bob});
    alice.send_line("hello as alice");
    bob.expect_line(says("alice", "hello as alice"), "once named, a client's lines go out as 'NAME says: LINE'");
    rename(alice, "alice", "Alice_2-x", {&bob});
    alice.send_line("renamed");
    bob.expect_line(says("Alice_2-x", "renamed"), "after a second '/nick', lines go out under the new name");
    alice.half_close();
    bob.expect_line(left("Alice_2-x"), "the leave notice uses the client's current name");
}

TEST_CASE("a bare '/nick' or a bad name is '! invalid name', to the asker alone") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    const std::string twenty(20, 'n');
    for (const std::string& line : {std::string("/nick"), std::string("/nick "), std::string("/nick  bob"),
                                    std::string("/nick a b"), "/nick " + twenty + "x", std::string("/nick caf\xc3\xa9"),
                                    std::string("/nick a.b"), std::string("/nick a:b"), std::string("/nick a\tb"),
                                    std::string("/nick bob!")}) {
        alice.send_line(line);
        alice.expect_line("! invalid name", "a name is 1 to 20 of A-Z a-z 0-9 _ - (and '/nick NAME' has exactly "
                                            "one space); anything else is '! invalid name'");
    }
    rename(alice, alice.address(), twenty, {&bob});
    rename(alice, twenty, "a", {&bob});
}

TEST_CASE("a name in use is '! name taken'; names are compared byte for byte, and freed when left") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    rename(alice, alice.address(), "alice", {&bob, &carol});
    bob.send_line("/nick alice");
    bob.expect_line("! name taken", "a name another client has is taken: '! name taken'");
    rename(bob, bob.address(), "Alice", {&alice, &carol});
    rename(alice, "alice", "alicia", {&bob, &carol});
    rename(carol, carol.address(), "alice", {&alice, &bob});  // freed by the rename
    bob.send_line("/nick alicia");
    bob.expect_line("! name taken", "a name another client has is taken: '! name taken'");
    alice.half_close();
    bob.expect_line(left("alicia"), left_hint);
    carol.expect_line(left("alicia"), left_hint);
    rename(bob, "Alice", "alicia", {&carol});  // freed when its owner left
}

TEST_CASE("'/who' shows each client's current name") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    rename(bob, bob.address(), "bob", {&alice, &carol});
    rename(alice, alice.address(), "Alice_2-x", {&bob, &carol});
    carol.send_line("/who");
    carol.expect_line("* online: Alice_2-x bob " + carol.address(),
                      "'/who' lists each client by its current name (its address until it takes one), in the "
                      "order they connected");
}

}  // TEST_SUITE

TEST_SUITE("line limit") {

TEST_CASE("a line of 4,096 bytes is relayed whole, even in pieces and with '\\r\\n'") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    std::string line;
    for (int i = 0; line.size() < 4096; ++i) line += std::to_string(i) + ",";
    line.resize(4096);
    alice.send(line.substr(0, 3000));
    server.wait_until_read(alice);
    alice.send(line.substr(3000));  // 4,096 bytes and no '\n' yet: fine
    server.wait_until_read(alice);
    alice.send("\n");
    bob.expect_line(says(alice, line), "a line of 4,096 bytes (before its '\\n') is allowed; only the 4,097th "
                                       "byte without a '\\n' is too many");
    alice.send(line.substr(0, 4095) + "\r\n");
    bob.expect_line(says(alice, line.substr(0, 4095)), "4,095 bytes and '\\r\\n' make 4,096 before the '\\n': allowed");
}

TEST_CASE("the 4,097th byte without '\\n': '! line too long' at once, then the connection is closed") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send("before the long one\n" + std::string(4097, 'x'));  // no '\n', the connection stays open
    bob.expect_line(says(alice, "before the long one"), "lines before the long one are relayed as usual");
    alice.expect_line("! line too long", "as soon as more than 4,096 bytes have come without a '\\n', answer '! line "
                                         "too long' (do not wait for the '\\n': it may never come)");
    alice.expect_closed("after '! line too long', close the connection");
    bob.expect_line(left(alice), left_hint);
}

TEST_CASE("a '\\r' counts: 4,096 bytes then '\\r\\n' is too long") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send(std::string(4096, 'y') + "\r\n");
    alice.expect_line("! line too long", "the limit counts every byte before the '\\n', a '\\r' included: check "
                                         "the length before dropping the '\\r'");
    alice.expect_closed("after '! line too long', close the connection");
    bob.expect_line(left(alice), left_hint);
}

}  // TEST_SUITE

TEST_SUITE("control bytes") {

TEST_CASE("control bytes are removed from relayed text; tab and bytes above 127 stay") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send(std::string("a\x1b[31mred\x07") + '\0' + "b\tc\x7f\x01!\n");
    bob.expect_line(says(alice, "a[31mredb\tc!"),
                    "remove bytes 0x00 to 0x1F (but tab) and 0x7F from a line before relaying it: ESC, BEL, NUL, "
                    "DEL and the like would drive the others' terminals");
    alice.send("caf\xc3\xa9 \xe2\x98\x95\n");
    bob.expect_line(says(alice, "caf\xc3\xa9 \xe2\x98\x95"), "bytes above 127 (UTF-8) are text: keep them");
    alice.send("two\r\r\n");
    bob.expect_line(says(alice, "two"), "the line is 'two\\r' (one '\\r' dropped by the framing), and that '\\r' is a "
                                        "control byte: removed");
}

TEST_CASE("a line left empty once its control bytes are gone is ignored") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    alice.send("\x1b\x07\x01\r\r\n\x7f\n");
    alice.send_line("visible");
    bob.expect_line(says(alice, "visible"), "a line that is empty once control bytes are removed is ignored, like an "
                                            "empty line (relaying 'NAME says: ' helps nobody)");
}

}  // TEST_SUITE

TEST_SUITE("slow clients") {

TEST_CASE("a client that stops reading holds nobody up for more than a second (nor the join notices)") {
    Server server(with_limits({"--max-queue", "16000000"}));  // bob must not be dropped here
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice}, 4096);  // small window, and he never reads
    std::vector<Client> readers;
    readers.push_back(join(server, "carol", {&alice, &bob}));
    // 6 MB: more than the kernel's buffers hold for bob (about 3 MB), and
    // less than his --max-queue. A server that writes to bob from alice's
    // thread is stuck well before the end; one that waits for bob to read
    // (flow control that counts him) stops for ever.
    // (Dropping bob here is wrong, but that is the next test's business.)
    grader::flow::relay_past_a_stalled_client(alice, readers, 6000, bob.address(), true, head_of_line_hint);
    Client dave = server.connect("dave");
    readers[0].set_quiet(false);
    expect_line_perhaps_after(readers[0], joined(dave), left(bob),
                              std::string(head_of_line_hint) +
                                  "; the accept loop must not wait for any client either (join notices are queued "
                                  "like lines)");
    expect_line_perhaps_after(alice, joined(dave), left(bob), join_hint);
    dave.send_line("hi");
    expect_line_perhaps_after(alice, says(dave, "hi"), left(bob), head_of_line_hint);
}

TEST_CASE("a slow client is not dropped before its pending output passes --max-queue") {
    grader::flow::a_slow_client_is_kept_until_past_max_queue(head_of_line_hint);
}

// bob reads nothing while alice sends up to `count` big lines (carol
// reading); true once carol has heard him leave (then no more is sent). If
// he has not left when alice is done, waits for it without more traffic:
// the second of grace, and the reply deadline.
bool stalled_bob_is_dropped(Client& alice, Client& bob, std::vector<Client>& readers, int count) {
    if (grader::flow::relay_past_a_stalled_client(alice, readers, count, bob.address(), true, head_of_line_hint, true))
        return true;
    const auto line = readers[0].try_next_line(grader::settings().reply_timeout() + grader::settings().scaled(1.0));
    return line && *line == left(bob);
}

TEST_CASE("past --max-queue the slow client is dropped: the others hear it leave, its connection closes") {
    // A queue must hold a burst for a client that reads: alice sends 32 KB at
    // a time. Bob, who does not read, is far past 200,000 bytes soon.
    Server server(with_limits({"--max-queue", "200000"}));
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice}, 4096);
    std::vector<Client> readers;
    readers.push_back(join(server, "carol", {&alice, &bob}));
    // The kernel holds about 3 MB for bob; the server 200 KB more at most.
    // 12 MB is far past both.
    if (!stalled_bob_is_dropped(alice, bob, readers, 12000))
        grader::fail("bob has read nothing while alice sent 12 MB (the kernel buffers ~3 MB for him, and "
                     "--max-queue is 200000), yet carol never heard him leave",
                     "bound each client's pending output: a client that has taken nothing from its socket for a "
                     "second while past --max-queue bytes is dropped (its connection closed), and the others hear "
                     "'* NAME left'");
    readers[0].set_quiet(false);
    alice.expect_line(left(bob), left_hint);
    expect_closed_after_anything(bob, "a dropped client's connection is closed (bob may still read what the kernel "
                                      "had taken for him, then the end)");
    alice.send_line("after bob");
    readers[0].expect_line(says(alice, "after bob"), "dropping one client must not disturb the others");
}

TEST_CASE("the default --max-queue is 1 MiB: a stalled client is dropped past it") {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice}, 4096);
    std::vector<Client> readers;
    readers.push_back(join(server, "carol", {&alice, &bob}));
    if (!stalled_bob_is_dropped(alice, bob, readers, 16000))
        grader::fail("bob has read nothing while alice sent 16 MB, yet nobody heard him leave",
                     "without --max-queue, the limit is 1 MiB (1048576 bytes) of pending output per client");
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

TEST_SUITE("limits") {

TEST_CASE("--max-clients N: one more is told '! server full' and closed; nobody hears of it") {
    Server server(with_limits({"--max-clients", "3"}));
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    Client dave = server.connect("dave");
    dave.expect_line("! server full", "with --max-clients 3 and 3 clients connected, a 4th is answered '! server "
                                      "full' and closed");
    dave.expect_closed("after '! server full', close the connection");
    alice.send_line("after dave");
    for (Client* client : {&bob, &carol})
        client->expect_line(says(alice, "after dave"),
                            "a client turned away never joins: nobody hears of it (no '* ADDR joined', no '* ADDR "
                            "left')");
    bob.send_line("and me");
    alice.expect_line(says(bob, "and me"), "a client turned away never joins: nobody hears of it (no '* ADDR joined', "
                                           "no '* ADDR left')");
    carol.half_close();
    alice.expect_line(left(carol), left_hint);
    bob.expect_line(left(carol), left_hint);
    Client erin = join(server, "erin", {&alice, &bob});  // a place is free again
    erin.send_line("in at last");
    alice.expect_line(says(erin, "in at last"), "once a client has left, its place is free for the next");
}

TEST_CASE("'/who' never lists a client turned away by --max-clients") {
    Server server(with_limits({"--max-clients", "2"}));
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = server.connect("carol");
    carol.expect_line("! server full", "with --max-clients 2 and 2 clients connected, a 3rd is answered '! server "
                                       "full' and closed");
    carol.expect_closed("after '! server full', close the connection");
    alice.send_line("/who");
    alice.expect_line("* online: " + alice.address() + " " + bob.address(),
                      "a client turned away never joins the room: '/who' never lists it");
}

TEST_CASE("bad values for --max-clients or --max-queue: a usage message, exit status 2") {
    const std::vector<std::vector<std::string>> bad = {
        {"--max-clients", "0"}, {"--max-clients", "-1"}, {"--max-clients", "many"},
        {"--max-clients"},      {"--max-queue", "0"},    {"--max-queue", "1MiB"}};
    for (const auto& args : bad) {
        const grader::Finished run = grader::run_until_exit(with_limits(args));
        std::string err = run.err;
        std::ranges::transform(err, err.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string given;
        for (const std::string& arg : args) given += " " + arg;
        if (!run.status.exited || run.status.code != 2 || err.find("usage") == std::string::npos)
            grader::fail("started with" + given + ", the server " + run.status.describe() +
                             ", and printed on standard error " + grader::quote_bytes(run.err),
                         "--max-clients and --max-queue take a whole number of at least 1; anything else: a usage "
                         "message on standard error and exit status 2 (net::parse_options does it with a "
                         "net::NumberOption)");
    }
}

}  // TEST_SUITE

TEST_SUITE("shutdown") {

void shuts_down_on(int signal) {
    Server server;
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice});
    Client carol = join(server, "carol", {&alice, &bob});
    alice.send_line("last words before the end");
    bob.expect_line(says(alice, "last words before the end"), says_hint);
    carol.expect_line(says(alice, "last words before the end"), says_hint);
    server.send_signal(signal);
    for (Client* client : {&alice, &bob, &carol}) {
        client->expect_line("* server shutting down", std::string("on SIGINT or SIGTERM every client is told '* "
                                                                  "server shutting down'; ") + shutdown_hint);
        client->expect_closed(std::string("after the notice, close every connection; ") + shutdown_hint);
    }
    server.expect_exit(0, shutdown_hint);
}

TEST_CASE("SIGTERM: everyone hears '* server shutting down', every connection closes, exit status 0") {
    shuts_down_on(SIGTERM);
}

TEST_CASE("SIGINT (Ctrl-C): the same") { shuts_down_on(SIGINT); }

TEST_CASE("a client that stopped reading does not hold up the shutdown") {
    Server server(with_limits({"--max-queue", "16000000"}));
    Client alice = server.connect("alice");
    Client bob = join(server, "bob", {&alice}, 4096);
    std::vector<Client> readers;
    readers.push_back(join(server, "carol", {&alice, &bob}));
    grader::flow::relay_past_a_stalled_client(alice, readers, 4000, bob.address(), true,
                                              head_of_line_hint);  // bob: megabytes pending
    readers[0].set_quiet(false);
    server.send_signal(SIGTERM);
    // (A server that wrongly dropped bob may tell carol so first: that is
    // another test's business.)
    expect_line_perhaps_after(readers[0], "* server shutting down", left(bob), shutdown_hint);
    readers[0].expect_closed(shutdown_hint);
    expect_line_perhaps_after(alice, "* server shutting down", left(bob), shutdown_hint);
    server.expect_exit(0, "bob has megabytes pending and reads nothing: a writer that waits for him to read "
                          "waits for ever. Give the others a moment to receive the notice, then close whatever "
                          "is left (shutdown() on a socket wakes a thread blocked in send() or recv() on it), join "
                          "every thread and return 0, all within 2 seconds");
    expect_closed_after_anything(bob, "every connection closes at shutdown, a stalled client's too");
}

}  // TEST_SUITE
