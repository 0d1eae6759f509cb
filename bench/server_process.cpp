#include "server_process.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

namespace {

bool someone_listens_on(std::uint16_t port) {
    char wanted[8];
    std::snprintf(wanted, sizeof wanted, ":%04X", static_cast<unsigned>(port));
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // the header
        while (std::getline(file, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            if (state == "0A" && local.ends_with(wanted)) return true;  // 0A: LISTEN
        }
    }
    return false;
}

bool can_bind(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

std::uint16_t pick_free_port() {
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> ports(20000, 32000);
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto port = static_cast<std::uint16_t>(ports(random));
        if (!someone_listens_on(port) && can_bind(port)) return port;
    }
    throw std::runtime_error("no free port between 20000 and 32000");
}

ServerProcess::ServerProcess(const std::string& command, std::uint16_t port, rlim_t open_files)
    : port_(port) {
    const std::string shell_command = "exec " + replace_all(command, "{port}", std::to_string(port));
    pid_ = ::fork();
    if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid_ == 0) {
        ::setpgid(0, 0);
        rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit);
        limit.rlim_cur = std::min(open_files, limit.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &limit);
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execl("/bin/sh", "sh", "-c", shell_command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also here: no race with the child's own call
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);
        if (!ended_) ::waitpid(pid_, nullptr, 0);
    }
}

bool ServerProcess::wait_listening(double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (ended()) return false;
        if (someone_listens_on(port_)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling /proc: no event to wait on
    }
    return false;
}

std::optional<std::string> ServerProcess::ended() {
    if (ended_) return ended_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
    if (WIFEXITED(status))
        ended_ = "exited with status " + std::to_string(WEXITSTATUS(status));
    else
        ended_ = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
    return ended_;
}

long long ServerProcess::cpu_nanoseconds() const {
    long long total = 0;
    std::error_code error;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/task", error)) {
        std::ifstream schedstat(task.path() / "schedstat");
        long long on_cpu = 0;
        if (schedstat >> on_cpu) total += on_cpu;
    }
    return total;
}

void ServerProcess::sample() {
    if (ended_) return;
    {
        // utime and stime, fields 14 and 15, after the command name in ( ).
        std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const std::size_t after_name = text.rfind(')');
        if (after_name != std::string::npos) {
            std::istringstream fields(text.substr(after_name + 2));
            std::string field;
            long long user = 0, system = 0;
            for (int i = 3; i <= 15 && fields >> field; ++i) {
                if (i == 14) user = std::atoll(field.c_str());
                if (i == 15) system = std::atoll(field.c_str());
            }
            cpu_seconds_ = static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
        }
    }
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmHWM:")) peak_rss_kib_ = std::max(peak_rss_kib_, std::atol(line.c_str() + 6));
        if (line.starts_with("Threads:")) peak_threads_ = std::max(peak_threads_, std::atol(line.c_str() + 8));
    }
}

Profiler::Profiler(pid_t pid, const std::string& path) {
    const std::string target = std::to_string(pid);
    pid_ = ::fork();
    if (pid_ < 0) return;
    if (pid_ == 0) {
        ::setpgid(0, 0);  // not in our group, nor in the server's: stopped only by us
        const int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) {
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
        }
        // NETBENCH_CALL_GRAPH=dwarf: whole call stacks, through libraries
        // built without frame pointers (larger files; -F 499).
        const char* dwarf = std::getenv("NETBENCH_CALL_GRAPH");
        if (dwarf != nullptr && std::string(dwarf) == "dwarf")
            ::execlp("perf", "perf", "record", "-q", "-F", "499", "--call-graph", "dwarf,16384", "-p", target.c_str(),
                     "-o", path.c_str(), static_cast<char*>(nullptr));
        else
            ::execlp("perf", "perf", "record", "-q", "-F", "1999", "-g", "-p", target.c_str(), "-o", path.c_str(),
                     static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Attached once it has written its file's header (up to 2 s).
    for (int tries = 0; tries < 200 && !std::filesystem::exists(path); ++tries) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // not installed, or not allowed
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

Profiler::~Profiler() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGINT);
    int status = 0;
    ::waitpid(pid_, &status, 0);
}

}  // namespace bench
