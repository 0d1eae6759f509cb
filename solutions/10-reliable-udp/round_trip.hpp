#pragma once
// How long the sender waits for an ACK before it sends a datagram again:
// the retransmission timeout, adapted to the round trip as TCP does it
// (Jacobson and Karels, 1988; RFC 6298).
//
// Too short, and datagrams that were only slow are sent twice, wasting the
// link. Too long, and every loss stalls the transfer. The round trip is
// not known in advance (10 microseconds on loopback, 200 ms across the
// world) and it changes: so the sender measures it, keeps a smoothed mean
// and how much it varies, and waits the mean plus four times the variation
// (but never less than the mean plus a margin).

#include <chrono>
#include <optional>

class RoundTripTimer {
public:
    using Duration = std::chrono::steady_clock::duration;

    // Before any measurement: 1 s (RFC 6298).
    static constexpr Duration initial = std::chrono::seconds(1);
    // Never closer to the round trip than this, however steady it looks:
    // a timer that fires on ordinary jitter sends again datagrams that were
    // only late. (RFC 6298's G has this place; Linux's TCP uses 200 ms.)
    static constexpr Duration margin = std::chrono::milliseconds(100);
    // Never more: after 10 s of silence the sender gives up, and it should
    // have tried several times by then.
    static constexpr Duration maximum = std::chrono::seconds(2);

    // How long to wait for a datagram's ACK before sending it again.
    Duration timeout() const;
    // The smoothed round trip; nothing before the first measurement.
    std::optional<Duration> smoothed() const;

    // A round trip, measured on a datagram sent once only (Karn's rule: the
    // ACK of a datagram sent twice may answer either copy).
    void measured(Duration round_trip);

    // A timer fired with nothing acknowledged: wait twice as long (up to the
    // maximum)...
    void back_off();
    // ...until an ACK acknowledges something new: the network delivers
    // again, and the timeout is what the measurements say.
    void reset_back_off();

private:
    // BEGIN YOURS
    std::optional<Duration> smoothed_;  // SRTT: the mean round trip, smoothed
    Duration variation_{};              // RTTVAR: how far round trips stray from it
    Duration measured_timeout_ = initial;  // SRTT + 4 RTTVAR (at least SRTT + margin), at most maximum
    int backed_off_ = 0;                   // timers fired since the last ACK of something new
    // INSTEAD
    //| // What the timer remembers between measurements (README.md, "Timeouts
    //| // that follow the round trip").
    // END YOURS
};
