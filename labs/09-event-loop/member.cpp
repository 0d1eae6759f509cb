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
    // TODO: while the queue is not empty, send() its pending() bytes with
    // MSG_NOSIGNAL, and consume() what send() took (maybe only part: the
    // rest stays, in order, for next time).
    //   EINTR: try again.
    //   EAGAIN or EWOULDBLOCK: the socket is full: return would_block.
    //   any other error: return failed.
    // Empty: return all.
    return Written::failed;
}
