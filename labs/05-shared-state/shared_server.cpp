// Lab 05 — shared-server: lab 04's threaded line server, with state that
// every client's thread shares: one line count for the whole server, and a
// registry of connected clients that answers "/who". Read README.md first.
//
// Already done for you: everything of lab 04 (its ClientThreads is now in
// common/, as net::ClientThreads), and the calls that keep the registry up
// to date: main adds each client as it is accepted, serve_client removes it
// when it leaves. Your part is marked YOUR CODE, here and in client_registry.cpp.
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

// What every client's thread shares. main owns the one instance, and hands
// each thread a reference to it (std::ref).
struct SharedState {
    // ===== YOUR CODE (lab 05) =============================================
    // The count of lines numbered so far, over the whole server. Every
    // client's thread increments it at the same time as the others: a
    // plain integer loses counts (see README.md). Use a std::atomic, or a
    // std::mutex that guards a plain integer.
    // ===== END OF YOUR CODE ===============================================

    ClientRegistry registry;
};

// Answers each line as "N: LINE", and the exact line "/who" with the list
// of connected clients.
void answer_every_line(const net::Connection& client, SharedState& shared) {
    net::LineReader lines(client);
    // ===== YOUR CODE (lab 05) =============================================
    // As given, this is lab 04's: each connection counts its own lines.
    // Number them over the whole server instead, with the counter in
    // SharedState. Answer the line "/who", exactly that line, with
    // shared.registry.who() and a '\n', and do not number it.
    (void)shared;
    unsigned long long count = 0;
    while (const std::optional<std::string> line = lines.read_line()) {
        ++count;
        net::send_all(client, std::to_string(count) + ": " + *line + "\n");
    }
    // ===== END OF YOUR CODE ===============================================
}

// The body of a client's thread. No `return` in the handlers (lab 04 had
// one for a disconnect): the removal below must happen however the
// conversation ended.
void serve_client(SharedState& shared, ClientRegistry::Id id, net::Connection client) {
    try {
        answer_every_line(client, shared);
    } catch (const std::system_error& error) {
        if (!net::is_disconnect(error)) std::cerr << "shared-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "shared-server: " << client.peer.to_string() << ": " << error.what() << std::endl;
    }
    // Off the list first; the connection closes when `client` is destroyed,
    // on return.
    shared.registry.remove(id);
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
            // thread starts: in the order accept() returns clients, which
            // is the order they connected.
            const ClientRegistry::Id id = shared.registry.add(client.peer.to_string());
            threads.join_finished();
            // std::ref: every thread gets a reference to the one `shared`.
            threads.start(serve_client, std::ref(shared), id, std::move(client));
        }
    } catch (const std::system_error& error) {
        std::cerr << "shared-server: " << error.what() << std::endl;
        return 1;
    }
}
