#include "member.hpp"

#include <cerrno>
#include <utility>

#include <sys/socket.h>

#include "utf8.hpp"

Member::Member(net::Socket socket, std::string address, std::size_t max_queue, List& to_write, Flow& flow,
               Speaks speaks)
    : speaks(speaks), address_(std::move(address)), socket_(std::move(socket)), max_queue_(max_queue),
      to_write_(to_write), flow_(flow) {}

void Member::list_for_writing() {
    if (listed) return;
    listed = true;
    to_write_.push_back(shared_from_this());
}

bool Member::deliver(std::string_view bytes) {
    if (finishing_ || aborted_) return true;  // out of the room: nothing more for it
    std::string messages;
    if (speaks == Speaks::websocket) {
        // The room's lines end in '\n' (one or several per call): each is one
        // text message without it. A browser takes only UTF-8, and a chat
        // client on the plain port may send any bytes: whatever is not UTF-8
        // becomes U+FFFD here, rather than closing every browser (1007).
        while (!bytes.empty()) {
            const auto end = bytes.find('\n');
            messages += ws::frame(ws::Opcode::text, utf8::repaired(bytes.substr(0, end)));
            bytes = end == std::string_view::npos ? std::string_view() : bytes.substr(end + 1);
        }
        bytes = messages;
    }
    // A member that reads is never refused (flow control keeps its queue
    // small); one that has stopped reading gets no more than --max-queue.
    if (stalled_ && queue_.size() + bytes.size() > max_queue_) return false;
    send(bytes);
    return true;
}

void Member::send(std::string_view bytes) {
    queue_.append(bytes);
    list_for_writing();
    update_flow();
}

void Member::close_with(std::string_view close) {
    if (closed_) return;
    closed_ = true;
    send(close);
}

void Member::finish() {
    // A browser is told it is over with a close frame, unless one was
    // decided already (the answer to its own close, or a Failure's).
    if (speaks == Speaks::websocket) close_with(ws::close_frame(close_code_));
    finishing_ = true;
    update_flow();
    list_for_writing();  // the loop writes what is left, then closes
}

void Member::abort() {
    aborted_ = true;
    update_flow();
    list_for_writing();  // the loop closes it, whatever is queued
}

Member::Written Member::write_some() {
    Written result = Written::all;
    bool took_some = false;
    while (!queue_.empty()) {
        const std::string_view pending = queue_.pending();
        // MSG_NOSIGNAL: writing to a client that has gone is an error to
        // handle (EPIPE), not a signal that kills the server.
        const ssize_t sent = ::send(socket_.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (sent >= 0) {
            queue_.consume(static_cast<std::size_t>(sent));  // maybe only part: the rest stays, in order
            took_some = true;
            continue;
        }
        if (errno == EINTR) continue;  // a signal came in: nothing was written, try again
        result = errno == EAGAIN || errno == EWOULDBLOCK ? Written::would_block : Written::failed;
        break;
    }
    // The stall clock: it runs from the last time the socket took something
    // (or, at the first EAGAIN, from now).
    if (result != Written::would_block) blocked_since_.reset();
    else if (took_some || !blocked_since_) blocked_since_ = Clock::now();
    if (took_some) stalled_ = false;  // it reads again: it counts again
    update_flow();
    return result;
}

bool Member::check_stalled(Clock::time_point now) {
    if (!stalled_ && blocked_since_ && now - *blocked_since_ >= stall_time) {
        stalled_ = true;
        update_flow();
    }
    return stalled_ && queue_.size() > max_queue_;
}

void Member::update_flow() {
    // Behind: in the room, reading (not stalled), and more than the high
    // water waiting; it stays behind until it is down to the low water (so
    // that the loop does not stop and start again for every line). A page
    // request is never behind: it is not in the room (finishing once it is
    // answered).
    const bool behind = !finishing_ && !aborted_ && !stalled_ && speaks != Speaks::http &&
                        queue_.size() > (behind_ ? flow_.low_water : flow_.high_water);
    if (behind == behind_) return;
    behind_ = behind;
    flow_.behind += behind ? 1 : -1;
}
