#pragma once
// Time that counts against a program on a busy machine.
//
// A deadline that measures how fast a program is (lab 09: 10,000 clients
// within 30 s) would blame a correct program for a busy machine: with other
// work on every core, the program and the grader's own clients wait for a
// CPU, runnable, most of the time. The kernel counts that wait for each
// thread (/proc/PID/task/TID/schedstat, its second field). A BusyClock
// gives the time since it started less the time in which the program under
// test, or the grader's thread, was waiting for a CPU: on an idle machine,
// the time on the clock; on a busy one, about the time the work would have
// taken on an idle one. A program that hangs, or sleeps, waits for no CPU:
// its deadline comes on time.
//
// The two wait at once, or in turn (the server idle while the grader waits
// to send it more): sample() takes, for each interval between samples, the
// longer of the two waits, so call it often (each round of a wait loop).
//
// A process that lives a moment (the subshells a `pyenv` shim or a shell
// script runs before it execs the server) takes its wait with it: no file
// is left to read. So the machine's own count is a third measure: the time
// in which some task waited for a CPU (/proc/pressure/cpu, "some"), taken
// for at most four fifths of each interval, because it may be another
// program's wait. On an idle machine it is 0; on a saturated one the clock
// still runs at a fifth of its speed at least, so a program that hangs fails
// within five times its deadline. Measured: the Python robust chat (08),
// started through pyenv's shim beside 8 busy loops (load 27 on 2 cores),
// failed 27 of 50 start-up deadlines on the first two measures alone (0.6 s
// of 5.7 s counted out).

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace grader {

class BusyClock {
public:
    // `program`: the process group of the program under test.
    explicit BusyClock(pid_t program);
    // Several programs at work together (lab 10's sender and receiver), and
    // threads of the grader's own that work with them (its network's), by
    // their thread id. `longest`: in each interval the longest of all their
    // waits (they work at once); `added`: all their waits added up (they
    // work in turn, as two ends of a protocol and the network between
    // them, where every wait lengthens the round trip).
    enum class Waits { longest, added };
    // The thread that samples the clock is a party too (it is the grader's
    // client, or the one that waits on the others), unless `left_out`: a
    // clock of one program's own waits (lab 10's sender and its timer).
    enum class Sampler { counted, left_out };
    BusyClock(std::vector<pid_t> programs, std::vector<pid_t> grader_threads, Waits waits = Waits::longest,
              Sampler sampler = Sampler::counted);
    // Reads the waits since the last sample (cheap: a few small files).
    void sample();
    // Time on the clock, less the waits for a CPU, since construction.
    std::chrono::milliseconds elapsed();
    // "30.0 s (95.1 s on the clock, of which the program or the grader
    // waited 65.1 s for a CPU: the machine was busy)"
    std::string describe();

private:
    std::vector<long long> program_waits_ns();  // one per program
    std::vector<long long> grader_waits_ns();   // one per grader thread
    std::vector<pid_t> programs_;
    Waits waits_ = Waits::longest;
    std::vector<std::string> grader_tasks_;  // schedstat files of the grader's threads
    std::chrono::steady_clock::time_point start_, last_refresh_;
    std::vector<std::vector<std::string>> program_tasks_;  // schedstat files of each program's threads
    std::vector<long long> program_waits_, grader_waits_;  // at the last sample
    long long machine_wait_ = 0;  // /proc/pressure/cpu's "some" at the last sample
    std::chrono::steady_clock::time_point last_sample_;
    long long discounted_ns_ = 0;                   // the waits counted out so far
};

// Waits until done() is true, or `within` has passed on a BusyClock of the
// program's group: wait_a_little(until) waits for a change until then (a
// round is at most 20 ms). True if done() came. For a deadline that a
// program's start or end must meet: a runtime that starts slowly because
// the machine is busy (CPython under load) is not late.
template <typename Done, typename WaitALittle>
bool wait_on_busy_clock(BusyClock& clock, std::chrono::milliseconds within, Done done, WaitALittle wait_a_little) {
    while (!done()) {
        if (clock.elapsed() >= within) return done();
        wait_a_little(std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace grader
