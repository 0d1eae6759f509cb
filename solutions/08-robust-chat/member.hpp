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
// thread, the only one that ever waits for this client. A slow client
// stalls only its own writer.
//
// Flow control: a client that reads, with more than the high-water mark
// waiting for it, is "behind", and while anyone is, the readers take no
// lines (Flow): the senders' bytes wait in their sockets until the readers
// catch up. A client whose socket has taken nothing for a second is
// "stalled": it no longer counts (it must not hold the others), and past
// --max-queue it is dropped.
//
//   reader threads  --deliver()-->  [ queue | mutex ]  --send_now_or_wake_writer()-->  socket
//   (any client's)    append           |                 after the turn: one send()
//                                      |                 that never waits
//                                      | what the socket did not take
//                                      v
//                            writer thread (this client's): send(), and wait
//
// Why not leave every send() to the writer? Waking a thread is a system
// call and a thread switch, for every queue, for every burst of lines: on
// 2 cores that costs more than the send() itself. A client that keeps up
// never needs its writer woken.
//
// One sender at a time: whoever sends (a relaying thread, or the writer)
// first claims `sending_` under the mutex, and nobody else sends until it
// is released, so every byte goes out once, in order.

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
// has stopped reading (the contract's "second"): the writer's send() waits
// at most this long (SO_SNDTIMEO).
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

    bool held() const { return behind_.load() > 0; }
    // For a reader thread, between lines: returns once nobody is behind.
    void wait_until_free();

    // For a Member, under its own mutex, when it falls behind or catches up.
    void one_more_behind();
    void one_less_behind();

private:
    std::atomic<int> behind_{0};
    std::mutex mutex_;  // only for waiting on free_
    std::condition_variable free_;
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
    // at shutdown); each takes this Member's own mutex too, which the
    // writer and the senders after a turn take (never the room's). None
    // of them waits.
    // Lists this Member in `to_send` if its queue was empty. False when the
    // client has stopped reading (stalled) and would be past --max-queue.
    bool deliver(std::string_view bytes) override;
    void finish() override;
    void abort() override;

    // For whoever listed it in `to_send`, once the room's lock is released:
    // sends what is queued with one send() that does not wait, unless
    // someone is sending already. Wakes the writer only if bytes are left
    // (the socket was full) or the connection is ending.
    void send_now_or_wake_writer();

    // The writer thread's body: waits until bytes are left for it, sends
    // them, waiting for the client as long as it takes; until finish()
    // (then what is left is sent first) or abort(), or the client is gone.
    // A send() that took nothing for stall_time makes the client stalled
    // (it stops holding the room), and dropped if past --max-queue. Then
    // ends the connection both ways, which also wakes this client's reader
    // if it is still waiting in recv().
    void write_until_done();

private:
    // Under mutex_: claims the right to send, and returns everything queued.
    std::string claim_pending();
    // Under mutex_, after anything that changes the queue or the state: am
    // I behind? (Counted in flow_ when that changes.)
    void update_flow();
    void end_connection();

    const std::string address_;
    const net::Connection connection_;
    const std::size_t max_queue_;
    ToSend& to_send_;
    Flow& flow_;
    std::mutex mutex_;               // guards everything below
    std::condition_variable wake_;   // the writer waits on it for work
    OutputQueue queue_;
    bool sending_ = false;           // someone is sending claim_pending()'s bytes: nobody else may send
    bool finishing_ = false;         // no more output will come
    bool aborted_ = false;           // close now, whatever is queued
    bool stalled_ = false;           // its socket took nothing for stall_time
    bool behind_ = false;            // counted in flow_
};
