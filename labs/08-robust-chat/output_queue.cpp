// Lab 08 starter: read README.md first (en español: README.es.md).
#include "output_queue.hpp"

#include "not_written_yet.hpp"

void OutputQueue::append(std::string_view bytes) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)bytes;
    not_written_yet("OutputQueue::append");
    // ===== END OF YOUR CODE ===============================================
}

std::string_view OutputQueue::pending() const {
    // ===== YOUR CODE (lab 08) =============================================
    return {};
    // ===== END OF YOUR CODE ===============================================
}

void OutputQueue::consume(std::size_t count) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)count;
    not_written_yet("OutputQueue::consume");
    // ===== END OF YOUR CODE ===============================================
}

std::size_t OutputQueue::size() const {
    // ===== YOUR CODE (lab 08) =============================================
    return 0;
    // ===== END OF YOUR CODE ===============================================
}
