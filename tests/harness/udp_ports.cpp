#include "udp_ports.hpp"

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <system_error>

#include "net/address.hpp"
#include "net/udp.hpp"
#include "transcript.hpp"

namespace grader {

UdpPortInUse::UdpPortInUse() : socket_(net::bind_udp("127.0.0.1", 0)), port_(net::local_address(socket_).port()) {
    transcript().add("grader", "binds a UDP socket to 127.0.0.1:" + std::to_string(port_) + " to make the port taken");
}

bool udp_port_is_free(std::uint16_t port) {
    try {
        const net::Socket probe = net::bind_udp("127.0.0.1", port);
        return true;
    } catch (const std::system_error&) {
        return false;
    }
}

std::uint16_t find_free_udp_port() {
    // As find_free_port() does for TCP: at random between 20000 and 32000,
    // below the ephemeral ports, so that no socket of ours has it by chance.
    static std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> candidates(20000, 32000);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const auto port = static_cast<std::uint16_t>(candidates(random));
        if (udp_port_is_free(port)) return port;
    }
    fail("found no free UDP port between 20000 and 32000 in 100 tries");
}

std::vector<unsigned long> udp_sockets_bound_to(std::uint16_t port) {
    std::vector<unsigned long> inodes;
    for (const char* table : {"/proc/net/udp", "/proc/net/udp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // the header
        while (std::getline(file, line)) {
            // "  12: 0100007F:1F41 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 123456 ..."
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
            unsigned long inode = 0;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            const auto colon = local.rfind(':');
            if (colon == std::string::npos) continue;
            if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) inodes.push_back(inode);
        }
    }
    return inodes;
}

}  // namespace grader
