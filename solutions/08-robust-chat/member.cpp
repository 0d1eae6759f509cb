#include "member.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"
// BEGIN SOLUTION ONLY
// INSTEAD
//| #include "not_written_yet.hpp"
// END SOLUTION ONLY

// BEGIN YOURS
namespace {

// One send(): as many of `bytes` as the socket takes (waiting until it
// takes at least one, for at most stall_time: SO_SNDTIMEO). 0: it took
// nothing for stall_time. Throws std::system_error when the client is gone.
std::size_t send_some(const net::Connection& connection, std::string_view bytes) {
    while (true) {
        const ssize_t sent = ::send(connection.socket.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent >= 0) return static_cast<std::size_t>(sent);
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        if (errno != EINTR) net::throw_errno("send", "to " + connection.peer.to_string());
    }
}

}  // namespace
// INSTEAD
//| // Helpers of your own, if you want any.
// END YOURS

// More than 64 KiB (or half of --max-queue, if that is less) waiting for a
// client that reads makes it behind, until it is down to half as much.
Flow::Flow(std::size_t max_queue)
    : high_water(std::min<std::size_t>(64 * 1024, max_queue / 2)), low_water(high_water / 2) {}

bool Flow::held() const {
    // BEGIN YOURS
    return behind_.load() > 0;
    // INSTEAD
    //| return false;  // until you write flow control, nobody is ever behind
    // END YOURS
}

void Flow::wait_until_free() {
    // BEGIN YOURS
    if (!held()) return;  // the common case: no lock at all
    std::unique_lock lock(mutex_);
    free_.wait(lock, [&] { return !held(); });
    // END YOURS
}

void Flow::one_more_behind() {
    // BEGIN YOURS
    ++behind_;
    // END YOURS
}

void Flow::one_less_behind() {
    // BEGIN YOURS
    if (--behind_ > 0) return;
    // Taking the mutex between the change and the notify: a reader that
    // has just seen held() under it, and is about to wait, cannot miss it.
    { const std::lock_guard lock(mutex_); }
    free_.notify_all();
    // END YOURS
}

// BEGIN YOURS
Member::Member(net::Connection connection, std::size_t max_queue, ToSend& to_send, Flow& flow)
    : address_(connection.peer.to_string()), connection_(std::move(connection)), max_queue_(max_queue),
      to_send_(to_send), flow_(flow) {
    // The writer's send() gives up after stall_time without taking a byte:
    // that is how it learns that the client has stopped reading.
    const timeval limit{std::chrono::duration_cast<std::chrono::seconds>(stall_time).count(), 0};
    ::setsockopt(connection_.socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}
// INSTEAD
//| Member::Member(net::Connection connection, std::size_t max_queue, ToSend& to_send, Flow& flow)
//|     : address_(connection.peer.to_string()), connection_(std::move(connection)) {
//|     (void)max_queue;
//|     (void)to_send;
//|     (void)flow;
//| }
// END YOURS

bool Member::deliver(std::string_view bytes) {
    // BEGIN YOURS
    bool first_unsent = false;
    {
        const std::lock_guard lock(mutex_);
        if (finishing_ || aborted_) return true;  // out of the room: nothing more for it
        // A client that reads is never refused (flow control keeps its
        // queue small); one that has stopped reading gets no more than
        // --max-queue.
        if (stalled_ && queue_.size() + bytes.size() > max_queue_) return false;
        // Bytes already queued have a sender: the writer, or whoever
        // listed this Member, and they will send these too. Only the
        // first bytes of an empty queue need one.
        first_unsent = queue_.empty();
        queue_.append(bytes);
        update_flow();
    }
    if (first_unsent) to_send_.push_back(shared_from_this());
    return true;
    // INSTEAD
    //| (void)bytes;
    //| not_written_yet("Member::deliver");
    // END YOURS
}

void Member::send_now_or_wake_writer() {
    // BEGIN YOURS
    std::string batch;
    {
        const std::lock_guard lock(mutex_);
        // Someone is sending already (they will find these bytes queued), or
        // nothing is left to send, or nobody to send it to.
        if (sending_ || aborted_ || queue_.empty()) return;
        batch = claim_pending();
    }
    // MSG_DONTWAIT: what the socket takes now, never a wait for a client
    // that does not read (then send() fails with EAGAIN).
    const ssize_t sent = ::send(connection_.socket.fd(), batch.data(), batch.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    bool wake_writer = false;
    {
        const std::lock_guard lock(mutex_);
        sending_ = false;
        if (sent > 0 && !aborted_) {
            queue_.consume(static_cast<std::size_t>(sent));
            stalled_ = false;  // it reads: it counts again
            update_flow();
        }
        // Bytes left: the socket was full, or more came meanwhile, or
        // send() failed (the writer meets the error again, and ends the
        // connection). Or the end has come, and the writer must see it.
        wake_writer = !queue_.empty() || finishing_ || aborted_;
    }
    if (wake_writer) wake_.notify_one();
    // INSTEAD
    //| not_written_yet("Member::send_now_or_wake_writer");
    // END YOURS
}

void Member::finish() {
    // BEGIN YOURS
    {
        const std::lock_guard lock(mutex_);
        finishing_ = true;
        update_flow();
    }
    wake_.notify_one();
    // INSTEAD
    //| not_written_yet("Member::finish");
    // END YOURS
}

void Member::abort() {
    // BEGIN YOURS
    {
        const std::lock_guard lock(mutex_);
        aborted_ = true;
        update_flow();
    }
    wake_.notify_one();
    // When the descriptor is closed (once both threads are done), reset the
    // connection rather than keep the bytes still in the kernel's buffers
    // for a client that does not read: they are freed at once.
    const ::linger reset_on_close{1, 0};
    ::setsockopt(connection_.socket.fd(), SOL_SOCKET, SO_LINGER, &reset_on_close, sizeof reset_on_close);
    // The writer may be stuck in send() to a client that reads nothing, and
    // the reader in recv(): shutdown() wakes both (send fails with EPIPE,
    // recv returns 0). It does not close the descriptor: its number stays
    // ours until the Member is destroyed, so no thread can ever write to a
    // number the kernel has meanwhile given to a new client.
    end_connection();
    // INSTEAD
    //| not_written_yet("Member::abort");
    // END YOURS
}

void Member::write_until_done() {
    // BEGIN YOURS
    bool drop = false;  // stalled past --max-queue
    try {
        while (!drop) {
            std::string batch;
            {
                std::unique_lock lock(mutex_);
                // Bytes that nobody else is sending, or the end.
                wake_.wait(lock, [&] { return aborted_ || (!sending_ && (finishing_ || !queue_.empty())); });
                if (aborted_ || queue_.empty()) break;  // dropped, or finished and all sent
                batch = claim_pending();
            }
            for (std::size_t sent = 0; sent < batch.size() && !drop;) {
                // Here, and only here, a thread waits for this client: at
                // most stall_time at a time.
                const std::size_t now = send_some(connection_, std::string_view(batch).substr(sent));
                sent += now;
                const std::lock_guard lock(mutex_);
                if (aborted_) break;
                // Nothing for a second: it has stopped reading. It no longer
                // holds the room; past --max-queue, it goes.
                stalled_ = now == 0;
                drop = stalled_ && queue_.size() > max_queue_;
                // Only now are those bytes no longer pending: the queue's
                // bound counts every byte not yet written to the socket.
                queue_.consume(now);
                update_flow();
                if (sent == batch.size()) sending_ = false;  // all out: the next send may be anyone's
            }
        }
    } catch (const std::system_error& error) {
        // A reset, or the socket shut down by abort(): the client is gone;
        // its reader sees that too and tells the room.
        if (!net::is_disconnect(error)) std::cerr << "robust-chat: " << error.what() << std::endl;
    }
    // Dropped here (its reader then sees the end, and tells the room), or
    // done: either way nothing more is written, and it holds nobody.
    if (drop) abort();
    {
        const std::lock_guard lock(mutex_);
        aborted_ = true;
        update_flow();
    }
    end_connection();
    // INSTEAD
    //| not_written_yet("Member::write_until_done");
    // END YOURS
}

// BEGIN YOURS
std::string Member::claim_pending() {
    sending_ = true;
    // Everything queued, in one piece: one send() for all the lines that
    // came in since the last one (batching). A copy, so that the others
    // can go on appending while the send() runs without the lock; the bytes
    // stay queued (and count against --max-queue) until consume()d.
    return std::string(queue_.pending());
}

void Member::update_flow() {
    // Behind: in the room, reading (not stalled), and more than the high
    // water waiting; it stays behind until it is down to the low water (so
    // that the readers do not stop and start again for every line).
    const bool behind = !finishing_ && !aborted_ && !stalled_ &&
                        queue_.size() > (behind_ ? flow_.low_water : flow_.high_water);
    if (behind == behind_) return;
    behind_ = behind;
    if (behind) flow_.one_more_behind();
    else flow_.one_less_behind();
}

void Member::end_connection() {
    // Both ways: the client sees the end of the stream after the last byte
    // written, and our reader's recv() returns 0. Errors (ENOTCONN: it is
    // shut down already, or the client reset it) mean there is nothing to end.
    ::shutdown(connection_.socket.fd(), SHUT_RDWR);
}
// INSTEAD
//| // The private functions you declared in member.hpp, if any.
// END YOURS
