// Lab 08 — robust-chat: lab 06's chat server, made fit to run.
//
// Lab 06 works while every client behaves. This one does not trust them:
//   - one client that stops reading no longer stalls everyone: each client
//     has an output queue (member.hpp); relaying only appends to queues,
//     then offers each to its socket with a send() that never waits, and
//     only the client's own writer thread waits for what is left;
//   - flow control: while a client that reads falls behind, the readers
//     hand the room no lines (the senders wait in their sockets), so that
//     a room of senders never fills memory; a client that has taken
//     nothing for a second no longer counts, and past --max-queue bytes it
//     is dropped;
//   - a line may be 4,096 bytes, not as long as memory; control bytes are
//     removed before anyone sees them; --max-clients caps the threads and
//     descriptors any crowd can make us spend;
//   - nicknames and commands (chat_room.hpp, the protocol alone);
//   - SIGINT and SIGTERM shut it down gracefully: everyone is told, every
//     connection closes, every thread is joined, exit status 0.
//
//   main thread                    per client: reader thread       per client: writer thread
//   ---------------------------    ----------------------------    -------------------------
//   poll(listener, signals)        recv -> LineBuffer -> lines     wait for bytes left to it
//   accept; room.join(member)      (wait while the room is held)   send them, waiting as
//   start reader and writer        lock room; handle_line for      long as the client takes
//   ...signal: shut down, below      each: commands, or deliver()    (a second at most without
//                                    to every other queue; unlock;   progress: stalled)
//                                    send to each queue it filled,   end the connection
//                                    never waiting (the rest: writer)
//
// Who waits on whom: a reader waits on its own client's socket, on the
// room's mutex (held only while appending to queues), and while the room
// is held, on the clients that are behind, for as long as they read. A
// writer waits only on its own client. Nobody waits on a client that has
// stopped reading.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <poll.h>
#include <sys/socket.h>

#include "chat_room.hpp"
#include "member.hpp"
#include "net/client_threads.hpp"
#include "net/errors.hpp"
#include "net/line_buffer.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"
#include "stop_signal.hpp"

namespace {

constexpr const char* program_name = "robust-chat";

// How long a shutdown waits for clients to receive what is queued for
// them. A client that reads gets it in microseconds; one that stopped
// reading would make us wait for ever, so it is cut off after this.
constexpr auto flush_deadline = std::chrono::milliseconds(1000);

// The room and the lock its callers take turns on. ChatRoom itself knows
// nothing of threads (lab 09 drives it from one); here every reader thread
// and the main thread use it, one at a time, through a RoomTurn. No call
// waits for a client, so nobody holds this lock for more than a few
// microseconds.
struct SharedRoom {
    SharedRoom(std::size_t max_clients, std::size_t max_queue) : room(max_clients), flow(max_queue) {}

    std::mutex mutex;
    ChatRoom room;
    Flow flow;                       // while held, readers hand the room no lines
    ToSend to_send;                  // queues to send when a turn ends (see RoomTurn)
    std::atomic<int> waiting{0};     // threads waiting for their turn
    int sends_passed_on = 0;         // turns in a row that left their sends to the next
};

// One turn at the room: holds its lock, and when the turn is over, releases
// it and then sends to the queues this turn filled (never under the lock:
// a send() under it would make every other reader wait for it).
//
// Before sending, it steps aside once (yield): readers that are ready
// take their turns first, and add their lines to the same queues, so that
// each send() carries everyone's lines, not one reader's. And when other
// readers are already waiting for their turn, the sends are left to the
// next turn altogether (group commit); the last turn of a burst sends, and
// at most max_passed_on turns in a row pass them on, so that under a
// steady flood the clients still get their lines.
class RoomTurn {
public:
    explicit RoomTurn(SharedRoom& shared) : shared_(shared), lock_(lock(shared)) {}
    ~RoomTurn() {
        shared_.room.flush();  // the lines the room held back go into the queues now
        if (shared_.waiting.load() > 0 && shared_.sends_passed_on < max_passed_on) {
            ++shared_.sends_passed_on;
            return;  // the next turn, already waiting, will send (lock_ is released here)
        }
        shared_.sends_passed_on = 0;
        ToSend to_send;
        to_send.swap(shared_.to_send);
        lock_.unlock();
        if (to_send.empty()) return;
        std::this_thread::yield();
        for (const std::shared_ptr<Member>& member : to_send) member->send_now_or_wake_writer();
    }
    RoomTurn(const RoomTurn&) = delete;
    RoomTurn& operator=(const RoomTurn&) = delete;

    ChatRoom& room() { return shared_.room; }

private:
    static constexpr int max_passed_on = 64;

    static std::unique_lock<std::mutex> lock(SharedRoom& shared) {
        ++shared.waiting;
        std::unique_lock<std::mutex> locked(shared.mutex);
        --shared.waiting;
        return locked;
    }

    SharedRoom& shared_;
    std::unique_lock<std::mutex> lock_;
};

// How many client threads are still running, so that shutting down can wait
// for them with a deadline (ClientThreads can only join, which has none).
class RunningThreads {
public:
    void add(int count) {
        const std::lock_guard lock(mutex_);
        running_ += count;
    }
    void one_done() {
        {
            const std::lock_guard lock(mutex_);
            --running_;
        }
        all_done_.notify_all();
    }
    bool wait_for_none(std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        return all_done_.wait_for(lock, limit, [&] { return running_ == 0; });
    }

    // Counts a thread done when its body ends, however it ends.
    struct Done {
        RunningThreads& threads;
        ~Done() { threads.one_done(); }
    };

private:
    std::mutex mutex_;
    std::condition_variable all_done_;
    int running_ = 0;
};

// Hands the room every whole line in `received`, in order, in turns at
// the room (RoomTurn): as few as it can, since many lines that reach each
// queue together are sent in one piece. It hands over no line while the
// room is held (someone who reads is behind): then this thread waits
// until it is free again. False: read no more from this client.
bool hand_over_lines(SharedRoom& shared, ClientId id, net::LineBuffer& received) {
    // BEGIN YOURS
    while (true) {
        shared.flow.wait_until_free();
        RoomTurn turn(shared);
        while (!shared.flow.held()) {
            const std::optional<std::string> line = received.next_line();
            if (!line) return true;  // all handed over
            if (turn.room().handle_line(id, *line) == ChatRoom::Next::stop_reading) return false;
        }
    }
    // INSTEAD
    //| RoomTurn turn(shared);
    //| while (const std::optional<std::string> line = received.next_line()) {
    //|     if (turn.room().handle_line(id, *line) == ChatRoom::Next::stop_reading) return false;
    //| }
    //| return true;
    // END YOURS
}

// The lines of one client, until it leaves, says /quit or is dropped.
void read_lines(SharedRoom& shared, ClientId id, const Member& member) {
    net::LineBuffer received(ChatRoom::max_line_length);
    std::array<char, 64 * 1024> chunk;  // on the stack: only the pages a recv() fills are touched
    while (true) {
        const std::size_t count = net::receive_some(member.connection(), chunk);
        received.append({chunk.data(), count});
        if (!hand_over_lines(shared, id, received)) return;
        if (count == 0) {
            // At the end of the stream, a last line without its '\n' is a line.
            if (const std::optional<std::string> last = received.last_line()) RoomTurn(shared).room().handle_line(id, *last);
            return;
        }
    }
}

// The reader thread's body. However the conversation ends, the client
// leaves the room (which tells the others and finishes its connection).
void serve_client(SharedRoom& shared, RunningThreads& running, ClientId id, std::shared_ptr<Member> member) {
    const RunningThreads::Done done{running};
    try {
        read_lines(shared, id, *member);
    } catch (const net::LineTooLong&) {
        // As soon as the 4,097th byte without '\n' has arrived.
        RoomTurn(shared).room().line_too_long(id);
    } catch (const std::system_error& error) {
        if (!net::is_disconnect(error)) std::cerr << program_name << ": " << error.what() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << program_name << ": " << member->address() << ": " << error.what() << std::endl;
    }
    RoomTurn(shared).room().leave(id);  // nothing, if it has left already
}

// The writer thread's body.
void write_output(RunningThreads& running, std::shared_ptr<Member> member) {
    const RunningThreads::Done done{running};
    member->write_until_done();
}

// Over --max-clients: one line, and the connection closes as `connection`
// goes out of scope. The room never hears of it. A new connection's send
// buffer is empty, so these bytes go at once; MSG_DONTWAIT makes sure the
// accept loop never waits for any client, even this one.
// BEGIN SOLUTION ONLY
void turn_away(const net::Connection& connection) {
// INSTEAD
//| [[maybe_unused]] void turn_away(const net::Connection& connection) {
// END SOLUTION ONLY
    const std::string_view full = "! server full\n";
    (void)::send(connection.socket.fd(), full.data(), full.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// Waits until a client is waiting to be accepted (true) or a stop signal
// has arrived (false).
bool wait_for_client(const net::Socket& listener, const StopSignal& stop) {
    // BEGIN YOURS
    while (true) {
        pollfd fds[] = {{listener.fd(), POLLIN, 0}, {stop.fd(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            net::throw_errno("poll", "on the listening socket");
        }
        if (fds[1].revents != 0) return false;
        if (fds[0].revents != 0) return true;
    }
    // INSTEAD
    //| (void)listener;
    //| (void)stop;
    //| return true;
    // END YOURS
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(
        argc, argv, program_name,
        {{"--max-clients", "N", 1000, 1, 1'000'000}, {"--max-queue", "BYTES", 1024 * 1024, 1, 1LL << 40}});
    const auto max_queue = static_cast<std::size_t>(options.number("--max-queue"));
    // Before any thread starts: every thread inherits the blocked signals,
    // so SIGINT and SIGTERM reach only the signalfd, never a thread.
    const StopSignal stop;
    const net::Socket listener = net::listen_or_exit(options, program_name);

    // Declared in this order, destroyed in the other: the threads are all
    // joined before the room they use goes away.
    SharedRoom shared(static_cast<std::size_t>(options.number("--max-clients")), max_queue);
    RunningThreads running;
    net::ClientThreads threads;
    std::vector<std::weak_ptr<Member>> members;  // to cut off, at shutdown, whoever is left

    int status = 0;
    try {
        while (wait_for_client(listener, stop)) {
            net::Connection connection = net::accept_client(listener);
            // Each batch goes out at once: Nagle would hold a small write
            // back until the previous one is acknowledged (up to 40 ms with
            // delayed ACKs), which is most of a chat's latency.
            net::set_no_delay(connection.socket);
            std::shared_ptr<Member> member;
            ClientId id = 0;
            {
                RoomTurn turn(shared);
                // BEGIN YOURS
                if (turn.room().full()) {
                    turn_away(connection);
                    continue;
                }
                // INSTEAD
                //| // Over --max-clients: turn_away(connection), and nobody hears of it.
                // END YOURS
                member = std::make_shared<Member>(std::move(connection), max_queue, shared.to_send, shared.flow);
                id = turn.room().join(member->address(), member);
            }
            threads.join_finished();
            std::erase_if(members, [](const std::weak_ptr<Member>& gone) { return gone.expired(); });
            members.push_back(member);
            running.add(2);
            threads.start(write_output, std::ref(running), member);
            threads.start(serve_client, std::ref(shared), std::ref(running), id, std::move(member));
        }
    } catch (const std::system_error& error) {
        // poll() or accept() on the listening socket failed: no client can
        // cause that. Shut down as for a signal, but say why, and fail.
        std::cerr << program_name << ": " << error.what() << std::endl;
        status = 1;
    }

    // BEGIN YOURS
    // Shutting down, in a known order:
    // 1. Everyone still here is told, and each writer is asked to finish:
    //    send what is queued (the notice last), then end the connection,
    //    which also wakes that client's reader out of recv().
    RoomTurn(shared).room().shut_down();
    // 2. Clients that read get all that within microseconds. A client that
    //    stopped reading would keep its writer in send() for ever: after
    //    the deadline, its connection is cut (abort() wakes both its threads).
    if (!running.wait_for_none(flush_deadline)) {
        for (const std::weak_ptr<Member>& weak : members)
            if (const std::shared_ptr<Member> member = weak.lock()) member->abort();
    }
    // 3. Every thread has returned or is about to: ClientThreads' destructor
    //    joins them all, then the room goes, then the listening socket.
    // INSTEAD
    //| // Shutting down (README.md, "Shutting down"): everyone still here is
    //| // told and every connection ends; clients that read get what they are
    //| // owed; one that stopped reading holds the exit up for flush_deadline
    //| // at most; every thread is joined before the room they use goes away.
    //| (void)flush_deadline;
    // END YOURS
    return status;
}
