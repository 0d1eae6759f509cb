// Lab 06 — chat-server. One test per promise of the lab contract: start-up
// (tests/harness/startup.hpp); join and leave notices, relaying ("ADDR says:
// LINE") to everyone but the sender, /who, lines however they are split,
// the last line on half-close, many clients at once, rude clients that
// disturb nobody (tests/harness/checks/chat.hpp, shared with the later chat
// labs); and here, what is lab 06's own: addresses over IPv6, long lines,
// and a real client (netcat).

#include <algorithm>
#include <csignal>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "checks/chat.hpp"
#include "grader.hpp"

using grader::Client;
using grader::chat::Room;

// The test with a real client runs netcat: without it, grading refuses to
// start (exit 2), rather than leave that test unchecked.
GRADER_NEEDS_PROGRAM("nc", "netcat", "netcat-openbsd");

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()

// The chat itself, a client named by its address (tests/harness/checks/chat.hpp).
TEST_SUITE("joining and leaving") {
    TEST_CASE("the others get '* NAME joined' when a client connects; the newcomer gets nothing") {
        grader::chat::others_hear_a_client_join(grader::chat::by_address);
    }
    TEST_CASE("the others get '* NAME left' when a client closes its side; its connection is closed") {
        grader::chat::others_hear_a_client_leave_when_it_closes(grader::chat::by_address);
    }
    TEST_CASE("the others get '* NAME left' when a client resets its connection") {
        grader::chat::others_hear_a_client_leave_when_it_resets(grader::chat::by_address);
    }
    TEST_CASE("a client who left is heard no more") {
        grader::chat::a_client_who_left_is_heard_no_more(grader::chat::by_address);
    }
}
TEST_SUITE("chat") {
    TEST_CASE("a line goes to every other client as 'NAME says: LINE'") {
        grader::chat::a_line_goes_to_every_other_client(grader::chat::by_address);
    }
    TEST_CASE("the sender gets nothing back") {
        grader::chat::the_sender_gets_nothing_back(grader::chat::by_address);
    }
    TEST_CASE("empty lines are ignored") {
        grader::chat::empty_lines_are_ignored(grader::chat::by_address);
    }
    TEST_CASE("a line sent one byte at a time arrives whole") {
        grader::chat::a_line_sent_byte_by_byte_arrives_whole(grader::chat::by_address);
    }
    TEST_CASE("many lines in one write, and a line over several writes, arrive as lines, in order") {
        grader::chat::lines_arrive_as_lines_however_written(grader::chat::by_address);
    }
    TEST_CASE("'\\r\\n' ends a line too: one '\\r' before the '\\n' is dropped") {
        grader::chat::cr_lf_ends_a_line(grader::chat::by_address);
    }
    TEST_CASE("two clients typing at once: each line arrives whole") {
        grader::chat::two_clients_typing_at_once(grader::chat::by_address);
    }
    TEST_CASE("'/who' is answered to the asker alone: everyone online, in the order they connected") {
        grader::chat::who_lists_everyone_in_order(grader::chat::by_address);
    }
    TEST_CASE("'/who' is a command only as the exact whole line") {
        grader::chat::who_is_a_command_only_as_the_whole_line(grader::chat::by_address);
    }
    TEST_CASE("a last line without '\\n' is relayed when its sender closes its side") {
        grader::chat::a_last_line_is_relayed_at_half_close(grader::chat::by_address);
    }
}
TEST_SUITE("many clients") {
    TEST_CASE("50 clients each send 100 lines at once: every other client gets them all, whole, in order") {
        grader::chat::fifty_clients_send_at_once(grader::chat::by_address);
    }
    TEST_CASE("clients joining and leaving during the traffic disturb nobody") {
        grader::chat::clients_come_and_go_during_traffic(grader::chat::by_address);
    }
    TEST_CASE("a client that resets while lines are relayed to it disturbs nobody") {
        grader::chat::a_reset_while_relaying_disturbs_nobody(grader::chat::by_address);
    }
    TEST_CASE("clients that reset or close in the middle of a line disturb nobody") {
        grader::chat::resets_mid_line_disturb_nobody(grader::chat::by_address);
    }
    TEST_CASE("threads and descriptors end with their clients") {
        grader::chat::threads_and_descriptors_end_with_clients(grader::chat::by_address);
    }
}

TEST_SUITE("a whole conversation") {

// What one client hears, in order, all of it: the other tests pass over
// lines that belong to another feature's test (notices, a line come back
// to its sender); this one checks a conversation as its users see it.
class Listener {
public:
    explicit Listener(Client client) : client_(std::move(client)) {}
    Client& client() { return client_; }
    const std::string& address() const { return client_.address(); }

    // The next line this client hears must be `expected`.
    void hears(const std::string& expected, grader::Where where = grader::Where::current()) {
        const std::optional<std::string> got = client_.try_next_line(grader::settings().reply_timeout());
        if (got == expected) {
            heard_.push_back(expected);
            return;
        }
        grader::fail(client_.name() + " expected to hear next " + grader::quote_bytes(expected + "\n") +
                         "\n  but " +
                         (got ? "heard " + grader::quote_bytes(*got + "\n")
                              : client_.is_closed() ? std::string("the server closed the connection")
                                                    : "within " + grader::seconds_text(grader::settings().reply_timeout()) +
                                                          " heard nothing more") +
                         "\n" + so_far(),
                     why(got, expected), where);
    }
    // Nothing more comes to this client.
    void hears_nothing_more(grader::Where where = grader::Where::current()) {
        const auto got = client_.try_next_line(grader::settings().silence_window());
        if (!got) return;
        grader::fail(client_.name() + " should have heard nothing more, but heard " + grader::quote_bytes(*got + "\n") +
                         "\n" + so_far(),
                     why(got, ""), where);
    }

private:
    std::string so_far() const {
        std::string text = "  what " + client_.name() + " had heard until then, in order:\n";
        for (const std::string& line : heard_) text += "    " + grader::quote_bytes(line + "\n") + "\n";
        return heard_.empty() ? text + "    (nothing)\n" : text;
    }
    // The hint for hearing `got` (or nothing) where `expected` was due.
    std::string why(const std::optional<std::string>& got, const std::string& expected) const {
        if (got && got->starts_with(address() + " says: ")) return grader::chat::no_echo_hint;
        if (got && *got == "* " + address() + " joined")
            return "the newcomer itself gets nothing: send '* ADDR joined' to the others only";
        if (expected.ends_with(" joined")) return grader::chat::join_hint;
        if (expected.ends_with(" left")) return grader::chat::left_hint;
        if (expected.starts_with("* online:"))
            return got && got->starts_with("* online:") && got->size() > expected.size()
                       ? "a client that has left must be taken off the list at once: '/who' lists only the clients "
                         "still connected"
                       : "answer '/who' with '* online: ADDR ADDR ...', every client still connected, in the order "
                         "they connected, the asker included";
        if (const auto says = expected.find(" says: "); says != std::string::npos)
            return got && got->starts_with(expected.substr(0, says + 7)) ? grader::chat::framing_hint
                                                                         : grader::chat::says_hint;
        return "each client hears the others' lines and the notices about the others, and nothing else";
    }

    Client client_;
    std::vector<std::string> heard_;
};

TEST_CASE("a whole conversation: each client hears exactly what it should, in order, and nothing more") {
    grader::Server server;
    Listener alice(server.connect("alice"));
    Listener bob(server.connect("bob"));
    const std::string a = alice.address(), b = bob.address();
    alice.hears("* " + b + " joined");
    alice.client().send_line("hi bob");
    bob.hears(a + " says: hi bob");
    bob.client().send("hello ");
    server.wait_until_read(bob.client());
    bob.client().send("alice\n");
    alice.hears(b + " says: hello alice");
    Listener carol(server.connect("carol"));
    const std::string c = carol.address();
    alice.hears("* " + c + " joined");
    bob.hears("* " + c + " joined");
    carol.client().send_line("/who");
    carol.hears("* online: " + a + " " + b + " " + c);
    bob.client().half_close();
    alice.hears("* " + b + " left");
    carol.hears("* " + b + " left");
    carol.client().send_line("bye, bob");
    alice.hears(c + " says: bye, bob");
    carol.hears_nothing_more();
    alice.client().send_line("/who");
    alice.hears("* online: " + a + " " + c);
    carol.client().reset();
    alice.hears("* " + c + " left");
    alice.client().send_line("/who");
    alice.hears("* online: " + a);
    alice.hears_nothing_more();
}

}  // TEST_SUITE

TEST_SUITE("starting up, chat") {

TEST_CASE("with --host ::1, a client's ADDR is written [IP]:PORT") {
    Room room(grader::chat::by_address, grader::with_args({"--host", "::1"}));
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    if (!bob.address().starts_with("[::1]:"))
        grader::fail("started with --host ::1, the server should listen on [::1], but bob reached it from " +
                         bob.address(),
                     "pass the host to getaddrinfo() and listen on the address it returns");
    const char* const hint = "an IPv6 address is written in brackets: [::1]:51234 (net::Address does it)";
    bob.send_line("over IPv6");
    room.expect(alice, room.says(bob, "over IPv6"), hint);
    if (room.announces().who) {  // else '/who' fails tests of its own
        alice.send_line("/who");
        room.expect(alice, room.online({&alice, &bob}), hint);
    }
}

}  // TEST_SUITE

TEST_SUITE("long lines") {

// A line of `length` bytes, none of them '\n', so that a cut or mixed-up
// line shows.
std::string long_line(std::size_t length) {
    std::string line;
    for (int i = 0; line.size() < length; ++i) line += std::to_string(i) + ",";
    line.resize(length);
    return line;
}

TEST_CASE("a line of 64 KiB arrives whole") {
    Room room(grader::chat::by_address);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    const std::string line = long_line(65536);
    alice.send_line(line);
    room.expect(bob, room.says(alice, line), "a line may be longer than one recv(): keep reading until its '\\n'");
}

TEST_CASE("a line over 1 MiB does not stop the server; the others chat on") {
    // The contract sets no limit on a line in lab 06: a server may relay it
    // whole, or drop its sender once it has read it; what it may not do is
    // die, or relay part of it.
    Room room(grader::chat::by_address);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    const std::string line = long_line((std::size_t{1} << 20) + 1);
    const char* const hint = "a line of any length must not bring the server down: keep it in a std::string that "
                             "grows (memory is the only limit), or drop that client; never a fixed buffer, and "
                             "never let an exception end the program";
    for (Client* client : {&alice, &bob, &carol}) client->set_quiet(true);
    grader::transcript().add("alice", "sends a line of 1 MiB and one byte, then \"after the long line\\n\", from",
                             line.substr(0, 40), true);
    alice.send(line + "\nafter the long line\n");
    // bob hears alice's long line and the next one, or alice is dropped.
    const auto deadline = grader::Clock::now() + grader::settings().scaled(5.0);
    while (true) {
        if (const auto got = bob.try_next_line(std::chrono::milliseconds(10))) {
            if (*got == room.says(alice, "after the long line")) break;
            if (*got == room.says(alice, line) || room.is_noise(bob, *got)) continue;
            grader::fail("bob expected alice's line of " + std::to_string(line.size()) + " bytes whole, or nothing "
                         "of it, but received " + grader::quote_bytes(*got), hint);
        }
        if (bob.is_closed()) {
            room.server().expect_running(hint);
            grader::fail("the server closed bob's connection when alice sent a long line", hint);
        }
        if (!alice.try_next_line(std::chrono::milliseconds(0)) && alice.is_closed()) break;  // alice was dropped
        if (grader::Clock::now() > deadline) {
            room.server().expect_running(hint);
            grader::fail("alice sent a line of 1 MiB and one byte, then another; " +
                             grader::seconds_text(grader::settings().scaled(5.0)) +
                             " later bob has heard neither, and alice is still connected",
                         "relay a long line like any other (or close the connection of its sender)");
        }
    }
    room.server().expect_running(hint);
    bob.set_quiet(false);
    carol.set_quiet(false);
    bob.send_line("still chatting");
    room.ignore(room.says(alice, line));
    room.ignore(room.says(alice, "after the long line"));
    room.expect(carol, room.says(bob, "still chatting"), hint);
    carol.send_line("me too");
    room.expect(bob, room.says(carol, "me too"), hint);
    room.server().expect_running(hint);
}

}  // TEST_SUITE

TEST_SUITE("a real client") {

TEST_CASE("netcat (nc) chats with the others: a client nobody here wrote") {
    // The suite refuses to start without nc (GRADER_NEEDS_PROGRAM above).
    const std::string netcat_path = grader::find_on_path("nc");
    if (netcat_path.empty()) grader::skip_test("nc (netcat) is not on the PATH");
    Room room(grader::chat::by_address);
    grader::Server& server = room.server();
    Client alice = room.join("alice", {});
    grader::transcript().add("grader", "starts netcat: nc " + server.host() + " " + std::to_string(server.port()));
    grader::ChildProcess netcat({netcat_path, server.host(), std::to_string(server.port())}, grader::Limits{}, true);
    auto netcat_says = [&] {
        return "\n  netcat printed " + grader::quote_bytes(netcat.stdout_text()) + "\n  and on standard error " +
               grader::quote_bytes(netcat.stderr_text());
    };

    std::string netcat_address;
    // The next line netcat prints, notices and its own lines apart (they
    // have tests of their own).
    auto netcat_line = [&] {
        while (true) {
            auto line = netcat.next_stdout_line(grader::Clock::now() + room.patience_for_lines());
            grader::transcript().add("netcat", "prints", line.value_or("(nothing)"), true);
            const bool notice = line && line->starts_with("* ") && (line->ends_with(" joined") || line->ends_with(" left"));
            const bool own = line && !netcat_address.empty() && line->starts_with(netcat_address + " says: ");
            if (!notice && !own) return line;
        }
    };

    // netcat's address, as the server names it: from its join notice, or
    // else from '/who' (whichever this server sends).
    if (!room.announces().joins && !room.announces().who)
        grader::fail("the grader cannot tell netcat's address: at the start, this server was seen to send neither "
                     "join notices nor answers to '/who'",
                     grader::chat::join_hint);
    if (room.announces().joins) {
        std::string notice = alice.next_line(grader::chat::join_hint);
        while (notice == room.joined(alice)) notice = alice.next_line(grader::chat::join_hint);  // her own: its test says so
        if (!notice.starts_with("* ") || !notice.ends_with(" joined"))
            grader::fail("alice expected netcat's '* ADDR joined', but received " + grader::quote_bytes(notice),
                         grader::chat::join_hint);
        netcat_address = notice.substr(2, notice.size() - 9);
    } else {
        const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
        while (netcat_address.empty()) {
            const std::string answer = room.ask_who(alice);
            const auto space = answer.rfind(' ');
            if (answer.starts_with("* online: " + alice.address() + " ")) netcat_address = answer.substr(space + 1);
            else if (grader::Clock::now() > deadline)
                grader::fail("netcat connected, but '/who' does not list it: " + grader::quote_bytes(answer),
                             "add each client to the list as it is accepted");
            else std::this_thread::sleep_for(std::chrono::milliseconds(5));  // pacing the questions
        }
    }

    alice.send_line("hello, netcat");
    const auto printed = netcat_line();
    if (printed != room.says(alice, "hello, netcat"))
        grader::fail("netcat should have printed " + grader::quote_bytes(room.says(alice, "hello, netcat")) +
                         netcat_says(),
                     grader::chat::says_hint);

    grader::transcript().add("netcat", "is typed", "hello from netcat\n", true);
    netcat.write_stdin("hello from netcat\n");
    room.expect(alice, netcat_address + " says: hello from netcat", grader::chat::says_hint);

    if (room.announces().who) {  // else '/who' fails tests of its own
        grader::transcript().add("netcat", "is typed", "/who\n", true);
        netcat.write_stdin("/who\n");
        const auto who = netcat_line();
        if (who != "* online: " + alice.address() + " " + netcat_address)
            grader::fail("netcat should have printed " +
                             grader::quote_bytes("* online: " + alice.address() + " " + netcat_address) + netcat_says(),
                         "answer '/who' with '* online: ADDR ADDR ...', in the order the clients connected");
    }

    grader::transcript().add("grader", "stops netcat (SIGTERM)");
    netcat.signal_group(SIGTERM);
    room.wait_gone(netcat_address, {&alice});
}

}  // TEST_SUITE
