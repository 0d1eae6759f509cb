#pragma once
// The server being measured: started from a shell command with {port}
// replaced, in a process group of its own, with the open-file limit the
// bench gives it; watched through /proc (peak resident memory, threads);
// killed, with everything it started, when the object goes away.

#include <cstdint>
#include <optional>
#include <string>

#include <sys/resource.h>
#include <sys/types.h>

namespace bench {

// A port nobody listens on, below the ephemeral range (32768-60999 on
// Linux) so that it never collides with the bench's own client ports.
std::uint16_t pick_free_port();

class ServerProcess {
public:
    ServerProcess(const std::string& command, std::uint16_t port, rlim_t open_files);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Waits until something listens on the port (read from /proc/net/tcp,
    // without connecting: a connection would be a chat client), the process
    // ended, or the deadline passed.
    bool wait_listening(double seconds);

    // Nothing while it runs; how it ended ("exited with status 1", "killed
    // by signal 11") once it has.
    std::optional<std::string> ended();

    // Reads /proc/PID/stat (CPU time) and /proc/PID/status: keeps the peak resident memory (VmHWM, which
    // the kernel keeps for us) and the largest thread count seen.
    void sample();
    double peak_rss_mib() const { return static_cast<double>(peak_rss_kib_) / 1024.0; }
    long peak_threads() const { return peak_threads_; }
    double cpu_seconds() const { return cpu_seconds_; }  // user + system, so far
    // Time on a CPU so far, in nanoseconds, summed over its threads now
    // (/proc/PID/task/*/schedstat): precise enough for a run of 0.1 s.
    long long cpu_nanoseconds() const;

    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    std::uint16_t port_;
    std::optional<std::string> ended_;
    long peak_rss_kib_ = 0;
    long peak_threads_ = 0;
    double cpu_seconds_ = 0;
};

// `perf record -g` attached to a running process, for as long as this
// object lives: the call graphs of where its CPU time goes, written to
// `path` (read them with `perf report -i PATH`, or bench/fold_stacks.py).
// Needs Debian's linux-perf; without it, nothing happens and ok() is false.
class Profiler {
public:
    Profiler(pid_t pid, const std::string& path);
    ~Profiler();  // stops perf (SIGINT: it writes its file) and waits for it
    Profiler(const Profiler&) = delete;
    Profiler& operator=(const Profiler&) = delete;
    bool ok() const { return pid_ > 0; }

private:
    pid_t pid_ = -1;
};

}  // namespace bench
