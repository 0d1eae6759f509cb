#include "crowd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "settings.hpp"

namespace grader {

namespace {

void raise_open_file_limit(std::size_t needed, Where where) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed + 64)
        fail(fmt::format("the grader itself may open only {} files (ulimit -Hn), and this test needs {} clients",
                         limit.rlim_cur, needed),
             "raise the hard open-file limit of the shell that runs the grader (ulimit -Hn 30000 as root, or "
             "LimitNOFILE in a systemd unit)",
             where);
}

std::string local_address(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    char ip[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET6) {
        const auto* six = reinterpret_cast<const sockaddr_in6*>(&address);
        ::inet_ntop(AF_INET6, &six->sin6_addr, ip, sizeof ip);
        return fmt::format("[{}]:{}", ip, ntohs(six->sin6_port));
    }
    const auto* four = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &four->sin_addr, ip, sizeof ip);
    return fmt::format("{}:{}", ip, ntohs(four->sin_port));
}

std::string with_commas(long long value) {
    std::string digits = std::to_string(value), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

Crowd::Crowd(const Server& server, int count, std::chrono::milliseconds within, int window, Where where)
    : members_(static_cast<std::size_t>(count)), buffer_(256 * 1024), server_(server.process().pid()) {
    raise_open_file_limit(members_.size(), where);
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) fail(std::string("epoll_create1: ") + std::strerror(errno), {}, where);

    sockaddr_storage address{};
    socklen_t length = 0;
    if (server.host().find(':') != std::string::npos) {
        auto* six = reinterpret_cast<sockaddr_in6*>(&address);
        six->sin6_family = AF_INET6;
        six->sin6_port = htons(server.port());
        ::inet_pton(AF_INET6, server.host().c_str(), &six->sin6_addr);
        length = sizeof *six;
    } else {
        auto* four = reinterpret_cast<sockaddr_in*>(&address);
        four->sin_family = AF_INET;
        four->sin_port = htons(server.port());
        ::inet_pton(AF_INET, server.host().c_str(), &four->sin_addr);
        length = sizeof *four;
    }

    BusyClock clock(server_);
    std::size_t started = 0, connecting = 0;
    while (true) {
        const int taken_in = joins_heard_by_first_ + (members_[0].connected ? 1 : 0);
        while (started < members_.size() && static_cast<int>(started) - taken_in < window) {
            Member& member = members_[started];
            const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) fail(std::string("the grader could not make a socket: ") + std::strerror(errno), {}, where);
            member.socket = net::Socket(fd);
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 && errno != EINPROGRESS)
                fail(fmt::format("client {} of {} could not connect: {}", started + 1, members_.size(), std::strerror(errno)),
                     {}, where);
            epoll_event event{};
            event.events = EPOLLIN | EPOLLOUT;
            event.data.u64 = started;
            ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
            ++started;
            ++connecting;
        }
        const std::size_t connected = connected_;
        if (connected == members_.size() && joins_heard_by_first_ + 1 >= static_cast<int>(members_.size())) break;
        if (past(clock, within)) {
            fail(fmt::format("after {}, {} of {} clients had connected, and the first had heard {} of the others "
                             "join (it should hear {}); the server closed {}",
                             clock.describe(), with_commas(static_cast<long long>(connected)),
                             with_commas(count), with_commas(joins_heard_by_first_), with_commas(count - 1),
                             with_commas(closed_)),
                 "the server must take clients in as fast as they come: accept until accept() says EAGAIN each "
                 "time the listener is readable, and never wait on one client; its open-file limit (20,000 here) "
                 "must be raised from the soft to the hard limit, and select() cannot watch descriptors past "
                 "FD_SETSIZE (1,024): use poll or epoll",
                 where);
        }
        poll(10);
    }
    (void)connecting;
}

bool Crowd::past(BusyClock& clock, std::chrono::milliseconds within) {
    clock.sample();
    const auto now = Clock::now();
    // The first call: nothing to look at before `within` on the wall clock
    // (the busy clock is never ahead of it).
    if (next_look_ == Clock::time_point{}) next_look_ = now + within;
    if (now < next_look_) return false;
    next_look_ = now + std::chrono::milliseconds(250);  // /proc is read at most four times a second
    return clock.elapsed() > within;
}

Crowd::~Crowd() {
    if (epoll_ >= 0) ::close(epoll_);
}

void Crowd::poll(int timeout_ms) {
    epoll_event events[512];
    const int ready = ::epoll_wait(epoll_, events, 512, timeout_ms);
    for (int i = 0; i < ready; ++i) {
        const auto index = static_cast<std::size_t>(events[i].data.u64);
        Member& member = members_[index];
        if (member.closed) continue;
        if (!member.connected) {
            int error = 0;
            socklen_t size = sizeof error;
            ::getsockopt(member.socket.fd(), SOL_SOCKET, SO_ERROR, &error, &size);
            if (error != 0) {
                fail(fmt::format("client {} of {} could not connect: {}", index + 1, members_.size(),
                                 std::strerror(error)),
                     "the listen backlog overflowed, or the server stopped accepting");
            }
            member.connected = true;
            ++connected_;
            member.address = local_address(member.socket.fd());
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.u64 = index;
            ::epoll_ctl(epoll_, EPOLL_CTL_MOD, member.socket.fd(), &event);
            continue;
        }
        receive(index);
    }
}

void Crowd::receive(std::size_t index) {
    Member& member = members_[index];
    const ssize_t received = ::recv(member.socket.fd(), buffer_.data(), buffer_.size(), 0);
    if (received < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (received <= 0) {
        member.closed = true;
        ++closed_;
        if (!expected_.empty() && !member.got_expected && !excluded_[index]) ++closed_before_expected_;
        ::epoll_ctl(epoll_, EPOLL_CTL_DEL, member.socket.fd(), nullptr);
        note_connection_lost();
        return;
    }
    std::string_view data(buffer_.data(), static_cast<std::size_t>(received));
    std::string_view last;  // the last whole line of this read (for reports)
    std::string joined_line;
    while (!data.empty()) {
        // memchr, and no copy per line: with 10,000 clients, 50 million
        // join notices go through here.
        const void* newline = std::memchr(data.data(), '\n', data.size());
        if (newline == nullptr) {
            member.partial.append(data);
            break;
        }
        const auto end = static_cast<std::size_t>(static_cast<const char*>(newline) - data.data());
        std::string_view line = data.substr(0, end);
        if (!member.partial.empty()) {
            joined_line = std::move(member.partial);
            joined_line.append(line);
            member.partial.clear();
            line = joined_line;
        }
        ++lines_received_;
        if (index == 0 && line.starts_with("* ") && line.ends_with(" joined")) ++joins_heard_by_first_;
        if (!expected_.empty() && !member.got_expected && line == expected_) {
            member.got_expected = true;
            if (!excluded_[index]) ++got_expected_;
        }
        last = line;
        if (!joined_line.empty() && line.data() == joined_line.data()) member.last_line.assign(line.substr(0, 100));
        data.remove_prefix(end + 1);
    }
    if (!last.empty() && last.data() != joined_line.data()) member.last_line.assign(last.substr(0, 100));
}

void Crowd::send_line(std::size_t index, std::string_view line, Where where) {
    Member& member = members_[index];
    const std::string bytes = std::string(line) + "\n";
    std::size_t sent = 0;
    const auto deadline = Clock::now() + settings().reply_timeout();
    while (sent < bytes.size()) {
        const ssize_t now = ::send(member.socket.fd(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (now > 0) {
            sent += static_cast<std::size_t>(now);
            continue;
        }
        if (now < 0 && errno != EAGAIN && errno != EINTR)
            fail(fmt::format("client {} could not send {}: {}", index + 1, quote_bytes(bytes), std::strerror(errno)),
                 {}, where);
        if (Clock::now() > deadline)
            fail(fmt::format("client {} could not send {} within {}: the server does not read it", index + 1,
                             quote_bytes(bytes), seconds_text(settings().reply_timeout())),
                 {}, where);
        poll(1);  // keep reading everyone while we wait
    }
}

std::string Crowd::summary(std::string_view what, const std::vector<bool>& excluded) const {
    std::size_t got = 0, waiting = 0, owed = 0;
    std::vector<std::size_t> samples;
    for (std::size_t i = 0; i < members_.size(); ++i) {
        if (excluded[i]) continue;
        ++owed;
        if (members_[i].got_expected) {
            ++got;
        } else if (!members_[i].closed) {
            ++waiting;
            if (samples.size() < 3) samples.push_back(i);
        }
    }
    std::string text = fmt::format("{} of {} clients received {}; {} are still waiting; the server closed {} "
                                   "connections. {} lines arrived in all.",
                                   with_commas(static_cast<long long>(got)), with_commas(static_cast<long long>(owed)),
                                   what, with_commas(static_cast<long long>(waiting)), with_commas(closed_),
                                   with_commas(lines_received_));
    for (std::size_t i : samples) {
        text += fmt::format("\n  client {} ({}) last received: {}", i + 1, members_[i].address,
                            members_[i].last_line.empty() ? std::string("nothing") : quote_bytes(members_[i].last_line));
    }
    return text;
}

void Crowd::expect_everyone_gets(std::string_view line, const std::vector<std::size_t>& except,
                                 std::chrono::milliseconds within, std::string_view hint, Where where) {
    expected_ = std::string(line);
    excluded_.assign(members_.size(), false);
    for (std::size_t i : except) excluded_[i] = true;
    std::size_t owed = 0;
    got_expected_ = closed_before_expected_ = 0;
    for (std::size_t i = 0; i < members_.size(); ++i) {
        members_[i].got_expected = false;
        if (excluded_[i]) continue;
        ++owed;
        if (members_[i].closed) ++closed_before_expected_;
    }
    BusyClock clock(server_);
    next_look_ = {};
    while (got_expected_ < owed) {
        if (closed_before_expected_ > 0)
            fail(fmt::format("the server closed {} connections that were owed the line: {}", closed_before_expected_,
                             summary(quote_bytes(expected_ + "\n"), excluded_)),
                 hint, where);
        if (past(clock, within))
            fail(fmt::format("after {}: {}", clock.describe(), summary(quote_bytes(expected_ + "\n"), excluded_)),
                 hint, where);
        poll(10);
    }
    expected_.clear();
}

}  // namespace grader
