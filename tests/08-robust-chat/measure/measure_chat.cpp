// Small measurements for lab 08's handout (not a test: it prints numbers).
// Loopback only, bounded in clients, lines and time.
//
//   measure-chat stall   PORT   one client stops reading; does everyone else stall?
//   measure-chat fanout  PORT RECEIVERS LINES   one sender, many receivers: lines/s
//   measure-chat latency PORT COUNT   one line at a time, alice -> bob: p50/p99 in microseconds
//
// The server must already listen on 127.0.0.1:PORT (lab 06's chat-server or
// lab 08's robust-chat, or a variant). Clients set TCP_NODELAY themselves
// but do not ask for quick ACKs: a receiver's delayed ACK is part of what
// Nagle's algorithm costs a server that does not turn it off.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Conn {
    int fd = -1;
    std::string pending;  // received, not yet split into lines
    explicit Conn(int port, int receive_buffer = 0) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    Conn(Conn&& other) noexcept : fd(std::exchange(other.fd, -1)), pending(std::move(other.pending)) {}
    ~Conn() {
        if (fd >= 0) ::close(fd);
    }
    // Sends all, waiting at most `limit`; false if the server stopped taking bytes.
    bool send_all(std::string_view bytes, double limit = 5.0) {
        const auto start = Clock::now();
        while (!bytes.empty()) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, 100) <= 0) {
                if (seconds_since(start) > limit) return false;
                continue;
            }
            const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) bytes.remove_prefix(static_cast<std::size_t>(n));
            if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        }
        return true;
    }
    // Reads what has arrived (waiting up to timeout_ms for something) and
    // returns the number of whole lines taken; each is handed to `take`.
    template <typename Take>
    int read_lines(int timeout_ms, Take take) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return 0;
        char buffer[1 << 16];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0) return 0;
        pending.append(buffer, static_cast<std::size_t>(n));
        int count = 0;
        std::size_t start = 0;
        for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
            take(std::string_view(pending).substr(start, nl - start));
            ++count;
        }
        pending.erase(0, start);
        return count;
    }
    // Waits until `count` lines containing `text` have arrived, at most
    // `limit` s. (Lines read past them are dropped: call it before traffic.)
    bool wait_for(std::string_view text, double limit, int count = 1) {
        const auto start = Clock::now();
        int seen = 0;
        while (seen < count && seconds_since(start) < limit)
            read_lines(50, [&](std::string_view line) { seen += line.find(text) != std::string_view::npos; });
        return seen >= count;
    }
};

// bob (4 KiB receive buffer) never reads; alice sends 1,000-byte lines as
// fast as the server takes them, for 3 s; carol reads. Every half second:
// how many of alice's lines carol has. Then a newcomer: does carol hear it
// join?
int stall(int port) {
    Conn alice(port);
    Conn bob(port, 4096);
    Conn carol(port);
    alice.wait_for("joined", 2, 2);  // bob's and carol's
    const std::string line = std::string(999, 'x') + "\n";
    std::string batch;
    for (int i = 0; i < 32; ++i) batch += line;
    long sent = 0, received = 0;
    const auto start = Clock::now();
    double next_report = 0.5;
    std::printf("  time   alice sent   carol got   (1,000-byte lines; bob reads nothing; alice waits for carol)\n");
    while (seconds_since(start) < 3.0) {
        // alice keeps at most 256 lines ahead of carol: carol reads as fast
        // as she is sent to, and is never the slow one here.
        if (sent - received < 256 && alice.send_all(batch, 0.05)) sent += 32;
        while (const int n = carol.read_lines(sent > received ? 1 : 0, [](std::string_view) {})) received += n;
        if (seconds_since(start) >= next_report) {
            std::printf("  %4.1f s  %8ld  %10ld\n", next_report, sent, received);
            next_report += 0.5;
        }
    }
    const auto join_start = Clock::now();
    Conn dave(port);
    const bool heard = carol.wait_for("joined", 2.0);
    if (heard) {
        std::printf("  a newcomer: carol hears it join after %.1f ms\n", seconds_since(join_start) * 1000);
    } else {
        std::printf("  a newcomer: carol has not heard it join 2 s later (the accept loop is stuck too)\n");
    }
    return 0;
}

// One sender, `receivers` readers; the sender sends `lines` lines of 60
// bytes as fast as the server takes them; the clock stops when every
// receiver has every line.
int fanout(int port, int receivers, int lines) {
    Conn sender(port);
    std::vector<Conn> readers;
    for (int i = 0; i < receivers; ++i) readers.emplace_back(port);
    sender.wait_for("joined", 5, receivers);
    for (int i = 0; i < receivers; ++i)  // each has heard the later ones join
        readers[static_cast<std::size_t>(i)].wait_for("joined", 5, receivers - 1 - i);
    std::string all;
    for (int n = 0; n < lines; ++n) {
        std::string line = "line " + std::to_string(n) + " ";
        line.resize(59, '.');
        all += line + "\n";
    }
    std::vector<long> got(static_cast<std::size_t>(receivers), 0);
    long total = 0;
    const long expected = static_cast<long>(receivers) * lines;
    const auto start = Clock::now();
    std::size_t at = 0;
    while (total < expected && seconds_since(start) < 30) {
        if (at < all.size()) {
            const std::size_t piece = std::min<std::size_t>(65536, all.size() - at);
            const ssize_t n = ::send(sender.fd, all.data() + at, piece, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) at += static_cast<std::size_t>(n);
        }
        for (std::size_t i = 0; i < readers.size(); ++i) {
            const int n = readers[i].read_lines(0, [](std::string_view) {});
            got[i] += n;
            total += n;
        }
    }
    const double elapsed = seconds_since(start);
    std::printf("  %d receivers x %d lines: %ld of %ld delivered in %.3f s = %.0f lines/s\n", receivers, lines, total,
                expected, elapsed, static_cast<double>(total) / elapsed);
    return total == expected ? 0 : 1;
}

// alice sends one line, bob receives it, then the next: `count` times. Also
// a line every 1 ms, without waiting, to show what Nagle does to bursts.
int latency(int port, int count) {
    Conn alice(port);
    Conn bob(port);
    alice.wait_for("joined", 2);
    std::vector<double> micros;
    for (int i = 0; i < count; ++i) {
        const auto start = Clock::now();
        alice.send_all("ping " + std::to_string(i) + "\n");
        bool got = false;
        while (!got && seconds_since(start) < 2) bob.read_lines(100, [&](std::string_view) { got = true; });
        micros.push_back(seconds_since(start) * 1e6);
    }
    // Two lines back to back, then wait for both: the second is the one
    // Nagle holds back until the first is acknowledged.
    std::vector<double> pairs;
    for (int i = 0; i < count / 4; ++i) {
        const auto start = Clock::now();
        alice.send_all("first\n");
        bob.wait_for("first", 2);
        alice.send_all("second\n");
        bob.wait_for("second", 2);
        pairs.push_back(seconds_since(start) * 1e6);
    }
    auto report = [](const char* what, std::vector<double> values) {
        std::sort(values.begin(), values.end());
        std::printf("  %s: p50 %.0f us, p99 %.0f us, max %.0f us (%zu samples)\n", what, values[values.size() / 2],
                    values[values.size() * 99 / 100], values.back(), values.size());
    };
    report("one line, alice -> bob", micros);
    report("two lines in a row   ", pairs);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string mode = argc > 2 ? argv[1] : "";
        const int port = argc > 2 ? std::atoi(argv[2]) : 0;
        if (mode == "stall") return stall(port);
        if (mode == "fanout" && argc == 5) return fanout(port, std::atoi(argv[3]), std::atoi(argv[4]));
        if (mode == "latency" && argc == 4) return latency(port, std::atoi(argv[3]));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "measure-chat: %s\n", error.what());
        return 1;
    }
    std::fprintf(stderr, "usage: measure-chat stall PORT | fanout PORT RECEIVERS LINES | latency PORT COUNT\n");
    return 2;
}
