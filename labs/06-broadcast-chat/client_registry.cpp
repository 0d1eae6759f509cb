#include "client_registry.hpp"

#include <algorithm>
#include <iostream>
#include <system_error>
#include <utility>

#include "net/errors.hpp"

std::shared_ptr<Member> ClientRegistry::add(net::Connection connection) {
    // ===== YOUR CODE (lab 06): change this function as you need =======
    // Everyone who was already here gets "* ADDR joined"; the newcomer
    // gets nothing. Who "was already here" is decided under the same
    // lock as the change to the list; the sending happens after.
    std::shared_ptr<Member> member;
    {
        const std::lock_guard lock(mutex_);
        member = std::make_shared<Member>(next_id_++, std::move(connection));
        members_.push_back(member);
    }
    return member;
    // ===== END OF YOUR CODE ===========================================
}

void ClientRegistry::remove(const Member& leaving) {
    // ===== YOUR CODE (lab 06): change this function as you need =======
    // Everyone still here gets "* ADDR left".
    const std::lock_guard lock(mutex_);
    std::erase_if(members_, [&](const auto& member) { return member->id() == leaving.id(); });
    // ===== END OF YOUR CODE ===========================================
}

void ClientRegistry::relay(const Member& sender, const std::string& line) {
    // ===== YOUR CODE (lab 06) =========================================
    // Think about what you do while holding mutex_: a send can wait for
    // a slow reader, and every other thread needs the list meanwhile.
    // A client that has gone makes its send throw: the others must
    // still get the line.
    (void)sender;
    (void)line;
    // ===== END OF YOUR CODE ===========================================
}

std::string ClientRegistry::who() const {
    const std::lock_guard lock(mutex_);
    std::string answer = "* online:";
    for (const std::shared_ptr<Member>& member : members_) answer += " " + member->address();
    return answer;
}
