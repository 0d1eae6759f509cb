// Lab 08: the writer side of each client. What each function must do is in
// member.hpp; how, in the handout ("A writer thread per client").
#include "member.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"
#include "not_written_yet.hpp"

namespace {

// One send(): as many of `bytes` as the socket takes now (waiting until it
// takes at least one). Throws std::system_error when the client is gone.
[[maybe_unused]] std::size_t send_some(const net::Connection& connection, std::string_view bytes) {
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
    // ===== YOUR CODE (lab 08) =============================================
    // Any thread, under the room's lock: append to the queue (false if it
    // does not fit under --max-queue). Never waits for the client, and
    // never wakes the writer itself: if the queue was empty (the writer may
    // be asleep), list this Member in wakeups_ (shared_from_this()); the
    // turn at the room wakes it once the room's lock is released.
    (void)bytes;
    (void)wakeups_;
    not_written_yet("Member::deliver");
    // ===== END OF YOUR CODE ===============================================
}

void Member::finish() {
    // ===== YOUR CODE (lab 08) =============================================
    // No more output: the writer sends what is queued, then ends.
    (void)finishing_;
    not_written_yet("Member::finish");
    // ===== END OF YOUR CODE ===============================================
}

void Member::abort() {
    // ===== YOUR CODE (lab 08) =============================================
    // Dropped: the writer stops at once, whatever is queued, even if it is
    // waiting in send() to a client that reads nothing; the reader, if it
    // waits in recv(), wakes up too. Do not close the descriptor here (why
    // not? see the handout).
    (void)aborted_;
    not_written_yet("Member::abort");
    // ===== END OF YOUR CODE ===============================================
}

void Member::write_until_done() {
    // ===== YOUR CODE (lab 08) =============================================
    // The writer thread: wait for work; send everything queued with one
    // send() at a time (send_some, above), consuming what each send()
    // took; until finish() (and all is sent) or abort(), or an error. Then
    // end_connection().
    not_written_yet("Member::write_until_done");
    // ===== END OF YOUR CODE ===============================================
}

void Member::end_connection() {
    // Both ways: the client sees the end of the stream after the last byte
    // written, and our reader's recv() returns 0. Errors (ENOTCONN: it is
    // shut down already, or the client reset it) mean there is nothing to end.
    ::shutdown(connection_.socket.fd(), SHUT_RDWR);
}
