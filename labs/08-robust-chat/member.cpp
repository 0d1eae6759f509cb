// Lab 08: the output side of each client. What each function must do is in
// member.hpp; how, in the handout ("Nobody writes to another client's
// socket" and "Sending after the turn: try first, wake the writer only for
// the rest").
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

Member::Member(net::Connection connection, std::size_t max_queue, ToSend& to_send)
    : address_(connection.peer.to_string()), connection_(std::move(connection)), to_send_(to_send),
      queue_(max_queue) {}

bool Member::deliver(std::string_view bytes) {
    // ===== YOUR CODE (lab 08) =============================================
    // Any thread, under the room's lock, and under mutex_ too (the writer
    // and the senders after a turn change the queue holding only mutex_):
    // append to the queue (false if it does not fit under --max-queue).
    // Never sends, never waits, never wakes the writer: if the queue was
    // empty before this append, list this Member in to_send_
    // (shared_from_this()); the turn at the room sends to it once the
    // room's lock is released. (Bytes already queued have a sender, who
    // will find these too.)
    (void)bytes;
    (void)to_send_;
    not_written_yet("Member::deliver");
    // ===== END OF YOUR CODE ===============================================
}

std::string Member::claim_pending() {
    // ===== YOUR CODE (lab 08) =============================================
    // Called with mutex_ held: set sending_, and return a copy of
    // everything queued (the copy lets the others go on appending while
    // the send() runs without the lock). The bytes stay queued until
    // consume()d.
    (void)sending_;
    not_written_yet("Member::claim_pending");
    // ===== END OF YOUR CODE ===============================================
}

void Member::send_now_or_wake_writer() {
    // ===== YOUR CODE (lab 08) =============================================
    // After a turn at the room, without its lock. If nobody is sending
    // (sending_), nobody is dropped and bytes are queued: claim them, and
    // send() them once, with MSG_NOSIGNAL | MSG_DONTWAIT, without the lock
    // (it never waits: a full socket fails with EAGAIN). -1 (EAGAIN, or
    // EPIPE/ECONNRESET: the client is gone) counts as nothing sent: never
    // consume() it; the writer meets a real error again and ends the
    // connection. Then, under the lock: release sending_, consume() what
    // was sent, and wake the writer if bytes are left, or the connection is
    // finishing or dropped (a finish() that came while you held sending_
    // woke a writer that could not send: it is waiting for you).
    not_written_yet("Member::send_now_or_wake_writer");
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
    // waits in recv(), wakes up too (end_connection() does both). The
    // connection is reset when it is closed (SO_LINGER 0), so that the
    // kernel frees what it holds for that client at once. Do not close
    // the descriptor here (why not? see the handout).
    (void)aborted_;
    not_written_yet("Member::abort");
    // ===== END OF YOUR CODE ===============================================
}

void Member::write_until_done() {
    // ===== YOUR CODE (lab 08) =============================================
    // The writer thread: wait until aborted_, or nobody is sending
    // (!sending_) and bytes are queued or finishing_; claim them
    // (claim_pending) and send them, one send() at a time (send_some,
    // above), consuming what each send() took; release sending_ when all
    // are out. Until finish() (and all is sent) or abort(), or an error.
    // Then end_connection().
    not_written_yet("Member::write_until_done");
    // ===== END OF YOUR CODE ===============================================
}

void Member::end_connection() {
    // Both ways: the client sees the end of the stream after the last byte
    // written, and our reader's recv() returns 0. Errors (ENOTCONN: it is
    // shut down already, or the client reset it) mean there is nothing to end.
    ::shutdown(connection_.socket.fd(), SHUT_RDWR);
}
