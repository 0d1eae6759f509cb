// Lab 05 starter: read README.md first (en español: README.es.md).
// Lab 05 — shared-server: lab 04's threaded line server, with state that
// every client's thread shares: one line count for the whole server, and a
// registry of connected clients that answers "/who".
//
// Already done for you: everything of lab 04 (its ClientThreads is now in
// common/, as net::ClientThreads), and main, which lists each client in the
// registry as it is accepted. Your part is marked YOUR CODE, here and in
// client_registry.hpp and client_registry.cpp.
// Grade it with:   ./lab test 05        and then:   ./lab test 05 --tsan

#include <atomic>
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

// What every client's thread shares. main owns the one instance and hands
// each thread a reference to it (std::ref), so the sharing is in plain
// sight, and main decides how long it lives: longer than the threads.
struct SharedState {
    // ===== YOUR CODE (lab 05) =============================================
    // The count of lines numbered so far, over the whole server, which
    // every client's thread changes at the same time as the others.
    // ===== END OF YOUR CODE ===============================================

    ClientRegistry registry;
};

// Answers each line as "N: LINE", N counted over the whole server (every
// number handed out once, none skipped), and the exact line "/who" with
// the list of connected clients, without using up a number.
void answer_every_line(const net::Connection& client, SharedState& shared) {
    net::LineReader lines(client);
    // ===== YOUR CODE (lab 05) =============================================
    // As given, lab 04's: each connection counts its own lines.
    (void)shared;
    unsigned long long count = 0;
    while (const std::optional<std::string> line = lines.read_line()) {
        ++count;
        net::send_all(client, std::to_string(count) + ": " + *line + "\n");
    }
    // ===== END OF YOUR CODE ===============================================
}

// The body of a client's thread: lab 04's. New: however the conversation
// ends (end of stream, reset, any error), the client leaves the registry
// (`id` names its entry), and before its connection is closed: whoever has
// seen the connection close must not find it in "/who" any more.
void serve_client(SharedState& shared, ClientRegistry::Id id, net::Connection client) {
    // ===== YOUR CODE (lab 05) =============================================
    (void)id;
    try {
        answer_every_line(client, shared);
    } catch (const std::system_error& error) {
        if (net::is_disconnect(error)) return;
        std::cerr << "shared-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "shared-server: " << client.peer.to_string() << ": " << error.what() << std::endl;
    }
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "shared-server");
    const net::Socket listener = net::listen_or_exit(options, "shared-server");

    // Declared in this order, so destroyed in the other: the threads are
    // joined before the state they share goes away.
    SharedState shared;
    net::ClientThreads threads;
    try {
        while (true) {
            net::Connection client = net::accept_client(listener);
            // Listed here, on the accept loop's thread, before the client's
            // thread starts. accept() returns clients in the order they
            // connected, so the list is in that order. Listed by its own
            // thread instead, bob's thread could run before alice's and
            // list him first; and a client could ask "/who" before an
            // earlier one was listed at all.
            const ClientRegistry::Id id = shared.registry.add(client.peer.to_string());
            threads.join_finished();
            // std::ref: every thread gets a reference to the one `shared`.
            threads.start(serve_client, std::ref(shared), id, std::move(client));
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed.
        std::cerr << "shared-server: " << error.what() << std::endl;
        return 1;
    }
}
