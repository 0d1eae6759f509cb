#pragma once
// OutputQueue: the bytes accepted for one client and not yet written to its
// socket. Relaying a line only appends here; the event loop writes the
// queue out when the socket can take it. A non-blocking send() may take
// part of what it is given: the rest stays, in order, for the next try.

#include <cstddef>
#include <string>
#include <string_view>

class OutputQueue {
public:
    std::size_t size() const { return bytes_.size() - written_; }  // bytes still to write
    bool empty() const { return size() == 0; }

    void append(std::string_view bytes) { bytes_.append(bytes); }

    enum class Result {
        all_written,  // the queue is empty
        would_block,  // the socket's buffer is full (EAGAIN): wait for EPOLLOUT
        failed,       // the connection is gone (reset, closed): drop the client
    };
    // Writes as much as the socket takes now, in one send() per call when
    // the kernel takes it all: everything queued since the last write goes
    // out together, not one system call per line.
    Result write_to(int fd);

private:
    std::string bytes_;
    std::size_t written_ = 0;  // bytes_ before this have been sent
};
