// Broken on purpose: lab 07's design with one classic mistake, chosen when it
// is compiled (meson.build builds it once for each). The grader must fail
// both, every time, on every system.
//
// MISTAKE_STD_EXIT: when the server closes first, it says "* disconnected"
//   and ends with std::exit(0) while the keyboard thread waits in getline.
//   std::exit flushes every stdio stream; glibc 2.41 and later (Debian 13)
//   take each stream's lock to do it, and getline holds the lock of standard
//   input while it waits, so the program hangs until the user presses Enter.
//   Older glibc exits at once; the grader makes exit() wait for that lock on
//   every system.
// MISTAKE_FLAG_AFTER_HALF_CLOSE: at the end of input it half-closes, then
//   sets input_ended. The server answers the half-close by closing; if the
//   main thread sees that close first, it says "* disconnected" after a
//   clean end of input. A race of microseconds on a real machine; the
//   grader makes shutdown() slow to return, so it happens every time.

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <string>
#include <system_error>
#include <thread>

#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

#if defined(MISTAKE_STD_EXIT) == defined(MISTAKE_FLAG_AFTER_HALF_CLOSE)
#error "define exactly one of MISTAKE_STD_EXIT and MISTAKE_FLAG_AFTER_HALF_CLOSE"
#endif

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-client");
    net::Connection server;
    try {
        server = net::connect_to(options.host, options.port);
    } catch (const std::system_error& error) {
        std::cerr << "chat-client: cannot connect to " << net::join_host_port(options.host, options.port) << ": "
                  << error.code().message() << std::endl;
        return 1;
    }
    std::atomic<bool> input_ended = false;
    std::jthread keyboard([&] {
        try {
            for (std::string line; std::getline(std::cin, line);) net::send_all(server, line + "\n");
#ifdef MISTAKE_FLAG_AFTER_HALF_CLOSE
            net::shutdown_sending(server);
            input_ended = true;  // the mistake: too late, the server may have closed already
#else
            input_ended = true;
            net::shutdown_sending(server);
#endif
        } catch (const std::system_error&) {
        }
    });
    try {
        net::LineReader reader(server);
        while (const auto line = reader.read_line()) std::cout << *line << std::endl;
    } catch (const std::system_error&) {
    }
    if (input_ended) return 0;
    std::cerr << "* disconnected" << std::endl;
#ifdef MISTAKE_STD_EXIT
    std::exit(0);  // the mistake: waits for the lock of std::cin, held by getline
#else
    std::_Exit(0);
#endif
}
