#pragma once
// Pacing one of the grader's clients to another: a writer may run ahead of
// a reader by at most a window of lines.
//
// When a test has one client send as fast as it can while another reads,
// the reader is the grader's too, and a busy machine can leave it unread
// for a second while the writer goes on. The server then holds more and
// more for that reader, and a server that bounds a client's pending output
// (lab 08's --max-queue) is right to drop it as slow: the test, not the
// server, would be wrong. So the writer waits: it sends line k only once
// the reader has received line k - window. However slow the machine, a
// correct server then never holds more than `window` lines for a reader
// that keeps up.
//
// (A test whose point is clients that write all at once, unpaced, keeps
// its own volume under the bounds instead: 50 clients of 100 short lines.)

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "grader.hpp"

namespace chat_test {

// Call before the writer sends line `next` (lines counted from 0): reads,
// through read_some(within) (which waits up to `within` for the reader's
// next line and takes whatever else has come), until received() >= next -
// window. Returns true then; false as soon as stop() is true (the test saw
// what it waits for another way: the server stuck, or a client dropped).
// Fails with missing() and `hint` when no line at all arrives for
// `patience` (the reply deadline).
inline bool wait_for_reader(int next, int window, const std::function<int()>& received,
                            const std::function<void(std::chrono::milliseconds)>& read_some,
                            const std::function<bool()>& stop, const std::function<std::string()>& missing,
                            std::string_view hint,
                            std::chrono::milliseconds patience = grader::settings().reply_timeout(),
                            grader::Where where = grader::Where::current()) {
    using namespace std::chrono_literals;
    auto last_progress = grader::Clock::now();
    while (received() < next - window) {
        if (stop()) return false;
        const int before = received();
        read_some(10ms);
        if (received() > before) last_progress = grader::Clock::now();
        else if (grader::Clock::now() - last_progress > patience)
            grader::fail("no line arrived for " + grader::seconds_text(patience) + ":\n" + missing(), hint, where);
    }
    return true;
}

}  // namespace chat_test
