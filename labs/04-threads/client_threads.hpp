// Lab 04 starter: read README.md first (en español: README.es.md).
#pragma once
// ClientThreads: one thread per client, each owned, joined once finished.
// This file is your part of lab 04 (see README.md, "Who owns a thread").
//
// What it must guarantee:
//   - start() returns at once: the function runs on a new thread, and main
//     goes back to accept();
//   - every thread it starts is owned here, and joined: never destroyed
//     while joinable (that is std::terminate), never detached;
//   - join_finished() joins the threads that have finished, and only
//     those: it never waits for a client still being served;
//   - destroying a ClientThreads joins every thread still running.
// As given, start() runs the function right here, on the caller's thread:
// the accept loop serves one client at a time, as in lab 03.

#include <atomic>
#include <list>
#include <thread>
#include <utility>

namespace net {

class ClientThreads {
public:
    ClientThreads() = default;
    ClientThreads(const ClientThreads&) = delete;
    ClientThreads& operator=(const ClientThreads&) = delete;

    // Runs function(args...) as std::jthread(function, args...) would: the
    // arguments are moved into the new thread, which owns them from then
    // on. start(serve_client, std::move(client)) hands the client's
    // connection over to its thread. `function` must not throw: an
    // exception that leaves a thread's function ends the whole program
    // (std::terminate).
    template <typename Function, typename... Args>
    void start(Function function, Args... args) {
        // ===== YOUR CODE (lab 04) =========================================
        function(std::move(args)...);
        // ===== END OF YOUR CODE ===========================================
    }

    // Joins the threads that have finished, and forgets them, giving their
    // stacks back. main calls it each time a client arrives, so finished
    // threads do not pile up.
    void join_finished() {
        // ===== YOUR CODE (lab 04) =========================================
        // ===== END OF YOUR CODE ===========================================
    }

private:
    // ===== YOUR CODE (lab 04) =============================================
    // What you keep for each thread.
    // ===== END OF YOUR CODE ===============================================
};

}  // namespace net
