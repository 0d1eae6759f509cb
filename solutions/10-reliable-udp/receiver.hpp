#pragma once
// The receiving side: takes one transfer and writes its bytes out, all of
// them, once each and in order, whatever the network did to the datagrams.
//
//      written           |  expected                      kept: arrived early
//     ... 37  38  39  40 |  41   42   43   44   45   ...
//                            ?   [42]  ?   [44]
//
// - a DATA numbered `expected` is written, and with it every kept DATA that
//   now follows in order; a DATA further ahead (within 1,024) is kept until
//   its turn; one already written is not written again;
// - every valid DATA and FIN is answered with an ACK carrying the next
//   number expected: cumulative, it says every number below has arrived,
//   so an ACK lost on the way is made good by the next one;
// - the FIN says where the transfer ends. Once everything before it has
//   arrived, its ACK is its number plus one; the receiver then lingers 2
//   seconds, answering a FIN sent again (the sender's copy of our last ACK
//   may have been lost), and returns.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "net/socket.hpp"

class Receiver {
public:
    using Clock = std::chrono::steady_clock;
    // DATA this far ahead of the one expected, or further, is not kept.
    static constexpr std::uint32_t max_ahead = 1024;
    // How long a complete transfer's FIN is still answered: TCP's TIME_WAIT.
    static constexpr std::chrono::seconds linger{2};

    // Receives on `socket` (bound, listening), writes to `output`.
    Receiver(const net::Socket& socket, std::ostream& output);

    // Takes one transfer from the first address that sends a valid DATA or
    // FIN, ignoring every other address; writes its bytes to the output;
    // returns 0 two seconds after the transfer is complete.
    int run();

private:
    const net::Socket& socket_;
    std::ostream& output_;

    // BEGIN YOURS
    void on_data(std::uint32_t number, std::string payload);
    void on_fin(std::uint32_t number);
    // The FIN has come and every DATA before it has been written.
    bool complete() const { return fin_ && expected_ == *fin_; }

    std::uint32_t expected_ = 0;                    // the next DATA to write
    std::map<std::uint32_t, std::string> waiting_;  // DATA that came early, kept until their turn
    std::optional<std::uint32_t> fin_;              // the FIN's number, once it has come
    // INSTEAD
    //| // Your buffer: what the receiver remembers between datagrams
    //| // (README.md, "The receiver: a buffer and ACKs"), and functions of
    //| // your own.
    // END YOURS
};
