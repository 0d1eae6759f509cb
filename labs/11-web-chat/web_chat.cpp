// Lab 11 starter: read README.md first (en español: README.es.md).
// Lab 11 — web-chat: the lab 09 chat server, reachable from a web browser
// too. The chat port works exactly as in lab 09 (nc, lab 07's client); a
// second port, the web port, speaks HTTP: it serves the chat page (GET /,
// chat.html, built into the program) and upgrades GET /chat to a WebSocket,
// whose text messages are the browser's chat lines. Browsers and chat
// clients share one room.
//
// What is new, next to lab 09 (diff -r solutions/09-event-loop solutions/11-web-chat):
//   web_chat.cpp     a second listener, --web-port, the "web on" line
//   event_loop.*     two listeners in one epoll set; a web connection is a
//                    page request first, and joins the room after its handshake
//   member.*         a connection speaks lines, HTTP or WebSocket frames
//   http.*           a request, read as it comes; a response with a length
//   websocket.*      the handshake, frames both ways, the close rules
//   page.*           chat.html, built in (meson.build: embed_file.py)
//   base64.*, utf8.* small helpers
// What is not: the room and the queues (chat_room.* and output_queue.*,
// lab 09's files as they are), and one thread for everything.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <system_error>

#include "event_loop.hpp"
#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Each client is a descriptor; the default soft limit (1,024) would stop
// us near 1,020 clients. The soft limit may be raised up to the hard one
// by any process: we take all of it.
void raise_open_file_limit(long long max_clients) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur != RLIM_INFINITY && static_cast<long long>(limit.rlim_cur) < max_clients + 16)
        std::cerr << "web-chat: the open-file limit is " << limit.rlim_cur << ": fewer than --max-clients "
                  << max_clients << " can connect (raise it with ulimit -n)" << std::endl;
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

// Listens on host:port, non-blocking, with room for thousands of clients
// arriving at once; or says why not and exits with status 1.
net::Socket listen_or_exit(const std::string& host, std::uint16_t port) {
    try {
        net::Socket listener = net::listen_on(host, port, SOMAXCONN);
        ::fcntl(listener.fd(), F_SETFL, ::fcntl(listener.fd(), F_GETFL) | O_NONBLOCK);
        return listener;
    } catch (const std::system_error& error) {
        std::cerr << "web-chat: cannot listen on " << net::join_host_port(host, port) << ": "
                  << error.code().message() << std::endl;
        std::exit(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "web-chat",
        {{"--web-port", "WEBPORT", 8080, 0, 65535},
         {"--max-clients", "N", 1000, 1, 1'000'000},
         {"--max-queue", "BYTES", 1024 * 1024, 1, 1LL << 40}});
    const long long max_clients = options.number("--max-clients");
    raise_open_file_limit(max_clients);
    std::signal(SIGPIPE, SIG_IGN);  // MSG_NOSIGNAL covers send(); this covers everything else
    net::Socket signals = shutdown_signals();

    // Both ports first, then both lines: whoever waits for the first line
    // may connect to either port at once. The web port's line is a URL to
    // open in a browser.
    net::Socket listener = listen_or_exit(options.host, options.port);
    net::Socket web_listener =
        listen_or_exit(options.host, static_cast<std::uint16_t>(options.number("--web-port")));
    std::cout << "listening on " << net::local_address(listener).to_string() << "\n"
              << "web on http://" << net::local_address(web_listener).to_string() << "/" << std::endl;
    try {
        EventLoop loop(std::move(listener), std::move(web_listener), std::move(signals),
                       Limits{static_cast<std::size_t>(max_clients), static_cast<std::size_t>(options.number("--max-queue"))});
        return loop.run();
    } catch (const std::exception& error) {
        std::cerr << "web-chat: " << error.what() << std::endl;
        return 1;
    }
}
