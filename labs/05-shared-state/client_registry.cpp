// Lab 05 starter: read README.md first (en español: README.es.md).
// Your part of lab 05, with shared_server.cpp (see README.md): the bodies of
// ClientRegistry's three functions, and in client_registry.hpp what the
// registry keeps. Every function here is called by several threads at once.

#include "client_registry.hpp"

#include <algorithm>
#include <utility>

ClientRegistry::Id ClientRegistry::add(std::string address) {
    // ===== YOUR CODE (lab 05) =============================================
    (void)address;
    return 0;
    // ===== END OF YOUR CODE ===============================================
}

void ClientRegistry::remove(Id id) {
    // ===== YOUR CODE (lab 05) =============================================
    (void)id;
    // ===== END OF YOUR CODE ===============================================
}

std::string ClientRegistry::who() const {
    // ===== YOUR CODE (lab 05) =============================================
    return "* online:";
    // ===== END OF YOUR CODE ===============================================
}
