#pragma once
// Member: one connected client, as every thread sees it. New in lab 06: in
// lab 05 a client's socket belonged to its own thread alone; now any thread
// may write to it (to relay a line).
// BEGIN SOLUTION ONLY
// So writing takes turns.
// INSTEAD
//| // Your part is marked YOUR CODE below.
// END SOLUTION ONLY

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "net/tcp.hpp"

// One connected client, as every thread sees it. Its own thread reads from
// its connection; any thread may write to it.
class Member {
public:
    Member(std::uint64_t id, net::Connection connection)
        : id_(id), address_(connection.peer.to_string()), connection_(std::move(connection)) {}

    std::uint64_t id() const { return id_; }
    const std::string& address() const { return address_; }  // "127.0.0.1:51234"

    // For this client's own thread, which alone reads from it.
    const net::Connection& connection() const { return connection_; }

    // Sends one whole line to this client. Any thread may call it, at any
    // time, also while other threads send to the same client: their lines
    // never mix. After close(), it sends nothing. Throws std::system_error
    // when the client has gone (the caller decides what that means).
    void send(std::string_view line) {
        // BEGIN YOURS
        // Writes take turns: send_all may need several send() calls for one
        // line, and without the lock another thread's line could land
        // between two of them, mixing "alice says: hello" and "bob says: hi"
        // into one garbled line.
        const std::lock_guard lock(write_mutex_);
        if (!connection_.socket.is_open()) return;  // it has left: nobody to tell
        net::send_all(connection_, line);
        // INSTEAD
        //| (void)line;
        // END YOURS
    }

    // Closes the connection: called by the client's own thread, once the
    // others have been told it left. Once it returns, no thread is in the
    // middle of a send to this client, and none will start one.
    void close() {
        // BEGIN YOURS
        // Under the write lock: no other thread is then in the middle of a
        // send() to this descriptor, and none will start one (send() sees
        // the socket closed). Without the lock, a thread could write to the
        // number after close() freed it, when accept() may already have
        // given that number to a new client.
        const std::lock_guard lock(write_mutex_);
        connection_.socket.close();
        // END YOURS
    }

private:
    const std::uint64_t id_;
    const std::string address_;
    // BEGIN YOURS: what else a Member needs
    std::mutex write_mutex_;  // guards writing to, and closing, connection_
    // END YOURS
    net::Connection connection_;
};
