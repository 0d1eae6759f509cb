#include "busy_clock.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

namespace grader {

namespace {

// Nanoseconds this task has waited, runnable, for a CPU (0 without schedstat).
long long run_queue_wait(const std::filesystem::path& schedstat) {
    std::ifstream file(schedstat);
    long long on_cpu = 0, waiting = 0;
    file >> on_cpu >> waiting;
    return file ? waiting : 0;
}

// The sum over every thread of every process in this process group. (A
// program started by --cmd may be a shell and what it started.)
long long group_run_queue_wait(pid_t group) {
    long long total = 0;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
        std::ifstream stat_file(entry.path() / "stat");
        std::string stat;
        if (!std::getline(stat_file, stat)) continue;
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(stat.substr(close + 2));
        char state = 0;
        pid_t parent = 0, process_group = 0;
        rest >> state >> parent >> process_group;
        if (process_group != group) continue;
        for (const auto& task : std::filesystem::directory_iterator(entry.path() / "task", error))
            total += run_queue_wait(task.path() / "schedstat");
    }
    return total;
}

}  // namespace

BusyClock::BusyClock(pid_t program) : program_(program), start_(read()) {}

BusyClock::Reading BusyClock::read() const {
    return {std::chrono::steady_clock::now(), group_run_queue_wait(program_),
            run_queue_wait("/proc/thread-self/schedstat")};
}

std::chrono::milliseconds BusyClock::elapsed() const {
    const Reading now = read();
    const long long waited = std::max(now.program_wait_ns - start_.program_wait_ns,
                                      now.grader_wait_ns - start_.grader_wait_ns);
    const auto on_the_clock = std::chrono::duration_cast<std::chrono::milliseconds>(now.at - start_.at);
    return std::max(std::chrono::milliseconds(0), on_the_clock - std::chrono::milliseconds(waited / 1'000'000));
}

std::string BusyClock::describe() const {
    const Reading now = read();
    const double clock = std::chrono::duration<double>(now.at - start_.at).count();
    const double program = static_cast<double>(now.program_wait_ns - start_.program_wait_ns) / 1e9;
    const double grader = static_cast<double>(now.grader_wait_ns - start_.grader_wait_ns) / 1e9;
    const double counted = static_cast<double>(elapsed().count()) / 1000;
    if (clock - counted < 0.05) return fmt::format("{:.1f} s", clock);
    return fmt::format("{:.1f} s ({:.1f} s on the clock, of which the program waited {:.1f} s for a CPU, and the "
                       "grader {:.1f} s: the machine was busy)",
                       counted, clock, program, grader);
}

}  // namespace grader
