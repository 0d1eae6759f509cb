#pragma once
// EventLoop: one thread serves every client. It sleeps in epoll_wait until
// a descriptor is ready, then does only what will not block:
//
//   listener readable   accept until EAGAIN (128 at most per round); each
//                       newcomer joins the room
//   client readable     one recv(); whole lines go to the room, while the
//                       room is not held (flow control, below)
//   client writable     write its queue (watched only while a write was short)
//   signalfd readable   SIGINT/SIGTERM: tell everyone, write, close, return
//
// and, after each round of events, writes every member the room gave
// output to (Member::write_some): one send() per client per round, however
// many lines it holds.
//
// Flow control: while a client that reads is behind (Flow), the room is
// held: the loop takes no lines from anyone. A sender reported readable
// meanwhile is paused (EPOLLIN off, listed in paused_), and so is one whose
// lines were cut short; when the room is free again, their buffered lines
// are taken and EPOLLIN is watched again. Every 100 ms while some output
// waits (tick), stalled clients stop counting, and those past --max-queue
// are dropped.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "chat_room.hpp"
#include "member.hpp"
#include "net/socket.hpp"

struct Limits {
    std::size_t max_clients = 1000;
    std::size_t max_queue = 1024 * 1024;
};

class EventLoop {
public:
    // The listener must be non-blocking; `signals` is a signalfd for
    // SIGINT and SIGTERM (see event_chat.cpp).
    EventLoop(net::Socket listener, net::Socket signals, Limits limits);

    // Serves until SIGINT or SIGTERM, then shuts down: returns the exit status.
    int run();

private:
    void watch(int fd, std::uint32_t events, std::uint64_t key, int operation);
    void accept_clients();
    void on_readable(Member& member);
    bool room_held();
    void take_lines(Member& member);
    void pause(Member& member);
    void end_round();
    void tick(Clock::time_point now);
    void write_listed();
    void write(Member& member);
    void set_events(Member& member, bool watching_output);
    void close(Member& member);
    void shut_down();

    net::Socket listener_;
    net::Socket epoll_;
    net::Socket signals_;
    Limits limits_;
    ChatRoom room_;
    Flow flow_;
    Member::List to_write_;  // members the room gave output (or an end) this round
    Member::List paused_;    // members not read while the room is held, in the order they were paused
    std::unordered_map<ClientId, std::shared_ptr<Member>> members_;  // every open connection, by id
    int watching_output_ = 0;  // members waiting for EPOLLOUT: while any, the loop ticks
    Clock::time_point next_tick_{};
    bool accepting_ = true;  // false while out of descriptors (EMFILE)
};
