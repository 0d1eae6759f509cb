#pragma once
// Checks this suite needs beyond the harness.
//
// threads_at_rest: what "the thread count returns to what it was" means in
// a ThreadSanitizer build.
//
// ClientFromHighPort: a client that connects from a port the test chooses,
// above those the system hands out, so that its address sorts after every
// other client's: a registry sorted by address shows.
//
// wait_until_read: waits until the server has read everything a client sent,
// seen from outside as the server's socket having nothing left in its
// receive queue (/proc/net/tcp). A test that sends a piece, waits until the
// server has read it, then sends the next, makes the pieces arrive in
// separate reads in every language, however fast its threads wake up.

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "grader.hpp"
#include "net/socket.hpp"

namespace lab {

// The thread count a server should return to once its clients have gone.
// ThreadSanitizer starts a thread of its own when the program starts its
// first thread, and keeps it: in a sanitizer build, one more.
inline int threads_at_rest(int before_any_client) {
    return before_any_client + (grader::built_with_sanitizer() ? 1 : 0);
}

// The highest port the system picks for a client's end of a connection.
inline int highest_ephemeral_port() {
    std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
    int low = 32768, high = 60999;
    file >> low >> high;
    return high;
}

// A client connected to 127.0.0.1 from a port chosen above the system's
// range, that says nothing. available() is false if no such port is free.
class ClientFromHighPort {
public:
    ClientFromHighPort(std::string name, const grader::Server& server, grader::Where where = grader::Where::current())
        : name_(std::move(name)) {
        const int lowest = highest_ephemeral_port() + 1;
        if (lowest > 65000) return;
        std::mt19937 random(std::random_device{}());
        std::uniform_int_distribution<int> pick(lowest, 65535);
        for (int attempt = 0; attempt < 50 && !socket_.is_open(); ++attempt) {
            net::Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            sockaddr_in address{};
            address.sin_family = AF_INET;
            ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
            const auto port = static_cast<std::uint16_t>(pick(random));
            address.sin_port = htons(port);
            if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) continue;
            address.sin_port = htons(server.port());
            if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
                grader::fail(name_ + " could not connect to the server", "is the server accepting connections?", where);
            socket_ = std::move(socket);
            address_ = "127.0.0.1:" + std::to_string(port);
            grader::transcript().add(name_, "connects from " + address_ + " (a port chosen by the test), and stays silent");
        }
    }

    bool available() const { return socket_.is_open(); }
    const std::string& name() const { return name_; }
    const std::string& address() const { return address_; }

private:
    std::string name_;
    std::string address_;
    net::Socket socket_;
};

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
