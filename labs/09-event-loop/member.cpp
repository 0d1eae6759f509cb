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
    // Out of the room: nothing more for it (true). A client that has stopped
    // reading (stalled) and would be past --max-queue is refused (false: the
    // room drops it). Otherwise the bytes are queued, the member listed for
    // writing, and its flow updated.
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
    // What is queued is written, as much as the socket takes now (one send()
    // when it takes everything), the rest kept in order; says whether all went,
    // the socket is full, or the connection is gone. The stall clock runs from
    // the last time the socket took something; a member whose socket took
    // something is not stalled. Its flow is updated.
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
    // Behind (counted in flow_) while in the room, reading (not stalled), and
    // with more than the high water queued, until it is down to the low water.
    // ===== END OF YOUR CODE ===============================================
}
