#include "client_registry.hpp"

#include <algorithm>
#include <utility>

ClientRegistry::Id ClientRegistry::add(std::string address) {
    // std::lock_guard locks in its constructor and unlocks in its
    // destructor: however this function returns (or throws), the mutex is
    // released. Never call mutex_.lock() and unlock() by hand.
    const std::lock_guard lock(mutex_);
    const Id id = next_id_++;
    entries_.push_back({id, std::move(address)});
    return id;
}

void ClientRegistry::remove(Id id) {
    const std::lock_guard lock(mutex_);
    // erase, not swap-with-last: the others keep their connection order.
    std::erase_if(entries_, [id](const Entry& entry) { return entry.id == id; });
}

std::string ClientRegistry::who() const {
    // Building the answer under the lock copies a few short strings: quick.
    // Sending it is the caller's business, after the lock is released.
    const std::lock_guard lock(mutex_);
    std::string answer = "* online:";
    for (const Entry& entry : entries_) answer += " " + entry.address;
    return answer;
}
