// Lab 10 starter: read README.md first (en español: README.es.md).
#include "round_trip.hpp"

#include <algorithm>

RoundTripTimer::Duration RoundTripTimer::timeout() const {
    // ===== YOUR CODE (lab 10) =============================================
    // Guarantees: the smoothed round trip plus four times its variation
    // (RFC 6298, section 2), but at least the smoothed round trip plus
    // margin; initial before any measurement; doubled once for every
    // back_off() since the last reset_back_off(); never above maximum.
    return initial;
    // ===== END OF YOUR CODE ===============================================
}

std::optional<RoundTripTimer::Duration> RoundTripTimer::smoothed() const {
    // ===== YOUR CODE (lab 10) =============================================
    return std::nullopt;
    // ===== END OF YOUR CODE ===============================================
}

void RoundTripTimer::measured(Duration round_trip) {
    // ===== YOUR CODE (lab 10) =============================================
    // Guarantees: the smoothed round trip and its variation follow the
    // measurements as RFC 6298 (section 2) says, and timeout() with them.
    (void)round_trip;
    // ===== END OF YOUR CODE ===============================================
}

void RoundTripTimer::back_off() {
    // ===== YOUR CODE (lab 10) =============================================
    // ===== END OF YOUR CODE ===============================================
}

void RoundTripTimer::reset_back_off() {
    // ===== YOUR CODE (lab 10) =============================================
    // ===== END OF YOUR CODE ===============================================
}
