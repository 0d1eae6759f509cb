#pragma once
// ClientThreads: one thread per client, each owned, joined once finished.
// This file is your part of lab 04 (see README.md).
//
// As given, start() runs the function right here, on the caller's thread:
// the accept loop serves one client at a time, exactly as in lab 03, and
// a client that sends nothing holds up everyone else. Make start() run it
// on a new thread instead, and keep that thread in a std::jthread owned by
// this class, so that:
//   - start() returns at once, and main goes back to accept();
//   - a thread that has finished is joined by join_finished() (its stack
//     stays allocated until it is joined);
//   - destroying a ClientThreads joins every thread still running.

#include <atomic>
#include <list>
#include <thread>
#include <utility>

class ClientThreads {
public:
    ClientThreads() = default;
    ClientThreads(const ClientThreads&) = delete;
    ClientThreads& operator=(const ClientThreads&) = delete;

    // Runs function(args...) as std::jthread(function, args...) would: the
    // arguments are moved into the new thread, which owns them from then
    // on. start(serve_client, std::move(client)) hands the client's
    // connection over to its thread.
    template <typename Function, typename... Args>
    void start(Function function, Args... args) {
        // ===== YOUR CODE (lab 04) =========================================
        // Replace this call with a new thread that makes it. Each thread is
        // a std::jthread kept in a list (std::list never moves its
        // elements, so a thread can keep a reference into its own element).
        // A lambda can take the arguments over with a C++20 capture:
        //     [function, ... args = std::move(args)]() mutable {
        //         function(std::move(args)...);
        //         ...   // tell join_finished() this thread is done
        //     }
        // A flag that one thread writes and another reads must be a
        // std::atomic<bool> (lab 05 shows why).
        function(std::move(args)...);
        // ===== END OF YOUR CODE ===========================================
    }

    // Joins the threads that have finished. main calls it each time a
    // client arrives, so finished threads do not pile up.
    void join_finished() {
        // ===== YOUR CODE (lab 04) =========================================
        // std::erase_if(list, predicate) removes the elements for which
        // predicate returns true; destroying a std::jthread joins it.
        // ===== END OF YOUR CODE ===========================================
    }

private:
    // ===== YOUR CODE (lab 04) =============================================
    // What you keep for each thread: at least its std::jthread, and a way
    // for join_finished() to know it has finished.
    // ===== END OF YOUR CODE ===============================================
};
