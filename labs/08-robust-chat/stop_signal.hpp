// Lab 08 starter: read README.md first (en español: README.es.md).
#pragma once
// StopSignal: SIGINT and SIGTERM turned into something the program can wait
// for like any other event: a descriptor that becomes readable.
//
// A signal handler may run in any thread, between any two instructions, and
// may call almost nothing (no locks, no allocation, no iostreams): it can
// not tell a server to shut down gracefully. So the signals are blocked in
// every thread (the mask is inherited: construct this before starting any
// thread), and the kernel queues them on a signalfd instead. The accept
// loop waits on the listening socket and on this descriptor together
// (poll), and a signal becomes one more thing that loop can react to.
// (Elsewhere: the self-pipe trick, or a thread that calls sigwait().)

#include "net/socket.hpp"

class StopSignal {
public:
    StopSignal();  // blocks SIGINT and SIGTERM in this thread and those it starts
    // Readable once SIGINT or SIGTERM has arrived.
    int fd() const { return fd_.fd(); }

private:
    net::Socket fd_;  // a signalfd; Socket is just "a descriptor, closed once"
};
