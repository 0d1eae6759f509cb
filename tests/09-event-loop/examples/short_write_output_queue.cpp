// Broken example for lab 09: output_queue.cpp of the reference, but what a
// short send() did not take is forgotten.
#include "output_queue.hpp"

#include <cerrno>

#include <sys/socket.h>

OutputQueue::Result OutputQueue::write_to(int fd) {
    while (written_ < bytes_.size()) {
        // MSG_NOSIGNAL: writing to a client that has gone is an error to
        // handle (EPIPE), not a signal that kills the server.
        const ssize_t sent = ::send(fd, bytes_.data() + written_, bytes_.size() - written_, MSG_NOSIGNAL);
        if (sent >= 0) {
            // THE MISTAKE: a short write is taken for a whole one.
            written_ = bytes_.size();
            (void)sent;
            continue;
        }
        if (errno == EINTR) continue;  // a signal came in: nothing was written, try again
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // Keep what is left. Drop what was sent once it is most of the
            // buffer: moving the rest down costs less than it frees.
            if (written_ > bytes_.size() / 2) {
                bytes_.erase(0, written_);
                written_ = 0;
            }
            return Result::would_block;
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
