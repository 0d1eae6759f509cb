#include "output_queue.hpp"
// BEGIN SOLUTION ONLY
// INSTEAD
//|
//| #include "not_written_yet.hpp"
// END SOLUTION ONLY

void OutputQueue::append(std::string_view bytes) {
    // BEGIN YOURS
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
    // INSTEAD
    //| (void)bytes;
    //| not_written_yet("OutputQueue::append");
    // END YOURS
}

std::string_view OutputQueue::pending() const {
    // BEGIN YOURS
    return std::string_view(bytes_).substr(start_);
    // INSTEAD
    //| return {};
    // END YOURS
}

void OutputQueue::consume(std::size_t count) {
    // BEGIN YOURS
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
    // INSTEAD
    //| (void)count;
    //| not_written_yet("OutputQueue::consume");
    // END YOURS
}

std::size_t OutputQueue::size() const {
    // BEGIN YOURS
    return bytes_.size() - start_;
    // INSTEAD
    //| return 0;
    // END YOURS
}
