#include "event_loop.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/tcp.hpp"

namespace {

constexpr std::uint64_t listener_key = 0;
constexpr std::uint64_t signals_key = 1;

}  // namespace

EventLoop::EventLoop(net::Socket listener, net::Socket signals, Limits limits)
    : listener_(std::move(listener)), epoll_(::epoll_create1(EPOLL_CLOEXEC)), signals_(std::move(signals)),
      limits_(limits), room_(limits.max_queue) {
    if (!epoll_.is_open()) net::throw_errno("epoll_create1", "");
    // Level-triggered (the default): epoll keeps reporting a descriptor for
    // as long as it is ready. We may read a client once per round and come
    // back to it next round; nothing is lost if we do not drain it.
    watch(listener_.fd(), EPOLLIN, listener_key, EPOLL_CTL_ADD);
    watch(signals_.fd(), EPOLLIN, signals_key, EPOLL_CTL_ADD);
}

EventLoop::Client* EventLoop::find(std::uint64_t id) {
    const auto found = clients_.find(id);
    return found == clients_.end() ? nullptr : found->second.get();
}

void EventLoop::watch(int fd, std::uint32_t events, std::uint64_t key, int operation) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = key;
    if (::epoll_ctl(epoll_.fd(), operation, fd, &event) != 0) net::throw_errno("epoll_ctl", std::to_string(fd));
}

int EventLoop::run() {
    std::vector<epoll_event> events(1024);
    while (true) {
        const int ready = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()), -1);
        if (ready < 0) {
            if (errno == EINTR) continue;  // a signal we do not block (SIGSTOP/SIGCONT, a debugger)
            net::throw_errno("epoll_wait", "");
        }
        for (int i = 0; i < ready; ++i) {
            const std::uint64_t key = events[static_cast<std::size_t>(i)].data.u64;
            const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
            if (key == signals_key) {
                shut_down();
                return 0;
            }
            if (key == listener_key) {
                accept_clients();
                continue;
            }
            // An earlier event of this round may have removed it.
            Client* client = find(key);
            if (client && (what & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !client->closing) {
                on_readable(*client);
                client = find(key);  // reading may have removed it (a reset)
            }
            // Readable and writable at once: write too, or a client that
            // keeps talking would never get its queue written.
            if (client && ((what & EPOLLOUT) || (client->closing && (what & (EPOLLHUP | EPOLLERR)))))
                write_queue(*client);
            drop_overflowed();
        }
        write_queued();
    }
}

void EventLoop::accept_clients() {
    // Accept until it would block: one readiness report may stand for many
    // clients waiting in the backlog. But at most 128 per round: each
    // newcomer's join notice goes into every queue, and the queues are
    // written at the end of the round; 1,000 joins in one round would be
    // 30 KB in each of 10,000 queues. The listener is level-triggered:
    // whoever is still waiting is reported again next round.
    for (int accepted = 0; accepting_ && accepted < 128; ++accepted) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        const int fd = ::accept4(listener_.fd(), reinterpret_cast<sockaddr*>(&address), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: stop watching the listener (it would
                // stay readable, and we would spin) until a client leaves.
                std::cerr << "event-chat: out of file descriptors with " << clients_.size()
                          << " clients; new ones wait until someone leaves" << std::endl;
                accepting_ = false;
                watch(listener_.fd(), 0, listener_key, EPOLL_CTL_MOD);
                return;
            }
            continue;  // EINTR, ECONNABORTED (it gave up), EPROTO...: the next one
        }
        net::Socket socket(fd);
        if (room_.size() >= limits_.max_clients) {
            refuse(std::move(socket));
            continue;
        }
        net::set_no_delay(socket);  // chat lines are small: send them now (no Nagle)
        const std::uint64_t id = next_id_++;
        const std::string peer = net::Address(reinterpret_cast<sockaddr*>(&address), length).to_string();
        auto client = std::make_unique<Client>(Client{std::move(socket), Member(id, peer)});
        watch(client->socket.fd(), EPOLLIN, id, EPOLL_CTL_ADD);
        Client& added = *client;
        clients_.emplace(id, std::move(client));
        room_.join(added.member);
        drop_overflowed();
    }
}

void EventLoop::refuse(net::Socket socket) {
    // Nobody hears of it. The line fits any socket buffer, so one send is
    // enough; SHUT_WR and reading what it already sent make the close a
    // clean FIN rather than a reset that could overtake the line.
    static constexpr std::string_view full = "! server full\n";
    ::send(socket.fd(), full.data(), full.size(), MSG_NOSIGNAL);
    ::shutdown(socket.fd(), SHUT_WR);
    char ignored[4096];
    while (::recv(socket.fd(), ignored, sizeof ignored, 0) > 0) {
    }
}

void EventLoop::on_readable(Client& client) {
    char bytes[64 * 1024];
    const ssize_t received = ::recv(client.socket.fd(), bytes, sizeof bytes, 0);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;  // nothing after all
        remove(client.member.id);  // a reset: it left without a goodbye
        return;
    }
    Member& member = client.member;
    try {
        if (received == 0) {
            // It closed its side: its last line (even without '\n') counts,
            // then it leaves; what we still owe it is written, then closed.
            while (const auto line = member.input.next_line()) on_line(client, *line);
            if (client.closing) return;
            if (const auto last = member.input.last_line()) on_line(client, *last);
            if (!client.closing) close_after_writing(client);
            return;
        }
        member.input.append(std::string_view(bytes, static_cast<std::size_t>(received)));
        while (!client.closing) {
            const auto line = member.input.next_line();
            if (!line) break;
            on_line(client, *line);
        }
    } catch (const net::LineTooLong&) {
        room_.tell(member, "! line too long\n");
        close_after_writing(client);
    }
}

void EventLoop::on_line(Client& client, std::string_view line) {
    if (room_.handle_line(client.member, line) == ChatRoom::Verdict::quit) close_after_writing(client);
}

// Leaves the room now, stops reading (what it sends from now on is
// discarded), and closes once its queue is written: at the end of this
// round if it is empty. Not at once: the caller still holds `client`.
void EventLoop::close_after_writing(Client& client) {
    room_.leave(client.member);
    client.closing = true;
    client.watching_output = true;
    watch(client.socket.fd(), EPOLLOUT, client.member.id, EPOLL_CTL_MOD);
    closing_.push_back(client.member.id);
}

void EventLoop::set_output_watch(Client& client, bool on) {
    if (client.watching_output == on || client.closing) return;
    client.watching_output = on;
    watch(client.socket.fd(), on ? EPOLLIN | EPOLLOUT : EPOLLIN, client.member.id, EPOLL_CTL_MOD);
}

void EventLoop::write_queue(Client& client) {
    switch (client.member.output.write_to(client.socket.fd())) {
    case OutputQueue::Result::all_written:
        if (client.closing) return remove(client.member.id);
        set_output_watch(client, false);  // nothing to write: stop asking
        return;
    case OutputQueue::Result::would_block:
        set_output_watch(client, true);  // the kernel will tell us when there is room
        return;
    case OutputQueue::Result::failed:
        remove(client.member.id);
        return;
    }
}

// After each round: write every queue that got new bytes. One send() per
// client carries everything the round gave it.
void EventLoop::write_queued() {
    for (const std::uint64_t id : std::exchange(closing_, {}))
        if (Client* client = find(id)) write_queue(*client);
    // Removing a client tells the others it left, which queues more: loop
    // until a round of writing queues nothing new.
    for (auto ids = room_.take_queued(); !ids.empty(); ids = room_.take_queued()) {
        for (const std::uint64_t id : ids) {
            const auto found = clients_.find(id);
            if (found == clients_.end()) continue;
            Client& client = *found->second;
            client.member.queued = false;
            // Waiting for EPOLLOUT: the socket is full; trying now would
            // only come back EAGAIN.
            if (!client.watching_output) write_queue(client);
        }
        drop_overflowed();
    }
}

void EventLoop::drop_overflowed() {
    for (auto ids = room_.take_overflowed(); !ids.empty(); ids = room_.take_overflowed())
        for (const std::uint64_t id : ids) remove(id);
}

// Closes a client's connection now; if it was in the room, the others
// hear that it left. Closing the descriptor also takes it out of epoll.
void EventLoop::remove(std::uint64_t id) {
    const auto found = clients_.find(id);
    if (found == clients_.end()) return;
    room_.leave(found->second->member);
    clients_.erase(found);
    if (!accepting_) {  // a descriptor is free again
        accepting_ = true;
        watch(listener_.fd(), EPOLLIN, listener_key, EPOLL_CTL_MOD);
    }
}

// Everyone still here is told, what they are owed is written for up to
// 1.5 seconds (a client that stopped reading does not hold us longer), and
// every connection is closed when `clients_` goes away.
void EventLoop::shut_down() {
    listener_.close();
    room_.tell_everyone("* server shutting down\n");
    drop_overflowed();  // a client too far behind to take even this line
    for (auto& [id, client] : clients_) {
        client->closing = false;
        client->watching_output = true;  // stop reading: from now on only writes
        watch(client->socket.fd(), EPOLLOUT, id, EPOLL_CTL_MOD);
    }
    (void)room_.take_queued();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    std::vector<epoll_event> events(1024);
    while (true) {
        std::erase_if(clients_, [](const auto& entry) { return entry.second->member.output.empty(); });
        if (clients_.empty()) return;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        const int ready = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()), static_cast<int>(left.count()));
        for (int i = 0; i < ready; ++i) {
            const auto found = clients_.find(events[static_cast<std::size_t>(i)].data.u64);
            if (found == clients_.end()) continue;
            Client& client = *found->second;
            if (client.member.output.write_to(client.socket.fd()) == OutputQueue::Result::failed) clients_.erase(found);
        }
    }
}
