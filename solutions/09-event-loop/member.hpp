#pragma once
// Member: one connected client, as the event loop sees it: its socket, the
// bytes it sent that are not whole lines yet, and its output queue.
//
// Lab 08's Member was sent to after each turn, as much as the socket took
// at once, and had a writer thread per client for the rest. Here there is
// no thread: deliver() appends to the queue and puts the member on the
// loop's list of members to write (`to_write`). After each round the loop
// writes each of them (write_some), as much as the socket takes, and
// watches the socket for EPOLLOUT only while something is left.
//
//   the room ---deliver()---> [ queue ]  ... end of the round ... loop: write_some() ---send()---> socket
//                             listed in to_write                   EAGAIN? watch EPOLLOUT

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat_room.hpp"
#include "net/line_buffer.hpp"
#include "net/socket.hpp"
#include "output_queue.hpp"

class Member final : public Outbox, public std::enable_shared_from_this<Member> {
public:
    using List = std::vector<std::shared_ptr<Member>>;

    Member(net::Socket socket, std::string address, std::size_t max_queue, List& to_write);

    const std::string& address() const { return address_; }
    int fd() const { return socket_.fd(); }
    ClientId id = 0;  // the room's, given at join

    // The bytes it sent, framed into lines (lab 08's reader thread fed its
    // own LineBuffer from a blocking recv(); the loop appends what a recv()
    // returned when epoll said there was something).
    net::LineBuffer input{ChatRoom::max_line_length};

    // Outbox: the room calls these. None of them waits or writes.
    bool deliver(std::string_view bytes) override;
    void finish() override;
    void abort() override;

    enum class Written {
        all,          // the queue is empty
        would_block,  // the socket's buffer is full (EAGAIN): wait for EPOLLOUT
        failed,       // the connection is gone (reset, closed)
    };
    // Writes what is queued, as much as the socket takes now: one send()
    // when it takes everything (all the lines of a round, together).
    Written write_some();

    bool finishing() const { return finishing_; }  // out of the room: write what is queued, then close
    bool aborted() const { return aborted_; }      // dropped: close now
    bool queue_empty() const { return queue_.empty(); }

    // The loop's bookkeeping.
    bool listed = false;            // on to_write already
    bool watching_output = false;   // EPOLLOUT armed: a write came back EAGAIN
    bool reading = true;            // EPOLLIN armed: still in the room

private:
    void list_for_writing();

    const std::string address_;
    net::Socket socket_;
    OutputQueue queue_;
    List& to_write_;
    bool finishing_ = false;
    bool aborted_ = false;
};
