#pragma once
// The chat checks of lab 06, for every chat lab (06, and 08 and 09 with
// nicknames): join and leave notices, relaying to everyone but the sender,
// /who, lines however they are split, many clients at once, rude clients.
//
// A chat suite adds them with one line at the top level, saying how the
// server names a client in what it sends:
//
//   GRADER_CHAT_TESTS(grader::chat::by_address)   // lab 06: "127.0.0.1:51234 says: hi"
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

// How the server names a client in the lines it sends ("ADDR" in lab 06).
using NameOf = std::function<std::string(const Client&)>;

// Lab 06: a client is named by its address as the server sees it.
std::string by_address(const Client& client);

// What the server under test was seen to do once, on a server of its own.
struct Announcements {
    bool joins = true;   // "* NAME joined" to the others
    bool leaves = true;  // "* NAME left" to the others
    bool who = true;     // "/who" answered "* online: ..."
    bool relays = true;  // "NAME says: LINE" to the others
};

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
    explicit Room(NameOf name_of, StartOptions options = {}, Where where = Where::current());

    Server& server() { return *server_; }
    const Announcements& announces() const { return announces_; }

    std::string name(const Client& client) const { return name_of_(client); }
    std::string joined(const Client& client) const { return "* " + name(client) + " joined"; }
    std::string left(const Client& client) const { return "* " + name(client) + " left"; }
    std::string says(const Client& client, std::string_view line) const {
        return name(client) + " says: " + std::string(line);
    }
    std::string online(const std::vector<const Client*>& clients) const;

    Client connect(std::string client_name, int receive_buffer = 0, Where where = Where::current());
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
    // A line about another feature, for `reader`: a join or leave notice,
    // or the reader's own line come back.
    bool is_noise(const Client& reader, const std::string& line) const;
    // The next line `reader` receives that is not noise.
    std::string next_line(Client& reader, std::string_view hint = {}, Where where = Where::current());
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
    // From now on, `line` is noise too (a line the contract leaves open).
    void ignore(std::string line) { ignored_.insert(std::move(line)); }

private:
    // The next line that is not noise, within `within`; a notice passed
    // over is remembered (a later expect() may want it).
    std::string next_line_within(Client& reader, std::chrono::milliseconds within, std::string_view hint, Where where);

    NameOf name_of_;
    Announcements announces_;
    std::optional<Server> server_;
    std::set<std::string> ignored_;
    std::map<std::string, std::multiset<std::string>> passed_over_;  // client name -> notices passed over
};

// The checks, one per feature (see GRADER_CHAT_TESTS).
void others_hear_a_client_join(const NameOf&);
void others_hear_a_client_leave_when_it_closes(const NameOf&);
void others_hear_a_client_leave_when_it_resets(const NameOf&);
void a_client_who_left_is_heard_no_more(const NameOf&);
void a_line_goes_to_every_other_client(const NameOf&);
void the_sender_gets_nothing_back(const NameOf&);
void empty_lines_are_ignored(const NameOf&);
void a_line_sent_byte_by_byte_arrives_whole(const NameOf&);
void lines_arrive_as_lines_however_written(const NameOf&);
void cr_lf_ends_a_line(const NameOf&);
void two_clients_typing_at_once(const NameOf&);
void who_lists_everyone_in_order(const NameOf&);
void who_is_a_command_only_as_the_whole_line(const NameOf&);
void a_last_line_is_relayed_at_half_close(const NameOf&);
void fifty_clients_send_at_once(const NameOf&);
void clients_come_and_go_during_traffic(const NameOf&);
void a_reset_while_relaying_disturbs_nobody(const NameOf&);
void resets_mid_line_disturb_nobody(const NameOf&);
void threads_and_descriptors_end_with_clients(const NameOf&);

}  // namespace grader::chat

#define GRADER_CHAT_TESTS(name_of)                                                                           \
    TEST_SUITE("joining and leaving") {                                                                      \
        TEST_CASE("the others get '* NAME joined' when a client connects; the newcomer gets nothing") {      \
            grader::chat::others_hear_a_client_join(name_of);                                               \
        }                                                                                                    \
        TEST_CASE("the others get '* NAME left' when a client closes its side; its connection is closed") {  \
            grader::chat::others_hear_a_client_leave_when_it_closes(name_of);                               \
        }                                                                                                    \
        TEST_CASE("the others get '* NAME left' when a client resets its connection") {                     \
            grader::chat::others_hear_a_client_leave_when_it_resets(name_of);                               \
        }                                                                                                    \
        TEST_CASE("a client who left is heard no more") {                                                    \
            grader::chat::a_client_who_left_is_heard_no_more(name_of);                                      \
        }                                                                                                    \
    }                                                                                                        \
    TEST_SUITE("chat") {                                                                                     \
        TEST_CASE("a line goes to every other client as 'NAME says: LINE'") {                                \
            grader::chat::a_line_goes_to_every_other_client(name_of);                                       \
        }                                                                                                    \
        TEST_CASE("the sender gets nothing back") { grader::chat::the_sender_gets_nothing_back(name_of); }   \
        TEST_CASE("empty lines are ignored") { grader::chat::empty_lines_are_ignored(name_of); }             \
        TEST_CASE("a line sent one byte at a time arrives whole") {                                          \
            grader::chat::a_line_sent_byte_by_byte_arrives_whole(name_of);                                  \
        }                                                                                                    \
        TEST_CASE("many lines in one write, and a line over several writes, arrive as lines, in order") {    \
            grader::chat::lines_arrive_as_lines_however_written(name_of);                                   \
        }                                                                                                    \
        TEST_CASE("'\\r\\n' ends a line too: one '\\r' before the '\\n' is dropped") {                       \
            grader::chat::cr_lf_ends_a_line(name_of);                                                        \
        }                                                                                                    \
        TEST_CASE("two clients typing at once: each line arrives whole") {                                   \
            grader::chat::two_clients_typing_at_once(name_of);                                               \
        }                                                                                                    \
        TEST_CASE("'/who' is answered to the asker alone: everyone online, in the order they connected") {  \
            grader::chat::who_lists_everyone_in_order(name_of);                                              \
        }                                                                                                    \
        TEST_CASE("'/who' is a command only as the exact whole line") {                                     \
            grader::chat::who_is_a_command_only_as_the_whole_line(name_of);                                  \
        }                                                                                                    \
        TEST_CASE("a last line without '\\n' is relayed when its sender closes its side") {                  \
            grader::chat::a_last_line_is_relayed_at_half_close(name_of);                                     \
        }                                                                                                    \
    }                                                                                                        \
    TEST_SUITE("many clients") {                                                                             \
        TEST_CASE("50 clients each send 100 lines at once: every other client gets them all, whole, in order") { \
            grader::chat::fifty_clients_send_at_once(name_of);                                               \
        }                                                                                                    \
        TEST_CASE("clients joining and leaving during the traffic disturb nobody") {                         \
            grader::chat::clients_come_and_go_during_traffic(name_of);                                       \
        }                                                                                                    \
        TEST_CASE("a client that resets while lines are relayed to it disturbs nobody") {                    \
            grader::chat::a_reset_while_relaying_disturbs_nobody(name_of);                                   \
        }                                                                                                    \
        TEST_CASE("clients that reset or close in the middle of a line disturb nobody") {                    \
            grader::chat::resets_mid_line_disturb_nobody(name_of);                                           \
        }                                                                                                    \
        TEST_CASE("threads and descriptors end with their clients") {                                        \
            grader::chat::threads_and_descriptors_end_with_clients(name_of);                                 \
        }                                                                                                    \
    }
