// Lab 01 — echo-server. One test per promise of the lab contract:
// start-up, echo (byte-exact, any size, any pace), and the exit once the
// client has gone.

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

TEST_SUITE("starting up") {

TEST_CASE("prints 'listening on 127.0.0.1:PORT' with the real port") {
    Server server;
    const auto line = server.listening_line();
    if (!line) grader::fail("the server printed no 'listening on HOST:PORT' line", "print it once listening, and flush");
    CHECK(*line == "listening on 127.0.0.1:" + std::to_string(server.port()));
    Client alice = server.connect("alice");  // and something really listens there
}

TEST_CASE("listens on the port given with --port") {
    const std::uint16_t port = grader::find_free_port();
    Server server(grader::on_port(std::to_string(port)));
    CHECK(server.port() == port);
    Client alice = server.connect("alice");
}

}  // TEST_SUITE

// A --cmd command line chooses its own options, so this is left out there.
TEST_SUITE("starting up (--program only)") {

TEST_CASE("without options, listens on 127.0.0.1:8001") {
    grader::DefaultPortLock port_8001;
    if (!port_8001.available()) {
        MESSAGE("not checked: another program on this machine is using port 8001");
        return;
    }
    Server server(grader::on_port(""));
    CHECK(server.listening_line() == "listening on 127.0.0.1:8001");
    Client alice = server.connect("alice");
}

}  // TEST_SUITE

TEST_SUITE("starting up") {

TEST_CASE("listens on IPv6 with --host ::1") {
    Server server(grader::with_args({"--host", "::1"}));
    CHECK(server.host() == "::1");
    Client alice = server.connect("alice");  // over IPv6
}

TEST_CASE("a port that is taken: one line on standard error naming the address, exit status 1") {
    const grader::PortInUse taken;
    const std::string address = "127.0.0.1:" + std::to_string(taken.port());
    const grader::Finished run = grader::run_until_exit(grader::on_port(std::to_string(taken.port())));
    if (!run.status.exited || run.status.code != 1)
        grader::fail("the server should have exited with status 1, but it " + run.status.describe(),
                     "when listening fails, print one line on standard error and exit(1)");
    CHECK_MESSAGE(run.err.find(address) != std::string::npos,
                  "standard error should name the address " << address << ", but was " << grader::quoted(run.err));
    CHECK_MESSAGE(std::count(run.err.begin(), run.err.end(), '\n') == 1,
                  "standard error should be exactly one line, but was " << grader::quoted(run.err));
    CHECK_MESSAGE(run.out.find("listening on") == std::string::npos,
                  "a server that could not listen must not say it is listening");
}

TEST_CASE("a host that cannot be bound: one line on standard error, exit status 1") {
    // 192.0.2.1 is reserved for documentation: no machine has it, so bind()
    // fails at once (nothing is sent anywhere).
    const grader::Finished run = grader::run_until_exit(grader::with_args({"--host", "192.0.2.1"}));
    if (!run.status.exited || run.status.code != 1)
        grader::fail("the server should have exited with status 1, but it " + run.status.describe(),
                     "when listening fails, print one line on standard error and exit(1)");
    CHECK_MESSAGE(run.err.find("192.0.2.1") != std::string::npos,
                  "standard error should name the address, but was " << grader::quoted(run.err));
}

TEST_CASE("bad arguments: a usage message on standard error, exit status 2") {
    for (const StartOptions& bad : {grader::on_port("abc"), grader::on_port("70000"),
                                    grader::with_args({"--bogus"})}) {
        const grader::Finished run = grader::run_until_exit(bad);
        CAPTURE(run.err);
        if (!run.status.exited || run.status.code != 2)
            grader::fail("bad arguments should end the program with status 2, but it " + run.status.describe(),
                         "check every argument before listening: a port is a number from 0 to 65535");
        CHECK_MESSAGE(run.err.find("usage") != std::string::npos,
                      "standard error should show the usage, but was " << grader::quoted(run.err));
        CHECK(run.out.find("listening on") == std::string::npos);
    }
}

}  // TEST_SUITE

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
