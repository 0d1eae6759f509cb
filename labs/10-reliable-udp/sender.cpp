// Lab 10 starter: read README.md first (en español: README.es.md).
#include "sender.hpp"

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <utility>

#include <unistd.h>

#include "net/errors.hpp"
#include "net/udp.hpp"

Sender::Sender(const net::Socket& socket, net::Address receiver, std::size_t window, int input)
    : socket_(socket), receiver_(std::move(receiver)), window_(window), input_(input) {}

std::string Sender::read_payload() {
    // read() on a pipe returns what is there, maybe less than asked: read
    // until the payload is full or the input ends, so that datagrams are
    // full-sized whatever the writer's pace.
    std::string payload(max_payload, '\0');
    std::size_t filled = 0;
    while (filled < payload.size()) {
        const ssize_t n = ::read(input_, payload.data() + filled, payload.size() - filled);
        if (n == 0) break;  // the end of the input
        if (n < 0) {
            if (errno == EINTR) continue;
            net::throw_errno("read", "standard input");
        }
        filled += static_cast<std::size_t>(n);
    }
    payload.resize(filled);
    return payload;
}

int Sender::run() {
    // ===== YOUR CODE (lab 10) =============================================
    // Guarantees:
    // - the input goes out as DATA 0, 1, 2, ... (up to 1,200 bytes each),
    //   then a FIN numbered after the last DATA (0 for an empty input);
    // - at most window_ DATA are unacknowledged at once, and as many as
    //   that while there is input left (a window, not stop-and-wait);
    // - an ACK n acknowledges every number below n; an ACK that
    //   acknowledges nothing new is not progress;
    // - whatever is not acknowledged is sent again, after a timeout that
    //   follows the round trip (round_trip.hpp), and sooner when the ACKs
    //   show a datagram was lost;
    // - only valid ACKs from receiver_ count (decode());
    // - returns 0 once the FIN is acknowledged, not before; after 10 s
    //   with nothing acknowledged, one line on standard error and 1.
    return 1;
    // ===== END OF YOUR CODE ===============================================
}

// ===== YOUR CODE (lab 10) =================================================
// ===== END OF YOUR CODE ===================================================
