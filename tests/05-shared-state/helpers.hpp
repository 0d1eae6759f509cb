#pragma once
// ClientFromHighPort: a client that connects from a port the test chooses,
// above those the system hands out, so that its address sorts after every
// other client's: a registry sorted by address shows.

#include <cstdint>
#include <fstream>
#include <random>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "grader.hpp"
#include "net/socket.hpp"

namespace lab {

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

}  // namespace lab
