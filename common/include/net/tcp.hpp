#pragma once
// TCP in a few calls: listen, accept, connect, send everything, receive some.
// Each call throws std::system_error naming the call and the address; none of
// them can kill the program with SIGPIPE.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "net/address.hpp"
#include "net/socket.hpp"

namespace net {

// A connected socket and the address of the program at its other end.
struct Connection {
    Socket socket;
    Address peer;
};

// A socket listening on host:port (IPv4 or IPv6; port 0 lets the system
// choose a free port). SO_REUSEADDR is set, so a restarted server can listen
// again at once instead of waiting for old connections in TIME_WAIT.
Socket listen_on(const std::string& host, std::uint16_t port, int backlog = 128);

// Waits for the next client and returns its connection. Errors a client
// can cause (it gave up, or the server is out of descriptors because many
// clients are connected) are waited out, not thrown: a server must not die
// of what its clients do.
Connection accept_client(const Socket& listener);

// Connects to a server.
Connection connect_to(const std::string& host, std::uint16_t port);

// Sends every byte. send() may take only part of what it is given; this
// loops until all of it is gone (CS:APP's rio_writen).
void send_all(const Connection& connection, std::string_view bytes);

// Receives whatever has arrived, at most buffer.size() bytes, waiting until
// something does. Returns 0 once the peer has closed its side and every byte
// it sent has been received. TCP is a stream: the bytes of one send() at the
// other end may arrive in pieces, or together with the next send()'s.
std::size_t receive_some(const Connection& connection, std::span<char> buffer);

// Half-close: "I will send nothing more." The peer's receive returns 0, and
// it can still send to us.
void shutdown_sending(const Connection& connection);

// Turns off Nagle's algorithm, which holds back small writes for up to one
// round trip in the hope of merging them: right for bulk data, wrong for chat.
void set_no_delay(const Socket& socket);

}  // namespace net
