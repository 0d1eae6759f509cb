// A server that misbehaves on purpose, one way per mode, so the harness's
// own tests can check that each misbehaviour fails fast with a clear message.
//   misbehave MODE [--port PORT]

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <unistd.h>

#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

void echo_one_client(const net::Socket& listener) {
    const net::Connection client = net::accept_client(listener);
    std::array<char, 4096> buffer;
    while (const std::size_t n = net::receive_some(client, buffer)) net::send_all(client, {buffer.data(), n});
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    const std::string mode = argv[1];
    const net::Options options = net::parse_options(argc - 1, argv + 1, "misbehave");

    if (mode == "exit-at-once") return 3;
    if (mode == "hang") {
        while (true) ::pause();  // never listens, never prints
    }
    if (mode == "no-flush") {
        net::Socket listener = net::listen_on(options.host, options.port);
        std::printf("listening on %s\n", net::local_address(listener).to_string().c_str());  // never flushed
        echo_one_client(listener);
        return 0;
    }
    if (mode == "wrong-line") {
        std::printf("Server started!\n");
        std::fflush(stdout);
        while (true) ::pause();
    }

    const net::Socket listener = net::listen_or_exit(options, "misbehave");
    if (mode == "echo") echo_one_client(listener);
    if (mode == "crash") {
        const net::Connection client = net::accept_client(listener);
        std::raise(SIGSEGV);
    }
    if (mode == "sigpipe") {
        const net::Connection client = net::accept_client(listener);
        std::signal(SIGPIPE, SIG_DFL);
        ::close(client.socket.fd());
        ::write(client.socket.fd(), "x", 1);  // not a socket any more: use a closed pipe instead
        int fds[2];
        ::pipe(fds);
        ::close(fds[0]);
        ::write(fds[1], "x", 1);  // SIGPIPE
    }
    if (mode == "flood") {
        const std::string line(1000, 'x');
        while (true) std::puts(line.c_str());
    }
    if (mode == "threads") {
        std::vector<std::thread> threads;
        while (true) threads.emplace_back([] { ::pause(); });
    }
    if (mode == "race") {  // a data race: ThreadSanitizer must report it
        const net::Connection client = net::accept_client(listener);
        int unguarded = 0;
        std::thread first([&] { ++unguarded; });
        std::thread second([&] { ++unguarded; });
        first.join();
        second.join();
        echo_one_client(listener);
    }
    if (mode == "overflow") {  // undefined behaviour: UBSan must report it
        const net::Connection client = net::accept_client(listener);
        volatile int big = 2147483647;
        const int too_big = big + argc;  // signed overflow
        std::printf("%d\n", too_big);
        echo_one_client(listener);
    }
    if (mode == "silent") {
        const net::Connection client = net::accept_client(listener);
        while (true) ::pause();  // accepts, never answers
    }
    return 0;
}
