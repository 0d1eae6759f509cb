#include "checks/chat.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

#include "checks/many_clients.hpp"
#include "checks/paced.hpp"
#include "settings.hpp"

namespace grader::chat {

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

namespace {

const char* const who_hint = "answer '/who' with '* online: ADDR ADDR ...', the asker included";
const char* const threads_hint = "each client's thread must end (return from its function) once its client has left";

bool is_join_or_leave(const std::string& line) {
    return line.starts_with("* ") && (line.ends_with(" joined") || line.ends_with(" left"));
}

bool is_rename(const std::string& line) {
    return line.starts_with("* ") && line.find(" is now ") != std::string::npos;
}

bool is_valid_nickname_byte(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

const Protocol by_address{
    .nickname = {},
    .hints = {join_hint, says_hint, left_hint, framing_hint, who_hint, threads_hint},
};

const Protocol by_nickname{
    .nickname = nickname_of,
    .unknown_commands_answered = true,
    .control_bytes_removed = true,
    .slow_clients_dropped = true,
    .hints =
        {
            .join = "when a client connects, send '* ADDR joined' to every other client, ADDR being the newcomer's "
                    "address (IP:PORT): it has no name yet; the newcomer itself gets nothing",
            .says = "relay each line to every other client as 'NAME says: LINE': NAME is the sender's name (its "
                    "address until it takes one with /nick), LINE the line without its '\\n' (and without a '\\r' "
                    "just before it)",
            .left = "when a client leaves (end of stream, reset, /quit, a line too long, dropped), remove it and "
                    "send '* NAME left' to every client still connected (NAME: its current name)",
            .framing = "TCP is a byte stream: one recv() may hold part of a line, or several lines. Keep each "
                       "client's bytes in its own line buffer and relay whole lines, one 'NAME says: LINE' per line",
            .who = "answer '/who' with '* online: NAME NAME ...', every client by its current name (its address "
                   "until /nick), the asker included",
            .threads = "both of a client's threads (its reader and its writer) must end once it has left: the "
                       "writer must be woken (a condition variable, or shutdown() on its socket), not left waiting",
        },
};

std::string nickname_of(const Client& client) {
    std::string name = client.name().substr(0, 20);
    for (char& c : name)
        if (!is_valid_nickname_byte(c)) c = '_';
    return name.empty() ? "x" : name;
}

namespace {

std::vector<std::string> words_of(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::vector<std::string> words;
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

// Which notices this program sends, seen once per run on a server of its
// own, so that a test of one feature waits on another only if it works.
const Announcements& learn(const Protocol& protocol) {
    static std::optional<Announcements> learned;
    if (learned) return *learned;
    // If the probe fails (the program dies on it), this test says so, and
    // the next ones wait for every sign on servers of their own, where they
    // fail at their own steps: they do not probe again.
    learned = Announcements{};
    const auto within = settings().reply_timeout();
    transcript().add("grader", "first learns, on a server of its own, which notices this program sends (so that a "
                               "test of one feature does not wait for another)");
    Announcements seen{false, false, false, false, false};
    {
        // All at once, so that a program that lacks them all costs one
        // deadline, not four: probe2's thread reads "/nick" (with
        // nicknames), "/who", the line and the end of its stream in that
        // order, after the server announced it.
        Server probe;
        Client first = probe.connect("probe1");
        // probe1 is listed before probe2 comes, however the server orders
        // its work: its thread has read what it sent (an empty line, which
        // says nothing).
        first.send("\n");
        probe.has_read_all_from(first, within);
        Client second = probe.connect("probe2");
        // probe2 is named by its address, or by the nickname it asks for
        // (if the server answers "/nick").
        const std::string address = second.address();
        const std::string nick = protocol.nickname ? protocol.nickname(second) : address;
        auto names_probe2 = [&](const std::string& line, std::string_view before, std::string_view after) {
            return line == std::string(before) + nick + std::string(after) ||
                   line == std::string(before) + address + std::string(after);
        };
        second.send((protocol.nickname ? "/nick " + nick + "\n" : std::string()) + "/who\na line for probe1\n");
        second.half_close();
        const auto deadline = Clock::now() + within;
        auto remaining = [&] {
            return std::max(std::chrono::milliseconds(0),
                            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
        };
        while (!(seen.joins && seen.relays && seen.leaves)) {
            const auto line = first.try_next_line(remaining());
            if (!line) break;
            seen.joins = seen.joins || *line == "* " + address + " joined";
            seen.relays = seen.relays || names_probe2(*line, "", " says: a line for probe1");
            seen.leaves = seen.leaves || names_probe2(*line, "* ", " left");
        }
        while (!seen.who || (protocol.nickname && !seen.nicks)) {
            const auto line = second.try_next_line(remaining());
            if (!line) break;
            const auto listed = words_of(*line);
            seen.who = seen.who || (line->starts_with("* online: ") &&
                                    std::count(listed.begin(), listed.end(), address) +
                                            (nick == address ? 0 : std::count(listed.begin(), listed.end(), nick)) ==
                                        1);
            seen.nicks = seen.nicks || *line == "* you are now " + nick;
        }
    }
    learned = seen;
    transcript().add("grader", std::string("has learned: join notices ") + (seen.joins ? "sent" : "NOT sent") +
                                   ", leave notices " + (seen.leaves ? "sent" : "NOT sent") + ", '/who' " +
                                   (seen.who ? "answered" : "NOT answered") + ", lines " +
                                   (seen.relays ? "relayed" : "NOT relayed") +
                                   (protocol.nickname ? std::string(", '/nick' ") +
                                                            (seen.nicks ? "answered" : "NOT answered (clients are "
                                                                                       "named by their addresses)")
                                                      : std::string()) +
                                   "; now the test itself");
    return *learned;
}

}  // namespace

Room::Room(const Protocol& protocol, StartOptions options, Where where)
    : protocol_(protocol), announces_(learn(protocol_)) {
    server_.emplace(std::move(options), where);
}

std::string Room::name(const Client& client) const {
    if (!protocol_.nickname || !announces_.nicks || unnamed_.count(client.address())) return client.address();
    return protocol_.nickname(client);
}

std::string Room::online(const std::vector<const Client*>& clients) const {
    std::string line = "* online:";
    for (const Client* client : clients) line += " " + name(*client);
    return line;
}

Client Room::connect(std::string client_name, int receive_buffer, Where where) {
    Client newcomer = server_->connect(std::move(client_name), receive_buffer, where);
    unnamed_.erase(newcomer.address());  // a port used again
    if (protocol_.nickname && announces_.nicks) introduce(newcomer, where);
    return newcomer;
}

Client Room::connect_unnamed(std::string client_name, Where where) {
    Client newcomer = server_->connect(std::move(client_name), 0, where);
    if (protocol_.nickname) unnamed_.insert(newcomer.address());
    return newcomer;
}

void Room::introduce(Client& newcomer, Where where) {
    const std::string nick = protocol_.nickname(newcomer);
    const std::string answer = "* you are now " + nick;
    const char* const hint = "'/nick NAME' with a free, valid name is answered '* you are now NAME' to the asker "
                             "alone (this test names every client so; its nickname tests say more)";
    newcomer.send_line("/nick " + nick, where);
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        const std::optional<std::string> line = newcomer.try_next_line(std::max(left, std::chrono::milliseconds(0)));
        if (!line)
            fail(newcomer.name() + " sent '/nick " + nick + "' and expected " + quote_bytes(answer + "\n") +
                     "\n  but " +
                     (newcomer.is_closed() ? std::string("the server closed the connection")
                                           : "within " + seconds_text(settings().reply_timeout()) + " it did not come"),
                 hint, where);
        if (*line == answer) return;
        if (line->starts_with("! ") || line->starts_with("* you are now "))
            fail(newcomer.name() + " sent '/nick " + nick + "' and expected " + quote_bytes(answer + "\n") +
                     "\n  but received " + quote_bytes(*line + "\n"),
                 hint, where);
        // Lines from the others, sent before the server read "/nick": another
        // test's business.
        if (is_notice(*line)) passed_over_[newcomer.name()].insert(*line);
    }
}

Client Room::join(std::string client_name, const std::vector<Client*>& here, int receive_buffer, Where where) {
    Client newcomer = connect(std::move(client_name), receive_buffer, where);
    if (!announces_.joins && announces_.who) {
        // No join notice to wait for: the newcomer's own "/who", answered,
        // says its thread runs and the server lists it.
        transcript().add("grader", "waits for " + newcomer.name() + "'s '/who' to be answered: then the server lists it");
        ask_who(newcomer, where);
        return newcomer;
    }
    // No sign at all (neither notices nor '/who'): the program fails their
    // tests; the others go on without waiting.
    if (!announces_.joins) return newcomer;
    for (Client* client : here) expect(*client, joined(newcomer), hints().join, where);
    return newcomer;
}

void Room::wait_gone(const Client& leaver, const std::vector<Client*>& here, Where where) {
    wait_gone(name(leaver), here, where);
}

void Room::wait_gone(const std::string& leaver, const std::vector<Client*>& here, Where where) {
    if (!announces_.leaves && !announces_.who) return;  // no sign at all: see join()
    if (announces_.leaves || here.empty()) {
        for (Client* client : here) expect(*client, "* " + leaver + " left", hints().left, where);
        return;
    }
    // No leave notice to wait for: ask "/who" until the leaver is not listed.
    transcript().add("grader", "asks '/who' until " + leaver + " is no longer listed");
    const auto deadline = Clock::now() + settings().reply_timeout();
    Client& asker = *here.front();
    std::string answer;
    while (true) {
        answer = ask_who(asker, where);
        const auto listed = words_of(answer);
        if (std::find(listed.begin(), listed.end(), leaver) == listed.end()) break;
        if (Clock::now() > deadline) {
            fail(leaver + " has left, but " + std::to_string(settings().reply_timeout().count() / 1000.0).substr(0, 3) +
                     " s later '/who' still lists it: " + quote_bytes(answer),
                 "take a client off the list as soon as its recv() returns 0 or fails", where);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // pacing the questions, not waiting for an event
    }
}

bool Room::is_known_missing(const std::string& expected) const {
    if (expected.starts_with("* online:")) return !announces_.who;
    if (expected.starts_with("* ") && expected.ends_with(" joined")) return !announces_.joins;
    if (expected.starts_with("* ") && expected.ends_with(" left")) return !announces_.leaves;
    return expected.find(" says: ") != std::string::npos && !announces_.relays;
}

std::chrono::milliseconds Room::patience_for_lines() const {
    return announces_.relays ? settings().reply_timeout() : settings().silence_window();
}

bool Room::is_notice(const std::string& line) const {
    return is_join_or_leave(line) || (protocol_.nickname && is_rename(line));
}

bool Room::is_noise(const Client& reader, const std::string& line) const {
    return is_notice(line) || line.starts_with(name(reader) + " says: ") || ignored_.count(line) > 0;
}

std::string Room::next_line(Client& reader, std::string_view hint, Where where) {
    return next_line_within(reader, announces_.relays ? settings().reply_timeout() : settings().silence_window(), hint,
                            where);
}

std::string Room::next_line_within(Client& reader, std::chrono::milliseconds within, std::string_view hint,
                                   Where where) {
    while (true) {
        const std::optional<std::string> line = reader.try_next_line(within);
        if (!line) {
            fail(reader.name() + " expected a line, but " +
                     (reader.is_closed() ? std::string("the server closed the connection")
                                         : "within " + seconds_text(within) + " nothing more came"),
                 hint, where);
        }
        if (is_notice(*line)) passed_over_[reader.name()].insert(*line);
        if (!is_noise(reader, *line)) return *line;
    }
}

std::optional<std::string> Room::try_next_line(Client& reader, std::chrono::milliseconds within) {
    const auto deadline = Clock::now() + within;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        std::optional<std::string> line = reader.try_next_line(std::max(left, std::chrono::milliseconds(0)));
        if (!line) return std::nullopt;
        if (is_notice(*line)) passed_over_[reader.name()].insert(*line);
        if (!is_noise(reader, *line)) return line;
    }
}

void Room::expect(Client& reader, const std::string& expected, std::string_view hint, Where where) {
    // A notice may have come already, passed over while waiting for a line.
    auto& passed_over = passed_over_[reader.name()];
    if (const auto found = passed_over.find(expected); found != passed_over.end()) {
        passed_over.erase(found);
        return;
    }
    const bool known_missing = is_known_missing(expected);
    const auto within = known_missing ? settings().silence_window() : settings().reply_timeout();
    while (true) {
        const std::optional<std::string> line = reader.try_next_line(within);
        if (!line) {
            std::string what = reader.name() + " expected the line " + quote_bytes(expected + "\n") + "\n  but ";
            if (reader.is_closed()) what += "the server closed the connection";
            else what += "within " + seconds_text(within) + " nothing more came";
            if (known_missing)
                what += "\n  (at the start, this server was seen not to send such lines at all: the grader waits "
                        "no longer for them)";
            fail(what, hint.empty() ? std::string_view(hints().says) : hint, where);
        }
        if (*line == expected) return;
        if (is_notice(*line)) passed_over.insert(*line);
        if (is_noise(reader, *line)) continue;
        fail(reader.name() + " expected the line " + quote_bytes(expected + "\n") + "\n  but received      " +
                 quote_bytes(*line + "\n"),
             hint, where);
    }
}

void Room::expect_closed(Client& reader, std::string_view hint, Where where) {
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (!reader.is_closed()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        const auto line = reader.try_next_line(std::max(left, std::chrono::milliseconds(0)));
        if (line) {
            if (!is_noise(reader, *line))
                fail(reader.name() + " expected the server to close the connection, but first received " +
                         quote_bytes(*line + "\n"),
                     hint, where);
            continue;
        }
        if (!reader.is_closed())
            fail(reader.name() + " expected the server to close the connection, but it is still open " +
                     seconds_text(settings().reply_timeout()) + " later",
                 hint.empty() ? "close the client's socket once you are done with it" : hint, where);
    }
    reader.expect_closed(hint, where);  // closed: fails only if part of a line came before the end
}

void Room::expect_quiet(Client& reader, std::string_view hint, bool own_lines_are_noise, Where where) {
    const auto window = settings().silence_window();
    transcript().add(reader.name(), "watches for " + seconds_text(window) + " that nothing arrives (notices apart)");
    const auto deadline = Clock::now() + window;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return;
        const auto line = reader.try_next_line(left);
        if (!line) {
            if (reader.is_closed()) return;
            continue;
        }
        if (is_notice(*line)) passed_over_[reader.name()].insert(*line);
        const bool own_line = line->starts_with(name(reader) + " says: ");
        if (!is_noise(reader, *line) || (own_line && !own_lines_are_noise))
            fail(reader.name() + " should have received nothing, but received " + quote_bytes(*line + "\n"), hint, where);
    }
}

std::string Room::ask_who(Client& asker, Where where) {
    asker.send_line("/who", where);
    const std::string answer = next_line_within(
        asker, announces_.who ? settings().reply_timeout() : settings().silence_window(), hints().who, where);
    if (!answer.starts_with("* online:"))
        fail(asker.name() + " sent '/who' and expected '* online: ...', but received " + quote_bytes(answer + "\n"),
             hints().who, where);
    return answer;
}

// ---------------------------------------------------------------- joining and leaving

void others_hear_a_client_join(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.connect("alice");
    Client bob = room.connect("bob");
    room.expect(alice, room.joined(bob), room.hints().join);
    Client carol = room.connect("carol");
    room.expect(alice, room.joined(carol), room.hints().join);
    room.expect(bob, room.joined(carol), room.hints().join);
    carol.expect_silence("the newcomer gets no notice of its own arrival, nor of those who were there before it "
                         "(it can ask /who)");
}

void others_hear_a_client_leave_when_it_closes(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    bob.half_close();
    room.expect_closed(bob, "once a client has closed its side, tell the others it left and close its socket");
    room.expect(alice, room.left(bob), room.hints().left);
    room.expect(carol, room.left(bob), room.hints().left);
}

void others_hear_a_client_leave_when_it_resets(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    bob.reset();
    const std::string hint = std::string(room.hints().left) + "; a reset (ECONNRESET) is a client leaving too";
    room.expect(alice, room.left(bob), hint);
    room.expect(carol, room.left(bob), hint);
    room.server().expect_running();
}

void a_client_who_left_is_heard_no_more(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    carol.half_close();
    room.expect_closed(carol);
    room.wait_gone(carol, {&alice, &bob});
    alice.send_line("just us two");
    room.expect(bob, room.says(alice, "just us two"), "remove a client from the list when it leaves");
    bob.send_line("indeed");
    room.expect(alice, room.says(bob, "indeed"), "remove a client from the list when it leaves");
}

// ---------------------------------------------------------------- chat

void a_line_goes_to_every_other_client(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    alice.send_line("hello, everyone");
    room.expect(bob, room.says(alice, "hello, everyone"), room.hints().says);
    room.expect(carol, room.says(alice, "hello, everyone"), room.hints().says);
    carol.send_line("hi alice");
    room.expect(alice, room.says(carol, "hi alice"), room.hints().says);
    room.expect(bob, room.says(carol, "hi alice"), room.hints().says);
}

void the_sender_gets_nothing_back(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    alice.send_line("do I hear myself?");
    room.expect(bob, room.says(alice, "do I hear myself?"), room.hints().says);
    room.expect_quiet(alice, no_echo_hint, false);
}

void empty_lines_are_ignored(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    alice.send("\n\r\n\n");
    alice.send_line("after the empty lines");
    room.expect(bob, room.says(alice, "after the empty lines"),
                "an empty line (\"\\n\", or \"\\r\\n\") says nothing: do not relay it");
}

void a_line_sent_byte_by_byte_arrives_whole(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    alice.send_slowly("one byte at a time\n");
    room.expect(bob, room.says(alice, "one byte at a time"), room.hints().framing);
}

void lines_arrive_as_lines_however_written(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    alice.send("first\nsecond\nthird\n");
    alice.send("fou");
    room.server().wait_until_read(alice);
    alice.send("rth\nfif");
    room.server().wait_until_read(alice);
    alice.send("th\n");
    for (const char* line : {"first", "second", "third", "fourth", "fifth"})
        room.expect(bob, room.says(alice, line), room.hints().framing);
}

void cr_lf_ends_a_line(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    alice.send("from telnet\r\n");
    room.expect(bob, room.says(alice, "from telnet"), "drop one '\\r' just before the '\\n' (telnet sends \"\\r\\n\")");
    // Where control bytes are removed from relayed text, the '\r' left in
    // "two\r" is one of them: the control bytes' own test sends that.
    if (room.protocol().control_bytes_removed) return;
    alice.send("two\r\r\n");
    room.expect(bob, room.says(alice, "two\r"), "drop only one '\\r', the one just before the '\\n'");
}

void two_clients_typing_at_once(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    // alice and bob each send a line in pieces, the pieces of one between
    // those of the other, each read by the server before the next is sent.
    alice.send("alice starts ");
    room.server().wait_until_read(alice);
    bob.send("bob starts ");
    room.server().wait_until_read(bob);
    alice.send("and ends\n");
    bob.send("and ends too\n");
    const char* const framing = room.hints().framing;
    std::multiset<std::string> got = {room.next_line(carol, framing), room.next_line(carol, framing)};
    const std::multiset<std::string> expected = {room.says(alice, "alice starts and ends"),
                                                 room.says(bob, "bob starts and ends too")};
    if (got != expected)
        fail("carol should have received\n  " + quote_bytes(*expected.begin()) + " and\n  " +
                 quote_bytes(*expected.rbegin()) + " (in either order)\n  but received\n  " + quote_bytes(*got.begin()) +
                 " and\n  " + quote_bytes(*got.rbegin()),
             "each client's bytes go into that client's own line buffer (one LineReader per client), and "
             "each line goes out whole: two threads writing to one socket take turns (a lock per client)");
    room.expect(alice, room.says(bob, "bob starts and ends too"), room.hints().says);
    room.expect(bob, room.says(alice, "alice starts and ends"), room.hints().says);
}

void who_lists_everyone_in_order(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.connect("alice");
    alice.send_line("/who");
    room.expect(alice, room.online({&alice}), room.hints().who);
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    bob.half_close();
    room.wait_gone(bob, {&alice, &carol});
    Client dave = room.join("dave", {&alice, &carol});
    carol.send_line("/who");
    room.expect(carol, room.online({&alice, &carol, &dave}),
                "list every client still connected, in the order they connected, the asker included, "
                "separated by single spaces");
    room.expect_quiet(dave, "'/who' is answered to the asker alone: do not relay it");
}

void who_is_a_command_only_as_the_whole_line(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    for (const std::string line : {"/who ", " /who", "/whom", "/WHO"}) {
        alice.send_line(line);
        if (room.protocol().unknown_commands_answered && line.starts_with("/")) {
            // An unknown command: whether it is answered so, or relayed, is
            // the unknown commands' test's business; here, it is not '/who'.
            room.ignore("! unknown command: " + line);
            room.ignore(room.says(alice, line));
            continue;
        }
        room.expect(bob, room.says(alice, line), "only the line '/who' exactly is the command; anything else is chat");
    }
    alice.send("/who\r\n");
    room.expect(alice, room.online({&alice, &bob}), "'/who\\r\\n' is the line '/who' (the '\\r' before the '\\n' is dropped)");
    if (room.protocol().unknown_commands_answered)  // nothing relayed tells: no second answer, then
        room.expect_quiet(alice, "only the line '/who' exactly is the command: '/who ', '/whom', '/WHO' are not");
    room.expect_quiet(bob, "'/who' is answered to the asker alone");
}

void a_last_line_is_relayed_at_half_close(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    alice.send_line("a whole line");
    alice.send("last words, no newline");
    alice.half_close();
    for (Client* other : {&bob, &carol}) {
        room.expect(*other, room.says(alice, "a whole line"), room.hints().says);
        room.expect(*other, room.says(alice, "last words, no newline"),
                    "when recv() returns 0, bytes left over without a '\\n' are a last line: relay it "
                    "(net::LineReader returns it before reporting the end)");
    }
    room.expect_closed(alice, "after the last line, close the connection of the client who left");
}

// ---------------------------------------------------------------- many clients

namespace {

// The load tests' lines: numbered, and of different lengths, so a line that
// is lost, repeated, cut, merged or out of order shows.
std::string numbered_line(std::size_t client, int number) {
    return "line " + std::to_string(number) + " from client " + std::to_string(client) + " " +
           std::string(static_cast<std::size_t>(number * 7 % 23), '~');
}

std::vector<Client*> pointers(std::vector<Client>& clients) {
    std::vector<Client*> all;
    for (Client& client : clients) all.push_back(&client);
    return all;
}

}  // namespace

void fifty_clients_send_at_once(const Protocol& protocol) {
    constexpr std::size_t client_count = 50;
    constexpr int lines_each = 100;
    Room room(protocol);
    std::vector<Client> clients;
    clients.reserve(client_count);
    std::map<std::string, std::size_t> index_of;  // name -> client
    for (std::size_t i = 0; i < client_count; ++i) {
        std::vector<Client*> here = pointers(clients);
        for (Client* client : here) client->set_quiet(true);
        clients.push_back(room.join("client" + std::to_string(i), here));
        index_of[room.name(clients.back())] = i;
    }
    clients.back().set_quiet(true);

    // next[receiver][sender]: the number of the next line expected.
    std::vector<std::vector<int>> next(client_count, std::vector<int>(client_count, 0));
    std::size_t received = 0;
    const std::size_t expected_total = client_count * (client_count - 1) * lines_each;
    auto take = [&](std::size_t receiver, const std::string& line) {
        if (room.is_notice(line)) return;  // another test's business
        const auto says_at = line.find(" says: ");
        const auto sender = says_at == std::string::npos ? index_of.end() : index_of.find(line.substr(0, says_at));
        if (sender == index_of.end())
            fail(clients[receiver].name() + " received " + quote_bytes(line) + ", which is not 'NAME says: LINE' from any client",
                 std::string(room.hints().framing) + "; and every relayed line must go out whole (send_all), "
                                             "one thread at a time per client (a lock per client)");
        const std::size_t from = sender->second;
        if (from == receiver) return;  // its own line back: the no-echo test's business
        int& number = next[receiver][from];
        const std::string text = line.substr(says_at + 7);
        if (number >= lines_each || text != numbered_line(from, number))
            fail(clients[receiver].name() + " expected from " + clients[from].name() + " the line " +
                     quote_bytes(room.says(clients[from], number < lines_each ? numbered_line(from, number) : "(nothing more)")) +
                     "\n  but received " + quote_bytes(line),
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
    transcript().add("grader", "has connected " + std::to_string(client_count) + " clients, each listed by the server");
    transcript().add("grader", "makes each client send " + std::to_string(lines_each) +
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
                                "server lose lines?",
                                room.patience_for_lines());
}

void clients_come_and_go_during_traffic(const Protocol& protocol) {
    constexpr std::size_t steady_count = 8;
    constexpr int rounds = 10;
    constexpr int lines_per_round = 20;
    Room room(protocol);
    const Announcements notices = room.announces();
    std::vector<Client> steady;
    steady.reserve(steady_count);
    std::map<std::string, std::size_t> index_of;
    for (std::size_t i = 0; i < steady_count; ++i) {
        steady.push_back(room.join("steady" + std::to_string(i), pointers(steady)));
        index_of[room.name(steady.back())] = i;
    }
    for (Client& client : steady) client.set_quiet(true);

    // What each steady client has heard of each visitor: "joined", then
    // (for talkers) its line, then "left", in that order (the notices only
    // if the server sends them: they have tests of their own).
    enum class Seen { nothing, joined, spoke, left };
    std::vector<std::map<std::string, Seen>> visitors(steady_count);
    std::map<std::string, bool> talks;  // visitor name -> sends a line before leaving
    std::map<std::string, std::string> visitor_at;  // visitor address -> name (they differ with nicknames)
    std::vector<std::vector<int>> next(steady_count, std::vector<int>(steady_count, 0));
    const int lines_each = rounds * lines_per_round;

    auto receive = [&](std::size_t receiver, const std::string& line) {
        const std::string name = steady[receiver].name();
        const auto says_at = line.find(" says: ");
        if (room.is_notice(line) && !line.ends_with(" joined") && !line.ends_with(" left")) return;  // a rename
        if (says_at != std::string::npos && index_of.count(line.substr(0, says_at))) {
            const std::size_t from = index_of[line.substr(0, says_at)];
            if (from == receiver) return;  // its own line back: the no-echo test's business
            int& number = next[receiver][from];
            if (number >= lines_each || line.substr(says_at + 7) != numbered_line(from, number))
                fail(name + " expected from " + steady[from].name() + " the line " +
                         quote_bytes(room.says(steady[from], numbered_line(from, number))) + "\n  but received " +
                         quote_bytes(line),
                     "clients joining and leaving must not disturb the others' lines: the list of clients "
                     "is changed by one thread while others read it, so every use of it must hold the "
                     "same lock (or work on a copy made under that lock)");
            ++number;
            return;
        }
        // Otherwise it must be about a visitor, in order.
        std::string visitor_name;
        Seen now = Seen::nothing;
        if (line.starts_with("* ") && line.ends_with(" joined")) {
            visitor_name = line.substr(2, line.size() - 9);
            now = Seen::joined;
        } else if (line.starts_with("* ") && line.ends_with(" left")) {
            visitor_name = line.substr(2, line.size() - 7);
            now = Seen::left;
        } else if (says_at != std::string::npos) {
            visitor_name = line.substr(0, says_at);
            now = Seen::spoke;
        }
        if (const auto named = visitor_at.find(visitor_name); named != visitor_at.end()) visitor_name = named->second;
        const auto visitor = talks.find(visitor_name);
        if (visitor == talks.end()) {
            if (now == Seen::joined || now == Seen::left) return;  // a wrong notice: the notices' tests say so
            fail(name + " received " + quote_bytes(line) + ", which is no line, notice or visitor's line the test expected",
                 room.hints().framing);
        }
        if ((now == Seen::joined && !notices.joins) || (now == Seen::left && !notices.leaves)) return;
        Seen& seen = visitors[receiver][visitor_name];
        const bool in_order = now > seen && !(now == Seen::spoke && !visitor->second) &&
                              !(now == Seen::left && visitor->second && seen != Seen::spoke) &&
                              !(now != Seen::joined && notices.joins && seen == Seen::nothing);
        if (!in_order)
            fail(name + " received " + quote_bytes(line) + " out of order: each visitor must be heard joining, then "
                        "saying its line (if it says one), then leaving",
                 "a client's notices and lines go out from one thread, in order; the newcomer's join "
                 "notice before anything else about it");
        seen = now;
    };
    // Everything expected from a visitor: its line (talkers), its leaving
    // (if the server announces it).
    auto heard_all_of = [&](std::size_t receiver, const std::string& visitor, bool talker) {
        const Seen seen = visitors[receiver].count(visitor) ? visitors[receiver].at(visitor) : Seen::nothing;
        // A silent visitor resets at once: a server may see it gone before
        // it sees it come (Node.js cannot even tell its address any more),
        // and then nobody hears of it. Once heard joining, it must be heard
        // leaving.
        if (!talker && seen == Seen::nothing) return true;
        if (notices.leaves) return seen == Seen::left;
        return !talker || seen == Seen::spoke;
    };
    auto all_heard = [&] {
        for (std::size_t r = 0; r < steady_count; ++r) {
            for (std::size_t s = 0; s < steady_count; ++s)
                if (r != s && next[r][s] < lines_each) return false;
            for (const auto& [visitor, talker] : talks)
                if (!heard_all_of(r, visitor, talker)) return false;
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
            for (const auto& [visitor, talker] : talks)
                if (!heard_all_of(r, visitor, talker))
                    report += "  " + steady[r].name() + " has not heard all of visitor " + visitor + "\n";
        }
        return report.substr(0, 2000);
    };

    transcript().add("grader", "makes the steady clients send " + std::to_string(lines_per_round) +
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
            Client talker = room.connect("visitor" + std::to_string(++visitor_count));
            talks[room.name(talker)] = true;
            visitor_at[talker.address()] = room.name(talker);
            Client silent = room.connect_unnamed("visitor" + std::to_string(++visitor_count));
            talks[room.name(silent)] = false;
            talker.send_line("hello and goodbye");
            talker.half_close();
            silent.reset();
            // The talker has been hearing the steady clients: it reads on
            // until the server closes its connection.
            talker.set_quiet(true);
            while (talker.try_next_line(settings().reply_timeout())) {}
            if (!talker.is_closed())
                fail(talker.name() + " closed its side, but the server has not closed its connection after a while",
                     "once a client has closed its side, tell the others it left and close its socket");
        }
        chat_test::read_what_has_arrived(steady, receive);
    }
    chat_test::read_round_robin(steady, receive, all_heard, missing,
                                "lines or notices stopped arriving: is a thread stuck (a lock never released), or "
                                "was something lost while clients came and went?",
                                room.patience_for_lines());
}

void a_reset_while_relaying_disturbs_nobody(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    // bob reads nothing, and has a small receive window: the server's sends
    // to him soon have to wait. alice sends until the grader sees, in /proc,
    // a thread of the server waiting in send() to bob (or up to 16 MiB, for a
    // server that never waits: an event loop). Then bob resets: the
    // reset meets that send, every time, not only when the machine's timing
    // happens to line up. The error must end bob's part only.
    Client bob = room.join("bob", {&alice}, 4096);
    Client carol = room.join("carol", {&alice, &bob});
    alice.set_quiet(true);
    carol.set_quiet(true);
    // Lines of 1 KB, up to 16 MiB in all: more than the kernel buffers on
    // loopback (several MiB with its 64 KiB segments) before send() waits.
    // To a server seen not to relay any line, one batch (its test fails on
    // carol's first line, not after 16 MiB).
    constexpr int chunk = 32;
    const int most = room.announces().relays ? 16384 : chunk;
    auto line_of = [](int n) { return numbered_line(0, n) + " " + std::string(1000, '.'); };
    int sent = 0, heard = 0;
    transcript().add("alice", "sends numbered lines, " + std::to_string(chunk) +
                                  " at a time, until the server waits to send to bob; from",
                     line_of(0), true);
    // carol hears what has come, waiting up to `within` for its first line.
    auto hear_what_has_come = [&](std::chrono::milliseconds within) {
        while (heard < sent) {
            // (Where slow clients are dropped, carol may hear bob leave
            // first: an event loop never waits to send to him.)
            const std::optional<std::string> line = room.protocol().slow_clients_dropped
                                                        ? room.try_next_line(carol, within)
                                                        : carol.try_next_line(within);
            within = std::chrono::milliseconds(0);
            if (!line) return;
            if (*line != room.says(alice, line_of(heard)))
                fail("carol expected " + quote_bytes(room.says(alice, line_of(heard))) +
                         "\n  but received " + quote_bytes(*line),
                     room.hints().says);
            ++heard;
        }
    };
    // Where slow clients are dropped, an event loop (which never waits in
    // send()) drops bob at --max-queue: that ends the sending too. /proc is
    // read every 8 batches there, not to spend seconds reading it.
    const bool may_drop = room.protocol().slow_clients_dropped;
    auto bob_dropped = [&] { return may_drop && room.has_heard(carol, room.left(bob)); };
    auto server_waits_for_bob = [&] {
        return (!may_drop || sent % (8 * chunk) == 0) && room.server().is_blocked_sending_to(bob);
    };
    bool waits = false;
    // carol keeps reading: only bob's window fills. alice is paced to her:
    // at most 256 lines (256 KB) sent that carol has not received, so that
    // a server that drops slow clients never sees carol as one, however
    // busy the machine (checks/paced.hpp). While carol catches up, /proc is
    // looked at every 50 ms: the server may be stuck sending to bob.
    constexpr int window = 256;
    // With flow control (labs 08, 09), bob may hold carol for the second it
    // takes to see that he has stopped reading.
    const auto patience = settings().reply_timeout() + (may_drop ? settings().scaled(1.0) : std::chrono::milliseconds(0));
    auto last_look = Clock::now();
    auto stuck_on_bob = [&] {
        if (bob_dropped()) return true;
        if (Clock::now() - last_look < std::chrono::milliseconds(50)) return false;
        last_look = Clock::now();
        return waits = room.server().is_blocked_sending_to(bob);
    };
    while (sent < most && !bob_dropped() && !(waits = server_waits_for_bob())) {
        if (!chat_test::wait_for_reader(
                sent + chunk, window, [&] { return heard; }, hear_what_has_come, stuck_on_bob,
                [&] { return "  carol has " + std::to_string(heard) + " of the " + std::to_string(sent) +
                             " lines alice has sent, while bob reads nothing\n"; },
                survive_hint, patience))
            break;
        std::string lines;
        for (int n = sent; n < sent + chunk; ++n) lines += line_of(n) + "\n";
        alice.send(lines);
        sent += chunk;
        hear_what_has_come(std::chrono::milliseconds(0));
    }
    transcript().add("grader", waits ? "sees the server wait in send() to bob, after " + std::to_string(sent) +
                                           " lines from alice (carol has " + std::to_string(heard) + ")"
                               : bob_dropped() ? "sees the server drop bob (his output past --max-queue), after " +
                                                     std::to_string(sent) + " lines from alice"
                                               : "sent " + std::to_string(sent) + " lines; the server never waited to "
                                                 "send to bob (its output to him is queued, not sent in his thread)");
    bob.reset();
    for (; heard < sent; ++heard) room.expect(carol, room.says(alice, line_of(heard)), survive_hint);
    room.wait_gone(bob, {&carol, &alice});
    carol.send_line("still here");
    alice.set_quiet(false);
    room.expect(alice, room.says(carol, "still here"), survive_hint);
    room.server().expect_running();
}

void resets_mid_line_disturb_nobody(const Protocol& protocol) {
    Room room(protocol);
    Client alice = room.join("alice", {});
    Client bob = room.join("bob", {&alice});
    Client carol = room.join("carol", {&alice, &bob});
    Client dave = room.join("dave", {&alice, &bob, &carol});

    carol.send("half a li");
    room.server().wait_until_read(carol);
    carol.reset();
    // Whether the half line of a client that reset is relayed, the contract
    // does not say: either way is fine here.
    room.ignore(room.says(carol, "half a li"));
    room.wait_gone(carol, {&alice, &bob, &dave});

    dave.send("cut sho");
    dave.half_close();
    room.ignore(room.says(dave, "cut sho"));  // a last line: its own test checks it is relayed
    room.wait_gone(dave, {&alice, &bob});

    alice.send_line("still here");
    room.expect(bob, room.says(alice, "still here"), survive_hint);
    bob.send_line("me too");
    room.expect(alice, room.says(bob, "me too"), survive_hint);
    room.server().expect_running(survive_hint);
}

namespace {

void clients_end_cleanly(const Protocol& protocol, bool count_threads) {
    Room room(protocol);
    Server& server = room.server();
    Client alice = room.join("alice", {});
    alice.send_line("anyone here?");
    server.wait_until_read(alice);  // alice's thread runs: it has read her line
    const int threads = server.thread_count();
    const int files = server.open_file_count();
    for (int round = 0; round < 3; ++round) {
        std::vector<Client> visitors;
        visitors.reserve(10);
        for (int i = 0; i < 10; ++i) visitors.push_back(room.join("visitor" + std::to_string(round * 10 + i), {&alice}));
        for (Client& visitor : visitors) {
            if (&visitor - visitors.data() < 5) {
                visitor.half_close();
            } else {
                visitor.reset();
            }
            room.wait_gone(visitor, {&alice});
        }
    }
    if (count_threads && !server.wait_for_threads_at_most(threads, settings().scaled(1.0)))
        fail("alice's connection used " + std::to_string(threads) + " threads; 30 clients came and went, and a "
             "second later the server still has " + std::to_string(server.thread_count()),
             room.hints().threads);
    if (!server.wait_for_open_files_at_most(files, settings().scaled(1.0)))
        fail("with alice connected the server had " + std::to_string(files) + " open files; 30 clients came "
             "and went, and a second later it has " + std::to_string(server.open_file_count()),
             "close each client's socket once it has left (a net::Socket closes itself when destroyed: is "
             "something still holding it?)");
}

}  // namespace

void threads_and_descriptors_end_with_clients(const Protocol& protocol) { clients_end_cleanly(protocol, true); }

void descriptors_end_with_clients(const Protocol& protocol) { clients_end_cleanly(protocol, false); }

}  // namespace grader::chat
