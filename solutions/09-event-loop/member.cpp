#include "member.hpp"

#include <cerrno>
#include <utility>

#include <sys/socket.h>

Member::Member(net::Socket socket, std::string address, std::size_t max_queue, List& to_write, Flow& flow)
    : address_(std::move(address)), socket_(std::move(socket)), max_queue_(max_queue), to_write_(to_write),
      flow_(flow) {}

void Member::list_for_writing() {
    if (listed) return;
    listed = true;
    to_write_.push_back(shared_from_this());
}

bool Member::deliver(std::string_view bytes) {
    // BEGIN YOURS
    if (finishing_ || aborted_) return true;  // out of the room: nothing more for it
    // A client that reads is never refused (flow control keeps its queue
    // small); one that has stopped reading gets no more than --max-queue.
    if (stalled_ && queue_.size() + bytes.size() > max_queue_) return false;
    queue_.append(bytes);
    list_for_writing();
    update_flow();
    return true;
    // INSTEAD
    //| // A member out of the room takes nothing more (true). One that has stopped
    //| // reading (stalled) never goes past --max-queue (false: the room drops
    //| // it). Otherwise every byte is kept, in order, for the loop to write after
    //| // this round, and flow control knows how much is waiting.
    //| (void)bytes;
    //| return true;
    // END YOURS
}

void Member::finish() {
    finishing_ = true;
    update_flow();
    list_for_writing();  // the loop writes what is left, then closes
}

void Member::abort() {
    aborted_ = true;
    update_flow();
    list_for_writing();  // the loop closes it, whatever is queued
}

Member::Written Member::write_some() {
    // BEGIN YOURS
    Written result = Written::all;
    bool took_some = false;
    while (!queue_.empty()) {
        const std::string_view pending = queue_.pending();
        // MSG_NOSIGNAL: writing to a client that has gone is an error to
        // handle (EPIPE), not a signal that kills the server.
        const ssize_t sent = ::send(socket_.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (sent >= 0) {
            queue_.consume(static_cast<std::size_t>(sent));  // maybe only part: the rest stays, in order
            took_some = true;
            continue;
        }
        if (errno == EINTR) continue;  // a signal came in: nothing was written, try again
        result = errno == EAGAIN || errno == EWOULDBLOCK ? Written::would_block : Written::failed;
        break;
    }
    // The stall clock: it runs from the last time the socket took something
    // (or, at the first EAGAIN, from now).
    if (result != Written::would_block) blocked_since_.reset();
    else if (took_some || !blocked_since_) blocked_since_ = Clock::now();
    if (took_some) stalled_ = false;  // it reads again: it counts again
    update_flow();
    return result;
    // INSTEAD
    //| // Never waits: what is queued goes out as far as the socket takes it now
    //| // (one send() when it takes everything), the rest stays, in order. Says
    //| // whether all went, the socket is full, or the connection is gone. A member
    //| // whose socket took something is not stalled; check_stalled() can tell
    //| // how long it has taken nothing; flow control knows how much is waiting.
    //| return Written::all;
    // END YOURS
}

bool Member::check_stalled(Clock::time_point now) {
    // BEGIN YOURS
    if (!stalled_ && blocked_since_ && now - *blocked_since_ >= stall_time) {
        stalled_ = true;
        update_flow();
    }
    return stalled_ && queue_.size() > max_queue_;
    // INSTEAD
    //| // Once the socket has taken nothing for stall_time, the member is stalled
    //| // (no longer behind). True when it is stalled and past --max-queue.
    //| (void)now;
    //| return false;
    // END YOURS
}

void Member::update_flow() {
    // BEGIN YOURS
    // Behind: in the room, reading (not stalled), and more than the high
    // water waiting; it stays behind until it is down to the low water (so
    // that the loop does not stop and start again for every line).
    const bool behind = !finishing_ && !aborted_ && !stalled_ &&
                        queue_.size() > (behind_ ? flow_.low_water : flow_.high_water);
    if (behind == behind_) return;
    behind_ = behind;
    flow_.behind += behind ? 1 : -1;
    // INSTEAD
    //| // flow_ counts this member as behind exactly while it is in the room, reads
    //| // (is not stalled) and is past the high-water mark, until it is down to
    //| // the low-water mark (README.md, "Flow control").
    // END YOURS
}
