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
    // BEGIN YOURS
    std::vector<epoll_event> events(1024);
    while (true) {
        // Sleep until something is ready; while some output waits, wake up
        // for the tick too.
        const int timeout = watching_output_ > 0 ? static_cast<int>(tick_period.count()) : -1;
        const int ready = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()), timeout);
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
            // An earlier event of this round may have closed it. The
            // shared_ptr keeps it alive while we use it, whatever the room
            // does meanwhile.
            const auto found = members_.find(key);
            if (found == members_.end()) continue;
            const std::shared_ptr<Member> member = found->second;
            if (what & (EPOLLHUP | EPOLLERR)) {
                if (!member->finishing()) on_readable(*member);  // a reset: recv() says so, and it leaves
            } else if (member->reading && (what & EPOLLIN)) {
                // The room is held: read nothing from anyone, until it is free.
                if (room_held()) pause(*member);
                else on_readable(*member);
            }
            // Readable and writable at once: write too, or a client that
            // keeps talking would never get its queue written.
            if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR)) write(*member);
        }
        end_round();
    }
    // INSTEAD
    //| // Until SIGINT or SIGTERM, this one thread serves every descriptor epoll
    //| // reports ready, and waits nowhere but in epoll_wait (which wakes for the
    //| // tick too while some output waits); on a signal: shut_down(), then return
    //| // 0. An event may name a client that an earlier event of the same round
    //| // has closed, or that the room drops while the loop works on it (README.md,
    //| // "Leaving, and what is owed"). While the room is held, nobody is read. A
    //| // reset or hang-up is the client leaving. After every round, end_round().
    //| // Until then the server stops as soon as it is listening.
    //| return 0;
    // END YOURS
}

// After each round: write what the room gave, look for stalled clients
// when it is time, and once the room is free, take the paused senders'
// lines and read them again.
void EventLoop::end_round() {
    // BEGIN YOURS
    write_listed();
    if (watching_output_ > 0) {
        const Clock::time_point now = Clock::now();
        if (now >= next_tick_) {
            next_tick_ = now + tick_period;
            tick(now);
            write_listed();
        }
    }
    while (!flow_.held() && !paused_.empty()) {
        const Member::List paused = std::exchange(paused_, {});
        for (const std::shared_ptr<Member>& member : paused) {
            if (!members_.contains(member->id)) continue;  // closed meanwhile
            if (flow_.held()) {
                paused_.push_back(member);  // held again: it waits for the next time
                continue;
            }
            member->paused = false;
            take_lines(*member);  // may pause it again
            if (!member->paused) set_events(*member, member->watching_output);
        }
        write_listed();  // the socket may take it all at once, and the room be free again
    }
    // INSTEAD
    //| // What the round queued goes out (write_listed); every tick_period while
    //| // some output waits, tick(); once the room is free, the paused members'
    //| // buffered lines are taken, in the order they were paused, and they are
    //| // read again (README.md, "Flow control").
    // END YOURS
}

// Every client waiting for EPOLLOUT: stalled ones stop counting; stalled
// ones past --max-queue are dropped.
void EventLoop::tick(Clock::time_point now) {
    // BEGIN YOURS
    for (const auto& [id, member] : members_) {
        if (member->watching_output && member->check_stalled(now)) room_.drop(id);
    }
    // INSTEAD
    //| // Every member waiting for EPOLLOUT: stalled ones stop counting, stalled
    //| // ones past --max-queue are dropped by the room.
    //| (void)now;
    // END YOURS
}

void EventLoop::accept_clients() {
    // BEGIN YOURS
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
                std::cerr << "event-chat: out of file descriptors with " << members_.size()
                          << " clients; new ones wait until someone leaves" << std::endl;
                accepting_ = false;
                watch(listener_.fd(), 0, listener_key, EPOLL_CTL_MOD);
                return;
            }
            continue;  // EINTR, ECONNABORTED (it gave up), EPROTO...: the next one
        }
        net::Socket socket(fd);
        if (room_.full()) {
            // Nobody hears of it. The line fits any socket buffer, so one
            // send is enough; SHUT_WR and reading what it already sent make
            // the close a clean end of stream, not a reset that could
            // overtake the line.
            static constexpr std::string_view full = "! server full\n";
            ::send(fd, full.data(), full.size(), MSG_NOSIGNAL);
            ::shutdown(fd, SHUT_WR);
            char ignored[4096];
            while (::recv(fd, ignored, sizeof ignored, 0) > 0) {
            }
            continue;
        }
        net::set_no_delay(socket);  // chat lines are small: send them now (no Nagle)
        const std::string peer = net::Address(reinterpret_cast<sockaddr*>(&address), length).to_string();
        auto member = std::make_shared<Member>(std::move(socket), peer, limits_.max_queue, to_write_, flow_);
        member->id = room_.join(member->address(), member);
        watch(member->fd(), EPOLLIN, member->id, EPOLL_CTL_ADD);
        members_.emplace(member->id, std::move(member));
    }
    // INSTEAD
    //| // The connections waiting are accepted, non-blocking, but one round takes
    //| // no more than its share (README.md, "The event loop"); a full table of
    //| // descriptors pauses accepting until one is free (close() resumes it), and
    //| // never ends the server; a client over --max-clients receives "! server
    //| // full" and is closed, and nobody hears of it; every other client joins
    //| // the room and is watched for input.
    // END YOURS
}

void EventLoop::on_readable(Member& member) {
    // BEGIN YOURS
    char bytes[64 * 1024];
    const ssize_t received = ::recv(member.fd(), bytes, sizeof bytes, 0);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;  // nothing after all
    try {
        if (received < 0) {  // a reset: it left without a goodbye
            room_.leave(member.id);
            member.abort();
            return;
        }
        if (received == 0) {
            // It closed its side: its lines, the last even without '\n',
            // then it leaves (the room finishes it: what it is owed is
            // written, then it is closed).
            while (const auto line = member.input.next_line()) {
                if (room_.handle_line(member.id, *line) == ChatRoom::Next::stop_reading) return;
            }
            if (const auto last = member.input.last_line()) room_.handle_line(member.id, *last);
            room_.leave(member.id);
            return;
        }
        member.input.append(std::string_view(bytes, static_cast<std::size_t>(received)));
    } catch (const net::LineTooLong&) {
        room_.line_too_long(member.id);
        return;
    }
    take_lines(member);
    // INSTEAD
    //| // It reads what is there, without waiting for more: the lines go to the
    //| // room (take_lines); a line over the limit is the room's to answer
    //| // (line_too_long); the end of the stream hands the room the rest (a last
    //| // line without '\n' too) and the client leaves; a reset is the client
    //| // leaving.
    //| (void)member;
    // END YOURS
}

// Whether someone who reads is behind, once what is queued has been offered
// to the sockets: a queue past the high water while its socket would take
// it all at once is no reason to stop reading (the round's writes come
// early, that is all).
bool EventLoop::room_held() {
    // BEGIN YOURS
    if (!flow_.held()) return false;
    write_listed();
    return flow_.held();
    // INSTEAD
    //| // Whether the loop must stop taking lines now (README.md, "Flow control").
    //| return false;
    // END YOURS
}

// The member's whole lines go to the room, one at a time, while the room is
// not held; if it becomes held, the rest wait in the member's LineBuffer,
// and the member is paused until the room is free again.
void EventLoop::take_lines(Member& member) {
    // BEGIN YOURS
    try {
        while (!room_held()) {
            const auto line = member.input.next_line();
            if (!line) return room_.flush();  // all taken: the lines the room held back go out
            if (room_.handle_line(member.id, *line) == ChatRoom::Next::stop_reading) return room_.flush();  // /quit, or dropped
        }
    } catch (const net::LineTooLong&) {
        room_.line_too_long(member.id);
        return;
    }
    room_.flush();
    pause(member);
    // INSTEAD
    //| // The member's whole lines go to the room, in order, one at a time, while
    //| // the room is not held, until the room says to stop reading; then
    //| // room_.flush(). If the room becomes held, the rest wait in the member's
    //| // LineBuffer, and the member is paused.
    //| (void)member;
    // END YOURS
}

// Not read while the room is held: EPOLLIN off (level-triggered, it would
// be reported every round), listed to be taken up again.
void EventLoop::pause(Member& member) {
    // BEGIN YOURS
    if (member.paused) return;
    member.paused = true;
    paused_.push_back(members_.at(member.id));
    set_events(member, member.watching_output);
    // INSTEAD
    //| // Not read (EPOLLIN off) until the room is free again; listed in paused_
    //| // once.
    //| (void)member;
    // END YOURS
}

// Watches what the member needs: input unless it is out of the room or
// paused, output while a write came back EAGAIN.
void EventLoop::set_events(Member& member, bool watching_output) {
    // BEGIN YOURS
    const bool reading = !member.finishing() && !member.aborted() && !member.paused;
    if (member.reading == reading && member.watching_output == watching_output) return;
    if (member.watching_output != watching_output) watching_output_ += watching_output ? 1 : -1;
    member.reading = reading;
    member.watching_output = watching_output;
    watch(member.fd(), (reading ? EPOLLIN : 0u) | (watching_output ? EPOLLOUT : 0u), member.id, EPOLL_CTL_MOD);
    // INSTEAD
    //| // The socket is watched for input exactly while the member is in the room
    //| // and not paused, for output exactly while `watching_output`; no system
    //| // call when neither changed; watching_output_ counts the members watched
    //| // for output.
    //| (void)member;
    //| (void)watching_output;
    // END YOURS
}

// Writes what is queued for it, and watches its socket for what it needs
// next. Out of the room (finishing): read nothing more, close once written.
void EventLoop::write(Member& member) {
    // BEGIN YOURS
    if (member.aborted()) return close(member);
    switch (member.write_some()) {
    case Member::Written::all:
        if (member.finishing()) return close(member);
        set_events(member, false);  // nothing to write: stop asking
        return;
    case Member::Written::would_block:
        set_events(member, true);  // the kernel tells us when there is room
        return;
    case Member::Written::failed:
        room_.leave(member.id);  // it has gone: the others hear it left
        return close(member);
    }
    // INSTEAD
    //| // A dropped member (aborted) is closed, whatever is queued; otherwise what
    //| // is queued is written without waiting; what does not fit stays queued,
    //| // and only then is the socket watched for output (README.md, "Writing:
    //| // try first, ask for EPOLLOUT only when it did not fit"); a finishing
    //| // member is closed once all is written; a failed write is the client
    //| // leaving the room.
    //| (void)member;
    // END YOURS
}

// After each round: every member the room gave output to, or ended.
// Writing may end more members (a failed write is a client leaving, and
// the others are told): loop until the list stays empty.
void EventLoop::write_listed() {
    // BEGIN YOURS
    while (!to_write_.empty()) {
        const Member::List listed = std::exchange(to_write_, {});
        for (const std::shared_ptr<Member>& member : listed) {
            member->listed = false;
            if (!members_.contains(member->id)) continue;  // closed already
            // Waiting for EPOLLOUT: the socket is full; trying now would
            // only come back EAGAIN.
            if (member->watching_output && !member->aborted() && !member->finishing()) continue;
            write(*member);
        }
    }
    // INSTEAD
    //| // Afterwards, every member the room gave output to has been written to, or
    //| // waits for EPOLLOUT. Writing can end members, and their leaving gives the
    //| // others output: no member is left on the list. A member may be on it that
    //| // is already closed.
    // END YOURS
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
    // BEGIN YOURS
    listener_.close();
    room_.shut_down();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    std::vector<epoll_event> events(1024);
    while (true) {
        write_listed();
        if (members_.empty()) return;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        const int ready = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()),
                                       static_cast<int>(left.count()));
        for (int i = 0; i < ready; ++i) {
            const auto found = members_.find(events[static_cast<std::size_t>(i)].data.u64);
            if (found == members_.end()) continue;
            const std::shared_ptr<Member> member = found->second;
            write(*member);
        }
    }
    // INSTEAD
    //| // No new clients; everyone still here is told and finished by the room;
    //| // what they are owed is written for at most 1.5 s (a client that stopped
    //| // reading does not hold the server longer).
    // END YOURS
}
