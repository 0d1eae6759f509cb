#pragma once
// ChatRoom: the lab 08 protocol, with nobody driving it. It is told that a
// member joined, sent a line, or left, and answers by appending lines to
// members' output queues. It never reads or writes a socket and never
// waits, so an event loop can drive it from one thread.
//
//   join      "* NAME joined" to the others
//   a line    "/who", "/nick NAME", "/quit", "! unknown command: LINE",
//             or "NAME says: TEXT" to the others (control bytes removed)
//   leave     "* NAME left" to the others
//
// A member whose queue would go past max_queue bytes is not sent more: it
// is marked `overflowed` and listed for the loop, which drops it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "member.hpp"

class ChatRoom {
public:
    explicit ChatRoom(std::size_t max_queue) : max_queue_(max_queue) {}

    std::size_t size() const { return members_.size(); }

    void join(Member& member);
    void leave(Member& member);

    enum class Verdict { stay, quit };
    Verdict handle_line(Member& from, std::string_view line);

    // One line to everyone in the room (the shutdown notice).
    void tell_everyone(std::string_view line);
    // One line to one member (errors, the answer to /who).
    void tell(Member& member, std::string_view line);

    // Ids of members with something new in their queue, and of members
    // that overflowed, since the last call: the loop writes the first and
    // drops the second. Ids, not pointers: a member may be gone by then.
    std::vector<std::uint64_t> take_queued();
    std::vector<std::uint64_t> take_overflowed();

private:
    void tell_others(const Member& sender, std::string_view line);
    void rename(Member& member, std::string_view name);
    std::string who() const;

    std::size_t max_queue_;
    std::vector<Member*> members_;  // in the order they joined
    std::vector<std::uint64_t> queued_;
    std::vector<std::uint64_t> overflowed_;
};
