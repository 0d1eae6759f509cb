// Lab 09 starter: read README.md first (en español: README.es.md).
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
    // ===== YOUR CODE (lab 09) =============================================
    // A member out of the room takes nothing more (true). One that has stopped
    // reading (stalled) never goes past --max-queue (false: the room drops
    // it). Otherwise every byte is kept, in order, for the loop to write after
    // this round, and flow control knows how much is waiting.
    (void)bytes;
    return true;
    // ===== END OF YOUR CODE ===============================================
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
    // ===== YOUR CODE (lab 09) =============================================
    // Never waits: what is queued goes out as far as the socket takes it now
    // (one send() when it takes everything), the rest stays, in order. Says
    // whether all went, the socket is full, or the connection is gone. A member
    // whose socket took something is not stalled; check_stalled() can tell
    // how long it has taken nothing; flow control knows how much is waiting.
    return Written::all;
    // ===== END OF YOUR CODE ===============================================
}

bool Member::check_stalled(Clock::time_point now) {
    // ===== YOUR CODE (lab 09) =============================================
    // Once the socket has taken nothing for stall_time, the member is stalled
    // (no longer behind). True when it is stalled and past --max-queue.
    (void)now;
    return false;
    // ===== END OF YOUR CODE ===============================================
}

void Member::update_flow() {
    // ===== YOUR CODE (lab 09) =============================================
    // flow_ counts this member as behind exactly while it is in the room, reads
    // (is not stalled) and is past the high-water mark, until it is down to
    // the low-water mark (README.md, "Flow control").
    // ===== END OF YOUR CODE ===============================================
}
