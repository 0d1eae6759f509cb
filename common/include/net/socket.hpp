#pragma once
// A socket is a file descriptor: a small number that names a kernel object.
// net::Socket owns one descriptor and closes it exactly once, when it goes out
// of scope. It can be moved (ownership passes on) but not copied (two owners
// would close the same number twice), so no descriptor leaks, even when an
// exception unwinds the stack.

#include <utility>

namespace net {

class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) noexcept : fd_(fd) {}
    ~Socket() { close(); }

    Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Socket& operator=(Socket&& other) noexcept {
        if (this != &other) {
            close();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const noexcept { return fd_; }
    bool is_open() const noexcept { return fd_ >= 0; }

    // Closes now rather than at the end of the scope. Safe to call twice.
    void close() noexcept;

private:
    int fd_ = -1;
};

}  // namespace net
