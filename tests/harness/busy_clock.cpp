#include "busy_clock.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

namespace grader {

namespace {

// Nanoseconds this task has waited, runnable, for a CPU (0 without
// schedstat, or once the task is gone).
long long run_queue_wait(const std::string& schedstat) {
    std::ifstream file(schedstat);
    long long on_cpu = 0, waiting = 0;
    file >> on_cpu >> waiting;
    return file ? waiting : 0;
}

// The schedstat files of every thread of every process in this process
// group (a program started by --cmd may be a shell and what it started).
std::vector<std::string> group_tasks(pid_t group) {
    std::vector<std::string> tasks;
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
            tasks.push_back((task.path() / "schedstat").string());
    }
    return tasks;
}

long long grader_wait_ns() { return run_queue_wait("/proc/thread-self/schedstat"); }

}  // namespace

BusyClock::BusyClock(pid_t program)
    : program_(program), start_(std::chrono::steady_clock::now()), last_refresh_(start_),
      program_tasks_(group_tasks(program)), program_wait_(program_wait_ns()), grader_wait_(grader_wait_ns()) {}

long long BusyClock::program_wait_ns() {
    long long total = 0;
    for (const std::string& task : program_tasks_) total += run_queue_wait(task);
    return total;
}

void BusyClock::sample() {
    // The program's threads are listed again four times a second (threads
    // come and go); a thread's wait counts from the sample after it is
    // listed.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refresh_ > std::chrono::milliseconds(250)) {
        program_tasks_ = group_tasks(program_);
        last_refresh_ = now;
        program_wait_ = program_wait_ns();
        grader_wait_ = grader_wait_ns();
        return;
    }
    const long long program = program_wait_ns(), grader = grader_wait_ns();
    discounted_ns_ += std::max({program - program_wait_, grader - grader_wait_, 0LL});
    program_wait_ = program;
    grader_wait_ = grader;
}

std::chrono::milliseconds BusyClock::elapsed() {
    sample();
    const auto on_the_clock =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
    return std::max(std::chrono::milliseconds(0), on_the_clock - std::chrono::milliseconds(discounted_ns_ / 1'000'000));
}

std::string BusyClock::describe() {
    const double counted = static_cast<double>(elapsed().count()) / 1000;
    const double clock = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (clock - counted < 0.05) return fmt::format("{:.1f} s", clock);
    return fmt::format("{:.1f} s ({:.1f} s on the clock, of which the server or the grader waited {:.1f} s for a "
                       "CPU: the machine was busy)",
                       counted, clock, static_cast<double>(discounted_ns_) / 1e9);
}

}  // namespace grader
