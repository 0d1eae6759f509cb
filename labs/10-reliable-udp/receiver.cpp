// Lab 10 starter: read README.md first (en español: README.es.md).
#include "receiver.hpp"

#include <utility>

#include "datagram.hpp"
#include "net/udp.hpp"

Receiver::Receiver(const net::Socket& socket, std::ostream& output) : socket_(socket), output_(output) {}

int Receiver::run() {
    // ===== YOUR CODE (lab 10) =============================================
    // Guarantees:
    // - the first address to send a valid DATA or FIN is the sender; any
    //   other address is ignored, and so is every datagram decode() refuses;
    // - every byte of the transfer is written to output_, once, in order;
    //   DATA that comes early (within max_ahead) is kept until its turn;
    // - every valid DATA and FIN from the sender is answered with an ACK
    //   carrying the next number expected; once the FIN and everything
    //   before it have arrived, the FIN's number plus one;
    // - the output is flushed before that ACK goes out;
    // - returns 0 two seconds (linger) after the transfer is complete,
    //   answering the sender all the while.
    // Until then it listens, and answers nothing:
    while (true) net::receive_from(socket_, Clock::time_point::max());
    // ===== END OF YOUR CODE ===============================================
}

// ===== YOUR CODE (lab 10) =================================================
// ===== END OF YOUR CODE ===================================================
