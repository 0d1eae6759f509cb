// Lab 05 starter: read README.md first (en español: README.es.md).
#pragma once
// ClientRegistry: who is connected, in the order they connected.
//
// Every client's thread reads the list (to answer "/who") and changes it
// (to leave), and the accept loop adds to it, all at the same time. A
// std::vector changed by one thread while another reads it can be caught
// half-way: its size updated but not its elements, its memory moved while
// the reader walks it. So every use of the list takes the mutex first, and
// holds it only as long as it takes to change or copy the list: never
// while sending to a client, which can take as long as the client likes.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

class ClientRegistry {
public:
    using Id = std::uint64_t;

    // Lists a client that has just connected, after those already here, and
    // returns an id that names its entry, unique for the life of the server
    // (an address alone would do today, but a port can be used again).
    Id add(std::string address);

    // Takes the client with this id off the list; the others keep their
    // order.
    void remove(Id id);

    // "* online: ADDR ADDR ...": everyone connected now, in the order they
    // connected (without the '\n').
    std::string who() const;

private:
    // ===== YOUR CODE (lab 05) =============================================
    // What the registry keeps, each thing guarded by mutex_. (`mutable`:
    // who() is const, and must lock too.)
    mutable std::mutex mutex_;
    // ===== END OF YOUR CODE ===============================================
};
