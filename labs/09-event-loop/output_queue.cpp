#include "output_queue.hpp"

#include <cerrno>

#include <sys/socket.h>  // send, MSG_NOSIGNAL

OutputQueue::Result OutputQueue::write_to(int fd) {
    // TODO: send() from bytes_ + written_ with MSG_NOSIGNAL, for as long as
    // anything is left: a send may take only part; EINTR: try again;
    // EAGAIN/EWOULDBLOCK: keep the rest, return would_block; any other
    // error: return failed. Once all is written: empty the buffer (give its
    // memory back: std::string().swap(bytes_)) and return all_written.
    (void)fd;
    return Result::failed;
}
