// Lab 05 — shared-server: lab 04's threaded line server, with state that
// every client's thread shares: one line count for the whole server, and a
// registry of connected clients that answers "/who".
//
// BEGIN SOLUTION ONLY
// Two things are shared, and they are the lesson:
//   1. a counter that numbers every line across the whole server: the
//      numbers handed out are exactly 1, 2, 3, ..., with no gap and no
//      repeat, however many clients send at once;
//   2. a registry of connected clients, in the order they connected, which
//      answers "/who" with "* online: ADDR ADDR ...".
//
// A variable that two threads use at the same time, one of them writing,
// is a data race: the program's behaviour is undefined, and in practice
// counts get lost. Each shared thing here has its cure:
//   - the counter is a std::atomic: ++ is one indivisible step;
//   - the registry keeps its list behind a std::mutex (client_registry.hpp).
// Everything else stays private to one thread, as in lab 04: each client's
// socket, LineReader and so on.
//
// Built with ThreadSanitizer (./lab test 05 --tsan), the program stops
// with a report at the first data race it meets; this one has none.
// INSTEAD
//| // Already done for you: everything of lab 04 (its ClientThreads is now in
//| // common/, as net::ClientThreads), and main, which lists each client in the
//| // registry as it is accepted. Your part is marked YOUR CODE, here and in
//| // client_registry.hpp and client_registry.cpp.
//| // Grade it with:   ./lab test 05        and then:   ./lab test 05 --tsan
// END SOLUTION ONLY

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
    // BEGIN YOURS
    // How many lines have been numbered, over all clients. A plain
    // std::uint64_t would lose counts: `++count` is three steps (read, add
    // one, write back), and two threads can both read 41 and both write 42.
    // On a std::atomic, ++ is one indivisible step (a single locked
    // instruction on x86): no two threads ever get the same number.
    std::atomic<std::uint64_t> lines_numbered = 0;
    // INSTEAD
    //| // The count of lines numbered so far, over the whole server, which
    //| // every client's thread changes at the same time as the others.
    // END YOURS

    ClientRegistry registry;
};

// Answers each line as "N: LINE", N counted over the whole server (every
// number handed out once, none skipped), and the exact line "/who" with
// the list of connected clients, without using up a number.
void answer_every_line(const net::Connection& client, SharedState& shared) {
    net::LineReader lines(client);
    // BEGIN YOURS
    while (const std::optional<std::string> line = lines.read_line()) {
        // Only the exact whole line is the command: "/who " or " /who" are
        // ordinary lines. (LineReader has already dropped a "\r" before the
        // "\n", so telnet's "/who\r\n" is the command too.)
        if (*line == "/who") {
            net::send_all(client, shared.registry.who() + "\n");
            continue;
        }
        // Take the number first, into a local: the answer is then built
        // and sent without touching anything shared. Sending can wait on a
        // slow client; nobody waits for that here, since no lock is held.
        const std::uint64_t number = ++shared.lines_numbered;
        net::send_all(client, std::to_string(number) + ": " + *line + "\n");
    }
    // INSTEAD
    //| // As given, lab 04's: each connection counts its own lines.
    //| (void)shared;
    //| unsigned long long count = 0;
    //| while (const std::optional<std::string> line = lines.read_line()) {
    //|     ++count;
    //|     net::send_all(client, std::to_string(count) + ": " + *line + "\n");
    //| }
    // END YOURS
}

// The body of a client's thread: lab 04's. New: however the conversation
// ends (end of stream, reset, any error), the client leaves the registry
// (`id` names its entry), and before its connection is closed: whoever has
// seen the connection close must not find it in "/who" any more.
void serve_client(SharedState& shared, ClientRegistry::Id id, net::Connection client) {
    // BEGIN YOURS
    // No `return` in the handlers now, as lab 04 had for a disconnect: it
    // would skip the removal below, and a client that reset its connection
    // would stay listed forever.
    try {
        answer_every_line(client, shared);
    } catch (const std::system_error& error) {
        if (!net::is_disconnect(error)) std::cerr << "shared-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "shared-server: " << client.peer.to_string() << ": " << error.what() << std::endl;
    }
    // Off the list first, and only then (when `client` is destroyed, on
    // return) is the connection closed: anyone who has seen it closed will
    // not find it in "/who" any more.
    shared.registry.remove(id);
    // INSTEAD
    //| (void)id;
    //| try {
    //|     answer_every_line(client, shared);
    //| } catch (const std::system_error& error) {
    //|     if (net::is_disconnect(error)) return;
    //|     std::cerr << "shared-server: " << error.what() << std::endl;
    //| } catch (const std::exception& error) {
    //|     std::cerr << "shared-server: " << client.peer.to_string() << ": " << error.what() << std::endl;
    //| }
    // END YOURS
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
            // BEGIN SOLUTION ONLY
            // std::ref: start() moves or copies its arguments into the new
            // thread, as std::jthread does. `shared` cannot be copied (a
            // mutex and an atomic cannot), and must not be: each thread
            // would count on its own. std::ref passes a reference instead,
            // and every thread shares the one in main.
            // INSTEAD
            //| // std::ref: every thread gets a reference to the one `shared`.
            // END SOLUTION ONLY
            threads.start(serve_client, std::ref(shared), id, std::move(client));
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed.
        std::cerr << "shared-server: " << error.what() << std::endl;
        return 1;
    }
}
