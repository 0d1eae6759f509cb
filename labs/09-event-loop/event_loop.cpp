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
    // YOUR CODE. Guarantees:
    // - until SIGINT or SIGTERM, this one thread serves every descriptor
    //   epoll reports ready, and waits nowhere but in epoll_wait;
    // - on a signal: shut_down(), then return 0;
    // - an event may name a client that an earlier event of the same round
    //   has closed, or that the room drops while the loop works on it
    //   (README.md, "Leaving, and what is owed");
    // - after every round, what the round queued goes out (write_listed).
    // Until then the server stops as soon as it is listening.
    return 0;
}

void EventLoop::accept_clients() {
    // YOUR CODE. Guarantees:
    // - the connections waiting are accepted, non-blocking, but one round
    //   takes no more than its share (README.md, "The event loop");
    // - a full table of descriptors pauses accepting until one is free
    //   (close() resumes it); it never ends the server;
    // - a client over --max-clients receives "! server full" and is closed,
    //   and nobody hears of it;
    // - every other client joins the room and is watched for input.
}

void EventLoop::on_readable(Member& member) {
    // YOUR CODE. Guarantees:
    // - it reads what is there, without waiting for more;
    // - every whole line goes to the room, in order, until the room says to
    //   stop reading; a last line without '\n' at the end of the stream too;
    // - a line over the limit is the room's to answer (line_too_long);
    // - a reset, or the end of the stream, is the client leaving the room.
    (void)member;
}

void EventLoop::set_events(Member& member, bool reading, bool watching_output) {
    // YOUR CODE. Guarantees: the socket is watched for input exactly while
    // `reading`, for output exactly while `watching_output`, and no system
    // call is made when neither changed.
    (void)member;
    (void)reading;
    (void)watching_output;
}

// Writes what is queued for it, and watches its socket for what it needs
// next. Out of the room (finishing): read nothing more, close once written.
void EventLoop::write(Member& member) {
    // YOUR CODE. Guarantees:
    // - a dropped member (aborted) is closed, whatever is queued;
    // - otherwise what is queued is written without waiting; what does not
    //   fit stays queued, and only then is the socket watched for output
    //   (README.md, "Writing: try first, ask for EPOLLOUT only when it did
    //   not fit");
    // - a finishing member is closed once all is written;
    // - a failed write is the client leaving the room.
    (void)member;
}

// After each round: every member the room gave output to, or ended.
// Writing may end more members (a failed write is a client leaving, and
// the others are told): loop until the list stays empty.
void EventLoop::write_listed() {
    // YOUR CODE. Guarantees: afterwards, every member the room gave output
    // to has been written to, or waits for EPOLLOUT. Writing can end
    // members, and their leaving gives the others output: no member is left
    // on the list. A member may be on it that is already closed.
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
    // YOUR CODE. Guarantees: no new clients; everyone still here is told
    // and finished by the room; what they are owed is written for at most
    // 1.5 s (a client that stopped reading does not hold the server longer).
}
