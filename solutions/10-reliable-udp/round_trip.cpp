#include "round_trip.hpp"

#include <algorithm>

RoundTripTimer::Duration RoundTripTimer::timeout() const {
    // BEGIN YOURS
    Duration timeout = measured_timeout_;
    for (int i = 0; i < backed_off_ && timeout < maximum; ++i) timeout *= 2;
    return std::min(timeout, maximum);
    // INSTEAD
    //| // Guarantees: the smoothed round trip plus four times its variation
    //| // (RFC 6298, section 2), but at least the smoothed round trip plus
    //| // margin; initial before any measurement; doubled once for every
    //| // back_off() since the last reset_back_off(); never above maximum.
    //| return initial;
    // END YOURS
}

std::optional<RoundTripTimer::Duration> RoundTripTimer::smoothed() const {
    // BEGIN YOURS
    return smoothed_;
    // INSTEAD
    //| return std::nullopt;
    // END YOURS
}

void RoundTripTimer::measured(Duration round_trip) {
    // BEGIN YOURS
    if (!smoothed_) {
        // The first measurement: the mean is it, the variation half of it.
        smoothed_ = round_trip;
        variation_ = round_trip / 2;
    } else {
        // Each new one moves the variation a quarter of the way towards how
        // far it strays from the mean, and the mean an eighth of the way
        // towards it: one slow round trip does not double the timeout.
        const Duration stray = round_trip > *smoothed_ ? round_trip - *smoothed_ : *smoothed_ - round_trip;
        variation_ = (3 * variation_ + stray) / 4;
        smoothed_ = (7 * *smoothed_ + round_trip) / 8;
    }
    measured_timeout_ = std::min(*smoothed_ + std::max(4 * variation_, margin), maximum);
    // INSTEAD
    //| // Guarantees: the smoothed round trip and its variation follow the
    //| // measurements as RFC 6298 (section 2) says, and timeout() with them.
    //| (void)round_trip;
    // END YOURS
}

void RoundTripTimer::back_off() {
    // BEGIN YOURS
    ++backed_off_;
    // END YOURS
}

void RoundTripTimer::reset_back_off() {
    // BEGIN YOURS
    backed_off_ = 0;
    // END YOURS
}
