// Lab 09 starter: read README.md first (en español: README.es.md).
// Lab 09 — event-chat: the lab 08 chat server on exactly one thread.
//
// Lab 08 gave each client a reader thread that blocks in recv() and a
// writer thread that blocks in send() when the client is slow. Here nothing
// blocks: every socket is non-blocking, and one loop (event_loop.hpp) asks
// epoll which of them are ready, and does just what they are ready for.
// The protocol (chat_room.*), the line framing (net::LineBuffer) and the
// queue (output_queue.*) are lab 08's, unchanged; Member (member.*) is the
// same Outbox without its writer thread. Only who drives them changes.
//
//   10,000 clients: 10,000 sockets and 10,000 small queues, one thread,
//   one stack. The open-file limit (1,024 by default) is raised to its
//   hard limit at start.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <csignal>
#include <exception>
#include <iostream>

#include "event_loop.hpp"
#include "net/errors.hpp"
#include "net/options.hpp"

namespace {

// Each client is a descriptor; the default soft limit (1,024) would stop
// us near 1,020 clients. The soft limit may be raised up to the hard one
// by any process: we take all of it.
void raise_open_file_limit(long long max_clients) {
    // ===== YOUR CODE (lab 09) =============================================
    // Afterwards the soft limit on open files is as high as the hard limit lets
    // it be; if that is still too low for max_clients (and the server's own
    // few descriptors), standard error says so (README.md, "Limits").
    (void)max_clients;
    // ===== END OF YOUR CODE ===============================================
}

// SIGINT and SIGTERM as a descriptor: blocked as signals (so they never
// interrupt anything, nor kill us), they make the signalfd readable, and
// the loop hears them like any other event. No handler, no flag, no race.
// Blocked before we listen: a Ctrl-C that comes the moment we are
// listening must not kill us either.
net::Socket shutdown_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (::sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) net::throw_errno("sigprocmask", "SIGINT SIGTERM");
    const int fd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) net::throw_errno("signalfd", "SIGINT SIGTERM");
    return net::Socket(fd);
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "event-chat",
        {{"--max-clients", "N", 1000, 1, 1'000'000}, {"--max-queue", "BYTES", 1024 * 1024, 1, 1LL << 40}});
    const long long max_clients = options.number("--max-clients");
    raise_open_file_limit(max_clients);
    std::signal(SIGPIPE, SIG_IGN);  // MSG_NOSIGNAL covers send(); this covers everything else
    net::Socket signals = shutdown_signals();

    net::Socket listener = net::listen_or_exit(options, "event-chat");
    // listen() again on a listening socket only changes its backlog: room
    // for thousands of clients arriving at once, not 128.
    ::listen(listener.fd(), SOMAXCONN);
    ::fcntl(listener.fd(), F_SETFL, ::fcntl(listener.fd(), F_GETFL) | O_NONBLOCK);
    try {
        EventLoop loop(std::move(listener), std::move(signals),
                       Limits{static_cast<std::size_t>(max_clients), static_cast<std::size_t>(options.number("--max-queue"))});
        return loop.run();
    } catch (const std::exception& error) {
        std::cerr << "event-chat: " << error.what() << std::endl;
        return 1;
    }
}
