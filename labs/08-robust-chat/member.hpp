#pragma once
// Member: one connected client, with its output queue and the thread that
// drains it (asio's chat example: a write queue per client).
//
// Lab 06 let any thread write to any client's socket. One client that
// stopped reading then stalled every thread that relayed to it, the accept
// loop included (it sends the join notices): head-of-line blocking. Here
// no thread ever writes to another client's socket. Relaying a line only
// appends it to each receiver's queue (deliver(), which never waits), and
// each client's own writer thread sends its queue to its socket. A slow
// client stalls only its own writer; and its queue is bounded (--max-queue):
// past that, the room drops it.
//
//   reader threads ---deliver()---> [ queue | mutex ] ---> writer thread ---send()---> socket
//   (any client's)    append; wake                        (this client's)
//                     after the turn
//
// A wake-up is a system call, and the woken writer may start running at
// once, on the CPU of the thread that woke it. So a writer is woken only
// when its queue goes from empty to not empty (while it has bytes, it is
// awake already), and only once the waker has let go of the room's lock
// (Wakeups): a writer woken under it would run while every other reader
// waits for that lock, and find one line to send where, a moment later,
// it would have found many.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chat_room.hpp"
#include "net/tcp.hpp"
#include "output_queue.hpp"

class Member;

// Writers to wake at the end of a turn at the room: deliver() lists its
// Member here (under the room's lock, like every call to an Outbox), and
// whoever held the lock wakes them after releasing it.
using Wakeups = std::vector<std::shared_ptr<Member>>;

class Member final : public Outbox, public std::enable_shared_from_this<Member> {
public:
    // `wakeups` is used only under the room's lock.
    Member(net::Connection connection, std::size_t max_queue, Wakeups& wakeups);

    const std::string& address() const { return address_; }  // "127.0.0.1:51234"
    // For this client's reader thread, which alone reads from it.
    const net::Connection& connection() const { return connection_; }

    // Outbox: any thread, under the room's lock. None of them waits.
    bool deliver(std::string_view bytes) override;  // lists the writer in `wakeups` if it sleeps
    void finish() override;
    void abort() override;

    // For whoever listed it in `wakeups`, once the room's lock is released.
    void wake_writer() { wake_.notify_one(); }

    // The writer thread's body: sends whatever is queued, everything at
    // once, until finish() (then what is left is sent first) or abort(), or
    // the client is gone. Then ends the connection both ways, which also
    // wakes this client's reader if it is still waiting in recv().
    void write_until_done();

private:
    void end_connection();

    const std::string address_;
    const net::Connection connection_;
    Wakeups& wakeups_;
    std::mutex mutex_;               // guards the three below
    std::condition_variable wake_;   // the writer waits on it for work
    OutputQueue queue_;
    bool finishing_ = false;         // no more output will come
    bool aborted_ = false;           // close now, whatever is queued
};
