// Lab 11 starter: read README.md first (en español: README.es.md).
#include "output_queue.hpp"

void OutputQueue::append(std::string_view bytes) {
    // Bytes already written stay at the front, and are forgotten only once
    // they are at least half of the buffer: moving the rest down then costs
    // no more than what was written since the last move. (Moving it at
    // every append would cost the whole queue each time a slow socket takes
    // a few bytes.)
    if (start_ > 0 && start_ >= bytes_.size() / 2) {
        bytes_.erase(0, start_);
        start_ = 0;
    }
    bytes_.append(bytes);
}

std::string_view OutputQueue::pending() const {
    return std::string_view(bytes_).substr(start_);
}

void OutputQueue::consume(std::size_t count) {
    start_ += count;
    if (start_ == bytes_.size()) {  // everything written: start again at the front
        start_ = 0;
        // A client that was slow once may have made the queue large: give
        // that memory back rather than keep it for every idle client (but
        // keep what a busy one uses again and again).
        if (bytes_.capacity() > 256 * 1024) {
            std::string().swap(bytes_);
        } else {
            bytes_.clear();
        }
    }
}

std::size_t OutputQueue::size() const {
    return bytes_.size() - start_;
}
