// Lab 08 starter: read README.md first (en español: README.es.md).
#include "member.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"
#include "not_written_yet.hpp"

// ===== YOUR CODE (lab 08) =================================================
// Helpers of your own, if you want any.
// ===== END OF YOUR CODE ===================================================

// More than 64 KiB (or half of --max-queue, if that is less) waiting for a
// client that reads makes it behind, until it is down to half as much.
Flow::Flow(std::size_t max_queue)
    : high_water(std::min<std::size_t>(64 * 1024, max_queue / 2)), low_water(high_water / 2) {}

bool Flow::held() const {
    // ===== YOUR CODE (lab 08) =============================================
    return false;  // until you write flow control, nobody is ever behind
    // ===== END OF YOUR CODE ===============================================
}

void Flow::wait_until_free() {
    // ===== YOUR CODE (lab 08) =============================================
    // ===== END OF YOUR CODE ===============================================
}

void Flow::one_more_behind() {
    // ===== YOUR CODE (lab 08) =============================================
    // ===== END OF YOUR CODE ===============================================
}

void Flow::one_less_behind() {
    // ===== YOUR CODE (lab 08) =============================================
    // ===== END OF YOUR CODE ===============================================
}

// ===== YOUR CODE (lab 08) =================================================
Member::Member(net::Connection connection, std::size_t max_queue, ToSend& to_send, Flow& flow)
    : address_(connection.peer.to_string()), connection_(std::move(connection)) {
    (void)max_queue;
    (void)to_send;
    (void)flow;
}
// ===== END OF YOUR CODE ===================================================

bool Member::deliver(std::string_view bytes) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)bytes;
    not_written_yet("Member::deliver");
    // ===== END OF YOUR CODE ===============================================
}

void Member::send_now_or_wake_writer() {
    // ===== YOUR CODE (lab 08) =============================================
    not_written_yet("Member::send_now_or_wake_writer");
    // ===== END OF YOUR CODE ===============================================
}

void Member::finish() {
    // ===== YOUR CODE (lab 08) =============================================
    not_written_yet("Member::finish");
    // ===== END OF YOUR CODE ===============================================
}

void Member::abort() {
    // ===== YOUR CODE (lab 08) =============================================
    not_written_yet("Member::abort");
    // ===== END OF YOUR CODE ===============================================
}

void Member::write_until_done() {
    // ===== YOUR CODE (lab 08) =============================================
    not_written_yet("Member::write_until_done");
    // ===== END OF YOUR CODE ===============================================
}

// ===== YOUR CODE (lab 08) =================================================
// The private functions you declared in member.hpp, if any.
// ===== END OF YOUR CODE ===================================================
