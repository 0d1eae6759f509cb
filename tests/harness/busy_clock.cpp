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

BusyClock::BusyClock(pid_t program) : BusyClock(std::vector<pid_t>{program}, {}) {}

BusyClock::BusyClock(std::vector<pid_t> programs, std::vector<pid_t> grader_threads, Waits waits, Sampler sampler)
    : programs_(std::move(programs)), waits_(waits), start_(std::chrono::steady_clock::now()), last_refresh_(start_),
      machine_wait_(machine_wait_ns()), last_sample_(start_) {
    if (sampler == Sampler::counted) grader_tasks_.push_back("/proc/thread-self/schedstat");
    for (pid_t thread : grader_threads) grader_tasks_.push_back(fmt::format("/proc/self/task/{}/schedstat", thread));
    for (pid_t program : programs_) program_tasks_.push_back(group_tasks(program));
    program_waits_ = program_waits_ns();
    grader_waits_ = grader_waits_ns();
}

std::vector<long long> BusyClock::program_waits_ns() {
    std::vector<long long> waits;
    for (const auto& tasks : program_tasks_) {
        long long total = 0;
        for (const std::string& task : tasks) total += run_queue_wait(task);
        waits.push_back(total);
    }
    return waits;
}

std::vector<long long> BusyClock::grader_waits_ns() {
    std::vector<long long> waits;
    for (const std::string& task : grader_tasks_) waits.push_back(run_queue_wait(task));
    return waits;
}

void BusyClock::sample() {
    // The programs' threads are listed again four times a second (threads
    // come and go); a thread's wait counts from the sample after it is
    // listed.
    const auto now = std::chrono::steady_clock::now();
    const bool refresh = now - last_refresh_ > std::chrono::milliseconds(250);
    const long long machine = machine_wait_ns();
    const long long interval_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_sample_).count();
    // The machine's count may hold another program's wait: at most four
    // fifths of the interval.
    const long long machine_waited = std::clamp(machine - machine_wait_, 0LL, interval_ns * 4 / 5);
    machine_wait_ = machine;
    last_sample_ = now;
    if (refresh && waits_ == Waits::longest) {
        // Just after a refresh the programs' lists have changed: their
        // differences mean nothing; the machine's count still does.
        for (std::size_t i = 0; i < programs_.size(); ++i) program_tasks_[i] = group_tasks(programs_[i]);
        last_refresh_ = now;
        program_waits_ = program_waits_ns();
        grader_waits_ = grader_waits_ns();
        discounted_ns_ += machine_waited;
        return;
    }
    const std::vector<long long> programs = program_waits_ns(), graders = grader_waits_ns();
    long long longest = 0, added = 0;
    const auto count = [&](long long wait) {
        wait = std::max(wait, 0LL);  // a thread that has gone
        longest = std::max(longest, wait);
        added += wait;
    };
    for (std::size_t i = 0; i < programs.size(); ++i) count(programs[i] - program_waits_[i]);
    for (std::size_t i = 0; i < graders.size(); ++i) count(graders[i] - grader_waits_[i]);
    // `longest`: no more than the interval itself is counted out (a wait
    // read late can exceed it). `added`: the parties' waits lengthen the
    // round trip one after the other (lab 10 caps its clock on its own);
    // the machine's count is left out there: it would excuse a timer that
    // is too slow (a fixed 1 s timeout passed "sent again within a few
    // round trips" beside 8 busy loops), and lab 10 names every party.
    discounted_ns_ += waits_ == Waits::added ? added : std::min(std::max(longest, machine_waited), interval_ns);
    program_waits_ = programs;
    grader_waits_ = graders;
    if (refresh) {  // (Waits::added: the waits up to now are counted first)
        for (std::size_t i = 0; i < programs_.size(); ++i) program_tasks_[i] = group_tasks(programs_[i]);
        last_refresh_ = now;
        program_waits_ = program_waits_ns();
    }
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
