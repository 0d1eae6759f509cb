#include <doctest/doctest.h>

#include <array>
#include <string>
#include <thread>

#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include "net/errors.hpp"
#include "net/tcp.hpp"

namespace {

// A connected pair over loopback: what a client and a server each hold.
struct Pair {
    net::Socket listener = net::listen_on("127.0.0.1", 0);
    net::Connection client = net::connect_to("127.0.0.1", net::local_address(listener).port());
    net::Connection server = net::accept_client(listener);
};

std::string receive_exactly(const net::Connection& connection, std::size_t count) {
    std::string received;
    std::array<char, 65536> buffer;
    while (received.size() < count) {
        const std::size_t n = net::receive_some(connection, buffer);
        if (n == 0) break;
        received.append(buffer.data(), n);
    }
    return received;
}

}  // namespace

TEST_CASE("listening on port 0 gets a real port") {
    const net::Socket listener = net::listen_on("127.0.0.1", 0);
    CHECK(net::local_address(listener).port() != 0);
}

TEST_CASE("listening works on IPv6 loopback") {
    const net::Socket listener = net::listen_on("::1", 0);
    const std::uint16_t port = net::local_address(listener).port();
    const net::Connection client = net::connect_to("::1", port);
    const net::Connection server = net::accept_client(listener);
    CHECK(server.peer.to_string().starts_with("[::1]:"));
}

TEST_CASE("a port that is taken fails with the call and the address in the message") {
    const net::Socket first = net::listen_on("127.0.0.1", 0);
    const std::uint16_t port = net::local_address(first).port();
    try {
        net::listen_on("127.0.0.1", port);
        FAIL("the second listen should have failed");
    } catch (const std::system_error& error) {
        CHECK(error.code() == std::errc::address_in_use);
        CHECK(std::string(error.what()) == "bind 127.0.0.1:" + std::to_string(port) + ": " +
                                               error.code().message());
    }
}

TEST_CASE("an unknown host fails with getaddrinfo's reason") {
    try {
        net::listen_on("no-such-host.invalid", 0);
        FAIL("listen should have failed");
    } catch (const std::system_error& error) {
        CHECK(error.code().category() == net::address_lookup_category());
        CHECK(std::string(error.what()).starts_with("getaddrinfo no-such-host.invalid:0: "));
    }
}

TEST_CASE("connecting to a port nobody listens on is refused") {
    std::uint16_t port = 0;
    {
        const net::Socket listener = net::listen_on("127.0.0.1", 0);
        port = net::local_address(listener).port();
    }  // closed: nobody listens there now
    try {
        net::connect_to("127.0.0.1", port);
        FAIL("connect should have failed");
    } catch (const std::system_error& error) {
        CHECK(error.code() == std::errc::connection_refused);
        CHECK(std::string(error.what()).starts_with("connect 127.0.0.1:" + std::to_string(port)));
    }
}

TEST_CASE("send_all delivers 16 MiB while the other side reads") {
    Pair pair;
    std::string data(16 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 251);
    // The kernel buffers hold far less than 16 MiB, so send_all must loop
    // while a reader drains the other end.
    std::jthread sender([&] {
        net::send_all(pair.client, data);
        net::shutdown_sending(pair.client);
    });
    const std::string received = receive_exactly(pair.server, data.size() + 1);
    CHECK(received.size() == data.size());
    CHECK(received == data);
}

TEST_CASE("receive_some returns 0 after the peer half-closes, and sending still works") {
    Pair pair;
    net::send_all(pair.client, "last words");
    net::shutdown_sending(pair.client);
    CHECK(receive_exactly(pair.server, 100) == "last words");
    net::send_all(pair.server, "reply");
    CHECK(receive_exactly(pair.client, 5) == "reply");
}

TEST_CASE("sending to a peer that reset the connection throws instead of raising SIGPIPE") {
    Pair pair;
    const linger abort_on_close{1, 0};  // close() sends a reset
    ::setsockopt(pair.client.socket.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    pair.client.socket.close();
    bool disconnected = false;
    try {
        // The first send may still be accepted by our kernel; a later one fails.
        for (int i = 0; i < 100; ++i) net::send_all(pair.server, std::string(65536, 'x'));
    } catch (const std::system_error& error) {
        disconnected = net::is_disconnect(error);
        CHECK(std::string(error.what()).starts_with("send to 127.0.0.1:"));
    }
    CHECK(disconnected);
}

TEST_CASE("receiving from a peer that reset the connection is a disconnect") {
    Pair pair;
    const linger abort_on_close{1, 0};
    ::setsockopt(pair.client.socket.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    pair.client.socket.close();
    std::array<char, 16> buffer;
    try {
        net::receive_some(pair.server, buffer);
        FAIL("receive should have failed");
    } catch (const std::system_error& error) {
        CHECK(net::is_disconnect(error));
    }
}

TEST_CASE("a moved Socket closes its descriptor once") {
    net::Socket listener = net::listen_on("127.0.0.1", 0);
    const int fd = listener.fd();
    net::Socket moved = std::move(listener);
    CHECK_FALSE(listener.is_open());
    CHECK(moved.fd() == fd);
    moved = net::Socket();
    CHECK(::fcntl(fd, F_GETFD) == -1);  // the descriptor is gone
}
