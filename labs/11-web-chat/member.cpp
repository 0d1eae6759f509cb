// Lab 11 starter: read README.md first (en español: README.es.md).
#include "member.hpp"

#include <cerrno>
#include <utility>

#include <sys/socket.h>

#include "utf8.hpp"

Member::Member(net::Socket socket, std::string address, std::size_t max_queue, List& to_write, Speaks speaks)
    : speaks(speaks), address_(std::move(address)), socket_(std::move(socket)), queue_(max_queue),
      to_write_(to_write) {}

void Member::list_for_writing() {
    if (listed) return;
    listed = true;
    to_write_.push_back(shared_from_this());
}

bool Member::deliver(std::string_view bytes) {
    if (finishing_ || aborted_) return true;  // out of the room: nothing more for it
    if (speaks == Speaks::websocket) {
        // The room's lines end in '\n' (one per call): each is one text
        // message without it. A browser takes only UTF-8, and a chat client
        // on the plain port may send any bytes: whatever is not UTF-8
        // becomes U+FFFD here, rather than closing every browser (1007).
        std::string messages;
        while (!bytes.empty()) {
            const auto end = bytes.find('\n');
            messages += ws::frame(ws::Opcode::text, utf8::repaired(bytes.substr(0, end)));
            bytes = end == std::string_view::npos ? std::string_view() : bytes.substr(end + 1);
        }
        return send(messages);
    }
    return send(bytes);
}

bool Member::send(std::string_view bytes) {
    if (!queue_.append(bytes)) return false;  // past --max-queue: the room drops it
    list_for_writing();
    return true;
}

void Member::close_with(std::string_view close) {
    if (closed_) return;
    closed_ = true;
    send(close);  // (past --max-queue it is not queued: the connection then just ends)
}

void Member::finish() {
    // A browser is told it is over with a close frame, unless one was
    // decided already (the answer to its own close, or a Failure's).
    if (speaks == Speaks::websocket) close_with(ws::close_frame(close_code_));
    finishing_ = true;
    list_for_writing();  // the loop writes what is left, then closes
}

void Member::abort() {
    aborted_ = true;
    list_for_writing();  // the loop closes it, whatever is queued
}

Member::Written Member::write_some() {
    while (!queue_.empty()) {
        const std::string_view pending = queue_.pending();
        // MSG_NOSIGNAL: writing to a client that has gone is an error to
        // handle (EPIPE), not a signal that kills the server.
        const ssize_t sent = ::send(socket_.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (sent >= 0) {
            queue_.consume(static_cast<std::size_t>(sent));  // maybe only part: the rest stays, in order
            continue;
        }
        if (errno == EINTR) continue;  // a signal came in: nothing was written, try again
        if (errno == EAGAIN || errno == EWOULDBLOCK) return Written::would_block;
        return Written::failed;
    }
    return Written::all;
}
