#pragma once
// Member: one connected client, as every thread sees it. New in lab 06: in
// lab 05 a client's socket belonged to its own thread alone; now any thread
// may write to it (to relay a line), so writing takes turns.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "net/tcp.hpp"

// One connected client, as every thread sees it: its number, its address,
// and the connection the others write to.
class Member {
public:
    Member(std::uint64_t id, net::Connection connection)
        : id_(id), address_(connection.peer.to_string()), connection_(std::move(connection)) {}

    std::uint64_t id() const { return id_; }
    const std::string& address() const { return address_; }  // "127.0.0.1:51234"

    // For this client's own thread, which alone reads from it.
    const net::Connection& connection() const { return connection_; }

    // Sends one whole line. Any thread may call it, so writes take turns:
    // send_all may need several send() calls for one line, and without the
    // lock another thread's line could land between two of them, mixing
    // "alice says: hello" and "bob says: hi" into one garbled line.
    // Throws std::system_error if the client has gone (a reset, say).
    void send(std::string_view line) {
        const std::lock_guard lock(write_mutex_);
        if (!connection_.socket.is_open()) return;  // it has left: nobody to tell
        net::send_all(connection_, line);
    }

    // Closes the connection, under the write lock: no other thread is then
    // in the middle of a send() to this descriptor, and none will start one
    // (send() sees the socket closed). Without the lock, a thread could
    // write to the number after close() freed it, when accept() may already
    // have given that number to a new client.
    void close() {
        const std::lock_guard lock(write_mutex_);
        connection_.socket.close();
    }

private:
    const std::uint64_t id_;
    const std::string address_;
    std::mutex write_mutex_;  // guards writing to, and closing, connection_
    net::Connection connection_;
};
