// Mistake: the line counter is a plain integer, shared by every client's
// thread with no lock:
//
//     std::uint64_t lines_numbered = 0;
//     ...
//     const std::uint64_t number = ++shared.lines_numbered;   // a data race
//
// `++` is a read, an add and a write. Two threads can both read 41 and both
// write 42. In a plain build that takes real contention to show; built with
// ThreadSanitizer, the program stops with a report the first time two
// threads touch the counter without synchronisation.
// The rest is the reference solution (solutions/05-shared-state).

#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "client_registry.hpp"
#include "net/client_threads.hpp"
#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

struct SharedState {
    std::uint64_t lines_numbered = 0;  // the mistake: not a std::atomic, and no mutex
    ClientRegistry registry;
};

void answer_every_line(const net::Connection& client, SharedState& shared) {
    net::LineReader lines(client);
    while (const std::optional<std::string> line = lines.read_line()) {
        if (*line == "/who") {
            net::send_all(client, shared.registry.who() + "\n");
            continue;
        }
        const std::uint64_t number = ++shared.lines_numbered;
        net::send_all(client, std::to_string(number) + ": " + *line + "\n");
    }
}

void serve_client(SharedState& shared, ClientRegistry::Id id, net::Connection client) {
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
        const ClientRegistry::Id id = shared.registry.add(client.peer.to_string());
        threads.join_finished();
        threads.start(serve_client, std::ref(shared), id, std::move(client));
    }
}
