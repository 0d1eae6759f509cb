// Lab 11 starter: read README.md first (en español: README.es.md).
#pragma once
// OutputQueue: the bytes the server has accepted for one client and not yet
// written to its socket, oldest first, bounded in bytes.
//
// It knows nothing of sockets or threads. In lab 08 a relaying thread
// drains it after its turn, as far as the socket takes it at once, and the
// client's writer thread the rest (each under that client's lock); in lab
// 09 an event loop drains it when the socket is writable. Either way the
// one who drains it writes pending() with one send() (everything queued,
// in one system call: batching) and then consume()s what send() took.

#include <cstddef>
#include <string>
#include <string_view>

class OutputQueue {
public:
    explicit OutputQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    // Appends all of `bytes`, or nothing: false if the queue would then hold
    // more than max_bytes. A line is never half queued.
    bool append(std::string_view bytes);

    // Everything queued, oldest first, in one piece: what the next send()
    // should try to write.
    std::string_view pending() const { return std::string_view(bytes_).substr(start_); }

    // Forgets the first `count` bytes of pending(): send() has written them.
    void consume(std::size_t count);

    std::size_t size() const { return bytes_.size() - start_; }
    bool empty() const { return size() == 0; }

private:
    std::size_t max_bytes_;
    std::string bytes_;      // bytes before start_ have been written already
    std::size_t start_ = 0;  // where pending() begins
};
