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

Member::Member(net::Connection connection, std::size_t max_queue, Wakeups& wakeups)
    : address_(connection.peer.to_string()), connection_(std::move(connection)), wakeups_(wakeups),
      queue_(max_queue) {}

bool Member::deliver(std::string_view bytes) {
    bool writer_may_sleep = false;
    {
        const std::lock_guard lock(mutex_);
        if (finishing_ || aborted_) return true;  // out of the room: nothing more for it
        // The writer sleeps only on an empty queue: wake it only then. A
        // wake-up per line would cost a system call per receiver per line,
        // the very cost batching saves.
        writer_may_sleep = queue_.empty();
        if (!queue_.append(bytes)) return false;
    }
    if (writer_may_sleep) wakeups_.push_back(shared_from_this());
    return true;
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
                wake_.wait(lock, [&] { return aborted_ || finishing_ || !queue_.empty(); });
                if (aborted_ || queue_.empty()) break;  // dropped, or finished and all sent
                // Everything queued, in one piece: one send() for all the
                // lines that came in while the last one was being written
                // (batching). A copy, so that the others can go on appending
                // while this thread waits in send() without the lock.
                batch = queue_.pending();
            }
            for (std::size_t sent = 0; sent < batch.size();) {
                const std::size_t now = send_some(connection_, std::string_view(batch).substr(sent));
                sent += now;
                // Only now are those bytes no longer pending: the queue's
                // bound counts every byte not yet written to the socket.
                const std::lock_guard lock(mutex_);
                if (aborted_) break;
                queue_.consume(now);
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
