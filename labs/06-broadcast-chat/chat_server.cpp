// Lab 06 — chat-server: every line a client sends goes to every other
// client. Read README.md in this folder first.
//
// Already done for you (it is lab 05's server): the command line, the
// accept loop, one thread per client (net::ClientThreads, lab 04's, now in
// common/), lines read with net::LineReader, and the registry of clients
// with its mutex and its answer to /who. Your parts are marked YOUR CODE,
// in four files:
//   1. member.hpp, Member: a client the other threads can write to, one
//      line at a time;
//   2. client_registry.cpp (and .hpp, as you need), ClientRegistry: the
//      join and leave notices, and relaying a line;
//   3. below, relay_lines: what to do with each line.
// Grade it with:   ./lab test 06

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
        // ===== YOUR CODE (lab 06) =========================================
        // ===== END OF YOUR CODE ===========================================
    }
}

// The body of a client's thread. However the conversation ends, the others
// hear that it left, and then its connection is closed.
void serve_client(ClientRegistry& registry, std::shared_ptr<Member> member) {
    try {
        relay_lines(registry, *member);
    } catch (const std::system_error& error) {
        if (!net::is_disconnect(error)) std::cerr << "chat-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "chat-server: " << member->address() << ": " << error.what() << std::endl;
    }
    registry.remove(*member);
    member->close();
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-server");
    const net::Socket listener = net::listen_or_exit(options, "chat-server");

    ClientRegistry registry;
    net::ClientThreads threads;
    try {
        while (true) {
            std::shared_ptr<Member> member = registry.add(net::accept_client(listener));
            threads.join_finished();
            threads.start(serve_client, std::ref(registry), std::move(member));
        }
    } catch (const std::system_error& error) {
        std::cerr << "chat-server: " << error.what() << std::endl;
        return 1;
    }
}
