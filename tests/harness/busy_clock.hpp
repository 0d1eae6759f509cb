#pragma once
// Time that counts against a program on a busy machine.
//
// A deadline that measures how fast a program is (lab 09: 10,000 clients
// within 30 s) would blame a correct program for a busy machine: with other
// work on every core, the program and the grader's own clients wait for a
// CPU, runnable, most of the time. The kernel counts that wait for each
// thread (/proc/PID/task/TID/schedstat, its second field). A BusyClock
// gives the time since it started less what the program under test, or
// the grader's thread, spent waiting for a CPU (the larger of the two):
// on an idle machine, the time on the clock; on a busy one, about the time
// the work would have taken on an idle one. A program that hangs waits for
// no CPU: its deadline comes on time.

#include <chrono>
#include <string>

#include <sys/types.h>

namespace grader {

class BusyClock {
public:
    // `program`: the process group of the program under test.
    explicit BusyClock(pid_t program);
    // Time on the clock, less the waits for a CPU, since construction.
    std::chrono::milliseconds elapsed() const;
    // "30.0 s (95.1 s on the clock, of which the program waited 65.1 s for a CPU)"
    std::string describe() const;

private:
    struct Reading {
        std::chrono::steady_clock::time_point at;
        long long program_wait_ns = 0;
        long long grader_wait_ns = 0;
    };
    Reading read() const;
    pid_t program_;
    Reading start_;
};

}  // namespace grader
