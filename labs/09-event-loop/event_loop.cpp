#include "event_loop.hpp"

#include <cerrno>
#include <chrono>  // shut_down's deadline
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/tcp.hpp"

namespace {

// Clients' keys are the room's ids, which start at 1; these two are not.
constexpr std::uint64_t listener_key = ~std::uint64_t{0};
constexpr std::uint64_t signals_key = ~std::uint64_t{0} - 1;

}  // namespace

EventLoop::EventLoop(net::Socket listener, net::Socket signals, Limits limits)
    : listener_(std::move(listener)), epoll_(::epoll_create1(EPOLL_CLOEXEC)), signals_(std::move(signals)),
      limits_(limits), room_(limits.max_clients) {
    if (!epoll_.is_open()) net::throw_errno("epoll_create1", "");
    // Level-triggered (the default): epoll reports a descriptor for as long
    // as it is ready. We may read a client once per round and come back to
    // it next round; nothing is lost if we do not drain it.
    watch(listener_.fd(), EPOLLIN, listener_key, EPOLL_CTL_ADD);
    watch(signals_.fd(), EPOLLIN, signals_key, EPOLL_CTL_ADD);
}

void EventLoop::watch(int fd, std::uint32_t events, std::uint64_t key, int operation) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = key;
    if (::epoll_ctl(epoll_.fd(), operation, fd, &event) != 0) net::throw_errno("epoll_ctl", std::to_string(fd));
}

int EventLoop::run() {
    // TODO: the loop. Until SIGINT or SIGTERM:
    //   1. epoll_wait() for the ready descriptors (EINTR: wait again);
    //   2. for each event, by its key (event.data.u64):
    //        signals_key  -> shut_down(), then return 0;
    //        listener_key -> accept_clients();
    //        a client id  -> find it in members_ (an earlier event of this
    //                        round may have closed it) and keep a
    //                        shared_ptr to it while you use it;
    //                        readable (EPOLLIN, EPOLLHUP, EPOLLERR) and
    //                        member->reading -> on_readable();
    //                        writable (EPOLLOUT, EPOLLHUP, EPOLLERR) -> write();
    //   3. after the round: write_listed().
    // Until then the server stops as soon as it is listening.
    return 0;
}

void EventLoop::accept_clients() {
    // TODO: accept4(..., SOCK_NONBLOCK | SOCK_CLOEXEC) until it fails with
    // EAGAIN, 128 at most per round (the handout says why).
    //   EMFILE/ENFILE: stop watching the listener (accepting_ = false)
    //   until close() frees a descriptor. Other errors (ECONNABORTED...):
    //   go on with the next.
    //   room_.full(): send "! server full\n", shutdown(SHUT_WR), read what
    //   it sent, and let the socket close; nobody hears of it.
    //   Otherwise: set_no_delay; make_shared<Member>(socket, its address,
    //   limits_.max_queue, to_write_); member->id = room_.join(...);
    //   watch it for EPOLLIN with its id as key; keep it in members_.
}

void EventLoop::on_readable(Member& member) {
    // TODO: one recv() into a local buffer.
    //   < 0: EAGAIN/EWOULDBLOCK/EINTR: nothing to do; otherwise a reset:
    //        room_.leave() it, then member.abort().
    //   == 0: it closed its side: its last line (input.last_line()) goes
    //        to room_.handle_line(), then room_.leave() it.
    //   > 0: input.append(), then each next_line() to room_.handle_line(),
    //        until none is left or it says stop_reading.
    // net::LineTooLong: room_.line_too_long().
    (void)member;
}

void EventLoop::set_events(Member& member, bool reading, bool watching_output) {
    // TODO: if anything changed, remember it in member.reading and
    // member.watching_output, and epoll_ctl(MOD) the socket for EPOLLIN
    // (while reading) and EPOLLOUT (while watching_output).
    (void)member;
    (void)reading;
    (void)watching_output;
}

// Writes what is queued for it, and watches its socket for what it needs
// next. Out of the room (finishing): read nothing more, close once written.
void EventLoop::write(Member& member) {
    // TODO: aborted: close() it. Otherwise member.write_some(), and by its result:
    //   all         -> finishing? close() it : read, and stop watching EPOLLOUT;
    //   would_block -> watch EPOLLOUT (and read only if not finishing);
    //   failed      -> room_.leave() it, then close() it.
    (void)member;
}

// After each round: every member the room gave output to, or ended.
// Writing may end more members (a failed write is a client leaving, and
// the others are told): loop until the list stays empty.
void EventLoop::write_listed() {
    // TODO: take the list (std::exchange(to_write_, {})); for each member:
    // clear `listed`; skip it if members_ no longer has it, or if it waits
    // for EPOLLOUT (and is neither aborted nor finishing); else write() it.
    // Again, until to_write_ stays empty.
}

// Closing the descriptor (when the last shared_ptr goes) also takes it out
// of the epoll set; we take it out now, so that no event names it again.
void EventLoop::close(Member& member) {
    ::epoll_ctl(epoll_.fd(), EPOLL_CTL_DEL, member.fd(), nullptr);
    members_.erase(member.id);
    if (!accepting_) {  // a descriptor is free again
        accepting_ = true;
        watch(listener_.fd(), EPOLLIN, listener_key, EPOLL_CTL_MOD);
    }
}

// Everyone still here is told (the room finishes every member), what they
// are owed is written for up to 1.5 seconds (a client that stopped reading
// does not hold us longer), and every connection still open is closed when
// members_ goes away.
void EventLoop::shut_down() {
    // TODO: close the listener; room_.shut_down() (everyone is told, and
    // finished); then, for at most 1.5 s: write_listed(), and epoll_wait
    // for writable members and write() them, until members_ is empty.
}
