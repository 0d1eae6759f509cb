// Broken on purpose: lab 08's Member (solutions/08-robust-chat/member.cpp)
// with one mistake, in deliver(). Built normally it passes most runs: the
// race corrupts the queue only when a deliver() and a consume() (the
// writer's, or a send after a turn) overlap. Built with ThreadSanitizer it fails at the first overlap: that
// is how the grader checks "no data race". (Registered in the TSan build.)
#include "member.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"

namespace {

// One send(): as many of `bytes` as the socket takes now (waiting until it
// takes at least one). Throws std::system_error when the client is gone.
std::size_t send_some(const net::Connection& connection, std::string_view bytes) {
    while (true) {
        const ssize_t sent = ::send(connection.socket.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent >= 0) return static_cast<std::size_t>(sent);
        if (errno != EINTR) net::throw_errno("send", "to " + connection.peer.to_string());
    }
}

}  // namespace

Member::Member(net::Connection connection, std::size_t max_queue, ToSend& to_send)
    : address_(connection.peer.to_string()), connection_(std::move(connection)), to_send_(to_send),
      queue_(max_queue) {}

bool Member::deliver(std::string_view bytes) {
    // THE MISTAKE: "the room's mutex is held already, so this is safe". It
    // is not: the writer thread, and the threads that send after their
    // turn, change the queue too (consume), and they take only this
    // Member's mutex, never the room's.
    if (finishing_ || aborted_) return true;
    const bool first_unsent = queue_.empty();
    if (!queue_.append(bytes)) return false;
    if (first_unsent) to_send_.push_back(shared_from_this());
    return true;
}

std::string Member::claim_pending() {
    sending_ = true;
    // Everything queued, in one piece: one send() for all the lines that
    // came in since the last one (batching). A copy, so that the others
    // can go on appending while the send() runs without the lock; the bytes
    // stay queued (and count against --max-queue) until consume()d.
    return std::string(queue_.pending());
}

void Member::send_now_or_wake_writer() {
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
        if (sent > 0 && !aborted_) queue_.consume(static_cast<std::size_t>(sent));
        // Bytes left: the socket was full, or more came meanwhile, or
        // send() failed (the writer meets the error again, and ends the
        // connection). Or the end has come, and the writer must see it.
        wake_writer = !queue_.empty() || finishing_ || aborted_;
    }
    if (wake_writer) wake_.notify_one();
}

void Member::finish() {
    {
        const std::lock_guard lock(mutex_);
        finishing_ = true;
    }
    wake_.notify_one();
}

void Member::abort() {
    {
        const std::lock_guard lock(mutex_);
        aborted_ = true;
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
}

void Member::write_until_done() {
    try {
        while (true) {
            std::string batch;
            {
                std::unique_lock lock(mutex_);
                // Bytes that nobody else is sending, or the end.
                wake_.wait(lock, [&] { return aborted_ || (!sending_ && (finishing_ || !queue_.empty())); });
                if (aborted_ || queue_.empty()) break;  // dropped, or finished and all sent
                batch = claim_pending();
            }
            for (std::size_t sent = 0; sent < batch.size();) {
                // Here, and only here, a thread waits for this client.
                const std::size_t now = send_some(connection_, std::string_view(batch).substr(sent));
                sent += now;
                // Only now are those bytes no longer pending: the queue's
                // bound counts every byte not yet written to the socket.
                const std::lock_guard lock(mutex_);
                if (aborted_) break;
                queue_.consume(now);
                if (sent == batch.size()) sending_ = false;  // all out: the next send may be anyone's
            }
        }
    } catch (const std::system_error& error) {
        // A reset, or the socket shut down by abort(): the client is gone;
        // its reader sees that too and tells the room.
        if (!net::is_disconnect(error)) std::cerr << "robust-chat: " << error.what() << std::endl;
    }
    end_connection();
}

void Member::end_connection() {
    // Both ways: the client sees the end of the stream after the last byte
    // written, and our reader's recv() returns 0. Errors (ENOTCONN: it is
    // shut down already, or the client reset it) mean there is nothing to end.
    ::shutdown(connection_.socket.fd(), SHUT_RDWR);
}
