#include "ports.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <system_error>

#include "net/address.hpp"
#include "net/tcp.hpp"
#include "transcript.hpp"

namespace grader {

namespace {

// "0100007F:1F41" -> 8001: the port of an address in /proc/net/tcp.
unsigned long port_of(const std::string& hex_address) {
    return std::stoul(hex_address.substr(hex_address.rfind(':') + 1), nullptr, 16);
}

// One connection or listener of the kernel's TCP tables.
struct TcpEntry {
    unsigned long local_port = 0;
    unsigned long remote_port = 0;
    std::string state;  // "0A": listening
    long receive_queue = 0;
    unsigned long inode = 0;
};

// Calls `visit` on every entry of /proc/net/tcp and /proc/net/tcp6 until it returns true.
template <typename Visit>
bool for_each_tcp_entry(Visit visit) {
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // header
        while (std::getline(file, line)) {
            // "  3: 0100007F:9C41 0100007F:D3F2 01 00000000:00000005 ...":
            // slot, local address, remote address, state, tx_queue:rx_queue
            std::istringstream fields(line);
            // ... tr:when retransmits uid timeout inode
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
            unsigned long inode = 0;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            const TcpEntry entry{port_of(local), port_of(remote), state,
                                 std::stol(queues.substr(queues.find(':') + 1), nullptr, 16), inode};
            if (visit(entry)) return true;
        }
    }
    return false;
}

}  // namespace

PortInUse::PortInUse() : listener_(net::listen_on("127.0.0.1", 0)), port_(net::local_address(listener_).port()) {
    transcript().add("grader", "listens on 127.0.0.1:" + std::to_string(port_) + " to make the port taken");
}

const char* const default_port_taken =
    "another program on this machine is using port 8001, the contract's default port, which this test needs "
    "free (grade again once that program has stopped)";

namespace {
const char* default_port_lock_path() {
    const char* path = std::getenv("GRADER_DEFAULT_PORT_LOCK");
    return path && *path ? path : "/tmp/netlabs-port-8001.lock";
}
}  // namespace

DefaultPortLock::DefaultPortLock() : lock_(::open(default_port_lock_path(), O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
    if (lock_.is_open()) ::flock(lock_.fd(), LOCK_EX);  // waits while another suite checks the default
    try {
        const net::Socket probe = net::listen_on("127.0.0.1", 8001);
        available_ = true;
    } catch (const std::system_error&) {
        available_ = false;
    }
}

std::uint16_t find_free_port() {
    // Below the range the kernel hands out to outgoing connections
    // (/proc/sys/net/ipv4/ip_local_port_range, from 32768), so that none of
    // our own test clients can be using the port by chance. Picked at random,
    // so suites running at the same time do not all try the same one.
    static std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> candidates(20000, 32000);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const auto port = static_cast<std::uint16_t>(candidates(random));
        try {
            const net::Socket probe = net::listen_on("127.0.0.1", port);
            return port;  // free now; closed again when probe goes
        } catch (const std::system_error&) {
            // taken: try another
        }
    }
    fail("found no free port between 20000 and 32000 in 100 tries");
}

bool is_listening(std::uint16_t port) {
    return for_each_tcp_entry([&](const TcpEntry& entry) { return entry.state == "0A" && entry.local_port == port; });
}

std::vector<unsigned long> listening_sockets(std::uint16_t port) {
    std::vector<unsigned long> inodes;
    for_each_tcp_entry([&](const TcpEntry& entry) {
        if (entry.state == "0A" && entry.local_port == port) inodes.push_back(entry.inode);
        return false;
    });
    return inodes;
}

std::optional<long> receive_queue(std::uint16_t local_port, std::uint16_t remote_port) {
    std::optional<long> queue;
    for_each_tcp_entry([&](const TcpEntry& entry) {
        if (entry.local_port != local_port || entry.remote_port != remote_port) return false;
        queue = entry.receive_queue;
        return true;
    });
    return queue;
}

}  // namespace grader

namespace grader {

std::optional<unsigned long> connection_socket(std::uint16_t local_port, std::uint16_t remote_port) {
    std::optional<unsigned long> inode;
    for_each_tcp_entry([&](const TcpEntry& entry) {
        if (entry.local_port != local_port || entry.remote_port != remote_port) return false;
        inode = entry.inode;
        return true;
    });
    return inode;
}

}  // namespace grader
