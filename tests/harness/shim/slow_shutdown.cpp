// Loaded into lab 07's chat client under test with LD_PRELOAD, by the test
// that checks the order "note that the input ended, then half-close":
// shutdown() on a socket does the real shutdown, then holds the calling
// thread before it returns, until another thread of the program waits for
// it (pthread_join), and for 10 seconds at most. A program that exits ends
// the hold with it.
//
// Why: the grader's server answers the half-close by closing the
// connection, so the client's network thread sees that close while its
// keyboard thread is still inside shutdown(). A client that sets its
// "input ended" flag only after shutdown() returns then finds the flag unset
// and prints "* disconnected" after a clean end of input, on every run. On
// a real machine the same thing happens rarely (the window is microseconds),
// which is what makes it a bug worth a test. A client that sets the flag
// first is not affected: the hold ends as soon as it joins the thread. (A
// runtime that joins threads without pthread_join, or not at all, waits out
// the 10 seconds; the test allows for them.)

#include <cerrno>
#include <cstdint>

#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int longest_hold_ms = 10'000;

using ShutdownFunction = int (*)(int, int);
using JoinFunction = int (*)(pthread_t, void**);

// Readable once the hold is over for good (written to by release()).
int release_fd() {
    static const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd;
}

void release() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(release_fd(), &one, sizeof one);
}

void hold() {
    pollfd released{release_fd(), POLLIN, 0};
    while (::poll(&released, 1, longest_hold_ms) < 0 && errno == EINTR) {
    }
}

__attribute__((constructor)) void prepare() { release_fd(); }

}  // namespace

extern "C" int shutdown(int fd, int how) {
    static const auto real_shutdown = reinterpret_cast<ShutdownFunction>(::dlsym(RTLD_NEXT, "shutdown"));
    const int result = real_shutdown(fd, how);
    if (result == 0 && how != SHUT_RD) {
        const int saved_errno = errno;
        hold();
        errno = saved_errno;
    }
    return result;
}

extern "C" int pthread_join(pthread_t thread, void** value) {
    static const auto real_join = reinterpret_cast<JoinFunction>(::dlsym(RTLD_NEXT, "pthread_join"));
    release();  // the program waits for a thread: it has decided how to end
    return real_join(thread, value);
}
