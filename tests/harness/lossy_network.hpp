#pragma once
// A bad network of the grader's own, between two programs that talk UDP (lab
// 10's sender and receiver). It forwards their datagrams and, on the way,
// drops, repeats, delays (later ones then overtake: reordering) and
// corrupts some of them, as the test asks. Its random choices come from a
// seed, and are a function of the datagram (its way, kind, number, and how
// many times it was seen before), not of the moment it came: the same seed
// does the same thing to the same datagrams, however fast the programs run.
//
//   sender ──► sender side ═══ the network ═══ receiver side ──► receiver
//          ◄──                                               ◄──
//
// The sender is told to send to sender_side(); the network sends on to the
// receiver from a socket of its own, so the receiver's replies come back to
// it and go on to whoever the sender is.
//
// Every datagram is a passage in its timeline: who sent it, what the lab's
// describe() says it is, what the network did with it, and when each copy
// arrived. A failure report shows the first passages (in the transcript),
// the last ones and any the test points at, and counts (report()).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include <sys/types.h>

#include "net/socket.hpp"
#include "net/address.hpp"
#include "net/socket.hpp"
#include "process.hpp"

namespace grader {

enum class Way { forward, backward };  // sender to receiver, receiver to sender

// What a lab says about one datagram, for the timeline and the network's
// choices: datagrams of the same kind and number are "the same datagram"
// sent again.
struct DatagramInfo {
    std::string kind;          // "DATA", "ACK", "FIN"; "invalid" for bytes that are not a datagram
    std::uint64_t number = 0;  // its number (a hash of the bytes for an invalid one)
    std::string text;          // "DATA 17 (1200 bytes)", "invalid: checksum 0x12ab, should be 0xab12"
};
using Describe = std::function<DatagramInfo(std::string_view bytes)>;

// What the network does with one datagram.
struct Fate {
    bool drop = false;
    int copies = 1;                               // 2: it arrives twice
    std::chrono::microseconds delay{0};           // the first copy's time on the way
    std::chrono::microseconds second_delay{0};    // the second copy's
    std::optional<std::size_t> corrupt_at;        // this byte of the first copy is changed
    bool held_back = false;                       // delayed longer than the others: reordered
    std::optional<std::string> instead;           // a test's rule: these bytes arrive instead (corrupted on purpose)
    std::string because;                          // a test's own rule says why: "the test drops every ACK of the FIN"
};

// The network's random troubles. Chances are per datagram, each way.
struct Impairments {
    double loss = 0;
    double repeat = 0;
    double reorder = 0;   // held back up to reorder_by longer, so that later ones overtake it
    double corrupt = 0;
    std::chrono::microseconds delay{0};  // every datagram's time on the way, each way
    std::chrono::microseconds reorder_by{std::chrono::milliseconds(6)};

    // What the network does, after "the network ": "loses 10 %, repeats 5 %
    // of the datagrams each way, and delays every datagram 10 ms each way".
    std::string describe() const;
};

// One datagram through the network.
struct Passage {
    std::size_t index = 0;      // its place in the timeline
    double at = 0;              // when the kernel received it, in seconds since the network started
    Way way = Way::forward;
    DatagramInfo info;
    int occurrence = 0;         // how many times this way, kind and number came before
    Fate fate;
    std::size_t size = 0;
    std::vector<double> arrived;  // when each copy was handed on (seconds since the start)
    bool injected = false;        // a copy the test made the network send
    std::string arrives_as;       // what fate.instead is, described
};

class LossyNetwork {
public:
    using Clock = std::chrono::steady_clock;

    // The sender side listens on `sender_host` ("127.0.0.1", or "::1" for a
    // sender given an IPv6 address); what comes from the sender goes on to
    // `receiver` (with none, nowhere: it is all lost). The names say who is
    // who in the timeline ("your sender", "the reference receiver").
    LossyNetwork(Describe describe, std::uint64_t seed, std::optional<net::Address> receiver,
                 std::string sender_name, std::string receiver_name, const std::string& sender_host = "127.0.0.1");
    ~LossyNetwork();
    LossyNetwork(const LossyNetwork&) = delete;
    LossyNetwork& operator=(const LossyNetwork&) = delete;

    // Where the sender must send: "127.0.0.1:PORT" or "[::1]:PORT".
    std::string sender_side() const;

    void set_impairments(const Impairments& impairments);
    // A test's own rule, asked first about every datagram: its fate, or
    // nothing (then the impairments decide). Called with the network's lock
    // held: it may read the timeline, not call the network.
    using Rule = std::function<std::optional<Fate>(const Passage&)>;
    void set_rule(Rule rule);
    // Called, with the lock held, after every passage and every copy handed
    // on (arrived.size() grew): the lab keeps its own counts here.
    using Observer = std::function<void(const Passage&, bool handed_on)>;
    void set_observer(Observer observer);

    // Waits until `done()` (called with the lock held, after every event) is
    // true, or the deadline passes; returns done().
    bool wait_until(const std::function<bool()>& done, Clock::time_point deadline);
    // Runs f with the lock held (to read what the observer keeps).
    template <typename F>
    auto locked(F f) const {
        std::lock_guard lock(mutex_);
        return f();
    }

    // Makes the network send `bytes` on, `after` from now, as a copy of its
    // own (a datagram it repeated, late), recorded in the timeline.
    void inject(Way way, std::string bytes, std::chrono::microseconds after, std::string because);

    // The timeline, for a failure report: counts each way and kind, the
    // passages around `focus` (if given), and the last `last` passages.
    std::string report(std::optional<std::size_t> focus = std::nullopt, std::size_t last = 30) const;
    // One passage as a line of the timeline.
    static std::string describe(const Passage& passage);
    std::uint64_t seed() const { return seed_; }
    // The id of the network's own thread (for a BusyClock).
    pid_t thread_id() const;
    std::size_t passages() const;
    Passage passage(std::size_t index) const;
    std::vector<Passage> timeline() const;  // a copy
    double now() const;                     // seconds since the network started
    // The first passages also go into the test's transcript, up to this many
    // (then a line saying the rest is in the network's report).
    void set_transcript_limit(std::size_t count);

private:
    struct Delivery {
        Clock::time_point due;
        std::uint64_t order;  // among equal times, first scheduled first: no reordering by accident
        Way way;
        std::string bytes;
        std::size_t passage;
        bool operator>(const Delivery& other) const { return std::tie(due, order) > std::tie(other.due, other.order); }
    };

    void run(std::stop_token stop);
    void receive_all(Way way);
    void arrived(Way way, std::string bytes, Clock::time_point when);  // when the kernel received it
    Fate choose(const Passage& passage) const;
    void deliver_due();
    void add_to_transcript(const Passage& passage);
    double seconds(Clock::time_point time) const;

    Describe describe_;
    std::uint64_t seed_;
    Clock::time_point start_ = Clock::now();
    net::Socket sender_side_;    // the sender sends here
    net::Socket receiver_side_;  // we send to the receiver from here
    net::Socket wake_;           // an eventfd: a new delivery, or stop

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::optional<net::Address> sender_;
    std::optional<net::Address> receiver_;
    std::string sender_name_, receiver_name_;
    Impairments impairments_;
    Rule rule_;
    Observer observer_;
    std::vector<Passage> timeline_;
    std::map<std::tuple<int, std::string, std::uint64_t>, int> seen_;  // (way, kind, number) -> times
    std::priority_queue<Delivery, std::vector<Delivery>, std::greater<>> deliveries_;
    std::uint64_t next_order_ = 0;
    std::size_t strangers_ = 0;  // datagrams from addresses that are neither end
    std::size_t overflow_ = 0;   // datagrams dropped unrecorded: the timeline was full (a flood)
    std::size_t transcript_limit_ = 16;
    pid_t thread_id_ = 0;
    std::jthread thread_;
};

}  // namespace grader
