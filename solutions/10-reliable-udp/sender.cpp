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
    // BEGIN YOURS
    last_progress_ = last_heard_ = Clock::now();
    fill_window();
    while (!done()) {
        const Clock::time_point give_up = last_progress_ + give_up_after;
        if (const std::optional<net::Received> received = net::receive_from(socket_, std::min(next_timeout(), give_up))) {
            // Only a valid ACK from the receiver counts: anything else is
            // ignored, as if the network had lost it.
            const std::optional<Datagram> ack = decode(received->bytes);
            if (ack && ack->type == Type::ack && received->from.to_string() == receiver_.to_string())
                on_ack(ack->number);
        } else if (Clock::now() >= give_up) {
            std::cerr << "reliable-udp: nothing acknowledged by " << receiver_.to_string()
                      << " for 10 seconds; giving up" << std::endl;
            return 1;
        } else {
            resend_late();
        }
        fill_window();
    }
    return 0;
    // INSTEAD
    //| // Guarantees:
    //| // - the input goes out as DATA 0, 1, 2, ... (up to 1,200 bytes each),
    //| //   then a FIN numbered after the last DATA (0 for an empty input);
    //| // - at most window_ DATA are unacknowledged at once, and as many as
    //| //   that while there is input left (a window, not stop-and-wait);
    //| // - an ACK n acknowledges every number below n; an ACK that
    //| //   acknowledges nothing new is not progress;
    //| // - whatever is not acknowledged is sent again, after a timeout that
    //| //   follows the round trip (round_trip.hpp), and sooner when the ACKs
    //| //   show a datagram was lost;
    //| // - only valid ACKs from receiver_ count (decode());
    //| // - returns 0 once the FIN is acknowledged, not before; after 10 s
    //| //   with nothing acknowledged, one line on standard error and 1.
    //| return 1;
    // END YOURS
}

// BEGIN YOURS
void Sender::fill_window() {
    // While the input lasts, every datagram in flight is a DATA: the FIN
    // comes last, and does not count against the window.
    while (!input_ended_ && in_flight_.size() < window_) {
        std::string payload = read_payload();
        input_ended_ = payload.empty();
        const Datagram datagram = input_ended_ ? Datagram{Type::fin, next_, {}}
                                               : Datagram{Type::data, next_, std::move(payload)};
        in_flight_.push_back(InFlight{encode(datagram)});
        transmit(in_flight_.back());
        ++next_;
    }
}

void Sender::transmit(InFlight& datagram) {
    datagram.sent_at = Clock::now();
    datagram.deadline = datagram.sent_at + round_trip_.timeout();
    net::send_to(socket_, receiver_, datagram.bytes);
}

void Sender::resend(InFlight& datagram) {
    datagram.sent_again = true;
    transmit(datagram);
}

void Sender::on_ack(std::uint32_t next_expected) {
    const Clock::time_point now = Clock::now();
    last_heard_ = now;
    // Before the first measurement, the first ACK, whatever it says, came
    // back after DATA 0 went out: that long is a round trip at most. (If
    // DATA 0 is lost, the ACKs that say so come back all the same.)
    if (!round_trip_.smoothed() && base_ == 0 && !in_flight_.front().sent_again) {
        round_trip_.measured(now - in_flight_.front().sent_at);
        last_measured_ = now;
    }
    if (next_expected == base_) {
        // Nothing new: something after base arrived, base did not. Once may
        // be reordering; three times, and base is lost (fast retransmit).
        if (++duplicate_acks_ == 3) {
            recovering_until_ = next_;
            resend(in_flight_.front());
        }
        return;
    }
    if (next_expected < base_ || next_expected > next_) return;  // an old ACK, or one for nothing we sent

    const auto acknowledged_end = in_flight_.begin() + (next_expected - base_);
    // A round trip, measured on the newest datagram acknowledged, unless one
    // of them was sent again (then this ACK may answer the second copy: Karn's
    // rule). One per round trip: the ACKs of a burst come back together, and
    // 32 measurements of the same round trip would make its variation look
    // like nothing.
    const bool sent_once = std::none_of(in_flight_.begin(), acknowledged_end, [](const InFlight& d) { return d.sent_again; });
    if (sent_once && now - last_measured_ >= round_trip_.smoothed().value_or(Clock::duration::zero())) {
        round_trip_.measured(now - std::prev(acknowledged_end)->sent_at);
        last_measured_ = now;
    }
    in_flight_.erase(in_flight_.begin(), acknowledged_end);
    base_ = next_expected;
    last_progress_ = now;
    duplicate_acks_ = 0;
    round_trip_.reset_back_off();
    // During a recovery, an ACK short of what was sent when the loss was
    // noticed stops at the next hole: fill it now, not a timeout later.
    if (recovering_until_ && base_ < *recovering_until_)
        resend(in_flight_.front());
    else
        recovering_until_.reset();
}

Sender::Clock::time_point Sender::next_timeout() const {
    return std::min_element(in_flight_.begin(), in_flight_.end(), [](const InFlight& a, const InFlight& b) {
               return a.deadline < b.deadline;
           })->deadline;
}

void Sender::resend_late() {
    const Clock::time_point now = Clock::now();
    const Clock::duration round_trip = round_trip_.smoothed().value_or(RoundTripTimer::initial);
    bool silence = false;
    for (InFlight& datagram : in_flight_) {
        if (datagram.deadline > now) continue;
        if (last_heard_ > datagram.sent_at + round_trip)
            resend(datagram);  // ACKs came after this one's was due: it, or its ACK, was lost
        else
            silence = true;  // nothing at all has come back since it went
    }
    if (!silence) return;
    // Not a word back since: every datagram was lost, or the network (or the
    // receiver) has stopped for a while, and sending everything again would
    // be waste. Send only the oldest, as a probe, let the others wait as long
    // again, and wait twice as long from now on: if the network is
    // congested, sending faster makes it worse.
    round_trip_.back_off();
    InFlight& oldest = in_flight_.front();
    if (oldest.deadline <= now) resend(oldest);
    for (InFlight& datagram : in_flight_) datagram.deadline = std::max(datagram.deadline, oldest.deadline);
}
// END YOURS
