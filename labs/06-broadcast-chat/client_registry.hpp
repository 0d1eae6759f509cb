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
    // Lists a newly accepted client. Only the accept loop calls it, one
    // client after another, so the list is in connection order.
    std::shared_ptr<Member> add(net::Connection connection);

    // Unlists a client that has left.
    void remove(const Member& leaving);

    // Sends "ADDR says: LINE" to everyone but the sender.
    void relay(const Member& sender, const std::string& line);

    // "* online: ADDR ADDR ...": everyone connected now, in the order they
    // connected (without the '\n').
    std::string who() const;

private:
    mutable std::mutex mutex_;  // guards members_ and next_id_
    Members members_;           // in connection order
    std::uint64_t next_id_ = 1;
};
