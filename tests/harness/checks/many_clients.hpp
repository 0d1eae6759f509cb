#pragma once
// For the load tests of the chat labs: reading many clients at once.
//
// A chat server relays every line to every client, and a thread relaying to
// a client whose socket buffer is full waits until that client reads. So a
// test that read its clients one after another, each to the end, could wait
// forever: the server would be stuck on a client the test reads later. The
// test reads them round-robin instead, taking whatever has arrived at each
// one without waiting on any of them.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "grader.hpp"

namespace chat_test {

// Takes every whole line that has arrived at each of `clients`, without
// waiting, handing each to take(index, line). True if there was any.
inline bool read_what_has_arrived(std::vector<grader::Client>& clients,
                                  const std::function<void(std::size_t, const std::string&)>& take) {
    bool any = false;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        while (const auto line = clients[i].try_next_line(std::chrono::milliseconds(0))) {
            take(i, *line);
            any = true;
        }
    }
    return any;
}

// Reads every line that arrives at any of `clients`, handing each to
// take(index, line), until finished() is true. Fails the test if no line at
// all arrives for `patience` (the reply deadline); missing() then says what
// is missing.
inline void read_round_robin(std::vector<grader::Client>& clients,
                             const std::function<void(std::size_t, const std::string&)>& take,
                             const std::function<bool()>& finished, const std::function<std::string()>& missing,
                             std::string_view hint,
                             std::chrono::milliseconds patience = grader::settings().reply_timeout()) {
    using namespace std::chrono_literals;
    auto last_progress = grader::Clock::now();
    std::size_t next_to_wait_on = 0;
    while (!finished()) {
        if (read_what_has_arrived(clients, take)) {
            last_progress = grader::Clock::now();
            continue;
        }
        if (grader::Clock::now() - last_progress > patience) {
            grader::fail("no line arrived at any client for " + grader::seconds_text(patience) +
                             ", and some are still missing:\n" +
                             missing(),
                         hint);
        }
        // Nothing anywhere: wait a moment for a line at one of them (the
        // next in turn), rather than spin.
        if (clients.empty()) continue;
        const std::size_t i = next_to_wait_on++ % clients.size();
        if (const auto line = clients[i].try_next_line(2ms)) take(i, *line);
    }
}

// Sends `bytes` in pieces of `piece` bytes (0: in one send), so that the
// server sees lines split over several reads.
inline void send_in_pieces(grader::Client& client, std::string_view bytes, std::size_t piece) {
    if (piece == 0) piece = bytes.size();
    for (std::size_t at = 0; at < bytes.size(); at += piece) client.send(bytes.substr(at, piece));
}

}  // namespace chat_test
