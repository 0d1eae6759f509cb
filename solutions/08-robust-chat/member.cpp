#include "member.hpp"

#include <poll.h>
#include <sys/socket.h>

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

// Waits until the socket has room for more bytes (POLLOUT), or the
// connection has ended, for at most `limit`. False: no room came.
bool wait_for_room(const net::Connection& connection, std::chrono::milliseconds limit) {
    pollfd watched{connection.socket.fd(), POLLOUT, 0};
    while (true) {
        const int ready = ::poll(&watched, 1, static_cast<int>(limit.count()));
        if (ready >= 0) return ready > 0;
        if (errno != EINTR) net::throw_errno("poll", "for " + connection.peer.to_string());
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
      to_send_(to_send), flow_(flow) {}
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
    bool wake_writer = false;
    {
        const std::lock_guard lock(mutex_);
        if (aborted_ || queue_.empty()) return;  // nothing to send, or nobody to send it to
        try {
            send_queued();
        } catch (const std::system_error&) {
            // The client is gone: the writer meets the error again, and
            // ends the connection.
        }
        // Bytes left (the socket was full, or the client is gone), or the
        // end has come: the writer must see it.
        wake_writer = !queue_.empty() || finishing_;
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
        std::unique_lock lock(mutex_);
        while (true) {
            // Bytes that a relaying thread's send() left, or the end.
            wake_.wait(lock, [&] { return aborted_ || finishing_ || !queue_.empty(); });
            if (aborted_ || queue_.empty()) break;  // dropped, or finished and all sent
            send_queued();
            if (aborted_ || queue_.empty()) continue;
            // The socket is full. Here, and only here, a thread waits for
            // this client: without the mutex (the others go on queueing
            // for it), and at most stall_time.
            lock.unlock();
            const bool room = wait_for_room(connection_, stall_time);
            lock.lock();
            if (room || aborted_) continue;
            // No room for a second: it has stopped reading. It no
            // longer holds the room; past --max-queue, it goes.
            stalled_ = true;
            update_flow();
            if (queue_.size() > max_queue_) {
                drop = true;
                break;
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
void Member::send_queued() {
    // Everything queued, in one piece: one send() for all the lines that
    // came in since the last one (batching). It cannot wait, so it may run
    // under the mutex, from the queue itself: no copy, and nobody else can
    // send meanwhile (two sends could interleave, or send bytes twice).
    const std::string_view pending = queue_.pending();
    const ssize_t sent = ::send(connection_.socket.fd(), pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;  // full: nothing taken
        net::throw_errno("send", "to " + connection_.peer.to_string());
    }
    // Only now are those bytes no longer pending: the queue's bound counts
    // every byte not yet written to the socket.
    queue_.consume(static_cast<std::size_t>(sent));
    if (sent > 0) stalled_ = false;  // it reads: it counts again
    update_flow();
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
