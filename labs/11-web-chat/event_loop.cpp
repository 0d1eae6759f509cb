// Lab 11 starter: read README.md first (en español: README.es.md).
#include "event_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/tcp.hpp"
#include "page.hpp"

namespace {

// Connections' keys are the loop's, which start at 1; these three are not.
constexpr std::uint64_t listener_key = ~std::uint64_t{0};
constexpr std::uint64_t signals_key = ~std::uint64_t{0} - 1;
constexpr std::uint64_t web_listener_key = ~std::uint64_t{0} - 2;

// How long a web connection that is done waits for its client to close:
// plenty for a client that reads, little for one that never closes.
constexpr std::chrono::seconds linger_time{1};

// How often the loop looks for stalled members while some output waits.
constexpr auto tick_period = std::chrono::milliseconds(100);

}  // namespace

EventLoop::EventLoop(net::Socket listener, net::Socket web_listener, net::Socket signals, Limits limits)
    : listener_(std::move(listener)), web_listener_(std::move(web_listener)), epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      signals_(std::move(signals)), limits_(limits), room_(limits.max_clients), flow_(limits.max_queue) {
    if (!epoll_.is_open()) net::throw_errno("epoll_create1", "");
    // Level-triggered (the default): epoll reports a descriptor for as long
    // as it is ready. We may read a client once per round and come back to
    // it next round; nothing is lost if we do not drain it.
    watch(listener_.fd(), EPOLLIN, listener_key, EPOLL_CTL_ADD);
    watch(web_listener_.fd(), EPOLLIN, web_listener_key, EPOLL_CTL_ADD);
    watch(signals_.fd(), EPOLLIN, signals_key, EPOLL_CTL_ADD);
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
        // Sleep until something is ready; wake up for the tick too while
        // some output waits, and for the first lingering deadline.
        const int ready = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()),
                                       milliseconds_to_wait());
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
            // Two listeners, one loop: what differs is what a newcomer speaks.
            if (key == listener_key) {
                accept_clients(listener_, Member::Speaks::lines);
                continue;
            }
            if (key == web_listener_key) {
                accept_clients(web_listener_, Member::Speaks::http);
                continue;
            }
            // An earlier event of this round may have closed it. The
            // shared_ptr keeps it alive while we use it, whatever the room
            // does meanwhile.
            const auto found = members_.find(key);
            if (found == members_.end()) continue;
            const std::shared_ptr<Member> member = found->second;
            if (member->lingering) {  // done: waiting only for the client to close
                on_readable(*member);
                continue;
            }
            if (what & (EPOLLHUP | EPOLLERR)) {
                if (!member->finishing()) on_readable(*member);  // a reset: recv() says so, and it leaves
            } else if (member->reading && (what & EPOLLIN)) {
                // The room is held: read no lines from anyone, until it is
                // free. (A page request is read: it sends no lines.)
                if (member->speaks != Member::Speaks::http && room_held()) pause(*member);
                else on_readable(*member);
            }
            // Readable and writable at once: write too, or a client that
            // keeps talking would never get its queue written.
            if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR)) write(*member);
        }
        end_round();
    }
}

// After each round: write what the room gave, look for stalled members
// when it is time, and once the room is free, take the paused senders'
// lines and read them again; then close the lingering connections whose
// second has passed.
void EventLoop::end_round() {
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
            if (!members_.contains(member->key)) continue;  // closed meanwhile
            if (flow_.held()) {
                paused_.push_back(member);  // held again: it waits for the next time
                continue;
            }
            member->paused = false;
            if (member->speaks == Member::Speaks::websocket) take_messages(*member);  // may pause it again
            else take_lines(*member);
            if (!member->paused) set_events(*member, member->watching_output);
        }
        write_listed();  // the socket may take it all at once, and the room be free again
    }
    close_lingering_past(Clock::now());
}

// Every member waiting for EPOLLOUT: stalled ones stop counting; stalled
// ones past --max-queue are dropped.
void EventLoop::tick(Clock::time_point now) {
    for (const auto& [key, member] : members_) {
        if (member->watching_output && member->check_stalled(now)) room_.drop(member->id);
    }
}

void EventLoop::accept_clients(const net::Socket& listener, Member::Speaks speaks) {
    // Accept until it would block: one readiness report may stand for many
    // clients waiting in the backlog. But at most 128 per round: each
    // newcomer's join notice goes into every queue, and the queues are
    // written at the end of the round; 1,000 joins in one round would be
    // 30 KB in each of 10,000 queues. The listener is level-triggered:
    // whoever is still waiting is reported again next round.
    for (int accepted = 0; accepting_ && accepted < 128; ++accepted) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        const int fd = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&address), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: stop watching the listeners (they would
                // stay readable, and we would spin) until a connection ends.
                std::cerr << "web-chat: out of file descriptors with " << members_.size()
                          << " connections; new ones wait until one ends" << std::endl;
                accepting_ = false;
                watch(listener_.fd(), 0, listener_key, EPOLL_CTL_MOD);
                watch(web_listener_.fd(), 0, web_listener_key, EPOLL_CTL_MOD);
                return;
            }
            continue;  // EINTR, ECONNABORTED (it gave up), EPROTO...: the next one
        }
        net::Socket socket(fd);
        if (speaks == Member::Speaks::lines && room_.full()) {
            // Nobody hears of it. The line fits any socket buffer, so one
            // send is enough; SHUT_WR and reading what it already sent make
            // the close a clean end of stream, not a reset that could
            // overtake the line. (A browser over the limit is turned away
            // after its handshake: read_request.)
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
        auto member = std::make_shared<Member>(std::move(socket), peer, limits_.max_queue, to_write_, flow_, speaks);
        member->key = next_key_++;
        // A chat client is in the room at once; a web connection first
        // sends its request (read_request), and may join after it.
        if (speaks == Member::Speaks::lines) member->id = room_.join(member->address(), member);
        watch(member->fd(), EPOLLIN, member->key, EPOLL_CTL_ADD);
        members_.emplace(member->key, std::move(member));
    }
}

void EventLoop::on_readable(Member& member) {
    char bytes[64 * 1024];
    const ssize_t received = ::recv(member.fd(), bytes, sizeof bytes, 0);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;  // nothing after all
    if (member.lingering) {
        // Whatever it still sends is dropped; its end (or a reset) is what we wait for.
        if (received <= 0) close(member);
        return;
    }
    if (received < 0) {  // a reset: it left without a goodbye
        room_.leave(member.id);
        member.abort();
        return;
    }
    // Empty: the end of its stream (recv() returned 0).
    const std::string_view data(bytes, static_cast<std::size_t>(received));
    switch (member.speaks) {
    case Member::Speaks::lines:
        return read_lines(member, data);
    case Member::Speaks::http:
        return read_request(member, data);
    case Member::Speaks::websocket:
        return read_frames(member, data);
    }
}

// A chat client's bytes: lab 09's on_readable, as it was.
void EventLoop::read_lines(Member& member, std::string_view bytes) {
    try {
        if (bytes.empty()) {
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
        member.input.append(bytes);
    } catch (const net::LineTooLong&) {
        room_.line_too_long(member.id);
        return;
    }
    take_lines(member);
}

// A web connection's request: the page, an error, or the handshake that
// makes it a member of the room.
void EventLoop::read_request(Member& member, std::string_view bytes) {
    if (bytes.empty()) {
        // Its end of stream: before its request was whole, nobody is left
        // to answer; after it, the answer on its way is still written.
        if (!member.finishing()) member.abort();
        return;
    }
    using Status = http::RequestReader::Status;
    switch (member.request.append(bytes)) {
    case Status::incomplete:
        return;
    case Status::bad_request:
        return answer(member, http::error_response(400, "Bad Request"));
    case Status::too_large:
        return answer(member, http::error_response(431, "Request Header Fields Too Large"));
    case Status::complete:
        break;
    }
    const http::Request& request = member.request.request();
    if (request.path == "/")
        return answer(member, http::response(200, "OK",
                                             {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-store"}},
                                             chat_page()));
    if (request.path != "/chat") return answer(member, http::error_response(404, "Not Found"));
    const ws::Handshake handshake = ws::handshake(request);
    if (!handshake.upgraded) return answer(member, handshake.response);
    member.send(handshake.response);
    member.speaks = Member::Speaks::websocket;
    if (room_.full()) {
        // Over --max-clients: nobody hears of it, as on the chat port; a
        // browser reads why in a message, and its close says "try again
        // later" (1013).
        member.send(ws::frame(ws::Opcode::text, "! server full"));
        member.close_with(ws::close_frame(ws::code::try_again_later, "server full"));
        return member.finish();
    }
    // From the 101 on, a member like any other, named by its address,
    // joining now. The room hands it lines; Member::deliver frames them.
    member.id = room_.join(member.address(), member.shared_from_this());
    // A client may send frames right behind its request, in the same read.
    if (const std::string frames(member.request.rest()); !frames.empty()) read_frames(member, frames);
}

// A browser's frames: what they say is taken by take_messages; the end of
// its stream without a close frame is its leaving.
void EventLoop::read_frames(Member& member, std::string_view bytes) {
    if (bytes.empty()) {
        // It closed its side: what it sent before is taken, held room or
        // not (as a chat client's last lines), then it leaves, without a
        // close frame (there is nobody to read one).
        take_messages(member, true);
        member.close_with({});
        room_.leave(member.id);
        return;
    }
    member.frames.append(bytes);
    take_messages(member);
}

// An HTTP answer: the connection ends once it is written.
void EventLoop::answer(Member& member, std::string_view response) {
    member.send(response);
    member.finish();
}

// Whether someone who reads is behind, once what is queued has been offered
// to the sockets: a queue past the high water while its socket would take
// it all at once is no reason to stop reading (the round's writes come
// early, that is all).
bool EventLoop::room_held() {
    if (!flow_.held()) return false;
    write_listed();
    return flow_.held();
}

// The member's whole lines go to the room, one at a time, while the room is
// not held; if it becomes held, the rest wait in the member's LineBuffer,
// and the member is paused until the room is free again.
void EventLoop::take_lines(Member& member) {
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
}

// The same for a browser: its messages are lines for the room, its pings
// are answered; its close, or a frame that breaks a rule, ends it. While
// the room is held, what it sent waits in its ws::Reader (but at the end of
// its stream, everything is taken).
void EventLoop::take_messages(Member& member, bool at_end) {
    try {
        while (at_end || !room_held()) {
            const auto event = member.frames.next();
            if (!event) return room_.flush();  // all taken
            switch (event->kind) {
            case ws::Event::Kind::message:
                if (room_.handle_line(member.id, event->data) == ChatRoom::Next::stop_reading) return room_.flush();  // /quit, or dropped
                break;
            case ws::Event::Kind::reply:
                member.send(event->data);  // a pong
                break;
            case ws::Event::Kind::close:
                member.close_with(event->data);  // the close that answers it
                room_.leave(member.id);          // the others hear it left; it is closed once that is written
                return room_.flush();
            }
        }
    } catch (const ws::Failure& failure) {
        member.close_with(ws::close_frame(failure.code(), failure.what()));
        room_.leave(member.id);
        return room_.flush();
    }
    room_.flush();
    pause(member);
}

// Not read while the room is held: EPOLLIN off (level-triggered, it would
// be reported every round), listed to be taken up again.
void EventLoop::pause(Member& member) {
    if (member.paused) return;
    member.paused = true;
    paused_.push_back(members_.at(member.key));
    set_events(member, member.watching_output);
}

// Watches what the member needs: input unless it is out of the room or
// paused (a lingering one reads until the client closes), output while a
// write came back EAGAIN.
void EventLoop::set_events(Member& member, bool watching_output) {
    const bool reading = (!member.finishing() || member.lingering) && !member.aborted() && !member.paused;
    if (member.reading == reading && member.watching_output == watching_output) return;
    if (member.watching_output != watching_output) watching_output_ += watching_output ? 1 : -1;
    member.reading = reading;
    member.watching_output = watching_output;
    watch(member.fd(), (reading ? EPOLLIN : 0u) | (watching_output ? EPOLLOUT : 0u), member.key, EPOLL_CTL_MOD);
}

// Writes what is queued for it, and watches its socket for what it needs
// next. Out of the room (finishing): read nothing more, close once written.
void EventLoop::write(Member& member) {
    if (member.aborted()) return close(member);
    switch (member.write_some()) {
    case Member::Written::all:
        if (member.finishing()) return member.speaks == Member::Speaks::lines ? close(member) : linger(member);
        set_events(member, false);  // nothing to write: stop asking
        return;
    case Member::Written::would_block:
        set_events(member, true);  // the kernel tells us when there is room
        return;
    case Member::Written::failed:
        room_.leave(member.id);  // it has gone: the others hear it left
        return close(member);
    }
}

// After each round: every member the room gave output to, or ended.
// Writing may end more members (a failed write is a client leaving, and
// the others are told): loop until the list stays empty.
void EventLoop::write_listed() {
    while (!to_write_.empty()) {
        const Member::List listed = std::exchange(to_write_, {});
        for (const std::shared_ptr<Member>& member : listed) {
            member->listed = false;
            if (!members_.contains(member->key) || member->lingering) continue;  // closed, or all written already
            // Waiting for EPOLLOUT: the socket is full; trying now would
            // only come back EAGAIN.
            if (member->watching_output && !member->aborted() && !member->finishing()) continue;
            write(*member);
        }
    }
}

// A web connection is done: its answer (the page, an error, or the close
// frame) is written. Closing it now, with bytes from the client still
// unread (the rest of a request too large, its own close frame on the
// way), would make the kernel reset the connection, and a reset may
// destroy what we wrote before the client has read it. So we shut our
// side (the client reads all we wrote, then the end of the stream), drop
// whatever it still sends, and close when it closes too, or after
// linger_time.
void EventLoop::linger(Member& member) {
    ::shutdown(member.fd(), SHUT_WR);
    member.lingering = true;
    set_events(member, false);
    lingering_.emplace_back(Clock::now() + linger_time, member.key);
}

void EventLoop::close_lingering_past(Clock::time_point now) {
    // Every connection lingers as long: the oldest deadline comes first.
    while (!lingering_.empty() && lingering_.front().first <= now) {
        const auto found = members_.find(lingering_.front().second);
        lingering_.pop_front();
        if (found == members_.end()) continue;  // it closed in time
        const std::shared_ptr<Member> member = found->second;
        close(*member);
    }
}

int EventLoop::milliseconds_to_wait() const {
    int wait = watching_output_ > 0 ? static_cast<int>(tick_period.count()) : -1;  // -1: until an event
    if (!lingering_.empty()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(lingering_.front().first - Clock::now());
        const int linger_wait = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
        wait = wait < 0 ? linger_wait : std::min(wait, linger_wait);
    }
    return wait;
}

// Closing the descriptor (when the last shared_ptr goes) also takes it out
// of the epoll set; we take it out now, so that no event names it again.
void EventLoop::close(Member& member) {
    ::epoll_ctl(epoll_.fd(), EPOLL_CTL_DEL, member.fd(), nullptr);
    if (member.watching_output) {
        member.watching_output = false;
        --watching_output_;
    }
    members_.erase(member.key);
    if (!accepting_ && listener_.is_open()) {  // a descriptor is free again (and we are not shutting down)
        accepting_ = true;
        watch(listener_.fd(), EPOLLIN, listener_key, EPOLL_CTL_MOD);
        watch(web_listener_.fd(), EPOLLIN, web_listener_key, EPOLL_CTL_MOD);
    }
}

// Everyone still here is told (the room finishes every member: a browser
// with a close frame, 1001, going away), what they are owed is written for
// up to 1.5 seconds (a client that stopped reading does not hold us
// longer), and every connection still open is closed when members_ goes
// away. A page request not answered yet is not answered.
void EventLoop::shut_down() {
    listener_.close();
    web_listener_.close();
    for (const auto& [key, member] : members_) {
        if (member->speaks == Member::Speaks::websocket) member->going_away();
        if (member->speaks == Member::Speaks::http && !member->finishing()) member->abort();
    }
    room_.shut_down();
    const auto deadline = Clock::now() + std::chrono::milliseconds(1500);
    std::vector<epoll_event> events(1024);
    while (true) {
        write_listed();
        if (members_.empty()) return;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return;
        const int ready = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()),
                                       static_cast<int>(left.count()));
        for (int i = 0; i < ready; ++i) {
            const auto found = members_.find(events[static_cast<std::size_t>(i)].data.u64);
            if (found == members_.end()) continue;
            const std::shared_ptr<Member> member = found->second;
            if (member->lingering) {
                on_readable(*member);
            } else {
                write(*member);
            }
        }
    }
}
