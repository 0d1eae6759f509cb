// Broken example for lab 09: member.cpp of the reference, but a full socket
// is waited on (poll until writable) instead of left to EPOLLOUT.
#include "member.hpp"

#include <cerrno>
#include <utility>

#include <poll.h>
#include <sys/socket.h>

Member::Member(net::Socket socket, std::string address, std::size_t max_queue, List& to_write)
    : address_(std::move(address)), socket_(std::move(socket)), queue_(max_queue), to_write_(to_write) {}

void Member::list_for_writing() {
    if (listed) return;
    listed = true;
    to_write_.push_back(shared_from_this());
}

bool Member::deliver(std::string_view bytes) {
    if (finishing_ || aborted_) return true;  // out of the room: nothing more for it
    if (!queue_.append(bytes)) return false;  // past --max-queue: the room drops it
    list_for_writing();
    return true;
}

void Member::finish() {
    finishing_ = true;
    list_for_writing();  // the loop writes what is left, then closes
}

void Member::abort() {
    aborted_ = true;
    list_for_writing();  // the loop closes it, whatever is queued
}

Member::Written Member::write_some() {
    while (!queue_.empty()) {
        const std::string_view pending = queue_.pending();
        // MSG_NOSIGNAL: writing to a client that has gone is an error to
        // handle (EPIPE), not a signal that kills the server.
        const ssize_t sent = ::send(socket_.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (sent >= 0) {
            queue_.consume(static_cast<std::size_t>(sent));  // maybe only part: the rest stays, in order
            continue;
        }
        if (errno == EINTR) continue;  // a signal came in: nothing was written, try again
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // THE MISTAKE: wait until this client's socket takes more, so
            // that the queue is always written out whole. The one thread
            // then waits on the slowest client, and so does everyone else.
            pollfd writable{socket_.fd(), POLLOUT, 0};
            ::poll(&writable, 1, -1);
            continue;
        }
        return Written::failed;
    }
    return Written::all;
}
