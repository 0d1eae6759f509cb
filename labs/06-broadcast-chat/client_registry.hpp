// Lab 06 starter: read README.md first (en español: README.es.md).
#pragma once
// ClientRegistry: who is connected, in the order they connected (lab 05),
// now holding each client's Member, so that it can tell everyone when a
// client joins or leaves, and relay a client's lines to all the others.
// Your part is in client_registry.cpp; add private members or functions
// here as you need.

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
    // Lists a newly accepted client and tells everyone already here
    // "* ADDR joined"; the newcomer gets nothing. Only the accept loop calls
    // it, one client after another, so the list is in connection order and
    // everyone hears of arrivals in that order. The newcomer is listed
    // before anyone hears of it.
    std::shared_ptr<Member> add(net::Connection connection);

    // Unlists a client that has left and tells everyone still here
    // "* ADDR left". Nobody who is told it left is sent anything from it
    // afterwards, and nobody is told twice.
    void remove(const Member& leaving);

    // Sends "ADDR says: LINE" to everyone but the sender. A receiver that
    // has gone never keeps the line from the others, and a receiver that is
    // slow to read never holds up the other threads' use of the list.
    void relay(const Member& sender, const std::string& line);

    // "* online: ADDR ADDR ...": everyone connected now, in the order they
    // connected (without the '\n').
    std::string who() const;

private:
    mutable std::mutex mutex_;  // guards members_ and next_id_
    Members members_;           // in connection order
    std::uint64_t next_id_ = 1;
};
