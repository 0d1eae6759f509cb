#include "receiver.hpp"

#include <utility>

#include "datagram.hpp"
#include "net/udp.hpp"

Receiver::Receiver(const net::Socket& socket, std::ostream& output) : socket_(socket), output_(output) {}

int Receiver::run() {
    // BEGIN YOURS
    std::optional<std::string> sender;         // whoever sent the first valid datagram
    std::optional<Clock::time_point> done_at;  // when the transfer was complete
    while (true) {
        const Clock::time_point until = done_at ? *done_at + linger : Clock::time_point::max();
        const std::optional<net::Received> received = net::receive_from(socket_, until);
        if (!received) return 0;  // lingered long enough: nobody is owed an ACK any more
        std::optional<Datagram> datagram = decode(received->bytes);
        if (!datagram || datagram->type == Type::ack) continue;  // damaged, or not for a receiver: as if lost
        const std::string from = received->from.to_string();
        if (!sender) sender = from;
        if (from != *sender) continue;  // another transfer than ours

        if (datagram->type == Type::data)
            on_data(datagram->number, std::move(datagram->payload));
        else
            on_fin(datagram->number);
        if (complete() && !done_at) {
            output_.flush();  // every byte out before we say it has all arrived
            done_at = Clock::now();
        }
        // Every valid DATA and FIN gets an ACK, in order or not, new or not:
        // the sender learns what is still missing, and an ACK the network
        // lost is replaced. Replies go where the datagram came from.
        const std::uint32_t next_expected = complete() ? *fin_ + 1 : expected_;
        net::send_to(socket_, received->from, encode(Datagram{Type::ack, next_expected, {}}));
    }
    // INSTEAD
    //| // Guarantees:
    //| // - the first address to send a valid DATA or FIN is the sender; any
    //| //   other address is ignored, and so is every datagram decode() refuses;
    //| // - every byte of the transfer is written to output_, once, in order;
    //| //   DATA that comes early (within max_ahead) is kept until its turn;
    //| // - every valid DATA and FIN from the sender is answered with an ACK
    //| //   carrying the next number expected; once the FIN and everything
    //| //   before it have arrived, the FIN's number plus one;
    //| // - the output is flushed before that ACK goes out;
    //| // - returns 0 two seconds (linger) after the transfer is complete,
    //| //   answering the sender all the while.
    //| // Until then it listens, and answers nothing:
    //| while (true) net::receive_from(socket_, Clock::time_point::max());
    // END YOURS
}

// BEGIN YOURS
void Receiver::on_data(std::uint32_t number, std::string payload) {
    // Written already (a repeat, or sent again because our ACK was lost),
    // too far ahead, or past the end the FIN announced: acknowledged, not kept.
    if (number < expected_ || number - expected_ >= max_ahead || (fin_ && number >= *fin_)) return;
    waiting_.try_emplace(number, std::move(payload));  // a second copy of one kept changes nothing
    // Whatever now follows in order goes out.
    for (auto next = waiting_.begin(); next != waiting_.end() && next->first == expected_; next = waiting_.erase(next)) {
        output_.write(next->second.data(), static_cast<std::streamsize>(next->second.size()));
        ++expected_;
    }
}

void Receiver::on_fin(std::uint32_t number) {
    // The first FIN says where the transfer ends. A FIN before what has been
    // written already cannot come from a sender that follows the protocol.
    if (!fin_ && number >= expected_) fin_ = number;
}
// END YOURS
