// Lab 11 starter: read README.md first (en español: README.es.md).
#include "output_queue.hpp"

bool OutputQueue::append(std::string_view bytes) {
    if (bytes.size() > max_bytes_ - size()) return false;  // (size() <= max_bytes_ always: no overflow)
    // Bytes already written stay at the front until an append needs the
    // room: moving the rest down costs at most what is pending, once per
    // append, not once per send.
    if (start_ > 0) {
        bytes_.erase(0, start_);
        start_ = 0;
    }
    bytes_.append(bytes);
    return true;
}

void OutputQueue::consume(std::size_t count) {
    start_ += count;
    if (start_ == bytes_.size()) {  // everything written: start again at the front
        start_ = 0;
        // A client that was slow once may have made the queue large: give
        // that memory back rather than keep it for every idle client.
        if (bytes_.capacity() > 64 * 1024) {
            std::string().swap(bytes_);
        } else {
            bytes_.clear();
        }
    }
}
