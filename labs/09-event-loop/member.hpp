#pragma once
// Member: one client of the chat room, as the protocol sees it: who it is,
// the bytes it sent that are not yet whole lines, and the bytes waiting to
// go out to it. No socket, no thread, no system call: the event loop reads
// and writes, the room decides.

#include <cstdint>
#include <string>
#include <utility>

#include "net/line_buffer.hpp"
#include "output_queue.hpp"

inline constexpr std::size_t max_line_length = 4096;

struct Member {
    Member(std::uint64_t id, std::string peer) : id(id), address(std::move(peer)), name(address) {}

    const std::uint64_t id;
    const std::string address;  // "127.0.0.1:51234", as the server sees it
    std::string name;           // its address until /nick
    net::LineBuffer input{max_line_length};
    OutputQueue output;         // accepted for it, not yet written to its socket

    // Bookkeeping for the room and the loop.
    bool in_room = false;     // joined and not yet left: listed, hears the others
    bool queued = false;      // on the room's list of members with output to write
    bool overflowed = false;  // its output went past --max-queue: to be dropped
};
