#pragma once
// Member: one connected client, as every thread sees it. New in lab 06: in
// lab 05 a client's socket belonged to its own thread alone; now any thread
// may write to it (to relay a line). Your part is marked YOUR CODE below.

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
    // time, also while another thread is sending to the same client.
    void send(std::string_view line) {
        // ===== YOUR CODE (lab 06) =========================================
        // - net::send_all sends every byte (it may need several send()s);
        // - two threads must never write to this client at the same time:
        //   their bytes could mix. Take turns on a mutex of this Member.
        // - once close() has run, send nothing (the socket is closed: its
        //   number may already belong to another client).
        // send_all throws std::system_error when the client has gone: let
        // it propagate, the caller decides.
        (void)line;
        // ===== END OF YOUR CODE ===========================================
    }

    // Closes the connection: called by the client's own thread, once the
    // others have been told it left.
    void close() {
        // ===== YOUR CODE (lab 06) =========================================
        // Close the socket (connection_.socket.close()), so that no other
        // thread is in the middle of a send to it.
        // ===== END OF YOUR CODE ===========================================
    }

private:
    const std::uint64_t id_;
    const std::string address_;
    // ===== YOUR CODE (lab 06): what else a Member needs ===================
    // ===== END OF YOUR CODE ===============================================
    net::Connection connection_;
};
