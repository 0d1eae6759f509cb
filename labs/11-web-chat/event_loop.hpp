// Lab 11 starter: read README.md first (en español: README.es.md).
#pragma once
// EventLoop: one thread serves every connection, on two ports. It sleeps
// in epoll_wait until a descriptor is ready, then does only what will not
// block:
//
//   chat listener readable   accept (128 at most per round); each newcomer joins the room
//   web listener readable    accept (the same); each newcomer is a page request
//   connection readable      one recv(); what it sent goes to its reader:
//                              lines -> the room
//                              http  -> the page, an error, or the 101 (then it joins the room)
//                              websocket frames -> messages to the room, pongs, the close
//   connection writable      write its queue (watched only while a write was short)
//   signalfd readable        SIGINT/SIGTERM: tell everyone, write, close, return
//
// and, after each round of events, writes every member the room gave
// output to (Member::write_some): one send() per connection per round,
// however many lines it holds. A web connection that is done lingers: its
// side is shut, and it is closed when the client closes its own, or a
// second later.
//
// Flow control, as in lab 09: while a member that reads is behind (Flow),
// the room is held: the loop takes no lines (nor a browser's messages) from
// anyone. A sender reported readable meanwhile is paused (EPOLLIN off,
// listed in paused_), and so is one whose lines were cut short; when the
// room is free again, their buffered lines are taken and EPOLLIN is watched
// again. Every 100 ms while some output waits (tick), stalled members stop
// counting, and those past --max-queue are dropped.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
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
    // Both listeners must be non-blocking; `signals` is a signalfd for
    // SIGINT and SIGTERM (see web_chat.cpp).
    EventLoop(net::Socket listener, net::Socket web_listener, net::Socket signals, Limits limits);

    // Serves until SIGINT or SIGTERM, then shuts down: returns the exit status.
    int run();

private:
    void watch(int fd, std::uint32_t events, std::uint64_t key, int operation);
    void accept_clients(const net::Socket& listener, Member::Speaks speaks);
    void on_readable(Member& member);
    void read_lines(Member& member, std::string_view bytes);
    void read_request(Member& member, std::string_view bytes);
    void read_frames(Member& member, std::string_view bytes);
    void answer(Member& member, std::string_view response);
    bool room_held();
    void take_lines(Member& member);
    void take_messages(Member& member, bool at_end = false);
    void pause(Member& member);
    void end_round();
    void tick(Clock::time_point now);
    void write_listed();
    void write(Member& member);
    void set_events(Member& member, bool watching_output);
    void linger(Member& member);
    void close_lingering_past(Clock::time_point now);
    int milliseconds_to_wait() const;
    void close(Member& member);
    void shut_down();

    net::Socket listener_;      // the chat port: a connection is a member of the room at once
    net::Socket web_listener_;  // the web port: a connection is a page request first
    net::Socket epoll_;
    net::Socket signals_;
    Limits limits_;
    ChatRoom room_;
    Flow flow_;
    Member::List to_write_;  // members the room gave output (or an end) this round
    Member::List paused_;    // members not read while the room is held, in the order they were paused
    std::unordered_map<std::uint64_t, std::shared_ptr<Member>> members_;  // every open connection, by key
    std::uint64_t next_key_ = 1;
    int watching_output_ = 0;  // members waiting for EPOLLOUT: while any, the loop ticks
    Clock::time_point next_tick_{};
    std::deque<std::pair<Clock::time_point, std::uint64_t>> lingering_;  // deadline, key: oldest first
    bool accepting_ = true;  // false while out of descriptors (EMFILE)
};
