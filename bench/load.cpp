#include "load.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// This thread's CPU time: the bench is one thread, and when it is busy all
// the time it, not the server, sets the pace (see the "bench CPU" column).
std::int64_t own_cpu_ns() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::uint64_t checksum(std::uint64_t sender, std::uint64_t seq, std::uint64_t sent_at) {
    return (sender * 2654435761ULL ^ seq * 40503ULL ^ sent_at * 0x9E3779B97F4A7C15ULL) % 1000003;
}

// Takes one decimal number and the space after it (none after the last).
std::optional<std::uint64_t> take_number(std::string_view& text, bool last) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data()) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (last) return text.empty() ? std::optional(value) : std::nullopt;
    if (text.empty() || text.front() != ' ') return std::nullopt;
    text.remove_prefix(1);
    return value;
}

struct Client {
    int fd = -1;
    bool connecting = false;
    bool open = false;
    bool served = false;  // the barrier line reached it (or it sent it)
    bool watching_output = false;
    std::string partial;  // the start of a line not yet complete
    std::string output;   // accepted from us, not yet taken by the kernel
    std::size_t output_sent = 0;
    int sender = -1;  // its sender number, or -1
    int next_seq = 0;
    std::int64_t next_due_ns = 0;
};

class Load {
public:
    Load(const RunSpec& spec, std::uint16_t port, ServerProcess& server,
         const std::function<void(const std::string&)>& progress)
        : spec_(spec), port_(port), server_(server), progress_(progress),
          clients_(static_cast<std::size_t>(spec.clients)), buffer_(256 * 1024) {
        epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    }
    ~Load() {
        for (Client& client : clients_)
            if (client.fd >= 0) ::close(client.fd);
        if (epoll_ >= 0) ::close(epoll_);
    }
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;

    RunResult run();

private:
    bool set_up();
    void measure();
    void connect_one(int index);
    void poll(int timeout_ms);
    void handle(int index, std::uint32_t events);
    void receive(int index);
    void on_line(int index, std::string_view line, std::int64_t now);
    void send_line(Client& client, int index, std::string_view line);
    void flush(int index);
    void watch(int index, bool output);
    void drop(int index, const std::string& why);
    void note(const std::string& text);
    bool time_to_report();
    bool server_ended();

    const RunSpec spec_;
    const std::uint16_t port_;
    ServerProcess& server_;
    const std::function<void(const std::string&)>& progress_;
    std::vector<Client> clients_;
    std::vector<char> buffer_;
    int epoll_ = -1;
    RunResult result_;

    int started_ = 0, connecting_ = 0, joins_seen_by_first_ = 0, dropped_ = 0;
    bool measuring_ = false;
    int senders_ = 0;
    std::size_t words_per_pair_ = 1;
    std::vector<std::uint64_t> seen_;  // [receiver][sender][seq] bits
    std::vector<std::int32_t> highest_;  // [receiver][sender]: highest seq seen
    std::vector<long long> delivered_from_;  // [sender]: its lines delivered, to anyone
    std::vector<float> latencies_us_;
    std::int64_t first_send_ns_ = 0, last_delivery_ns_ = 0;
    std::int64_t next_report_ns_ = 0;
    std::string first_garbled_;
};

void Load::note(const std::string& text) {
    if (!result_.note.empty()) result_.note += "; ";
    result_.note += text;
}

bool Load::time_to_report() {
    const std::int64_t now = now_ns();
    if (now < next_report_ns_) return false;
    next_report_ns_ = now + 200'000'000;
    server_.sample();
    return true;
}

bool Load::server_ended() {
    if (const auto how = server_.ended()) {
        note("server " + *how);
        return true;
    }
    return false;
}

void Load::connect_one(int index) {
    Client& client = clients_[static_cast<std::size_t>(index)];
    client.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (client.fd < 0) {
        drop(index, std::string("socket: ") + std::strerror(errno));
        return;
    }
    const int one = 1;
    ::setsockopt(client.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(client.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
        drop(index, std::string("connect: ") + std::strerror(errno));
        return;
    }
    client.connecting = true;
    ++connecting_;
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN;
    event.data.u32 = static_cast<std::uint32_t>(index);
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, client.fd, &event);
}

void Load::watch(int index, bool output) {
    Client& client = clients_[static_cast<std::size_t>(index)];
    if (client.watching_output == output) return;
    client.watching_output = output;
    epoll_event event{};
    event.events = EPOLLIN | (output ? EPOLLOUT : 0u);
    event.data.u32 = static_cast<std::uint32_t>(index);
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, client.fd, &event);
}

void Load::drop(int index, const std::string& why) {
    Client& client = clients_[static_cast<std::size_t>(index)];
    if (client.connecting) --connecting_;
    if (client.fd >= 0) ::close(client.fd);  // closing also takes it out of the epoll set
    client.fd = -1;
    client.open = client.connecting = false;
    if (dropped_++ == 0) note("client " + std::to_string(index) + ": " + why);
}

void Load::handle(int index, std::uint32_t events) {
    Client& client = clients_[static_cast<std::size_t>(index)];
    if (client.connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            drop(index, std::string("connect: ") + std::strerror(error));
            return;
        }
        if (!(events & (EPOLLOUT | EPOLLIN))) return;
        client.connecting = false;
        client.open = true;
        --connecting_;
        ++result_.connected;
        client.watching_output = true;
        watch(index, false);
        // Without join notices, client 0 learns of each newcomer from its
        // first line, which the server relays only once it took it in.
        if (!spec_.join_notices) send_line(client, index, "h\n");
        return;
    }
    if (!client.open) return;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(index);
    if (client.open && (events & EPOLLOUT)) flush(index);
}

void Load::receive(int index) {
    Client& client = clients_[static_cast<std::size_t>(index)];
    const ssize_t received = ::recv(client.fd, buffer_.data(), buffer_.size(), 0);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (received <= 0) {
        drop(index, received == 0 ? "closed by the server" : std::string("recv: ") + std::strerror(errno));
        return;
    }
    const std::int64_t now = now_ns();
    std::string_view data(buffer_.data(), static_cast<std::size_t>(received));
    if (!client.partial.empty()) {
        const std::size_t end = data.find('\n');
        if (end == std::string_view::npos) {
            client.partial.append(data);
            return;
        }
        client.partial.append(data.substr(0, end));
        const std::string line = std::move(client.partial);
        client.partial.clear();
        on_line(index, line, now);
        data.remove_prefix(end + 1);
    }
    while (!data.empty()) {
        const void* found = std::memchr(data.data(), '\n', data.size());
        if (found == nullptr) {
            client.partial.assign(data);
            return;
        }
        const auto end = static_cast<std::size_t>(static_cast<const char*>(found) - data.data());
        on_line(index, data.substr(0, end), now);
        data.remove_prefix(end + 1);
    }
}

void Load::on_line(int index, std::string_view line, std::int64_t now) {
    Client& client = clients_[static_cast<std::size_t>(index)];
    if (line.starts_with("* ")) {  // a notice: joined, left, ...
        if (index == 0 && line.ends_with(" joined")) ++joins_seen_by_first_;
        return;
    }
    std::string_view payload = line;
    if (!line.starts_with("m ") && line != "r" && line != "h") {
        // "NAME says: ": a name has no space, so the first space is the
        // one (find() from the start would cost every line a few ns more,
        // and this one thread may be what sets the pace).
        std::size_t says = line.find(' ');
        if (says != std::string_view::npos && line.substr(says, 7) != " says: ") says = line.find(" says: ", says + 1);
        if (says == std::string_view::npos) {
            ++result_.garbled;
            if (first_garbled_.empty()) first_garbled_ = std::string(line.substr(0, 60));
            return;
        }
        payload = line.substr(says + 7);
    }
    if (payload == "h") {
        if (index == 0) ++joins_seen_by_first_;
        return;
    }
    if (payload == "r") {
        if (!client.served) {
            client.served = true;
            ++result_.served;
        }
        return;
    }
    std::string_view rest = payload;
    std::optional<std::uint64_t> sender, seq, sent_at, check;
    if (rest.starts_with("m ")) {
        rest.remove_prefix(2);
        sender = take_number(rest, false);
        if (sender) seq = take_number(rest, false);
        if (seq) sent_at = take_number(rest, false);
        if (sent_at) check = take_number(rest, true);
    }
    if (!check || *check != checksum(*sender, *seq, *sent_at) || *sender >= static_cast<std::uint64_t>(senders_) ||
        *seq >= static_cast<std::uint64_t>(spec_.lines_per_sender)) {
        ++result_.garbled;
        if (first_garbled_.empty()) first_garbled_ = std::string(line.substr(0, 60));
        return;
    }
    if (!measuring_ || !client.served || static_cast<int>(*sender) == client.sender) return;
    const std::size_t pair = static_cast<std::size_t>(index) * static_cast<std::size_t>(senders_) + *sender;
    std::uint64_t& word = seen_[pair * words_per_pair_ + *seq / 64];
    const std::uint64_t bit = std::uint64_t{1} << (*seq % 64);
    if (word & bit) {
        ++result_.duplicated;
        return;
    }
    word |= bit;
    ++result_.delivered;
    ++delivered_from_[*sender];
    if (static_cast<std::int32_t>(*seq) < highest_[pair]) ++result_.out_of_order;
    else highest_[pair] = static_cast<std::int32_t>(*seq);
    latencies_us_.push_back(static_cast<float>(static_cast<double>(now - static_cast<std::int64_t>(*sent_at)) / 1000.0));
    last_delivery_ns_ = now;
}

void Load::send_line(Client& client, int index, std::string_view line) {
    client.output.append(line);
    flush(index);
}

void Load::flush(int index) {
    Client& client = clients_[static_cast<std::size_t>(index)];
    while (client.output_sent < client.output.size()) {
        const ssize_t sent = ::send(client.fd, client.output.data() + client.output_sent,
                                    client.output.size() - client.output_sent, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch(index, true);
                return;
            }
            drop(index, std::string("send: ") + std::strerror(errno));
            return;
        }
        client.output_sent += static_cast<std::size_t>(sent);
    }
    client.output.clear();
    client.output_sent = 0;
    watch(index, false);
}

void Load::poll(int timeout_ms) {
    epoll_event events[512];
    const int count = ::epoll_wait(epoll_, events, 512, timeout_ms);
    for (int i = 0; i < count; ++i) handle(static_cast<int>(events[i].data.u32), events[i].events);
}

// Connects everyone, then has the last client to connect send "r": the
// server serves clients in the order they came, so once "r" has reached
// every other client, everyone is in the room and the measurement can start.
bool Load::set_up() {
    const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(spec_.connect_seconds * 1e9);
    // At most `window` clients the server has not taken in yet: a listen
    // backlog that overflows drops handshakes, which come back only after
    // a one-second retransmission (and the server would then take clients
    // in out of order). Client 0 hears of each client the server takes in:
    // a join notice, or (ncat) that client's first line. The window suits
    // the server's backlog: ncat's is 10 (window 8), net::listen_on's 128
    // (100), lab 09's SOMAXCONN, 4,096 (1,000).
    const int window = spec_.connect_window;
    while (started_ < spec_.clients || connecting_ > 0) {
        if (server_ended()) return false;
        const int taken_in = joins_seen_by_first_ + (clients_[0].open ? 1 : 0);
        while (started_ < spec_.clients && started_ - taken_in - dropped_ < window) connect_one(started_++);
        if (now_ns() > deadline) {
            note("only " + std::to_string(result_.connected) + " of " + std::to_string(spec_.clients) +
                 " connected within " + std::to_string(static_cast<int>(spec_.connect_seconds)) + " s");
            break;
        }
        if (time_to_report()) progress_("connecting " + std::to_string(result_.connected) + "/" + std::to_string(spec_.clients));
        poll(10);
    }
    int last = spec_.clients - 1;
    while (last >= 0 && !clients_[static_cast<std::size_t>(last)].open) --last;
    if (last < 0) {
        note("no client connected");
        return false;
    }
    Client& starter = clients_[static_cast<std::size_t>(last)];
    starter.served = true;
    result_.served = 1;
    send_line(starter, last, "r\n");
    std::int64_t resend_at = now_ns() + 1'000'000'000;
    while (true) {
        if (now_ns() > resend_at) {  // in case a server took someone in late
            resend_at += 1'000'000'000;
            if (starter.open) send_line(starter, last, "r\n");
        }
        int open = 0;
        for (const Client& client : clients_) open += client.open ? 1 : 0;
        if (result_.served >= open) return true;
        if (server_ended()) return false;
        if (now_ns() > deadline) {
            note("only " + std::to_string(result_.served) + " of " + std::to_string(open) +
                 " connected clients received a first line within " +
                 std::to_string(static_cast<int>(spec_.connect_seconds)) + " s");
            return result_.served > 1;
        }
        if (time_to_report()) progress_("waiting for the room: " + std::to_string(result_.served) + "/" + std::to_string(open));
        poll(10);
    }
}

void Load::measure() {
    // Senders: the first served clients.
    for (int index = 0; index < spec_.clients && senders_ < spec_.senders; ++index) {
        Client& client = clients_[static_cast<std::size_t>(index)];
        if (client.open && client.served) client.sender = senders_++;
    }
    words_per_pair_ = (static_cast<std::size_t>(spec_.lines_per_sender) + 63) / 64;
    seen_.assign(clients_.size() * static_cast<std::size_t>(senders_) * words_per_pair_, 0);
    highest_.assign(clients_.size() * static_cast<std::size_t>(senders_), -1);
    result_.expected = static_cast<long long>(senders_) * spec_.lines_per_sender * (result_.served - 1);
    delivered_from_.assign(static_cast<std::size_t>(senders_), 0);
    latencies_us_.reserve(static_cast<std::size_t>(std::min<long long>(result_.expected, 50'000'000)));
    measuring_ = true;

    std::vector<int> senders;
    for (int index = 0; index < spec_.clients; ++index)
        if (clients_[static_cast<std::size_t>(index)].sender >= 0) senders.push_back(index);
    const long long cpu_at_start = server_.cpu_nanoseconds();
    const std::int64_t own_cpu_at_start = own_cpu_ns();
    first_send_ns_ = now_ns();
    const bool paced = spec_.lines_per_second > 0;
    const auto period_ns = paced ? static_cast<std::int64_t>(1e9 / spec_.lines_per_second) : 0;
    std::mt19937 random(12345);
    for (int index : senders) {  // paced senders start at random points of the first period
        clients_[static_cast<std::size_t>(index)].next_due_ns =
            first_send_ns_ + (paced ? std::uniform_int_distribution<std::int64_t>(0, period_ns - 1)(random) : 0);
    }
    const std::int64_t deadline = first_send_ns_ + static_cast<std::int64_t>(spec_.deliver_seconds * 1e9);
    std::int64_t last_progress_ns = first_send_ns_;
    long long last_delivered = 0;
    char line[128];
    while (true) {
        std::int64_t now = now_ns();
        bool all_sent = true, sent_any = false;
        std::int64_t next_due = now + 50'000'000;
        for (int index : senders) {
            Client& client = clients_[static_cast<std::size_t>(index)];
            if (!client.open) continue;
            if (client.next_seq < spec_.lines_per_sender) {
                // Unpaced: a new line only once the last one is gone, so the
                // server's speed, not our buffer, sets the pace.
                const bool due = paced ? client.next_due_ns <= now : client.output.empty();
                // Unpaced, a few lines per send(), as a busy client's
                // lines reach the server (one system call per line would
                // make this one thread, not the server, the bottleneck), and
                // a window of lines in flight: the server's speed sets the
                // pace, and its queues stay far below --max-queue (a flood
                // with no window would measure how a server drops clients
                // that fall behind, the bench's own receiving among them).
                int count = 0;
                if (due && paced) count = 1;
                if (due && spec_.storm) count = std::min(spec_.lines_per_write, spec_.lines_per_sender - client.next_seq);
                if (due && !paced && !spec_.storm) {
                    const long long others = std::max(1, result_.served - 1);
                    const long long delivered_to_all = delivered_from_[static_cast<std::size_t>(client.sender)] / others;
                    const long long in_flight = client.next_seq - delivered_to_all;
                    count = static_cast<int>(std::clamp<long long>(spec_.max_in_flight - in_flight, 0,
                        std::min(spec_.lines_per_write, spec_.lines_per_sender - client.next_seq)));
                }
                if (count > 0) sent_any = true;
                std::string burst;
                for (int n = 0; n < count; ++n) {
                    const auto sent_at = static_cast<std::uint64_t>(now_ns());
                    const auto sender = static_cast<std::uint64_t>(client.sender);
                    const auto seq = static_cast<std::uint64_t>(client.next_seq);
                    const int length = std::snprintf(line, sizeof line, "m %llu %llu %llu %llu\n",
                        static_cast<unsigned long long>(sender), static_cast<unsigned long long>(seq),
                        static_cast<unsigned long long>(sent_at),
                        static_cast<unsigned long long>(checksum(sender, seq, sent_at)));
                    ++client.next_seq;
                    ++result_.sent;
                    client.next_due_ns += period_ns;
                    burst.append(line, static_cast<std::size_t>(length));
                }
                if (!burst.empty()) send_line(client, index, burst);
                // A paste storm: the next lines at once, for as long as the
                // socket takes them (send_line leaves what it did not take
                // in client.output, and the loop waits for EPOLLOUT).
                while (spec_.storm && client.open && client.output.empty() && client.next_seq < spec_.lines_per_sender) {
                    burst.clear();
                    const int more = std::min(spec_.lines_per_write, spec_.lines_per_sender - client.next_seq);
                    for (int n = 0; n < more; ++n) {
                        const auto sent_at = static_cast<std::uint64_t>(now_ns());
                        const auto sender = static_cast<std::uint64_t>(client.sender);
                        const auto seq = static_cast<std::uint64_t>(client.next_seq);
                        const int length = std::snprintf(line, sizeof line, "m %llu %llu %llu %llu\n",
                            static_cast<unsigned long long>(sender), static_cast<unsigned long long>(seq),
                            static_cast<unsigned long long>(sent_at),
                            static_cast<unsigned long long>(checksum(sender, seq, sent_at)));
                        ++client.next_seq;
                        ++result_.sent;
                        burst.append(line, static_cast<std::size_t>(length));
                    }
                    send_line(client, index, burst);
                }
                if (client.next_seq < spec_.lines_per_sender) all_sent = false;
                if (paced) next_due = std::min(next_due, client.next_due_ns);
            }
            if (!client.output.empty()) all_sent = false;
        }
        int timeout_ms = 50;
        // Unpaced, what lets a sender go on is an event (its lines
        // delivered, its socket writable): wait for one, rather than spin
        // on a CPU the server needs, unless a sender may send more now.
        if (!all_sent) timeout_ms = paced ? static_cast<int>(std::clamp<std::int64_t>((next_due - now_ns() + 999'999) / 1'000'000, 0, 50))
                                          : (sent_any ? 0 : 50);
        poll(timeout_ms);
        now = now_ns();
        if (result_.delivered != last_delivered) {
            last_delivered = result_.delivered;
            last_progress_ns = now;
        }
        if (result_.delivered >= result_.expected && all_sent) break;
        if (all_sent && now - last_progress_ns > 3'000'000'000) break;  // nothing more is coming
        if (now > deadline) {
            note("stopped after " + std::to_string(static_cast<int>(spec_.deliver_seconds)) + " s");
            break;
        }
        if (server_ended()) break;
        if (time_to_report())
            progress_("sent " + std::to_string(result_.sent) + ", delivered " + std::to_string(result_.delivered) + "/" +
                      std::to_string(result_.expected));
    }
    if (last_delivery_ns_ > first_send_ns_)
        result_.client_busy = static_cast<double>(own_cpu_ns() - own_cpu_at_start) /
                              static_cast<double>(std::max(now_ns(), last_delivery_ns_) - first_send_ns_);
    if (result_.delivered > 0 && !server_.ended())
        result_.cpu_ns_per_line = static_cast<double>(server_.cpu_nanoseconds() - cpu_at_start) /
                                  static_cast<double>(result_.delivered);
}

RunResult Load::run() {
    if (epoll_ < 0) {
        note(std::string("epoll_create1: ") + std::strerror(errno));
        return result_;
    }
    const std::int64_t start = now_ns();
    const bool ready = set_up();
    result_.setup_seconds = static_cast<double>(now_ns() - start) / 1e9;
    if (ready) measure();
    server_.sample();
    result_.lost = std::max<long long>(0, result_.expected - result_.delivered);
    if (last_delivery_ns_ > first_send_ns_) {
        result_.seconds = static_cast<double>(last_delivery_ns_ - first_send_ns_) / 1e9;
        result_.lines_per_second = static_cast<double>(result_.delivered) / result_.seconds;
    }
    if (!latencies_us_.empty()) {
        auto percentile = [&](double fraction) {
            const auto at = static_cast<std::size_t>(fraction * static_cast<double>(latencies_us_.size() - 1));
            std::nth_element(latencies_us_.begin(), latencies_us_.begin() + static_cast<std::ptrdiff_t>(at), latencies_us_.end());
            return static_cast<double>(latencies_us_[at]) / 1000.0;
        };
        result_.p50_ms = percentile(0.50);
        result_.p99_ms = percentile(0.99);
    }
    if (dropped_ > 1) note(std::to_string(dropped_) + " clients failed or were closed by the server");
    if (!first_garbled_.empty()) note("garbled: \"" + first_garbled_ + "\"");
    return result_;
}

}  // namespace

RunResult run_load(const RunSpec& spec, std::uint16_t port, ServerProcess& server,
                   const std::function<void(const std::string&)>& progress) {
    Load load(spec, port, server, progress);
    return load.run();
}

}  // namespace bench
