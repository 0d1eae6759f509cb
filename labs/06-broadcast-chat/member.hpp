// Lab 06 starter: read README.md first (en español: README.es.md).
#pragma once
// Member: one connected client, as every thread sees it. New in lab 06: in
// lab 05 a client's socket belonged to its own thread alone; now any thread
// may write to it (to relay a line).
// Your part is marked YOUR CODE below.

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
        // ===== YOUR CODE (lab 06) =========================================
        (void)line;
        // ===== END OF YOUR CODE ===========================================
    }

    // Closes the connection: called by the client's own thread, once the
    // others have been told it left. Once it returns, no thread is in the
    // middle of a send to this client, and none will start one.
    void close() {
        // ===== YOUR CODE (lab 06) =========================================
        // ===== END OF YOUR CODE ===========================================
    }

private:
    const std::uint64_t id_;
    const std::string address_;
    // ===== YOUR CODE (lab 06): what else a Member needs ===================
    // ===== END OF YOUR CODE ===============================================
    net::Connection connection_;
};
