#pragma once
// Checks this suite needs beyond the harness.
//
// threads_at_rest: what "the thread count returns to what it was" means in
// a ThreadSanitizer build.
//
// wait_until_read: waits until the server has read everything a client sent,
// seen from outside as the server's socket having nothing left in its
// receive queue (/proc/net/tcp). Some mistakes only show when the server
// reads a client's bytes in pieces: a test that sends a piece, waits until
// the server has read it, then sends the next, makes the pieces arrive
// separately in every language, however fast or slow its threads wake up.

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "grader.hpp"

namespace lab {

// The thread count a server should return to once its clients have gone.
// ThreadSanitizer starts a thread of its own when the program starts its
// first thread, and keeps it: in a sanitizer build, one more.
inline int threads_at_rest(int before_any_client) {
    return before_any_client + (grader::built_with_sanitizer() ? 1 : 0);
}

// Bytes from `client` that the server has not read yet, or nothing if its
// end of the connection is not found.
inline std::optional<long> unread_by_server(const grader::Server& server, const grader::Client& client) {
    const std::string& address = client.address();
    const unsigned long client_port = std::stoul(address.substr(address.rfind(':') + 1));
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // header
        while (std::getline(file, line)) {
            // "  3: 0100007F:9C41 0100007F:D3F2 01 00000000:00000005 ...":
            // slot, local address, remote address, state, tx_queue:rx_queue
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues;
            fields >> slot >> local >> remote >> state >> queues;
            const auto port_of = [](const std::string& hex_address) {
                return std::stoul(hex_address.substr(hex_address.rfind(':') + 1), nullptr, 16);
            };
            if (port_of(local) == server.port() && port_of(remote) == client_port)
                return std::stol(queues.substr(queues.find(':') + 1), nullptr, 16);
        }
    }
    return std::nullopt;
}

// Waits until the server has read every byte `client` sent, or fails.
inline void wait_until_read(const grader::Server& server, const grader::Client& client, std::string_view hint,
                            grader::Where where = grader::Where::current()) {
    const auto deadline = grader::Clock::now() + grader::settings().reply_timeout();
    while (true) {
        const std::optional<long> unread = unread_by_server(server, client);
        if (unread && *unread == 0) return;
        if (grader::Clock::now() > deadline)
            grader::fail("the server did not read what " + client.name() + " sent within " +
                             grader::seconds_text(grader::settings().reply_timeout()) +
                             (unread ? " (" + std::to_string(*unread) + " bytes unread)" : ""),
                         hint, where);
        // /proc has no event to wait on: look again in a millisecond.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

}  // namespace lab
