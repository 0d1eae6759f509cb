#include "net/socket.hpp"

#include <unistd.h>

namespace net {

void Socket::close() noexcept {
    if (fd_ >= 0) {
        // close() can report an error, but the descriptor is released anyway
        // and there is nothing useful to do about it here.
        ::close(std::exchange(fd_, -1));
    }
}

}  // namespace net
