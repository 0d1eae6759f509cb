#pragma once
// Member: one connection, as the event loop sees it: its socket, the bytes
// it sent that the loop has not used yet, and its output queue.
//
// Lab 09's Member was a chat client and nothing else. Here a connection
// speaks one of three ways, and a web one changes on the way:
//
//   chat port:  lines ....................................... (a member of the room at once)
//   web port:   http --GET /-----> the page, then closed
//                    --GET /chat--> 101 ---> websocket ....... (a member of the room from the 101)
//
// The room does not know the difference: it hands every member lines
// through Outbox. deliver() queues them as they are for a chat client, and
// as WebSocket text messages for a browser.
//
//   the room ---deliver()---> [ queue ]  ... end of the round ... loop: write_some() ---send()---> socket
//                             listed in to_write                   EAGAIN? watch EPOLLOUT
//
// Flow control, as in lab 09: while a member that reads (a chat client or
// a browser) has more than the high-water mark waiting for it, it is
// "behind" (counted in Flow), and the loop takes no lines from anyone; once
// it is down to the low-water mark, reading resumes. A member whose socket
// has taken nothing for a second is "stalled": it is not counted (it must
// not hold the others), and past --max-queue it is dropped.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat_room.hpp"
#include "http.hpp"
#include "net/line_buffer.hpp"
#include "net/socket.hpp"
#include "output_queue.hpp"
#include "websocket.hpp"

using Clock = std::chrono::steady_clock;

// A member whose socket has taken nothing of what is pending for this long
// has stopped reading (the contract's "second").
constexpr auto stall_time = std::chrono::seconds(1);

// How many members that read are behind. While any is, the loop takes no
// lines from anyone: the senders' bytes wait in their sockets, TCP's window
// closes, and the senders slow down to what the readers take.
struct Flow {
    explicit Flow(std::size_t max_queue)
        : high_water(std::min<std::size_t>(64 * 1024, max_queue / 2)), low_water(high_water / 2) {}

    std::size_t high_water;  // more than this waiting for a member that reads: it is behind
    std::size_t low_water;   // ...until it is down to this
    int behind = 0;

    bool held() const { return behind > 0; }
};

class Member final : public Outbox, public std::enable_shared_from_this<Member> {
public:
    using List = std::vector<std::shared_ptr<Member>>;

    enum class Speaks {
        lines,      // the chat port: lab 09's chat client
        http,       // the web port, until its request has been answered
        websocket,  // the web port, after the 101: frames
    };

    Member(net::Socket socket, std::string address, std::size_t max_queue, List& to_write, Flow& flow,
           Speaks speaks);

    const std::string& address() const { return address_; }
    int fd() const { return socket_.fd(); }
    std::uint64_t key = 0;  // the loop's, for epoll and its table (a page request has no room id)
    ClientId id = 0;        // the room's, given at join; 0 while not in the room
    Speaks speaks;

    // What it sent, not yet used, in the form it speaks.
    net::LineBuffer input{ChatRoom::max_line_length};  // lines
    http::RequestReader request;                       // http
    ws::Reader frames{ChatRoom::max_line_length};      // websocket: a message is a line

    // Outbox: the room calls these. None of them waits or writes.
    bool deliver(std::string_view bytes) override;  // false: stalled, and past --max-queue
    void finish() override;  // a browser's connection ends with a close frame (1000, or 1001 if going_away())
    void abort() override;

    // The loop's own output, not the room's: an HTTP response, a pong.
    void send(std::string_view bytes);
    // For a browser: what finish() ends with is `close` (the frame that
    // answers the client's, or that names its mistake), or, if it is
    // empty, nothing (the client has gone without one).
    void close_with(std::string_view close);
    // The server is shutting down: finish() closes with 1001, going away.
    void going_away() { close_code_ = ws::code::going_away; }

    enum class Written {
        all,          // the queue is empty
        would_block,  // the socket's buffer is full (EAGAIN): wait for EPOLLOUT
        failed,       // the connection is gone (reset, closed)
    };
    // Writes what is queued, as much as the socket takes now: one send()
    // when it takes everything (all the lines of a round, together).
    Written write_some();

    // For the loop, now and then while its output waits: once the socket
    // has taken nothing for stall_time, the member is stalled (no longer
    // behind: it does not hold the room). True when it is stalled and past
    // --max-queue: the room must drop it.
    bool check_stalled(Clock::time_point now);

    bool finishing() const { return finishing_; }  // out of the room: write what is queued, then close
    bool aborted() const { return aborted_; }      // dropped: close now

    // The loop's bookkeeping.
    bool listed = false;            // on to_write already
    bool watching_output = false;   // EPOLLOUT armed: a write came back EAGAIN
    bool reading = true;            // EPOLLIN armed
    bool paused = false;            // not read while the room is held (on the loop's paused list)
    bool lingering = false;         // all written and our side shut: reading until the client closes

private:
    void list_for_writing();
    void update_flow();  // after anything that changes the queue or the state: am I behind?

    const std::string address_;
    net::Socket socket_;
    OutputQueue queue_;
    const std::size_t max_queue_;
    List& to_write_;
    Flow& flow_;
    bool finishing_ = false;
    bool aborted_ = false;
    bool behind_ = false;   // counted in flow_.behind
    bool stalled_ = false;  // its socket took nothing for stall_time
    std::optional<Clock::time_point> blocked_since_;  // the socket has taken nothing since then
    bool closed_ = false;   // the close frame (or none) is decided: finish() adds nothing
    std::uint16_t close_code_ = ws::code::normal;
};
