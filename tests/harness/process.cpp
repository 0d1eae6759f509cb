#include "process.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

namespace grader {

namespace {

// Live process groups, for the signal handler. A fixed array of atomics:
// the handler may read it at any moment and must not lock or allocate.
constexpr std::size_t max_live_groups = 64;
std::array<std::atomic<pid_t>, max_live_groups> live_groups{};

void remember_group(pid_t group) {
    for (auto& slot : live_groups) {
        pid_t empty = 0;
        if (slot.compare_exchange_strong(empty, group)) return;
    }
}

void forget_group(pid_t group) {
    for (auto& slot : live_groups) {
        pid_t expected = group;
        if (slot.compare_exchange_strong(expected, 0)) return;
    }
}

extern "C" void kill_children_and_exit(int signal) {
    for (auto& slot : live_groups) {
        const pid_t group = slot.load();
        if (group > 0) ::kill(-group, SIGKILL);
    }
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

std::string signal_name(int signal) {
    switch (signal) {
        case SIGPIPE: return "SIGPIPE";
        case SIGSEGV: return "SIGSEGV";
        case SIGABRT: return "SIGABRT";
        case SIGKILL: return "SIGKILL";
        case SIGTERM: return "SIGTERM";
        case SIGINT: return "SIGINT";
        case SIGBUS: return "SIGBUS";
        case SIGFPE: return "SIGFPE";
        case SIGILL: return "SIGILL";
        case SIGXCPU: return "SIGXCPU";
        default: return "signal";
    }
}

// The pids of the live (not zombie) processes whose process group is `group`.
std::vector<pid_t> group_members(pid_t group) {
    std::vector<pid_t> members;
    DIR* proc = ::opendir("/proc");
    if (!proc) return members;
    while (const dirent* entry = ::readdir(proc)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
        if (pid <= 0) continue;
        std::ifstream stat_file("/proc/" + std::string(entry->d_name) + "/stat");
        std::string stat;
        std::getline(stat_file, stat);
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and ')'.
        const auto close_paren = stat.rfind(')');
        if (close_paren == std::string::npos) continue;
        std::istringstream fields(stat.substr(close_paren + 2));
        char state = 0;
        pid_t parent = 0, process_group = 0;
        fields >> state >> parent >> process_group;
        if (process_group == group && state != 'Z') members.push_back(pid);
    }
    ::closedir(proc);
    return members;
}

long stat_field(pid_t pid, int field) {  // field numbers as in proc(5)
    std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(stat_file, stat);
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close_paren + 2));
    std::string value;
    for (int i = 3; i <= field && fields >> value; ++i) {}
    return std::atol(value.c_str());
}

int count_directory_entries(const std::string& path) {
    DIR* directory = ::opendir(path.c_str());
    if (!directory) return 0;
    int count = 0;
    while (const dirent* entry = ::readdir(directory))
        if (entry->d_name[0] != '.') ++count;
    ::closedir(directory);
    return count;
}

void make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) < 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
}

}  // namespace

std::string ExitStatus::describe() const {
    if (exited) return "exited with status " + std::to_string(code);
    return "was killed by " + signal_name(signal) + " (signal " + std::to_string(signal) + ")";
}

bool alone_in_pid_namespace() {
    // kill(-1) reaches every process the caller may signal: never as root,
    // never outside a sandbox whose init (bwrap) is our parent.
    std::ifstream init_name("/proc/1/comm");
    std::string name;
    std::getline(init_name, name);
    return ::getuid() != 0 && ::geteuid() != 0 && ::getppid() == 1 && name == "bwrap";
}

void kill_every_other_process() {
    if (!alone_in_pid_namespace()) return;
    // A fork bomb may fork while we kill: repeat until no process is left
    // (kill(-1) fails with ESRCH). Orphans are reaped by the namespace's init;
    // until then they still count, so the loop waits for that, a short while.
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (::kill(-1, SIGKILL) == 0 && Clock::now() < deadline) {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void kill_all_children_on_signal() {
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::signal(signal, kill_children_and_exit);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const Limits& limits, bool pipe_stdin,
                           const std::string& preload)
    : limits_(limits) {
    int in[2] = {-1, -1}, out[2], err[2];
    if (pipe_stdin) make_pipe(in);
    make_pipe(out);
    make_pipe(err);

    // Everything the child needs is prepared before fork(): between fork()
    // and exec() a child of a threaded program may only make plain system calls.
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const rlimit cpu{static_cast<rlim_t>(limits.cpu_seconds), static_cast<rlim_t>(limits.cpu_seconds + 5)};
    const rlimit files{static_cast<rlim_t>(limits.max_open_files), static_cast<rlim_t>(limits.max_open_files)};
    const rlimit no_core{0, 0};
    // Where the number of processes is limited (the sandbox: RLIMIT_NPROC
    // binds its unprivileged user), the program under test gets a lower
    // limit than the grader, which runs as the same user: a fork bomb then
    // leaves the grader room for the threads it needs to report on it.
    rlimit processes{};
    ::getrlimit(RLIMIT_NPROC, &processes);
    constexpr rlim_t kept_for_grader = 256;
    const bool limit_processes = processes.rlim_max != RLIM_INFINITY && processes.rlim_max > 2 * kept_for_grader;
    if (limit_processes) processes.rlim_cur = processes.rlim_max = processes.rlim_max - kept_for_grader;
    const pid_t parent = ::getpid();
    std::vector<std::string> environment;
    for (char** variable = environ; *variable; ++variable)
        if (preload.empty() || !std::string_view(*variable).starts_with("LD_PRELOAD=")) environment.emplace_back(*variable);
    if (!preload.empty()) environment.push_back("LD_PRELOAD=" + preload);
    std::vector<char*> envp;
    for (std::string& variable : environment) envp.push_back(variable.data());
    envp.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // if the grader dies, so do we
        if (::getppid() != parent) ::_exit(127);
        // Signals the grader ignores would stay ignored across exec: give the
        // program under test the defaults, SIGPIPE above all.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        for (int signal = 1; signal < NSIG; ++signal) ::sigaction(signal, &default_action, nullptr);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::setrlimit(RLIMIT_CPU, &cpu);
        ::setrlimit(RLIMIT_NOFILE, &files);
        ::setrlimit(RLIMIT_CORE, &no_core);
        if (limit_processes) ::setrlimit(RLIMIT_NPROC, &processes);
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(pipe_stdin ? in[0] : devnull, 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::close_range(3, ~0U, 0);
        ::execvpe(args[0], args.data(), envp.data());
        const char* reason = std::strerror(errno);
        ::write(2, "cannot run ", 11);
        ::write(2, args[0], std::strlen(args[0]));
        ::write(2, ": ", 2);
        ::write(2, reason, std::strlen(reason));
        ::write(2, "\n", 1);
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also here, so that the group exists before we signal it
    remember_group(pid_);
    if (pipe_stdin) {
        ::close(in[0]);
        stdin_pipe_ = net::Socket(in[1]);
        ::fcntl(stdin_pipe_.fd(), F_SETFL, O_NONBLOCK);  // writes wait with a deadline, in write_stdin
    }
    ::close(out[1]);
    ::close(err[1]);
    stdout_pipe_ = net::Socket(out[0]);
    stderr_pipe_ = net::Socket(err[0]);
    pid_fd_ = net::Socket(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    wake_ = net::Socket(::eventfd(0, EFD_CLOEXEC));
    capture_thread_ = std::jthread([this](std::stop_token stop) { capture_output(stop); });
}

ChildProcess::~ChildProcess() {
    // The child is not reaped until here (the capture thread only peeks with
    // WNOWAIT), so its pid, and with it the group id, cannot have been reused
    // by an unrelated process: this kill reaches only what we started.
    ::kill(-pid_, SIGKILL);
    capture_thread_.request_stop();
    const std::uint64_t one = 1;
    ::write(wake_.fd(), &one, sizeof one);
    capture_thread_.join();
    ::waitpid(pid_, nullptr, 0);
    forget_group(pid_);
}

void ChildProcess::capture_output(std::stop_token stop) {
    auto last_check = Clock::now();
    bool out_open = true, err_open = true;
    while (!stop.stop_requested()) {
        pollfd fds[4] = {{out_open ? stdout_pipe_.fd() : -1, POLLIN, 0},
                         {err_open ? stderr_pipe_.fd() : -1, POLLIN, 0},
                         {pid_fd_.fd(), POLLIN, 0},
                         {wake_.fd(), POLLIN, 0}};
        {
            std::lock_guard lock(mutex_);
            if (status_) fds[2].fd = -1;  // already known to have ended
        }
        ::poll(fds, 4, 50);  // the timeout only paces the watchdog below

        std::array<char, 65536> buffer;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
            std::lock_guard lock(mutex_);
            if (n <= 0) {
                (i == 0 ? out_open : err_open) = false;
                (i == 0 ? stdout_ended_ : stderr_ended_) = true;
            } else {
                output_bytes_ += static_cast<std::size_t>(n);
                if (output_bytes_ <= limits_.max_output_bytes)
                    (i == 0 ? stdout_ : stderr_).append(buffer.data(), static_cast<std::size_t>(n));
            }
            changed_.notify_all();
        }
        if (output_bytes_ > limits_.max_output_bytes && !killed_reason_)
            kill_for("printed more than " + std::to_string(limits_.max_output_bytes >> 20) +
                     " MiB of output: is something printing in a loop?");

        siginfo_t info{};
        if (fds[2].fd >= 0 && ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == pid_) {
            std::lock_guard lock(mutex_);
            status_ = info.si_code == CLD_EXITED ? ExitStatus{true, info.si_status, 0}
                                                 : ExitStatus{false, 0, info.si_status};
            changed_.notify_all();
        }
        if (Clock::now() - last_check >= std::chrono::milliseconds(100)) {
            last_check = Clock::now();
            check_limits();
        }
    }
}

void ChildProcess::check_limits() {
    {
        std::lock_guard lock(mutex_);
        if (status_ || killed_reason_) return;
    }
    long threads = 0, resident_pages = 0;
    for (pid_t member : group_members(pid_)) {
        threads += stat_field(member, 20);
        resident_pages += stat_field(member, 24);
    }
    const std::size_t resident = static_cast<std::size_t>(resident_pages) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    if (threads > limits_.max_threads)
        kill_for("ran " + std::to_string(threads) + " threads, more than the limit of " +
                 std::to_string(limits_.max_threads) + ": are threads started in a loop, or never ended?");
    else if (resident > limits_.max_resident_bytes)
        kill_for("used " + std::to_string(resident >> 20) + " MiB of memory, more than the limit of " +
                 std::to_string(limits_.max_resident_bytes >> 20) + " MiB");
}

void ChildProcess::kill_for(const std::string& reason) {
    {
        std::lock_guard lock(mutex_);
        killed_reason_ = reason;
    }
    ::kill(-pid_, SIGKILL);
}

std::optional<std::string> ChildProcess::next_stdout_line(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    std::size_t newline = std::string::npos;
    changed_.wait_until(lock, deadline, [&] {
        newline = stdout_.find('\n', stdout_taken_);
        return newline != std::string::npos || stdout_ended_;
    });
    if (newline == std::string::npos) return std::nullopt;
    std::string line = stdout_.substr(stdout_taken_, newline - stdout_taken_);
    stdout_taken_ = newline + 1;
    return line;
}

std::string ChildProcess::stdout_text() const {
    std::lock_guard lock(mutex_);
    return stdout_;
}

std::size_t ChildProcess::wait_for_stdout_size(std::size_t bytes, Clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return stdout_.size() >= bytes || stdout_ended_; });
    return stdout_.size();
}

std::string ChildProcess::stderr_text() const {
    std::lock_guard lock(mutex_);
    return stderr_;
}

bool ChildProcess::wait_for_output_end(Clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] { return stdout_ended_ && stderr_ended_; });
}

std::optional<ExitStatus> ChildProcess::wait_for_exit(Clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return status_.has_value(); });
    return status_;
}

std::optional<ExitStatus> ChildProcess::exit_status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

std::optional<std::string> ChildProcess::killed_by_watchdog() const {
    std::lock_guard lock(mutex_);
    return killed_reason_;
}

void ChildProcess::signal_group(int signal) { ::kill(-pid_, signal); }

void ChildProcess::write_stdin(const std::string& bytes) {
    REQUIRE_MESSAGE(stdin_pipe_.is_open(), "the program's standard input is already closed");
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(stdin_pipe_.fd(), bytes.data() + written, bytes.size() - written);
        if (n > 0) {
            written += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        REQUIRE_MESSAGE((n < 0 && errno == EAGAIN), "could not write to the program's standard input: "
                                                        << std::strerror(errno) << " (has it exited?)");
        pollfd writable{stdin_pipe_.fd(), POLLOUT, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        REQUIRE_MESSAGE(::poll(&writable, 1, static_cast<int>(std::max<long long>(left, 0))) > 0,
                        "the program has not read its standard input for 5 s");
    }
}

void ChildProcess::close_stdin() {
    stdin_pipe_.close();
}

int ChildProcess::thread_count() const {
    long threads = 0;
    for (pid_t member : group_members(pid_)) threads += stat_field(member, 20);
    return static_cast<int>(threads);
}

std::size_t ChildProcess::resident_bytes() const {
    long pages = 0;
    for (pid_t member : group_members(pid_)) pages += stat_field(member, 24);
    return static_cast<std::size_t>(pages) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

bool ChildProcess::holds_socket(unsigned long inode) const {
    const std::string wanted = "socket:[" + std::to_string(inode) + "]";
    for (pid_t member : group_members(pid_)) {
        std::error_code error;
        const std::string fds = "/proc/" + std::to_string(member) + "/fd";
        for (const auto& entry : std::filesystem::directory_iterator(fds, error)) {
            std::error_code unreadable;
            if (std::filesystem::read_symlink(entry.path(), unreadable).string() == wanted) return true;
        }
    }
    return false;
}

bool ChildProcess::is_sending_to(unsigned long inode) const {
    const std::string wanted = "socket:[" + std::to_string(inode) + "]";
    for (pid_t member : group_members(pid_)) {
        const std::string process = "/proc/" + std::to_string(member);
        std::error_code error;
        for (const auto& task : std::filesystem::directory_iterator(process + "/task", error)) {
            // "44 0x5 0x7f3a... ...": the system call a thread waits in, and its arguments.
            std::ifstream file(task.path() / "syscall");
            long number = -1;
            std::string first_argument;
            if (!(file >> number >> first_argument)) continue;
            if (number != SYS_sendto && number != SYS_sendmsg && number != SYS_write && number != SYS_writev) continue;
            const std::string fd = std::to_string(std::stol(first_argument, nullptr, 16));
            std::error_code unreadable;
            if (std::filesystem::read_symlink(process + "/fd/" + fd, unreadable).string() == wanted) return true;
        }
    }
    return false;
}

int ChildProcess::open_file_count() const {
    int files = 0;
    for (pid_t member : group_members(pid_)) files += count_directory_entries("/proc/" + std::to_string(member) + "/fd");
    return files;
}

}  // namespace grader
