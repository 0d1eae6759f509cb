// Loaded into lab 07's chat client under test with LD_PRELOAD, by the test
// that checks the order "note that the input ended, then half-close":
// shutdown() on a socket does the real shutdown, then holds the calling
// thread before it returns until the program has reacted to the other
// side's close: the other side has closed, and every other thread of the
// program has settled (it sleeps, and not in a read of this socket), or one
// of them waits for this thread (pthread_join). 10 seconds at most; a
// program that exits ends the hold with it.
//
// Why: the grader's server answers the half-close by closing the
// connection, so the client's network thread sees that close while its
// keyboard thread is still inside shutdown(). A client that sets its
// "input ended" flag only after shutdown() returns then finds the flag unset
// and prints "* disconnected" after a clean end of input, on every run. On
// a real machine the same thing happens rarely (the window is microseconds),
// which is what makes it a bug worth a test. A client that sets the flag
// first is not affected, nor is a client with one thread (an event loop):
// the hold ends as soon as the close has arrived and nobody is reading it.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

constexpr int longest_hold_ms = 10'000;

using ShutdownFunction = int (*)(int, int);
using JoinFunction = int (*)(pthread_t, void**);

// Readable once a thread has called pthread_join (written to by release()).
int release_fd() {
    static const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd;
}

void release() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(release_fd(), &one, sizeof one);
}

// Reads a small /proc file into `text`; false if it is gone.
bool read_file(const char* path, char* text, std::size_t size) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const ssize_t n = ::read(fd, text, size - 1);
    ::close(fd);
    if (n <= 0) return false;
    text[n] = '\0';
    return true;
}

bool is_a_wait_for_many(long number) {
    switch (number) {
#ifdef SYS_poll
        case SYS_poll:
#endif
#ifdef SYS_select
        case SYS_select:
#endif
#ifdef SYS_epoll_wait
        case SYS_epoll_wait:
#endif
        case SYS_ppoll:
        case SYS_pselect6:
        case SYS_epoll_pwait:
            return true;
        default:
            return false;
    }
}

// True if the thread sleeps, and not in a read of `socket` (nor in a wait
// for many descriptors, which may include it): it has nothing left to do
// about the close. A thread running, runnable or in an uninterruptible
// sleep (a page fault, say) has not settled yet.
bool has_settled(long thread, int socket) {
    char path[64], text[512];
    std::snprintf(path, sizeof path, "/proc/self/task/%ld/stat", thread);
    if (!read_file(path, text, sizeof text)) return true;  // gone
    const char* after_name = std::strrchr(text, ')');
    if (after_name == nullptr || after_name[1] != ' ') return false;
    const char state = after_name[2];
    if (state != 'S' && state != 'T' && state != 't' && state != 'Z' && state != 'X') return false;
    std::snprintf(path, sizeof path, "/proc/self/task/%ld/syscall", thread);
    if (!read_file(path, text, sizeof text)) return true;
    char* rest = nullptr;
    const long number = std::strtol(text, &rest, 10);
    if (rest == text) return false;  // "running"
    const long first_argument = std::strtol(rest, nullptr, 16);
    const bool reads = number == SYS_read || number == SYS_recvfrom || number == SYS_recvmsg || number == SYS_readv;
    return !(reads && first_argument == socket) && !is_a_wait_for_many(number);
}

bool others_have_settled(int socket) {
    DIR* tasks = ::opendir("/proc/self/task");
    if (tasks == nullptr) return true;
    const long self = ::syscall(SYS_gettid);
    bool settled = true;
    while (const dirent* entry = ::readdir(tasks)) {
        const long thread = std::strtol(entry->d_name, nullptr, 10);
        if (thread > 0 && thread != self && !has_settled(thread, socket)) {
            settled = false;
            break;
        }
    }
    ::closedir(tasks);
    return settled;
}

long milliseconds_since(const timespec& start) {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1'000'000;
}

void hold(int socket) {
    timespec start{};
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    while (milliseconds_since(start) < longest_hold_ms) {
        pollfd events[2] = {{release_fd(), POLLIN, 0}, {socket, POLLRDHUP, 0}};
        // The kernel has no event for "the other threads have settled":
        // look again every millisecond once the close has arrived.
        const int ready = ::poll(events, 2, 1);
        if (ready < 0 && errno != EINTR) return;
        if (events[0].revents & POLLIN) return;  // a pthread_join
        if ((events[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) && others_have_settled(socket)) return;
    }
}

__attribute__((constructor)) void prepare() { release_fd(); }

}  // namespace

extern "C" int shutdown(int fd, int how) {
    static const auto real_shutdown = reinterpret_cast<ShutdownFunction>(::dlsym(RTLD_NEXT, "shutdown"));
    const int result = real_shutdown(fd, how);
    if (result == 0 && how != SHUT_RD) {
        const int saved_errno = errno;
        hold(fd);
        errno = saved_errno;
    }
    return result;
}

extern "C" int pthread_join(pthread_t thread, void** value) {
    static const auto real_join = reinterpret_cast<JoinFunction>(::dlsym(RTLD_NEXT, "pthread_join"));
    release();  // the program waits for a thread: it has decided how to end
    return real_join(thread, value);
}
