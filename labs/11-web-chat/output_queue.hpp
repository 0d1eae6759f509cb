// Lab 11 starter: read README.md first (en español: README.es.md).
#pragma once
// OutputQueue: the bytes the server has accepted for one client and not yet
// written to its socket, oldest first.
//
// It knows nothing of sockets, threads or limits: whoever owns it decides
// how much it may hold (the Member: --max-queue, and flow control). In lab
// 08 a relaying thread drains it after its turn, as far as the socket takes
// it at once, and the client's writer thread the rest; in lab 09 an event
// loop drains it when the socket is writable. Either way the one who drains
// it writes pending() with one send() (everything queued, in one system
// call: batching) and then consume()s what send() took.

#include <cstddef>
#include <string>
#include <string_view>

class OutputQueue {
public:
    // Appends all of `bytes` after what is queued: a line is never half
    // queued. Costs what it appends, not what is queued already.
    void append(std::string_view bytes);

    // Everything queued, oldest first, in one piece: what the next send()
    // should try to write. Valid until the next append() or consume().
    std::string_view pending() const;

    // Forgets the first `count` bytes of pending(): send() has written them.
    // Costs no more than those bytes, however much is still queued.
    void consume(std::size_t count);

    std::size_t size() const;  // the bytes queued
    bool empty() const { return size() == 0; }

private:
    std::string bytes_;      // bytes before start_ have been written already
    std::size_t start_ = 0;  // where pending() begins
};
