#pragma once
// The chat checks of lab 06, for every chat lab (06, and 08 and 09 with
// nicknames): join and leave notices, relaying to everyone but the sender,
// /who, lines however they are split, many clients at once, rude clients.
//
// A chat suite lists each check by name in its own grade.cpp (a lab's suite
// is read from its own file), in a TEST_CASE of its own, saying which
// protocol the server speaks (how it names a client in what it sends):
//
//   TEST_CASE("the sender gets nothing back") {
//       grader::chat::the_sender_gets_nothing_back(grader::chat::by_address);  // lab 06: "127.0.0.1:51234 says: hi"
//   }
//
// (grader::chat::by_nickname in labs 08 and 09: "alice says: hi".)
//
// With nicknames, every client a Room connects introduces itself first: it
// sends "/nick NAME" (its own test name, made valid) and waits for "* you
// are now NAME"; its join notice, sent before that, still names its
// address, and the others' "* ADDR is now NAME" is noise to every test. A
// server seen not to answer "/nick" at all is graded by addresses instead:
// its nickname tests fail, not every chat test. Lab 09 lists
// descriptors_end_with_clients instead of threads_and_descriptors_end_with_clients
// (it has exactly one thread, a test of its own).
//
// Each test checks one feature and fails for that one. A test that is not
// about the join notices still needs to know when a newcomer is listed (from
// then on, lines reach it): a Room learns once per run which notices the
// server sends, and waits for the best sign it has (the join notice; else
// the newcomer's own "/who" answered). Likewise for a client leaving (the
// leave notice; else "/who" no longer listing it). Lines that belong to
// another feature's test (notices, the reader's own line come back) are
// passed over when a test waits for something else.

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client.hpp"
#include "program.hpp"
#include "transcript.hpp"

namespace grader::chat {

// A name a client takes (lab 08's "/nick NAME").
using NameOf = std::function<std::string(const Client&)>;

// The hints that name a client: "ADDR" in lab 06, "NAME" from lab 08 on.
struct Hints {
    const char* join;
    const char* says;
    const char* left;
    const char* framing;
    const char* who;
    const char* threads;  // a client's threads outliving it
};

// What the shared checks need to know of a chat lab's protocol.
struct Protocol {
    // The name each client takes with "/nick NAME" as it connects; empty:
    // there is no "/nick", a client is named by its address (lab 06).
    NameOf nickname;
    // Any other line starting with '/' is answered "! unknown command:
    // LINE" (lab 08): lines like "/who " are not chat there.
    bool unknown_commands_answered = false;
    // Control bytes are removed from relayed text (lab 08): "two\r\r\n"
    // is relayed as "two".
    bool control_bytes_removed = false;
    // A client that stops reading is dropped past --max-queue (lab 08): the
    // others may hear it leave while lines pile up for it.
    bool slow_clients_dropped = false;
    Hints hints;
};

// Lab 06: a client is named by its address as the server sees it.
extern const Protocol by_address;
// Labs 08 and 09: each client takes a nickname, its test name made valid
// (1-20 of A-Z a-z 0-9 _ -); the server's join notice still names its address.
extern const Protocol by_nickname;

// A test name made a valid nickname: other bytes become '_', at most 20.
std::string nickname_of(const Client& client);

// What the server under test was seen to do once, on a server of its own.
struct Announcements {
    bool joins = true;   // "* ADDR joined" to the others
    bool leaves = true;  // "* NAME left" to the others
    bool who = true;     // "/who" answered "* online: ..."
    bool relays = true;  // "NAME says: LINE" to the others
    bool nicks = true;   // "/nick NAME" answered "* you are now NAME" (labs with nicknames)
};

// Lab 06's hints (by_address.hints), and those that name nobody.
extern const char* const join_hint;
extern const char* const says_hint;
extern const char* const left_hint;
extern const char* const no_echo_hint;
extern const char* const framing_hint;
extern const char* const survive_hint;

// A chat server under test, and how to wait on it without depending on a
// feature a test does not check. A feature the server was seen not to have
// is not waited for in full again: a test expecting a relayed line from a
// server seen not to relay any waits only the silence window, so that a
// failing program is graded fast (a correct one never waits for either).
class Room {
public:
    // Learns (once per run) which notices the program sends, then starts it.
    explicit Room(const Protocol& protocol, StartOptions options = {}, Where where = Where::current());

    Server& server() { return *server_; }
    const Announcements& announces() const { return announces_; }
    const Protocol& protocol() const { return protocol_; }
    const Hints& hints() const { return protocol_.hints; }

    // What the server calls `client` now: its nickname once it has taken
    // one, else its address.
    std::string name(const Client& client) const;
    // The join notice names the newcomer's address: it is sent before any
    // "/nick".
    std::string joined(const Client& client) const { return "* " + client.address() + " joined"; }
    std::string left(const Client& client) const { return "* " + name(client) + " left"; }
    std::string says(const Client& client, std::string_view line) const {
        return name(client) + " says: " + std::string(line);
    }
    std::string online(const std::vector<const Client*>& clients) const;

    // Connects a client; with nicknames, it takes its own before this returns.
    Client connect(std::string client_name, int receive_buffer = 0, Where where = Where::current());
    // Connects a client that says nothing, not even "/nick": the server
    // names it by its address.
    Client connect_unnamed(std::string client_name, Where where = Where::current());
    // Connects a client and returns once the server lists it (lines sent
    // from now on reach it). `here`: every client connected before it.
    Client join(std::string client_name, const std::vector<Client*>& here, int receive_buffer = 0,
                Where where = Where::current());
    // Returns once the server no longer lists `leaver` (it has closed or
    // reset its connection). `here`: every client still connected.
    void wait_gone(const Client& leaver, const std::vector<Client*>& here, Where where = Where::current());
    // The same for a client the test knows only by the name the server gives it.
    void wait_gone(const std::string& leaver, const std::vector<Client*>& here, Where where = Where::current());

    // Whether `expected` is of a kind the server was seen not to send.
    bool is_known_missing(const std::string& expected) const;
    // How long to wait for relayed lines: the reply deadline, or the
    // silence window if the server was seen not to relay any.
    std::chrono::milliseconds patience_for_lines() const;
    // A notice about someone: joined, left, or (with nicknames) renamed.
    bool is_notice(const std::string& line) const;
    // A line about another feature, for `reader`: a notice, or the reader's
    // own line come back.
    bool is_noise(const Client& reader, const std::string& line) const;
    // The next line `reader` receives that is not noise.
    std::string next_line(Client& reader, std::string_view hint = {}, Where where = Where::current());
    // The same, or nothing if none comes within `within`.
    std::optional<std::string> try_next_line(Client& reader, std::chrono::milliseconds within);
    // `expected` comes next at `reader`, noise apart.
    void expect(Client& reader, const std::string& expected, std::string_view hint = {},
                Where where = Where::current());
    // Nothing but noise arrives at `reader` for the silence window (with
    // own_lines_are_noise false, its own lines come back count).
    void expect_quiet(Client& reader, std::string_view hint = {}, bool own_lines_are_noise = true,
                      Where where = Where::current());
    // The server closes `reader`'s connection, noise apart.
    void expect_closed(Client& reader, std::string_view hint = {}, Where where = Where::current());
    // "/who" from `asker`: the answer, noise apart.
    std::string ask_who(Client& asker, Where where = Where::current());
    // Whether `reader` has received the notice `notice`, passed over.
    bool has_heard(const Client& reader, const std::string& notice) const {
        const auto heard = passed_over_.find(reader.name());
        return heard != passed_over_.end() && heard->second.count(notice) > 0;
    }
    // From now on, `line` is noise too (a line the contract leaves open).
    void ignore(std::string line) { ignored_.insert(std::move(line)); }

private:
    // The next line that is not noise, within `within`; a notice passed
    // over is remembered (a later expect() may want it).
    std::string next_line_within(Client& reader, std::chrono::milliseconds within, std::string_view hint, Where where);

    // With nicknames: "/nick NAME", and its answer.
    void introduce(Client& newcomer, Where where);

    Protocol protocol_;
    Announcements announces_;
    std::set<std::string> unnamed_;  // addresses of the clients that took no nickname
    std::optional<Server> server_;
    std::set<std::string> ignored_;
    std::map<std::string, std::multiset<std::string>> passed_over_;  // client name -> notices passed over
};

// The checks, one per feature, each a TEST_CASE in tests/06-*, 08-* and
// 09-*/grade.cpp.
void others_hear_a_client_join(const Protocol&);
void others_hear_a_client_leave_when_it_closes(const Protocol&);
void others_hear_a_client_leave_when_it_resets(const Protocol&);
void a_client_who_left_is_heard_no_more(const Protocol&);
void a_line_goes_to_every_other_client(const Protocol&);
void the_sender_gets_nothing_back(const Protocol&);
void empty_lines_are_ignored(const Protocol&);
void a_line_sent_byte_by_byte_arrives_whole(const Protocol&);
void lines_arrive_as_lines_however_written(const Protocol&);
void cr_lf_ends_a_line(const Protocol&);
void two_clients_typing_at_once(const Protocol&);
void who_lists_everyone_in_order(const Protocol&);
void who_is_a_command_only_as_the_whole_line(const Protocol&);
void a_last_line_is_relayed_at_half_close(const Protocol&);
void fifty_clients_send_at_once(const Protocol&);
void clients_come_and_go_during_traffic(const Protocol&);
void a_reset_while_relaying_disturbs_nobody(const Protocol&);
void resets_mid_line_disturb_nobody(const Protocol&);
void threads_and_descriptors_end_with_clients(const Protocol&);
void descriptors_end_with_clients(const Protocol&);

}  // namespace grader::chat
