#include "client_registry.hpp"

#include <algorithm>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"

namespace {

// Sends the line to each member. One that fails has gone (a reset): its own
// thread will see that and leave, with its notice. We skip it and go on:
// one dead client must never keep the line from the others.
void send_to_each(const Members& members, const std::string& line) {
    for (const std::shared_ptr<Member>& member : members) {
        try {
            member->send(line);
        } catch (const std::system_error& error) {
            if (!net::is_disconnect(error)) std::cerr << "chat-server: " << error.what() << std::endl;
        }
    }
}

}  // namespace

std::shared_ptr<Member> ClientRegistry::add(net::Connection connection) {
    Members already_here;
    std::shared_ptr<Member> member;
    {
        const std::lock_guard lock(mutex_);
        member = std::make_shared<Member>(next_id_++, std::move(connection));
        already_here = members_;
        members_.push_back(member);
    }
    send_to_each(already_here, "* " + member->address() + " joined\n");
    return member;
}

void ClientRegistry::remove(const Member& leaving) {
    Members still_here;
    {
        const std::lock_guard lock(mutex_);
        std::erase_if(members_, [&](const auto& member) { return member->id() == leaving.id(); });
        still_here = members_;
    }
    send_to_each(still_here, "* " + leaving.address() + " left\n");
}

void ClientRegistry::relay(const Member& sender, const std::string& line) {
    send_to_each(everyone_but(sender), sender.address() + " says: " + line + "\n");
}

std::string ClientRegistry::who() const {
    const std::lock_guard lock(mutex_);
    std::string answer = "* online:";
    for (const std::shared_ptr<Member>& member : members_) answer += " " + member->address();
    return answer;
}

Members ClientRegistry::everyone_but(const Member& sender) const {
    const std::lock_guard lock(mutex_);
    Members others;
    for (const std::shared_ptr<Member>& member : members_)
        if (member->id() != sender.id()) others.push_back(member);
    return others;
}
