#pragma once
// Member: one connected client, with its output queue and the thread that
// waits for it when it is slow (asio's chat example: a write queue per
// client).
//
// Lab 06 let any thread write to any client's socket, and wait there. One
// client that stopped reading then stalled every thread that relayed to
// it, the accept loop included (it sends the join notices): head-of-line
// blocking. Here no thread ever waits for another client's socket.
// Relaying a line only appends it to each receiver's queue (deliver(),
// which never waits). Once the room's lock is released, the relaying
// thread offers each queue it filled to its socket, in one send() that
// cannot wait (MSG_DONTWAIT): a client that reads takes it all, at once.
// What the socket does not take now is left to this client's own writer
// thread, the only one that ever waits for this client.
//
//   reader threads  --deliver()-->  [ queue ]  --send_now_or_wake_writer()-->  socket
//   (any client's)    append            |        after the turn: one send()
//                                       |        that never waits
//                                       | what the socket did not take
//                                       v
//                         writer thread (this client's): send(), and wait
//
// Flow control: a client that reads, with more than the high-water mark
// waiting for it, is "behind", and while anyone is, the readers hand the
// room no lines (Flow): the senders' bytes wait in their sockets until the
// readers catch up. A client whose socket has taken nothing for a second
// is "stalled": it no longer counts (it must not hold the others), and
// past --max-queue it is dropped.

#include <atomic>
#include <chrono>
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

// A client whose socket has taken nothing of what is pending for this long
// has stopped reading (the contract's "second").
constexpr auto stall_time = std::chrono::seconds(1);

// Backpressure: how many clients that read are behind. While any is, the
// room is held: reader threads hand it no lines (they wait in
// wait_until_free()), so the server reads its senders no faster than its
// readers take their lines, and its memory stays bounded.
class Flow {
public:
    explicit Flow(std::size_t max_queue);

    const std::size_t high_water;  // more than this waiting for a client that reads: it is behind
    const std::size_t low_water;   // ...until it is down to this

    // Whether someone is behind now. Any thread, any time, without waiting.
    bool held() const;
    // For a reader thread, between lines: returns once nobody is behind
    // (at once if nobody is).
    void wait_until_free();

    // For a Member, when it falls behind, and when it no longer is (it
    // caught up, stalled, or is out of the room). Never wait.
    void one_more_behind();
    void one_less_behind();

private:
    // BEGIN YOURS
    std::atomic<int> behind_{0};
    std::mutex mutex_;  // only for waiting on free_
    std::condition_variable free_;
    // INSTEAD
    //| // What you need to count, and to wait (README.md, "Flow control").
    // END YOURS
};

// Members whose queues a turn at the room filled, to be sent to once the
// turn is over: deliver() lists its Member here (under the room's lock,
// like every call to an Outbox), and whoever held the lock calls
// send_now_or_wake_writer() on each after releasing it.
using ToSend = std::vector<std::shared_ptr<Member>>;

class Member final : public Outbox, public std::enable_shared_from_this<Member> {
public:
    // `to_send` is used only under the room's lock.
    Member(net::Connection connection, std::size_t max_queue, ToSend& to_send, Flow& flow);

    const std::string& address() const { return address_; }  // "127.0.0.1:51234"
    // For this client's reader thread, which alone reads from it.
    const net::Connection& connection() const { return connection_; }

    // Outbox: any thread, under the room's lock (abort() also without it,
    // at shutdown). None of them waits for a client.
    // Queues the bytes, and lists this Member in `to_send` when they need
    // someone to send them. False (and nothing queued) when the client has
    // stopped reading (stalled) and would be past --max-queue.
    bool deliver(std::string_view bytes) override;
    // No more output will come: what is queued is still sent, then the
    // connection ends.
    void finish() override;
    // Dropped: the connection ends now, whatever is queued, even if the
    // writer is waiting in send() for a client that reads nothing, and the
    // reader in recv(). The descriptor stays open until the Member goes.
    void abort() override;

    // For whoever listed it in `to_send`, once the room's lock is released:
    // sends what is queued, without ever waiting for the client (a client
    // that reads takes it all at once, and no thread is woken); leaves
    // what the socket did not take to the writer.
    void send_now_or_wake_writer();

    // The writer thread's body: sends what is left to it, waiting for this
    // client as long as it takes, until finish() (then what is left is
    // sent first) or abort(), or the client is gone; then ends the
    // connection both ways (which also wakes this client's reader in
    // recv()). A client whose socket has taken nothing for stall_time is
    // stalled: it stops holding the room, and is dropped if past
    // --max-queue.
    void write_until_done();

    // Every byte goes out once, in order, whoever sends it; pending output
    // (every byte accepted and not yet written to the socket) is what
    // --max-queue and flow control count.

private:
    const std::string address_;
    const net::Connection connection_;
    // BEGIN YOURS
    // Under mutex_: one send() of everything queued, that cannot wait: what
    // the socket has room for now. Throws std::system_error when the
    // client is gone.
    void send_queued();
    // Under mutex_, after anything that changes the queue or the state: am
    // I behind? (Counted in flow_ when that changes.)
    void update_flow();
    void end_connection();

    const std::size_t max_queue_;
    ToSend& to_send_;
    Flow& flow_;
    std::mutex mutex_;               // guards everything below, and every send()
    std::condition_variable wake_;   // the writer waits on it for work
    OutputQueue queue_;
    bool finishing_ = false;         // no more output will come
    bool aborted_ = false;           // close now, whatever is queued
    bool stalled_ = false;           // its socket took nothing for stall_time
    bool behind_ = false;            // counted in flow_
    // INSTEAD
    //| // The rest is yours to design (README.md, "A queue for each client",
    //| // "The writer thread", "Flow control"): the queue, what guards it, how
    //| // the writer waits for work, and what a client can be (finishing,
    //| // dropped, stalled, behind).
    // END YOURS
};
