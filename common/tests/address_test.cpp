#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "net/address.hpp"
#include "net/tcp.hpp"

TEST_CASE("an IPv4 address reads ip:port") {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(51234);
    ::inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
    const net::Address address(reinterpret_cast<sockaddr*>(&v4), sizeof v4);
    CHECK(address.to_string() == "127.0.0.1:51234");
    CHECK(address.ip() == "127.0.0.1");
    CHECK(address.port() == 51234);
}

TEST_CASE("an IPv6 address reads [ip]:port") {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(8001);
    ::inet_pton(AF_INET6, "::1", &v6.sin6_addr);
    const net::Address address(reinterpret_cast<sockaddr*>(&v6), sizeof v6);
    CHECK(address.to_string() == "[::1]:8001");
}

TEST_CASE("join_host_port brackets IPv6 hosts only") {
    CHECK(net::join_host_port("127.0.0.1", 80) == "127.0.0.1:80");
    CHECK(net::join_host_port("localhost", 80) == "localhost:80");
    CHECK(net::join_host_port("::1", 80) == "[::1]:80");
}

TEST_CASE("a client's address as the server sees it is the client's own local address") {
    const net::Socket listener = net::listen_on("127.0.0.1", 0);
    const std::uint16_t port = net::local_address(listener).port();
    const net::Connection client = net::connect_to("127.0.0.1", port);
    const net::Connection accepted = net::accept_client(listener);
    CHECK(accepted.peer.to_string() == net::local_address(client.socket).to_string());
    CHECK(client.peer.to_string() == "127.0.0.1:" + std::to_string(port));
}
