// Loaded into the program under test with LD_PRELOAD by tests that ask for
// it (StartOptions::short_sends): every send() or write() on a socket takes
// at most a few bytes, as the kernel is allowed to. A program that ignores
// what send() returns, or retries from the wrong place, then sends the wrong
// bytes, and the test sees it at once instead of one day in production.

#include <cstddef>
#include <cstdint>

#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

namespace {

using SendFunction = ssize_t (*)(int, const void*, std::size_t, int);
using WriteFunction = ssize_t (*)(int, const void*, std::size_t);

// 1 to 97 bytes: varied, but the same on every run, so failures repeat.
std::size_t next_piece(std::size_t wanted) {
    static std::uint32_t counter = 0;
    const std::uint32_t n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    const std::size_t piece = 1 + (n * 7919u) % 97u;
    return piece < wanted ? piece : wanted;
}

bool is_socket(int fd) {
    struct stat info {};
    return ::fstat(fd, &info) == 0 && S_ISSOCK(info.st_mode);
}

}  // namespace

extern "C" ssize_t send(int fd, const void* data, std::size_t size, int flags) {
    static const auto real_send = reinterpret_cast<SendFunction>(::dlsym(RTLD_NEXT, "send"));
    return real_send(fd, data, next_piece(size), flags);
}

extern "C" ssize_t write(int fd, const void* data, std::size_t size) {
    static const auto real_write = reinterpret_cast<WriteFunction>(::dlsym(RTLD_NEXT, "write"));
    return real_write(fd, data, is_socket(fd) ? next_piece(size) : size);
}
