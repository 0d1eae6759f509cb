// Mistake: the registry's list has no mutex.
//
//     void add(std::string address) { entries_.push_back(...); }   // accept loop
//     std::string who() const { for (entry : entries_) ... }         // any client's thread
//
// The accept loop appends to the vector while a client's thread walks it
// for "/who", and another thread erases from it as its client leaves. A
// push_back that reallocates moves the elements while a reader is reading
// them. In a plain build this mostly works, and now and then crashes;
// built with ThreadSanitizer, the program stops with a report at once.
// The counter is right (a std::atomic): only the registry races.

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/client_threads.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

class UnguardedRegistry {
public:
    using Id = std::uint64_t;
    Id add(std::string address) {
        entries_.push_back({next_id_, std::move(address)});
        return next_id_++;
    }
    void remove(Id id) {
        std::erase_if(entries_, [id](const Entry& entry) { return entry.id == id; });
    }
    std::string who() const {
        std::string answer = "* online:";
        for (const Entry& entry : entries_) answer += " " + entry.address;
        return answer;
    }

private:
    struct Entry {
        Id id;
        std::string address;
    };
    std::vector<Entry> entries_;  // the mistake: no mutex guards it
    Id next_id_ = 1;
};

struct SharedState {
    std::atomic<std::uint64_t> lines_numbered = 0;
    UnguardedRegistry registry;
};

void answer_every_line(const net::Connection& client, SharedState& shared) {
    net::LineReader lines(client);
    while (const std::optional<std::string> line = lines.read_line()) {
        if (*line == "/who") {
            net::send_all(client, shared.registry.who() + "\n");
            continue;
        }
        net::send_all(client, std::to_string(++shared.lines_numbered) + ": " + *line + "\n");
    }
}

void serve_client(SharedState& shared, UnguardedRegistry::Id id, net::Connection client) {
    try {
        answer_every_line(client, shared);
    } catch (const std::exception& error) {
        std::cerr << "shared-server: " << error.what() << std::endl;
    }
    shared.registry.remove(id);
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "shared-server");
    const net::Socket listener = net::listen_or_exit(options, "shared-server");
    SharedState shared;
    net::ClientThreads threads;
    while (true) {
        net::Connection client = net::accept_client(listener);
        const UnguardedRegistry::Id id = shared.registry.add(client.peer.to_string());
        threads.join_finished();
        threads.start(serve_client, std::ref(shared), id, std::move(client));
    }
}
