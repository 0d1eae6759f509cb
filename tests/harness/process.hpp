#pragma once
// A program under test, run as a child process in a process group of its own.
//
// - Limits: CPU time, open files and no core dumps through setrlimit; memory
//   (resident) and threads through a watchdog that reads /proc, because
//   RLIMIT_NPROC does not bind root and RLIMIT_AS breaks sanitizer builds and
//   language runtimes that reserve large address ranges.
// - Its standard output and error are captured by a background thread, up to
//   a limit: a program that floods its output is killed.
// - The destructor kills the whole group (the shell of --cmd, the server, and
//   anything it started) and reaps the child: nothing outlives a test.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

#include "net/socket.hpp"

namespace grader {

using Clock = std::chrono::steady_clock;

struct Limits {
    int cpu_seconds = 120;
    std::size_t max_resident_bytes = std::size_t{2} << 30;  // 2 GiB
    int max_threads = 2000;
    int max_open_files = 1024;
    std::size_t max_output_bytes = std::size_t{16} << 20;  // stdout + stderr
};

// How a process ended.
struct ExitStatus {
    bool exited = false;  // true: exit(code); false: killed by a signal
    int code = 0;
    int signal = 0;

    std::string describe() const;  // "exited with status 1", "was killed by SIGPIPE (signal 13)"
};

class ChildProcess {
public:
    // preload: a shared library for LD_PRELOAD in the child, or "".
    ChildProcess(const std::vector<std::string>& argv, const Limits& limits, bool pipe_stdin,
                 const std::string& preload = "");
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }

    // The next line of standard output not yet taken (without '\n'), waiting
    // until the deadline; nothing if it ended or the deadline passed.
    std::optional<std::string> next_stdout_line(Clock::time_point deadline);
    std::string stdout_text() const;
    std::string stderr_text() const;
    // Waits until the program has written at least `bytes` bytes on standard
    // output in all (lines taken included), its output has ended, or the
    // deadline has passed; returns how many bytes it has written.
    std::size_t wait_for_stdout_size(std::size_t bytes, Clock::time_point deadline) const;

    // Waits until both output pipes have reached their end (the program, and
    // anything it started, have closed them), or the deadline passed. After
    // an exit, the last bytes it wrote may still be on their way to us.
    bool wait_for_output_end(Clock::time_point deadline) const;

    // Waits until the process has ended or the deadline passed.
    std::optional<ExitStatus> wait_for_exit(Clock::time_point deadline) const;
    std::optional<ExitStatus> exit_status() const;

    // Why the watchdog killed it, if it did ("used more than 2000 threads").
    std::optional<std::string> killed_by_watchdog() const;

    // Signals every process of the group.
    void signal_group(int signal);

    void write_stdin(const std::string& bytes);  // fails the test if it cannot
    void close_stdin();

    // Summed over every live process of the group, read from /proc.
    int thread_count() const;
    std::size_t resident_bytes() const;  // memory in use now, summed over the group (as the watchdog sees it)
    int open_file_count() const;
    // True if a process of the group has this socket (its inode, as in
    // /proc/net/tcp) open.
    bool holds_socket(unsigned long inode) const;
    // True if a thread of the group is in a send() (or write) to this
    // socket now: waiting, since the other side's window is full.
    bool is_sending_to(unsigned long inode) const;

private:
    void capture_output(std::stop_token stop);
    void check_limits();
    void kill_for(const std::string& reason);

    Limits limits_;
    pid_t pid_ = -1;
    net::Socket stdin_pipe_;   // our end of the program's standard input
    net::Socket stdout_pipe_;  // our ends of its standard output and error
    net::Socket stderr_pipe_;
    net::Socket pid_fd_;  // becomes readable when the child ends
    net::Socket wake_;    // an eventfd: written to stop the capture thread at once

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::string stdout_;
    std::size_t stdout_taken_ = 0;  // bytes of stdout_ handed out as lines
    bool stdout_ended_ = false;
    bool stderr_ended_ = false;
    std::string stderr_;
    std::size_t output_bytes_ = 0;
    std::optional<ExitStatus> status_;
    std::optional<std::string> killed_reason_;
    std::jthread capture_thread_;
};

// In the sandbox (grading/sandbox), the grader is the only program of its
// PID namespace but the namespace's init: true when that is so.
bool alone_in_pid_namespace();
// Kills every process of the grader's PID namespace but the grader and the
// namespace's init, and waits until they are gone: whatever a test's program
// started (setsid, double fork) ends with the test. Only for the sandbox.
void kill_every_other_process();

// Every process group alive now, so that an interrupted grader (Ctrl-C, or
// Meson's timeout) can kill them all before it exits.
void kill_all_children_on_signal();

}  // namespace grader
