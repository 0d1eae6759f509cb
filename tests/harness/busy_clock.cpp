#include "busy_clock.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
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

// Nanoseconds in which at least one task of the machine waited for a CPU
// ("some ... total=MICROSECONDS"; 0 where the kernel has no PSI).
long long machine_wait_ns() {
    std::ifstream file("/proc/pressure/cpu");
    std::string line;
    if (!std::getline(file, line) || !line.starts_with("some")) return 0;
    const auto at = line.find("total=");
    return at == std::string::npos ? 0 : std::atoll(line.c_str() + at + 6) * 1000;
}

}  // namespace

BusyClock::BusyClock(pid_t program)
    : program_(program), start_(std::chrono::steady_clock::now()), last_refresh_(start_),
      program_tasks_(group_tasks(program)), program_wait_(program_wait_ns()), grader_wait_(grader_wait_ns()),
      machine_wait_(machine_wait_ns()), last_sample_(start_) {}

long long BusyClock::program_wait_ns() {
    long long total = 0;
    for (const std::string& task : program_tasks_) total += run_queue_wait(task);
    return total;
}

void BusyClock::sample() {
    // The program's threads are listed again four times a second (threads
    // come and go); a thread's wait counts from the sample after it is
    // listed.
    const bool refresh = std::chrono::steady_clock::now() - last_refresh_ > std::chrono::milliseconds(250);
    if (refresh) {
        program_tasks_ = group_tasks(program_);
        last_refresh_ = std::chrono::steady_clock::now();
    }
    const long long program = program_wait_ns(), grader = grader_wait_ns(), machine = machine_wait_ns();
    // The interval ends after the readings: no wait is counted out beyond it.
    const auto now = std::chrono::steady_clock::now();
    const long long interval_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_sample_).count();
    // The machine's count may hold another program's wait: at most four
    // fifths of the interval. (Just after a refresh, the program's list has
    // changed: its difference means nothing.)
    const long long waited = std::max({refresh ? 0LL : program - program_wait_, grader - grader_wait_,
                                       std::min(machine - machine_wait_, interval_ns * 4 / 5), 0LL});
    discounted_ns_ += std::min(waited, interval_ns);
    program_wait_ = program;
    grader_wait_ = grader;
    machine_wait_ = machine;
    last_sample_ = now;
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
    return fmt::format("{:.1f} s ({:.1f} s on the clock, of which {:.1f} s went to waiting for a CPU: the machine "
                       "was busy)",
                       counted, clock, static_cast<double>(discounted_ns_) / 1e9);
}

}  // namespace grader
