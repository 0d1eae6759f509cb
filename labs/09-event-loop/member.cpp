#include "member.hpp"

#include <cerrno>  // errno, EAGAIN, EINTR
#include <utility>

#include <sys/socket.h>  // send, MSG_NOSIGNAL

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
    // YOUR CODE. Guarantees: it never waits, and never kills the process
    // (SIGPIPE); the bytes the socket takes leave the queue, and whatever
    // it does not take stays queued, in order, for next time; it returns
    // all once the queue is empty, would_block when the socket is full,
    // failed when the client has gone (README.md, "Non-blocking sockets").
    return Written::failed;
}
