// Lab 09 starter: read README.md first (en español: README.es.md).
#include "event_loop.hpp"

#include <cerrno>
#include <chrono>
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

// How often the loop looks for stalled clients while some output waits.
constexpr auto tick_period = std::chrono::milliseconds(100);

}  // namespace

EventLoop::EventLoop(net::Socket listener, net::Socket signals, Limits limits)
    : listener_(std::move(listener)), epoll_(::epoll_create1(EPOLL_CLOEXEC)), signals_(std::move(signals)),
      limits_(limits), room_(limits.max_clients), flow_(limits.max_queue) {
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
    // ===== YOUR CODE (lab 09) =============================================
    // Until SIGINT or SIGTERM, this one thread serves every descriptor epoll
    // reports ready, and waits nowhere but in epoll_wait (which wakes for the
    // tick too while some output waits); on a signal: shut_down(), then return
    // 0. An event may name a client that an earlier event of the same round
    // has closed, or that the room drops while the loop works on it (README.md,
    // "Leaving, and what is owed"). While the room is held, nobody is read. A
    // reset or hang-up is the client leaving. After every round, end_round().
    // Until then the server stops as soon as it is listening.
    return 0;
    // ===== END OF YOUR CODE ===============================================
}

// After each round: write what the room gave, look for stalled clients
// when it is time, and once the room is free, take the paused senders'
// lines and read them again.
void EventLoop::end_round() {
    // ===== YOUR CODE (lab 09) =============================================
    // What the round queued goes out (write_listed); every tick_period while
    // some output waits, tick(); once the room is free, the paused members'
    // buffered lines are taken, in the order they were paused, and they are
    // read again (README.md, "Flow control").
    // ===== END OF YOUR CODE ===============================================
}

// Every client waiting for EPOLLOUT: stalled ones stop counting; stalled
// ones past --max-queue are dropped.
void EventLoop::tick(Clock::time_point now) {
    // ===== YOUR CODE (lab 09) =============================================
    // Every member waiting for EPOLLOUT: stalled ones stop counting, stalled
    // ones past --max-queue are dropped by the room.
    (void)now;
    // ===== END OF YOUR CODE ===============================================
}

void EventLoop::accept_clients() {
    // ===== YOUR CODE (lab 09) =============================================
    // The connections waiting are accepted, non-blocking, but one round takes
    // no more than its share (README.md, "The event loop"); a full table of
    // descriptors pauses accepting until one is free (close() resumes it), and
    // never ends the server; a client over --max-clients receives "! server
    // full" and is closed, and nobody hears of it; every other client joins
    // the room and is watched for input.
    // ===== END OF YOUR CODE ===============================================
}

void EventLoop::on_readable(Member& member) {
    // ===== YOUR CODE (lab 09) =============================================
    // It reads what is there, without waiting for more: the lines go to the
    // room (take_lines); a line over the limit is the room's to answer
    // (line_too_long); the end of the stream hands the room the rest (a last
    // line without '\n' too) and the client leaves; a reset is the client
    // leaving.
    (void)member;
    // ===== END OF YOUR CODE ===============================================
}

// Whether someone who reads is behind, once what is queued has been offered
// to the sockets: a queue past the high water while its socket would take
// it all at once is no reason to stop reading (the round's writes come
// early, that is all).
bool EventLoop::room_held() {
    // ===== YOUR CODE (lab 09) =============================================
    // Whether the loop must stop taking lines now (README.md, "Flow control").
    return false;
    // ===== END OF YOUR CODE ===============================================
}

// The member's whole lines go to the room, one at a time, while the room is
// not held; if it becomes held, the rest wait in the member's LineBuffer,
// and the member is paused until the room is free again.
void EventLoop::take_lines(Member& member) {
    // ===== YOUR CODE (lab 09) =============================================
    // The member's whole lines go to the room, in order, one at a time, while
    // the room is not held, until the room says to stop reading; then
    // room_.flush(). If the room becomes held, the rest wait in the member's
    // LineBuffer, and the member is paused.
    (void)member;
    // ===== END OF YOUR CODE ===============================================
}

// Not read while the room is held: EPOLLIN off (level-triggered, it would
// be reported every round), listed to be taken up again.
void EventLoop::pause(Member& member) {
    // ===== YOUR CODE (lab 09) =============================================
    // Not read (EPOLLIN off) until the room is free again; listed in paused_
    // once.
    (void)member;
    // ===== END OF YOUR CODE ===============================================
}

// Watches what the member needs: input unless it is out of the room or
// paused, output while a write came back EAGAIN.
void EventLoop::set_events(Member& member, bool watching_output) {
    // ===== YOUR CODE (lab 09) =============================================
    // The socket is watched for input exactly while the member is in the room
    // and not paused, for output exactly while `watching_output`; no system
    // call when neither changed; watching_output_ counts the members watched
    // for output.
    (void)member;
    (void)watching_output;
    // ===== END OF YOUR CODE ===============================================
}

// Writes what is queued for it, and watches its socket for what it needs
// next. Out of the room (finishing): read nothing more, close once written.
void EventLoop::write(Member& member) {
    // ===== YOUR CODE (lab 09) =============================================
    // A dropped member (aborted) is closed, whatever is queued; otherwise what
    // is queued is written without waiting; what does not fit stays queued,
    // and only then is the socket watched for output (README.md, "Writing:
    // try first, ask for EPOLLOUT only when it did not fit"); a finishing
    // member is closed once all is written; a failed write is the client
    // leaving the room.
    (void)member;
    // ===== END OF YOUR CODE ===============================================
}

// After each round: every member the room gave output to, or ended.
// Writing may end more members (a failed write is a client leaving, and
// the others are told): loop until the list stays empty.
void EventLoop::write_listed() {
    // ===== YOUR CODE (lab 09) =============================================
    // Afterwards, every member the room gave output to has been written to, or
    // waits for EPOLLOUT. Writing can end members, and their leaving gives the
    // others output: no member is left on the list. A member may be on it that
    // is already closed.
    // ===== END OF YOUR CODE ===============================================
}

// Closing the descriptor (when the last shared_ptr goes) also takes it out
// of the epoll set; we take it out now, so that no event names it again.
void EventLoop::close(Member& member) {
    ::epoll_ctl(epoll_.fd(), EPOLL_CTL_DEL, member.fd(), nullptr);
    if (member.watching_output) {
        member.watching_output = false;
        --watching_output_;
    }
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
    // ===== YOUR CODE (lab 09) =============================================
    // No new clients; everyone still here is told and finished by the room;
    // what they are owed is written for at most 1.5 s (a client that stopped
    // reading does not hold the server longer).
    // ===== END OF YOUR CODE ===============================================
}
