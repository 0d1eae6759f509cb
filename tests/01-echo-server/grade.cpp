// Lab 01 — echo-server. One test per promise of the lab contract:
// start-up, echo (byte-exact, any size, any pace), and the exit once the
// client has gone.

#include <chrono>
#include <csignal>
#include <string>

#include <fmt/core.h>

#include "grader.hpp"

using grader::Client;
using grader::Server;
using grader::StartOptions;

namespace {

const char* const exit_hint =
    "when recv() returns 0 the client has closed its side: leave the loop, close the client's socket, "
    "and return 0 from main";

std::string every_byte_value(int rounds) {
    std::string bytes;
    for (int round = 0; round < rounds; ++round)
        for (int value = 0; value < 256; ++value) bytes += static_cast<char>(value);
    return bytes;
}

}  // namespace

// The contract's start-up rules (tests/harness/startup.hpp).
GRADER_START_UP_TESTS()
GRADER_SERVER_EXITS_BY_ITSELF();

TEST_SUITE("echo") {

TEST_CASE("echoes a short message") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("hello\n");
    alice.expect_bytes("hello\n", "send back exactly the bytes recv() gave you");
    alice.expect_silence("only what was sent may come back: send the number of bytes recv() returned, "
                         "not the size of the buffer");
}

TEST_CASE("echoes message after message, each as soon as it arrives") {
    Server server;
    Client alice = server.connect("alice");
    for (const char* message : {"one\n", "two\n", "three, with more words\n"}) {
        alice.send(message);
        alice.expect_bytes(message, "keep receiving and sending in a loop until the client leaves");
    }
}

TEST_CASE("echoes every byte value, '\\0' included") {
    Server server;
    Client alice = server.connect("alice");
    alice.expect_echo(every_byte_value(4),
                      "treat the buffer as bytes with a length, never as a C string: a '\\0' is data, "
                      "and strlen() or printf(\"%s\") stop at it");
}

TEST_CASE("a message sent one byte at a time comes back whole") {
    Server server;
    Client alice = server.connect("alice");
    alice.send_slowly("slowly\n");
    alice.expect_bytes("slowly\n", "each recv() may return a single byte: echo whatever arrives");
}

TEST_CASE("echoes everything even when each send() takes only a few bytes") {
    std::string data;  // "[000000][000001]...": no 16 bytes of it occur twice
    for (int i = 0; data.size() < 256 * 1024; ++i) data += fmt::format("[{:06}]", i);
    grader::StartOptions options;
    options.short_sends = true;
    Server server(options);
    Client alice = server.connect("alice");
    alice.expect_echo(data,
                      "send() returns how many bytes it took, which may be fewer than you gave it: loop, "
                      "sending the rest from where the last send() stopped, until none are left");
}

TEST_CASE("echoes 16 MiB in one connection while the client keeps reading") {
    std::string data(16 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) ^ (i >> 13));
    Server server;
    Client alice = server.connect("alice");
    alice.expect_echo(data,
                      "echo in a loop with a fixed-size buffer; send() may take only part of the buffer, "
                      "so send the rest too");
}

}  // TEST_SUITE

TEST_SUITE("leaving") {

TEST_CASE("closes the connection and exits with status 0 once the client closes its side") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("bye\n");
    alice.expect_bytes("bye\n");
    alice.half_close();
    alice.expect_closed(exit_hint);
    server.expect_exit(0, exit_hint);
}

TEST_CASE("echoes bytes sent just before the client closed its side, then exits with 0") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("last words\n");
    alice.half_close();
    alice.expect_bytes("last words\n",
                       "the bytes before the end of stream must still be echoed: recv() returns them first, "
                       "and only then 0");
    alice.expect_closed(exit_hint);
    server.expect_exit(0, exit_hint);
}

TEST_CASE("exits with status 0 when the client resets the connection") {
    Server server;
    Client alice = server.connect("alice");
    alice.send("x");
    alice.expect_bytes("x");
    alice.reset();
    server.expect_exit(0, "a reset (recv() fails with ECONNRESET) is a client leaving too: end normally, with 0");
}

TEST_CASE("exits with status 0 when the client resets in the middle of a large echo") {
    Server server;
    Client alice = server.connect("alice");
    alice.send(std::string(1024 * 1024, 'z'));  // never read: the server's send() meets the reset
    alice.reset();
    server.expect_exit(0,
                       "send() to a client that has reset fails with EPIPE or ECONNRESET; without MSG_NOSIGNAL "
                       "it raises SIGPIPE, which kills the server. Treat both errors as the client leaving");
}

TEST_CASE("a client that has gone before its echo is sent: no SIGPIPE, exit status 0") {
    Server server;
    // While the server is frozen, alice connects, sends, closes her side and
    // resets: the kernel takes all of it for the server. Once it goes on,
    // the server reads alice's bytes, and its send() meets a connection
    // that is gone, every time.
    server.freeze();
    Client alice = server.connect("alice");
    alice.send("anyone there?\n");
    alice.half_close();
    alice.reset();
    server.unfreeze();
    server.expect_exit(0,
                       "send() to a client that has gone fails with EPIPE, and without MSG_NOSIGNAL the kernel "
                       "also raises SIGPIPE, which ends the program. Pass MSG_NOSIGNAL and treat EPIPE and "
                       "ECONNRESET as the client leaving");
}

TEST_CASE("exits with status 0 when the client leaves without reading its echo") {
    Server server;
    // A small receive window, so the echo backs up while alice is not
    // reading. 64 KiB always fits in the server's own receive buffer, so
    // alice's send never waits on the server.
    Client alice = server.connect("alice", 4096);
    alice.send(std::string(64 * 1024, 'p'));
    alice.half_close();  // the end of the stream follows the data...
    alice.next_bytes();  // ...while the server is echoing it back
    alice.reset();       // alice goes away with the echo unread
    server.expect_exit(0,
                       "send() to a client that has gone fails with EPIPE or ECONNRESET, and without "
                       "MSG_NOSIGNAL the kernel raises SIGPIPE, which ends the program. Pass MSG_NOSIGNAL "
                       "and treat both errors as the client leaving");
}

}  // TEST_SUITE

TEST_SUITE("restarting") {

TEST_CASE("listens again at once on the same port after being stopped with a client connected") {
    const std::string port = std::to_string(grader::find_free_port());
    {
        Server first(grader::on_port(port));
        Client alice = first.connect("alice");
        alice.send("x");
        alice.expect_bytes("x");
        // Killed with alice still connected: the kernel closes the server's
        // end first, so that end waits in TIME_WAIT once alice closes hers.
        first.send_signal(SIGKILL);
        alice.expect_closed();
        first.process().wait_for_exit(grader::Clock::now() + std::chrono::seconds(5));
    }
    grader::transcript().add("grader", "notes: the old server's connection on port " + port +
                                           " now waits in TIME_WAIT (for a minute): without SO_REUSEADDR on "
                                           "the listening socket, bind() fails with 'Address already in use'");
    Server second(grader::on_port(port));
    Client bob = second.connect("bob");
    bob.send("y");
    bob.expect_bytes("y", "set SO_REUSEADDR (setsockopt) before bind(), so that a restarted server can listen at once");
}

}  // TEST_SUITE
