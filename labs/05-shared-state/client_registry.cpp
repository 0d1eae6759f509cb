// Your part of lab 05, with shared_server.cpp (see README.md): the bodies of
// ClientRegistry's three functions. client_registry.hpp declares them, and
// the members they work on: entries_, next_id_, and mutex_, which guards
// both. Every function here is called by several threads at once.

#include "client_registry.hpp"

#include <algorithm>
#include <utility>

ClientRegistry::Id ClientRegistry::add(std::string address) {
    // ===== YOUR CODE (lab 05) =============================================
    // Lock mutex_ with a std::lock_guard (it unlocks by itself when the
    // function returns), take the next id, append {id, address} to
    // entries_, and return the id.
    (void)address;
    return 0;
    // ===== END OF YOUR CODE ===============================================
}

void ClientRegistry::remove(Id id) {
    // ===== YOUR CODE (lab 05) =============================================
    // Under the lock, erase the entry with this id. The others must keep
    // their order: std::erase_if does.
    (void)id;
    // ===== END OF YOUR CODE ===============================================
}

std::string ClientRegistry::who() const {
    // ===== YOUR CODE (lab 05) =============================================
    // Under the lock: "* online:" followed by " ADDR" for each entry, in
    // order (no '\n': the caller adds it).
    return "* online:";
    // ===== END OF YOUR CODE ===============================================
}
