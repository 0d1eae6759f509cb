#pragma once
// ClientFromHighAddress: a client whose address sorts after every other
// client's, however a registry sorts (as text, or by IP then port): it
// connects from 127.255.255.254 (all of 127.0.0.0/8 is loopback) and, where
// the system leaves one free, from a port above those it hands out. A
// registry kept sorted by address, not in the order clients connected,
// shows.

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
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

// A client connected to the server (on 127.0.0.1) from 127.255.255.254,
// that says nothing. available() is false if it could not bind that
// address (a system without all of 127.0.0.0/8 on loopback): why() says so.
class ClientFromHighAddress {
public:
    static constexpr const char* ip = "127.255.255.254";

    ClientFromHighAddress(std::string name, const grader::Server& server,
                          grader::Where where = grader::Where::current())
        : name_(std::move(name)) {
        std::mt19937 random(std::random_device{}());
        const int lowest = highest_ephemeral_port() + 1;
        // Ports above the system's range where there are some; else any
        // port (the address alone sorts last).
        std::uniform_int_distribution<int> pick(std::min(lowest, 65535), 65535);
        for (int attempt = 0; attempt < 50 && !socket_.is_open(); ++attempt) {
            net::Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            sockaddr_in address{};
            address.sin_family = AF_INET;
            ::inet_pton(AF_INET, ip, &address.sin_addr);
            const bool high_port = lowest <= 65535 && attempt < 40;
            address.sin_port = htons(high_port ? static_cast<std::uint16_t>(pick(random)) : 0);
            if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) {
                why_ = std::string("cannot bind a client socket to ") + ip + ": " + std::strerror(errno);
                continue;
            }
            socklen_t length = sizeof address;
            ::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length);
            const std::uint16_t port = ntohs(address.sin_port);
            ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
            address.sin_port = htons(server.port());
            if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
                grader::fail(name_ + " could not connect to the server from " + ip,
                             "is the server accepting connections?", where);
            socket_ = std::move(socket);
            address_ = std::string(ip) + ":" + std::to_string(port);
            grader::transcript().add(name_, "connects from " + address_ +
                                                " (an address chosen by the test to sort after every other "
                                                "client's), and stays silent");
        }
    }

    bool available() const { return socket_.is_open(); }
    const std::string& why() const { return why_; }
    const std::string& name() const { return name_; }
    const std::string& address() const { return address_; }

private:
    std::string name_;
    std::string address_;
    std::string why_;
    net::Socket socket_;
};

}  // namespace lab
