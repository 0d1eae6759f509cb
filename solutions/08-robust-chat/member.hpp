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
// stalls only its own writer; and its queue is bounded (--max-queue): past
// that, the room drops it.
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

// Members whose queues a turn at the room filled, to be sent to once the
// turn is over: deliver() lists its Member here (under the room's lock,
// like every call to an Outbox), and whoever held the lock calls
// send_now_or_wake_writer() on each after releasing it.
using ToSend = std::vector<std::shared_ptr<Member>>;

class Member final : public Outbox, public std::enable_shared_from_this<Member> {
public:
    // `to_send` is used only under the room's lock.
    Member(net::Connection connection, std::size_t max_queue, ToSend& to_send);

    const std::string& address() const { return address_; }  // "127.0.0.1:51234"
    // For this client's reader thread, which alone reads from it.
    const net::Connection& connection() const { return connection_; }

    // Outbox: any thread, under the room's lock (abort() also without it,
    // at shutdown); each takes this Member's own mutex too, which the
    // writer and the senders after a turn take (never the room's). None
    // of them waits.
    bool deliver(std::string_view bytes) override;  // lists this Member in `to_send` if its queue was empty
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
    // Then ends the connection both ways, which also wakes this client's
    // reader if it is still waiting in recv().
    void write_until_done();

private:
    // Under mutex_: claims the right to send, and returns everything queued.
    std::string claim_pending();
    void end_connection();

    const std::string address_;
    const net::Connection connection_;
    ToSend& to_send_;
    std::mutex mutex_;               // guards the four below
    std::condition_variable wake_;   // the writer waits on it for work
    OutputQueue queue_;
    bool sending_ = false;           // someone is sending claim_pending()'s bytes: nobody else may send
    bool finishing_ = false;         // no more output will come
    bool aborted_ = false;           // close now, whatever is queued
};
