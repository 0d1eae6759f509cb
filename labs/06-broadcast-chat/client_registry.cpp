// Lab 06 starter: read README.md first (en español: README.es.md).
// Your part of lab 06, with member.hpp and chat_server.cpp (see README.md):
// the notices in add() and remove(), and relay(). client_registry.hpp says
// what each must guarantee; add private members or functions there as you
// need. Every function here is called by several threads at once.

#include "client_registry.hpp"

#include <algorithm>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"

std::shared_ptr<Member> ClientRegistry::add(net::Connection connection) {
    // ===== YOUR CODE (lab 06): change this function as you need ===========
    std::shared_ptr<Member> member;
    {
        const std::lock_guard lock(mutex_);
        member = std::make_shared<Member>(next_id_++, std::move(connection));
        members_.push_back(member);
    }
    return member;
    // ===== END OF YOUR CODE ===============================================
}

void ClientRegistry::remove(const Member& leaving) {
    // ===== YOUR CODE (lab 06): change this function as you need ===========
    const std::lock_guard lock(mutex_);
    std::erase_if(members_, [&](const auto& member) { return member->id() == leaving.id(); });
    // ===== END OF YOUR CODE ===============================================
}

void ClientRegistry::relay(const Member& sender, const std::string& line) {
    // ===== YOUR CODE (lab 06) =============================================
    (void)sender;
    (void)line;
    // ===== END OF YOUR CODE ===============================================
}

std::string ClientRegistry::who() const {
    const std::lock_guard lock(mutex_);
    std::string answer = "* online:";
    for (const std::shared_ptr<Member>& member : members_) answer += " " + member->address();
    return answer;
}
