#include "checks/flow.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "checks/many_clients.hpp"
#include "grader.hpp"

namespace grader::flow {

namespace {

using namespace std::chrono_literals;

const char* const dropped_reader_hint =
    "every client here reads as fast as it can: never drop one of those. Drop only a client that has taken "
    "nothing from its socket for a second while past --max-queue. When a client that reads falls behind, stop "
    "reading from the senders until it has caught up (backpressure: the lab 08 reader threads wait, the lab 09 "
    "loop stops watching the senders' sockets)";
const char* const unbounded_hint =
    "read from the senders no faster than the readers take their lines: while a client that reads has more "
    "than a high-water mark waiting (below --max-queue), take no more lines from anyone, and go on when it has "
    "caught up. Queueing everything the senders send lets any room of senders fill the server's memory";
const char* const frozen_hint =
    "the room stopped: a client that is behind holds the others only while it reads; one whose socket has taken "
    "nothing for a second is not waited for (and is dropped once past --max-queue)";

std::string joined(const Client& client) { return "* " + client.address() + " joined"; }

// Lines of about 1,000 bytes, each saying who pasted it and its number.
std::string storm_line(std::size_t client, int number) {
    std::string line = "paste " + std::to_string(client) + " " + std::to_string(number) + " ";
    line.resize(1000, static_cast<char>('a' + (client * 7 + static_cast<std::size_t>(number)) % 26));
    return line;
}

// `count` clients with small receive buffers (the kernel then holds little
// for each, and the server's own queues matter), each seen joining by the
// ones before it.
std::vector<Client> connect_storm_clients(Server& server, std::size_t count) {
    std::vector<Client> clients;
    for (std::size_t i = 0; i < count; ++i) {
        Client newcomer = server.connect("client" + std::to_string(i), 65536);
        for (Client& here : clients) here.expect_line(joined(newcomer), "when a client connects, the others hear '* ADDR joined'");
        clients.push_back(std::move(newcomer));
    }
    for (Client& client : clients) client.set_quiet(true);
    return clients;
}

// A paste storm: every client has `lines_each` lines to send at once, and
// receives everyone else's. The test writes as much as each socket takes
// (never waiting on one), and checks what each receives.
class Storm {
public:
    Storm(std::vector<Client>& clients, int lines_each) : clients_(clients), lines_each_(lines_each) {
        for (std::size_t i = 0; i < clients.size(); ++i) {
            std::string paste;
            for (int n = 0; n < lines_each; ++n) paste += storm_line(i, n) + "\n";
            pastes_.push_back(std::move(paste));
            sent_.push_back(0);
            name_index_[clients[i].address()] = i;
        }
        next_.assign(clients.size(), std::vector<int>(clients.size(), 0));
        expected_ = clients.size() * (clients.size() - 1) * static_cast<std::size_t>(lines_each);
        transcript().add("grader", "has each of the " + std::to_string(clients.size()) + " clients paste " +
                                       std::to_string(lines_each) + " lines of 1,000 bytes at once, as fast as "
                                       "its socket takes them (not shown), e.g.",
                         storm_line(0, 0), true);
    }

    // Writes to every sender what its socket takes now, up to 256 KB each
    // (so that a call is short: the readers wait meanwhile). True if any
    // took some.
    bool write_some() {
        bool any = false;
        for (std::size_t i = 0; i < clients_.size(); ++i) {
            const std::size_t most = std::min(pastes_[i].size(), sent_[i] + (std::size_t{256} << 10));
            while (sent_[i] < most) {
                const ssize_t sent = ::send(clients_[i].peer().fd(), pastes_[i].data() + sent_[i],
                                            most - sent_[i], MSG_DONTWAIT | MSG_NOSIGNAL);
                if (sent > 0) {
                    sent_[i] += static_cast<std::size_t>(sent);
                    any = true;
                    continue;
                }
                if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
                dropped(clients_[i].name() + " could not send its paste: the server closed its connection");
            }
        }
        return any;
    }

    bool all_sent() const {
        for (std::size_t i = 0; i < pastes_.size(); ++i)
            if (sent_[i] < pastes_[i].size()) return false;
        return true;
    }
    std::size_t bytes_pasted() const { return pastes_.size() * pastes_[0].size(); }

    // Takes every line that has arrived. True if any.
    bool read_some() {
        note_gap();
        const bool any = chat_test::read_what_has_arrived(clients_, [&](std::size_t i, const std::string& line) { take(i, line); });
        for (const Client& client : clients_)
            if (client.is_closed())
                dropped(client.name() + "'s connection was closed by the server in the middle of the paste storm, after " +
                        std::to_string(received_) + " of " + std::to_string(expected_) + " lines had arrived");
        return any;
    }

    bool done() const { return received_ == expected_ && all_sent(); }

    // Where --max-queue is far above what anyone receives, a correct server
    // drops nobody, however long the test reads nothing: no drop is excused.
    void excuse_no_drop() { excusable_gap_ = std::chrono::milliseconds::max(); }

    // Writes and reads until every line has arrived; fails if nothing moves
    // for `patience`. `watch()` is called now and then.
    void finish(std::chrono::milliseconds patience, const std::function<void()>& watch) {
        auto last_progress = Clock::now();
        std::size_t next_to_wait_on = 0;
        while (!done()) {
            const bool wrote = write_some();
            const bool read = read_some();
            watch();
            if (wrote || read) {
                last_progress = Clock::now();
                continue;
            }
            if (Clock::now() - last_progress > patience)
                fail("nothing moved for " + seconds_text(patience) + " in the paste storm:\n" + missing(), frozen_hint);
            // Nothing anywhere: wait a moment for a line at one of them.
            const std::size_t i = next_to_wait_on++ % clients_.size();
            if (const auto line = clients_[i].try_next_line(2ms)) take(i, *line);
        }
    }

private:
    // The longest the test went without reading its clients (the machine
    // may keep the grader itself from running).
    void note_gap() {
        const auto now = Clock::now();
        longest_gap_ = std::max(longest_gap_, std::chrono::duration_cast<std::chrono::milliseconds>(now - last_read_));
        last_read_ = now;
    }

    // A reader was dropped: the server's fault, unless the test itself read
    // nothing for long enough that a correct server may take a reader for
    // one that stopped (a second without taking anything: a client is read
    // once a round, so two rounds of half a second may be that second).
    [[noreturn]] void dropped(const std::string& what) {
        note_gap();
        if (longest_gap_ >= excusable_gap_)
            skip_test("the machine kept the grader from reading its clients for " + seconds_text(longest_gap_) +
                      ", and a server may drop a client that takes nothing for a second: " + what);
        fail(what, dropped_reader_hint);
    }

    void take(std::size_t receiver, const std::string& line) {
        if (line.starts_with("* ") && line.ends_with(" left"))
            dropped(clients_[receiver].name() + " received " + quote_bytes(line) +
                    ": a client was dropped in the middle of the paste storm, though every client reads");
        if (line.starts_with("* ")) return;  // another test's business
        const std::size_t says = line.find(" says: ");
        const auto sender = says == std::string::npos ? name_index_.end() : name_index_.find(line.substr(0, says));
        if (sender == name_index_.end() || sender->second == receiver)
            fail(clients_[receiver].name() + " received " + quote_bytes(line, 80) +
                     ", which is not 'ADDR says: LINE' from another client",
                 "each line goes out whole, as 'ADDR says: LINE', to every client but its sender");
        int& next = next_[receiver][sender->second];
        const std::string expected = storm_line(sender->second, next);
        if (next >= lines_each_ || line.compare(says + 7, std::string::npos, expected) != 0)
            fail(clients_[receiver].name() + " expected from " + clients_[sender->second].name() + " the line " +
                     quote_bytes(expected, 60) + "\n  but received " + quote_bytes(line, 80),
                 "every reader gets each sender's lines whole, in the order sent, none lost or repeated, however "
                 "many paste at once");
        ++next;
        ++received_;
    }

    std::string missing() const {
        std::string report;
        int shown = 0;
        for (std::size_t r = 0; r < clients_.size() && shown < 4; ++r)
            for (std::size_t s = 0; s < clients_.size() && shown < 4; ++s)
                if (r != s && next_[r][s] < lines_each_) {
                    report += "  " + clients_[r].name() + " has " + std::to_string(next_[r][s]) + " of " +
                              std::to_string(lines_each_) + " lines from " + clients_[s].name() + "\n";
                    ++shown;
                }
        for (std::size_t i = 0; i < clients_.size(); ++i)
            if (sent_[i] < pastes_[i].size())
                report += "  " + clients_[i].name() + " could still not send " +
                          std::to_string(pastes_[i].size() - sent_[i]) + " bytes of its paste\n";
        return report + "  (" + std::to_string(received_) + " of " + std::to_string(expected_) + " lines arrived)";
    }

    std::vector<Client>& clients_;
    int lines_each_;
    std::vector<std::string> pastes_;
    std::vector<std::size_t> sent_;
    std::map<std::string, std::size_t> name_index_;
    std::vector<std::vector<int>> next_;  // [receiver][sender]: the number of the next line due
    std::size_t received_ = 0;
    std::size_t expected_ = 0;
    Clock::time_point last_read_ = Clock::now();
    std::chrono::milliseconds longest_gap_{0};
    std::chrono::milliseconds excusable_gap_{500};
};

// The reply deadline, and the second a client may hold the others before it
// counts as stalled.
std::chrono::milliseconds patience_with_grace() { return settings().reply_timeout() + settings().scaled(1.0); }

}  // namespace

void a_paste_storm_reaches_every_reader() {
    Server server(with_args({"--max-queue", "100000"}));
    std::vector<Client> clients = connect_storm_clients(server, 4);
    Storm storm(clients, 2000);
    // Everyone pastes at once: as much as the sockets take, before anyone
    // reads (a server that queues all it reads has megabytes for each), for
    // at most 200 ms: a server may drop a client that takes nothing for a
    // second.
    for (const auto start = Clock::now(); Clock::now() - start < 200ms && storm.write_some();) {
    }
    storm.finish(patience_with_grace(), [] {});
}

void the_server_reads_no_faster_than_its_readers() {
    // A --max-queue far above what anyone receives here: nobody may be
    // dropped, even a reader the machine keeps from reading for a second.
    Server server(with_args({"--max-queue", "16000000"}));
    std::vector<Client> clients = connect_storm_clients(server, 4);
    const std::size_t resident_before = server.process().resident_bytes();
    std::size_t resident_peak = resident_before;
    auto watch_memory = [&, last = Clock::now()]() mutable {
        if (Clock::now() - last < 10ms) return;
        last = Clock::now();
        resident_peak = std::max(resident_peak, server.process().resident_bytes());
    };
    Storm storm(clients, 5000);
    storm.excuse_no_drop();
    // Everyone pastes at once, and for a moment nobody reads: until every
    // socket has refused more for 300 ms, or all is sent.
    transcript().add("grader", "pastes, and reads nothing for a moment");
    for (auto last_taken = Clock::now(); !storm.all_sent() && Clock::now() - last_taken < 300ms;) {
        if (storm.write_some()) last_taken = Clock::now();
        watch_memory();
        std::this_thread::yield();
    }
    // A server that takes every byte it is sent must now hold what its
    // readers have not taken: 3 x 5 MB for each of 4, far more than the
    // kernel buffers for them.
    bool read_everything = storm.all_sent();
    for (const Client& client : clients)
        read_everything = read_everything && server.has_read_all_from(client, settings().scaled(0.5));
    watch_memory();
    if (read_everything)
        fail("while nobody read, the server read all " + std::to_string(storm.bytes_pasted() >> 20) +
                 " MiB the clients pasted: it holds what the readers have not taken (about 60 MB for 4 readers) "
                 "in its own memory",
             unbounded_hint);
    transcript().add("grader", "reads every client as fast as it can, and pastes the rest");
    storm.finish(patience_with_grace(), watch_memory);
    // (A sanitizer's own bookkeeping, ASan's quarantine of freed memory
    // above all, grows with what the program allocates: there, only the
    // check above is made.)
    const std::size_t growth = resident_peak > resident_before ? resident_peak - resident_before : 0;
    if (!built_with_sanitizer() && growth > (std::size_t{12} << 20))
        fail("the server's memory grew by " + std::to_string(growth >> 20) + " MiB during the paste storm (" +
                 std::to_string(resident_before >> 20) + " MiB before): it read the senders faster than its readers "
                 "took their lines",
             unbounded_hint);
}

void a_slow_client_is_kept_until_past_max_queue(std::string_view stalled_hint) {
    Server server(with_args({"--max-queue", "16000000"}));
    Client alice = server.connect("alice");
    Client bob = server.connect("bob", 4096);  // a small window, and he reads nothing for now
    alice.expect_line(joined(bob), "when a client connects, the others hear '* ADDR joined'");
    Client carol = server.connect("carol");
    alice.expect_line(joined(carol), "when a client connects, the others hear '* ADDR joined'");
    bob.expect_line(joined(carol), "when a client connects, the others hear '* ADDR joined'");
    std::vector<Client> readers;
    readers.push_back(std::move(carol));
    relay_past_a_stalled_client(alice, readers, 6000, bob.address(), false, stalled_hint);
    // Now bob reads: he must get all 6,000 lines, in order, then more.
    transcript().add("bob", "starts reading, at last");
    bob.set_quiet(true);
    for (int n = 0; n < 6000; ++n) {
        const std::string line = bob.next_line("bob had at most 6 MB pending, less than --max-queue 16000000: he must "
                                               "not be dropped, nor lose lines");
        if (line != alice.address() + " says: " + big_line(n))
            fail("bob expected " + quote_bytes(alice.address() + " says: " + big_line(n), 60) + "\n  but received " +
                     quote_bytes(line, 60),
                 "bob's pending output was under --max-queue: keep all of it, in order, and drop him only past the "
                 "limit (not when send() would block)");
    }
    alice.send_line("still with us?");
    bob.set_quiet(false);
    bob.expect_line(alice.address() + " says: still with us?", "bob was never over --max-queue: he stays");
}

std::string big_line(int number) {
    std::string line = "line " + std::to_string(number) + " ";
    line.resize(1000, static_cast<char>('a' + number % 26));
    return line;
}

bool relay_past_a_stalled_client(Client& alice, std::vector<Client>& readers, int count, const std::string& bob,
                                 bool bob_may_leave, std::string_view stalled_hint, bool stop_once_bob_left) {
    for (Client& reader : readers) reader.set_quiet(true);
    const std::string bob_left = "* " + bob + " left";
    std::vector<int> next(readers.size(), 0);
    int sent = 0;
    bool gone = false;
    auto take = [&](std::size_t i, const std::string& line) {
        if (bob_may_leave && line == bob_left) {
            gone = true;
            return;
        }
        const std::string expected = alice.address() + " says: " + big_line(next[i]);
        if (line != expected)
            fail(readers[i].name() + " expected " + quote_bytes(expected, 60) + "\n  but received " + quote_bytes(line, 60),
                 "every reader gets alice's lines whole and in order, whoever else stalls");
        ++next[i];
    };
    transcript().add("alice", "sends " + std::to_string(count) + " numbered lines of 1,000 bytes, 32 at a time, the "
                                                                 "test reading the others after each batch (not shown), e.g.",
                     big_line(0), true);
    while (sent < count && !(stop_once_bob_left && gone)) {
        std::string batch;
        for (int n = 0; n < 32 && sent < count; ++n) batch += big_line(sent++) + "\n";
        alice.send(batch);
        chat_test::read_round_robin(
            readers, take, [&] { return std::ranges::all_of(next, [&](int n) { return n == sent; }); },
            [&] {
                std::string report;
                for (std::size_t i = 0; i < readers.size(); ++i)
                    report += "  " + readers[i].name() + " has " + std::to_string(next[i]) + " of the " +
                              std::to_string(sent) + " lines alice has sent, while bob reads nothing\n";
                return report;
            },
            stalled_hint, patience_with_grace());
    }
    return gone;
}

}  // namespace grader::flow
