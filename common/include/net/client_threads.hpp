#pragma once
// BEGIN SOLUTION ONLY
// ANSWER TO LAB 04. This file is the finished answer to lab 04
// (labs/04-threads, whose solution links here). If you have not done lab 04
// yet, close it: that lab has you write this yourself. From lab 05 on, use
// it freely.
//
// ClientThreads: one thread per client, each owned, joined once finished.
// INSTEAD
//| // ClientThreads: one thread per client, each owned, joined once finished.
//| // This file is your part of lab 04 (see README.md, "Who owns a thread").
// END SOLUTION ONLY
//
// What it must guarantee:
//   - start() returns at once: the function runs on a new thread, and main
//     goes back to accept();
//   - every thread it starts is owned here, and joined: never destroyed
//     while joinable (that is std::terminate), never detached;
//   - join_finished() joins the threads that have finished, and only
//     those: it never waits for a client still being served;
//   - destroying a ClientThreads joins every thread still running.
// BEGIN SOLUTION ONLY
//
// A std::thread must be joined or detached before it is destroyed, or the
// program ends on the spot (std::terminate). std::jthread joins in its
// destructor: it is to a thread what net::Socket is to a descriptor. So we
// keep every client's thread in a std::jthread, in a list that lives in
// main, and nothing can outlive its owner.
//
// A thread that has finished still holds its stack (8 MiB of address space)
// until someone joins it. A server that only ever added threads to the list
// would keep one stack per client it ever had. So each thread raises a flag
// as its very last act, and join_finished() joins (and forgets) the threads
// whose flag is up: those joins return at once.
//
// Why not detach()? A detached thread needs no owner, and the kernel cleans
// up after it; but then nobody can wait for it. When main returns, detached
// threads still serving are stopped in the middle of whatever they do, while
// the objects they use (globals, say) are being destroyed. Lab 08 shuts the
// server down gracefully, and that needs every thread joined; we keep them
// joinable from the start.
// INSTEAD
//| // As given, start() runs the function right here, on the caller's thread:
//| // the accept loop serves one client at a time, as in lab 03.
// END SOLUTION ONLY

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
        // BEGIN YOURS
        // A std::list never moves its elements, so the new thread may keep
        // a reference to its own `finished` flag for as long as it runs.
        Worker& worker = workers_.emplace_back();
        worker.thread = std::jthread([&finished = worker.finished, function, ... args = std::move(args)]() mutable {
            function(std::move(args)...);
            finished = true;  // its last act: joining it now cannot wait
        });
        // INSTEAD
        //| function(std::move(args)...);
        // END YOURS
    }

    // Joins the threads that have finished, and forgets them, giving their
    // stacks back. main calls it each time a client arrives, so finished
    // threads do not pile up.
    void join_finished() {
        // BEGIN YOURS
        std::erase_if(workers_, [](const Worker& worker) { return worker.finished.load(); });
        // END YOURS
    }

    // BEGIN SOLUTION ONLY
    // Destroying the list destroys every std::jthread, which joins it: the
    // destructor waits until every client still being served has left.

    // END SOLUTION ONLY
private:
    // BEGIN YOURS
    struct Worker {
        // Declared before `thread`, so destroyed after it: the thread is
        // joined before its flag goes away.
        std::atomic<bool> finished = false;
        std::jthread thread;
    };
    std::list<Worker> workers_;
    // INSTEAD
    //| // What you keep for each thread.
    // END YOURS
};

}  // namespace net
