#pragma once
// Member: one connected client, as the event loop sees it: its socket, the
// bytes it sent that are not whole lines yet, and its output queue.
//
// Lab 08's Member was sent to after each turn, as much as the socket took
// at once, and had a writer thread per client for the rest. Here there is
// no thread: deliver() appends to the queue and puts the member on the
// loop's list of members to write (`to_write`). After each round the loop
// writes each of them (write_some), as much as the socket takes, and
// watches the socket for EPOLLOUT only while something is left.
//
//   the room ---deliver()---> [ queue ]  ... end of the round ... loop: write_some() ---send()---> socket
//                             listed in to_write                   EAGAIN? watch EPOLLOUT
//
// Flow control, as in lab 08: while a client that reads has more than the
// high-water mark waiting for it, it is "behind" (counted in Flow), and the
// loop reads no lines from anyone; once it is down to the low-water mark,
// reading resumes. A client whose socket has taken nothing for a second is
// "stalled": it is not counted (it must not hold the others), and past
// --max-queue it is dropped.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat_room.hpp"
#include "net/line_buffer.hpp"
#include "net/socket.hpp"
#include "output_queue.hpp"

using Clock = std::chrono::steady_clock;

// A client whose socket has taken nothing of what is pending for this long
// has stopped reading (the contract's "second").
constexpr auto stall_time = std::chrono::seconds(1);

// How many clients that read are behind. While any is, the loop takes no
// lines from anyone: the senders' bytes wait in their sockets, TCP's window
// closes, and the senders slow down to what the readers take.
struct Flow {
    explicit Flow(std::size_t max_queue)
        : high_water(std::min<std::size_t>(64 * 1024, max_queue / 2)), low_water(high_water / 2) {}

    std::size_t high_water;  // more than this waiting for a client that reads: it is behind
    std::size_t low_water;   // ...until it is down to this
    int behind = 0;

    bool held() const { return behind > 0; }
};

class Member final : public Outbox, public std::enable_shared_from_this<Member> {
public:
    using List = std::vector<std::shared_ptr<Member>>;

    Member(net::Socket socket, std::string address, std::size_t max_queue, List& to_write, Flow& flow);

    const std::string& address() const { return address_; }
    int fd() const { return socket_.fd(); }
    ClientId id = 0;  // the room's, given at join

    // The bytes it sent, framed into lines (lab 08's reader thread fed its
    // own LineBuffer from a blocking recv(); the loop appends what a recv()
    // returned when epoll said there was something).
    net::LineBuffer input{ChatRoom::max_line_length};

    // Outbox: the room calls these. None of them waits or writes.
    bool deliver(std::string_view bytes) override;  // false: stalled, and past --max-queue
    void finish() override;
    void abort() override;

    enum class Written {
        all,          // the queue is empty
        would_block,  // the socket's buffer is full (EAGAIN): wait for EPOLLOUT
        failed,       // the connection is gone (reset, closed)
    };
    // Writes what is queued, as much as the socket takes now: one send()
    // when it takes everything (all the lines of a round, together).
    Written write_some();

    // For the loop, now and then while its output waits: once the socket
    // has taken nothing for stall_time, the client is stalled (no longer
    // behind: it does not hold the room). True when it is stalled and past
    // --max-queue: the room must drop it.
    bool check_stalled(Clock::time_point now);

    bool finishing() const { return finishing_; }  // out of the room: write what is queued, then close
    bool aborted() const { return aborted_; }      // dropped: close now

    // The loop's bookkeeping.
    bool listed = false;            // on to_write already
    bool watching_output = false;   // EPOLLOUT armed: a write came back EAGAIN
    bool reading = true;            // EPOLLIN armed
    bool paused = false;            // not read while the room is held (on the loop's paused list)

private:
    void list_for_writing();
    void update_flow();  // after anything that changes the queue or the state: am I behind?

    const std::string address_;
    net::Socket socket_;
    OutputQueue queue_;
    const std::size_t max_queue_;
    List& to_write_;
    Flow& flow_;
    bool finishing_ = false;
    bool aborted_ = false;
    bool behind_ = false;   // counted in flow_.behind
    bool stalled_ = false;  // its socket took nothing for stall_time
    std::optional<Clock::time_point> blocked_since_;  // the socket has taken nothing since then
};
