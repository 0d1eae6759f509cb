// Lab 06 — chat-server: the concurrent broadcast chat server. Every line a
// client sends goes to every other client.
//
// BEGIN SOLUTION ONLY
// Lab 05's server with one change of direction: a line no longer goes back
// to its sender, it goes to everyone else. That one change is the lesson,
// because now a thread writes to sockets it does not own:
//
//   main thread (accept loop)              one thread per client
//   ------------------------------         ----------------------------------
//   accept a client                        read its lines (net::LineReader)
//   registry.add: list it, and tell        "/who" -> answer the asker alone
//     everyone already here                other  -> relay to every other client
//   start the client's thread              gone   -> registry.remove: the others
//                                                    hear "* ADDR left"; close
//
// Three things are shared between threads, and each has its rule:
//   - the list of clients (client_registry.hpp): every use takes the
//     registry's mutex, held only long enough to change or copy the list;
//   - each client's socket (member.hpp): many threads may write to it, so the
//     writes take turns on that client's own write mutex, one whole line
//     at a time; its own thread alone reads from it;
//   - each Member itself: a std::shared_ptr, so that a client that leaves
//     while another thread is relaying a line to it is not freed under
//     that thread's feet.
//
// Slow clients (one that stops reading) are not handled here: a thread
// relaying to one waits until it reads again. Lab 08 is about them.
// INSTEAD
//| // Already done for you (it is lab 05's server): the command line, the
//| // accept loop, one thread per client (net::ClientThreads, lab 04's, now in
//| // common/), lines read with net::LineReader, and the registry of clients
//| // with its mutex and its answer to /who. Your parts are marked YOUR CODE,
//| // in four files:
//| //   1. member.hpp, Member: a client the other threads can write to, one
//| //      line at a time;
//| //   2. client_registry.cpp (and .hpp, as you need), ClientRegistry: the
//| //      join and leave notices, and relaying a line;
//| //   3. below, relay_lines: what to do with each line.
//| // Grade it with:   ./lab test 06
// END SOLUTION ONLY

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "client_registry.hpp"
#include "member.hpp"
#include "net/client_threads.hpp"
#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// The lines of one client, until it leaves. "/who", exactly, is answered to
// the asker alone (given); empty lines are ignored; every other line goes to
// everyone else, whole, in the order this client sent them.
void relay_lines(ClientRegistry& registry, Member& member) {
    net::LineReader reader(member.connection());
    while (const std::optional<std::string> line = reader.read_line()) {
        if (*line == "/who") {
            member.send(registry.who() + "\n");
            continue;
        }
        // BEGIN YOURS
        // One thread reads this client (this one), so its lines go out in
        // the order it sent them, each whole.
        if (line->empty()) continue;
        registry.relay(member, *line);
        // END YOURS
    }
    // read_line() returned nothing: the client closed its side, after its
    // last line (even one without '\n') was relayed.
}

// The body of a client's thread. However the conversation ends (the client
// closes its side, resets, or something fails), the others hear that it
// left, and then its connection is closed.
void serve_client(ClientRegistry& registry, std::shared_ptr<Member> member) {
    try {
        relay_lines(registry, *member);
    } catch (const std::system_error& error) {
        // A reset is a client leaving without a goodbye; a line it had only
        // half sent goes nowhere. Anything else: say so.
        if (!net::is_disconnect(error)) std::cerr << "chat-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        // For instance net::LineTooLong: a line over 1 MiB without '\n'.
        std::cerr << "chat-server: " << member->address() << ": " << error.what() << std::endl;
    }
    registry.remove(*member);
    member->close();
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-server");
    const net::Socket listener = net::listen_or_exit(options, "chat-server");

    // Declared in this order, so destroyed in the other: the threads are
    // joined before the registry they use goes away.
    ClientRegistry registry;
    net::ClientThreads threads;
    try {
        while (true) {
            std::shared_ptr<Member> member = registry.add(net::accept_client(listener));
            threads.join_finished();
            threads.start(serve_client, std::ref(registry), std::move(member));
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed.
        // Returning destroys `threads`, which joins every thread: the
        // clients still connected are served until they leave.
        std::cerr << "chat-server: " << error.what() << std::endl;
        return 1;
    }
}
