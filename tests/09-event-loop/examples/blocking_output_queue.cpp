// Broken example for lab 09: output_queue.cpp of the reference, but a full
// socket is waited on (poll until writable) instead of left to EPOLLOUT.
#include "output_queue.hpp"

#include <cerrno>

#include <poll.h>
#include <sys/socket.h>

OutputQueue::Result OutputQueue::write_to(int fd) {
    while (written_ < bytes_.size()) {
        // MSG_NOSIGNAL: writing to a client that has gone is an error to
        // handle (EPIPE), not a signal that kills the server.
        const ssize_t sent = ::send(fd, bytes_.data() + written_, bytes_.size() - written_, MSG_NOSIGNAL);
        if (sent >= 0) {
            written_ += static_cast<std::size_t>(sent);  // maybe only part: loop for the rest
            continue;
        }
        if (errno == EINTR) continue;  // a signal came in: nothing was written, try again
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // THE MISTAKE: wait until this client's socket takes more, so
            // that the queue is always written out whole. The one thread
            // then waits on the slowest client, and so does everyone else.
            pollfd writable{fd, POLLOUT, 0};
            ::poll(&writable, 1, -1);
            continue;
        }
        return Result::failed;
    }
    // Empty. clear() would keep the memory for next time; with 10,000
    // clients, each keeping the most it ever held, that is hundreds of
    // MiB. An empty queue gives its memory back.
    std::string().swap(bytes_);
    written_ = 0;
    return Result::all_written;
}
