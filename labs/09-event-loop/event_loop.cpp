#include "event_loop.hpp"

#include <cerrno>
#include <chrono>  // for shut_down's deadline
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
    // TODO: the loop. Until SIGINT or SIGTERM:
    //   1. epoll_wait() for the ready descriptors (EINTR: just wait again);
    //   2. for each event, by its key (event.data.u64):
    //        signals_key  -> shut_down(), then return 0;
    //        listener_key -> accept_clients();
    //        a client id  -> find() it (an earlier event of this round may
    //                        have removed it); readable (EPOLLIN, EPOLLHUP,
    //                        EPOLLERR) and not closing -> on_readable();
    //                        find() it again; writable (EPOLLOUT) ->
    //                        write_queue(); then drop_overflowed();
    //   3. after the round: write_queued().
    // Until then the server stops as soon as it is listening.
    return 0;
}

void EventLoop::accept_clients() {
    // TODO: accept4(..., SOCK_NONBLOCK | SOCK_CLOEXEC) until it fails with
    // EAGAIN (at most 128 per round, see the handout). EMFILE/ENFILE: stop
    // watching the listener (accepting_ = false) until remove() frees a
    // descriptor. Other errors (ECONNABORTED...): go on with the next.
    // Over --max-clients: refuse(). Otherwise: set_no_delay, make a Client
    // (key = next_id_++), watch it for EPOLLIN, put it in clients_, and
    // room_.join() it; then drop_overflowed().
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
    // TODO: one recv() into a local buffer.
    //   < 0: EAGAIN/EWOULDBLOCK/EINTR -> nothing to do; else remove() (a reset).
    //   == 0: it closed its side: its whole lines, then input.last_line(),
    //         go to on_line(); then close_after_writing().
    //   > 0: member.input.append(); each next_line() to on_line(), until
    //        none is left or the client is closing.
    // net::LineTooLong: room_.tell(member, "! line too long\n"), then
    // close_after_writing().
    (void)client;
}

void EventLoop::on_line(Client& client, std::string_view line) {
    if (room_.handle_line(client.member, line) == ChatRoom::Verdict::quit) close_after_writing(client);
}

// Leaves the room now, stops reading (what it sends from now on is
// discarded), and closes once its queue is written: at the end of this
// round if it is empty. Not at once: the caller still holds `client`.
void EventLoop::close_after_writing(Client& client) {
    // TODO: room_.leave() it, mark it closing, watch it for EPOLLOUT only
    // (what it sends from now on is discarded) and push its id on
    // closing_: write_queued() writes what it is owed, then removes it.
    (void)client;
}

void EventLoop::set_output_watch(Client& client, bool on) {
    // TODO: EPOLLIN | EPOLLOUT while `on`, EPOLLIN alone otherwise (unless
    // closing); remember it in client.watching_output.
    (void)client;
    (void)on;
}

void EventLoop::write_queue(Client& client) {
    // TODO: client.member.output.write_to(fd), and by its result:
    //   all_written -> closing? remove() it : stop watching EPOLLOUT;
    //   would_block -> watch EPOLLOUT: the kernel tells us when there is room;
    //   failed      -> remove() it.
    (void)client;
}

// After each round: write every queue that got new bytes. One send() per
// client carries everything the round gave it.
void EventLoop::write_queued() {
    // TODO: write_queue() each client on closing_, then each id from
    // room_.take_queued() (clear member.queued; skip clients already
    // waiting for EPOLLOUT), then drop_overflowed(); again, until
    // take_queued() gives nothing (removing a client queues "left" lines).
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
    // TODO: close the listener; room_.tell_everyone("* server shutting down\n");
    // then, for at most 1.5 s, watch every client for EPOLLOUT only and
    // write their queues, removing those that are empty or failed. The
    // rest are closed when clients_ goes away.
}
