#pragma once
// ClientRegistry: who is connected, in the order they connected (lab 05),
// now holding each client's Member, so that it can tell everyone when a
// client joins or leaves, and relay a client's lines to all the others.
//
// The mutex guards the list and is held only to change it or copy it,
// never while sending: a send can wait (for a client that is slow to read),
// and every other thread, the accept loop included, needs the list
// meanwhile. A copy of the list is a vector of shared_ptr, cheap to make,
// and each Member in it stays alive as long as the copy does.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "member.hpp"
#include "net/tcp.hpp"

using Members = std::vector<std::shared_ptr<Member>>;

class ClientRegistry {
public:
    // Lists a newly accepted client and tells everyone already here. Only
    // the accept loop calls it, one client after another, so the list is
    // in connection order and everyone hears of arrivals in that order.
    // The newcomer is listed before anyone hears of it: whoever reads
    // "* ADDR joined" and answers at once is heard by the newcomer.
    std::shared_ptr<Member> add(net::Connection connection);

    // Unlists a client and tells everyone still here. Taking it off the
    // list and copying the rest happen under one lock: nobody who is told
    // it left can be sent anything from it afterwards.
    void remove(const Member& leaving);

    // "ADDR says: LINE" to everyone but the sender.
    void relay(const Member& sender, const std::string& line);

    // "* online: ADDR ADDR ...": everyone connected now, in the order they
    // connected (without the '\n').
    std::string who() const;

private:
    Members everyone_but(const Member& sender) const;

    mutable std::mutex mutex_;  // guards members_ and next_id_
    Members members_;           // in connection order
    std::uint64_t next_id_ = 1;
};
