// Lab 10 starter: read README.md first (en español: README.es.md).
#pragma once
// The sending side: delivers its input to the receiver over datagrams that
// the network may lose, repeat, reorder or damage.
//
// A sliding window. Every datagram has a number; the receiver's ACK n says
// "every number below n has arrived":
//
//      acknowledged  |        in flight        |  not sent yet
//     ... 14  15  16 | 17  18  19  20  21  22  | 23  24  25 ...
//                    base                        next
//
// - up to `window` DATA are in flight (sent, not yet acknowledged) at once:
//   the link is kept busy instead of idle for a round trip per datagram
//   (stop-and-wait: 1 MiB at 10 ms each way would take 17 s);
// - ACK n moves base up to n, and as many new DATA may go;
// - every datagram in flight has a timer of its own (selective repeat): a
//   datagram not acknowledged within the timeout is sent again, itself
//   alone, if ACKs came back after its own was due (the network works: it
//   was lost); if not a word has come back since, only the oldest is sent,
//   as a probe, and the timeout doubles (round_trip.hpp);
// - three ACKs in a row that acknowledge nothing new mean that later
//   datagrams arrived and base did not: base is sent again at once, without
//   waiting for its timer (fast retransmit);
// - after a loss, an ACK that moves base but not past everything sent by
//   then names the next hole: it is sent at once too (a "partial ACK", as in
//   TCP NewReno);
// - the FIN follows the last DATA; the transfer is over once it is
//   acknowledged.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "datagram.hpp"
#include "net/address.hpp"
#include "net/socket.hpp"
#include "round_trip.hpp"

class Sender {
public:
    using Clock = std::chrono::steady_clock;
    // With nothing acknowledged for this long, the receiver is gone (or the
    // network is): give up.
    static constexpr std::chrono::seconds give_up_after{10};

    // Sends to `receiver` through `socket`, at most `window` DATA in flight,
    // the bytes read from the file descriptor `input` (standard input).
    Sender(const net::Socket& socket, net::Address receiver, std::size_t window, int input);

    // Delivers the whole input as DATA 0, 1, 2, ..., then the FIN. Returns 0
    // once the FIN is acknowledged; when nothing has been acknowledged for
    // 10 seconds, prints one line on standard error and returns 1.
    int run();

private:
    // Up to 1,200 bytes of input, as many as it has; "" once it has ended.
    std::string read_payload();

    const net::Socket& socket_;
    const net::Address receiver_;
    const std::size_t window_;
    const int input_;

    // ===== YOUR CODE (lab 10) =============================================
    // Your window and timer: what the sender remembers between datagrams
    // (README.md, "The sender: a window and a timer"), and functions of
    // your own.
    // ===== END OF YOUR CODE ===============================================
};
