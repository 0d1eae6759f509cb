#pragma once
// Ports for the programs under test, and what the kernel's TCP table
// (/proc/net/tcp, /proc/net/tcp6) says about them: checks that do not
// connect, since a connection is a client, with its notices.

#include <cstdint>
#include <optional>
#include <vector>

#include "net/socket.hpp"
#include "net/socket.hpp"

namespace grader {

// A port that is taken: something listens on it for as long as this lives.
class PortInUse {
public:
    PortInUse();
    std::uint16_t port() const { return port_; }

private:
    net::Socket listener_;
    std::uint16_t port_ = 0;
};

// Holds the contract's default port, 8001, for one test at a time: every
// suite that checks the default takes this lock first (a file lock, so it
// holds across suites running in parallel). available() is false when some
// other program on this machine is using the port: the test then skips
// (grader::skip_test), since it cannot check the default. The lock is
// /tmp/netlabs-port-8001.lock, or the file GRADER_DEFAULT_PORT_LOCK names
// (the harness's self-test holds the port itself while a suite it runs
// finds it taken).
// Why a test of the default port skips when available() is false.
extern const char* const default_port_taken;

class DefaultPortLock {
public:
    DefaultPortLock();
    bool available() const { return available_; }

private:
    net::Socket lock_;  // closing it releases the lock
    bool available_ = false;
};

// A port nothing listens on now, for --cmd's {port}.
std::uint16_t find_free_port();
// True once something listens on 127.0.0.1 (or ::) at this port.
bool is_listening(std::uint16_t port);
// The sockets (inodes) listening at this port now: several graders may run
// at once, and the port the grader chose may be taken by another's program.
std::vector<unsigned long> listening_sockets(std::uint16_t port);
// Bytes received on the connection local_port <- remote_port that the
// program has not read yet; nothing if there is no such connection.
std::optional<long> receive_queue(std::uint16_t local_port, std::uint16_t remote_port);
// The socket (inode) of the connection local_port <- remote_port.
std::optional<unsigned long> connection_socket(std::uint16_t local_port, std::uint16_t remote_port);

}  // namespace grader
