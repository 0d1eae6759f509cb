// Loaded into lab 07's chat client under test with LD_PRELOAD, by every test
// of its suite: exit() waits for the lock of standard input, as it does with
// glibc 2.41 and later on every system, whatever the C library here.
//
// Why: glibc 2.41 (Debian 13) flushes every stdio stream at exit taking each
// stream's lock first. A thread waiting in std::getline(std::cin, ...) holds
// the lock of stdin for as long as it waits, so a program that calls
// std::exit (or returns from main) while that thread waits hangs until the
// user presses Enter or the input ends. Older glibc (2.36, Debian 12) flushes
// without the lock and exits at once, so the bug would pass here and hang
// there. With this shim it hangs everywhere, and the grader can say why: the
// first time exit() finds the lock taken it says so on standard error.
//
// std::_Exit and std::quick_exit run no exit handlers: they are not held.

#include <cstdio>
#include <cstdlib>

#include <unistd.h>

namespace {

// Run by exit() after the program's own exit handlers and destructors of
// static objects (registered later, so run earlier), just before the C
// library's own clean-up of stdio: where glibc 2.41 takes the locks.
void wait_for_the_lock_of_stdin() {
    if (::ftrylockfile(stdin) != 0) {
        static const char message[] =
            "[grader] exit() is waiting for the lock of standard input, which another thread holds while it "
            "waits for input (std::getline): with glibc 2.41 and later, exit() waits here until the input ends\n";
        [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, message, sizeof message - 1);
        ::flockfile(stdin);
    }
    ::funlockfile(stdin);
}

__attribute__((constructor)) void register_at_exit() { std::atexit(wait_for_the_lock_of_stdin); }

}  // namespace
