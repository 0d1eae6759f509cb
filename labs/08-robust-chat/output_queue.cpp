#include "output_queue.hpp"

#include "not_written_yet.hpp"

// What each function must guarantee is in output_queue.hpp; the handout's
// "An output queue per client" shows how (and the trap: consume() must not
// move the whole queue down every time).

bool OutputQueue::append(std::string_view bytes) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)bytes;
    not_written_yet("OutputQueue::append");
    // ===== END OF YOUR CODE ===============================================
}

void OutputQueue::consume(std::size_t count) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)count;
    not_written_yet("OutputQueue::consume");
    // ===== END OF YOUR CODE ===============================================
}
