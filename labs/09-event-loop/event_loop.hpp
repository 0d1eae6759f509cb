#pragma once
// EventLoop: one thread serves every client. It sleeps in epoll_wait until
// a descriptor is ready, then does only what will not block:
//
//   listener readable   accept until EAGAIN; each newcomer joins the room
//   client readable     one recv(); whole lines go to the room
//   client writable     write its queue (only watched while a write was short)
//   signalfd readable   SIGINT/SIGTERM: tell everyone, flush, close, return
//
// and, after each round of events, writes the queues that got new bytes:
// one send() per client per round, however many lines it holds.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

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
    struct Client {
        net::Socket socket;
        Member member;
        bool watching_output = false;  // EPOLLOUT armed: a write came back EAGAIN
        bool closing = false;          // left the room: close once its queue is written
    };

    Client* find(std::uint64_t id);
    void watch(int fd, std::uint32_t events, std::uint64_t key, int operation);
    void accept_clients();
    void refuse(net::Socket socket);
    void on_readable(Client& client);
    void on_line(Client& client, std::string_view line);
    void write_queue(Client& client);
    void write_queued();
    void drop_overflowed();
    void close_after_writing(Client& client);
    void remove(std::uint64_t id);
    void set_output_watch(Client& client, bool on);
    void shut_down();

    net::Socket listener_;
    net::Socket epoll_;
    net::Socket signals_;
    Limits limits_;
    ChatRoom room_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Client>> clients_;  // by id
    std::uint64_t next_id_ = 2;  // 0 and 1 are the listener's and the signalfd's keys
    std::vector<std::uint64_t> closing_;  // ids that started closing this round
    bool accepting_ = true;      // false while out of descriptors (EMFILE)
};
