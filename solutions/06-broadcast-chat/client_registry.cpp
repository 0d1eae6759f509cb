// BEGIN SOLUTION ONLY
// INSTEAD
//| // Your part of lab 06, with member.hpp and chat_server.cpp (see README.md):
//| // the notices in add() and remove(), and relay(). client_registry.hpp says
//| // what each must guarantee; add private members or functions there as you
//| // need. Every function here is called by several threads at once.
//|
// END SOLUTION ONLY
#include "client_registry.hpp"

#include <algorithm>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"

// BEGIN SOLUTION ONLY
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

// END SOLUTION ONLY
std::shared_ptr<Member> ClientRegistry::add(net::Connection connection) {
    // BEGIN YOURS: change this function as you need
    // The newcomer is listed before anyone hears of it: whoever reads
    // "* ADDR joined" and answers at once is heard by the newcomer.
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
    // INSTEAD
    //| std::shared_ptr<Member> member;
    //| {
    //|     const std::lock_guard lock(mutex_);
    //|     member = std::make_shared<Member>(next_id_++, std::move(connection));
    //|     members_.push_back(member);
    //| }
    //| return member;
    // END YOURS
}

void ClientRegistry::remove(const Member& leaving) {
    // BEGIN YOURS: change this function as you need
    // Taking it off the list and copying the rest happen under one lock:
    // nobody who is told it left can be sent anything from it afterwards.
    Members still_here;
    {
        const std::lock_guard lock(mutex_);
        std::erase_if(members_, [&](const auto& member) { return member->id() == leaving.id(); });
        still_here = members_;
    }
    send_to_each(still_here, "* " + leaving.address() + " left\n");
    // INSTEAD
    //| const std::lock_guard lock(mutex_);
    //| std::erase_if(members_, [&](const auto& member) { return member->id() == leaving.id(); });
    // END YOURS
}

void ClientRegistry::relay(const Member& sender, const std::string& line) {
    // BEGIN YOURS
    send_to_each(everyone_but(sender), sender.address() + " says: " + line + "\n");
    // INSTEAD
    //| (void)sender;
    //| (void)line;
    // END YOURS
}

std::string ClientRegistry::who() const {
    const std::lock_guard lock(mutex_);
    std::string answer = "* online:";
    for (const std::shared_ptr<Member>& member : members_) answer += " " + member->address();
    return answer;
}
// BEGIN SOLUTION ONLY

Members ClientRegistry::everyone_but(const Member& sender) const {
    const std::lock_guard lock(mutex_);
    Members others;
    for (const std::shared_ptr<Member>& member : members_)
        if (member->id() != sender.id()) others.push_back(member);
    return others;
}
// END SOLUTION ONLY
