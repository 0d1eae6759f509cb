#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "net/line_reader.hpp"

namespace {

struct Pair {
    net::Socket listener = net::listen_on("127.0.0.1", 0);
    net::Connection client = net::connect_to("127.0.0.1", net::local_address(listener).port());
    net::Connection server = net::accept_client(listener);
};

std::vector<std::string> all_lines(net::LineReader& reader) {
    std::vector<std::string> lines;
    while (auto line = reader.read_line()) lines.push_back(*line);
    return lines;
}

}  // namespace

TEST_CASE("lines are whole however the bytes were split") {
    Pair pair;
    std::jthread sender([&] {
        for (char byte : std::string("one\ntw")) net::send_all(pair.client, std::string(1, byte));
        net::send_all(pair.client, "o\nthree\n\nfour\r\nfive\r\r\n");
        net::shutdown_sending(pair.client);
    });
    net::LineReader reader(pair.server);
    CHECK(all_lines(reader) == std::vector<std::string>{"one", "two", "three", "", "four", "five\r"});
}

TEST_CASE("a last line without a newline is still a line") {
    Pair pair;
    net::send_all(pair.client, "first\nlast");
    net::shutdown_sending(pair.client);
    net::LineReader reader(pair.server);
    CHECK(all_lines(reader) == std::vector<std::string>{"first", "last"});
}

TEST_CASE("a 65,536-byte line arrives whole") {
    Pair pair;
    const std::string long_line(65536, 'x');
    std::jthread sender([&] {
        net::send_all(pair.client, long_line + "\nshort\n");
        net::shutdown_sending(pair.client);
    });
    net::LineReader reader(pair.server);
    CHECK(all_lines(reader) == std::vector<std::string>{long_line, "short"});
}

TEST_CASE("a line over the limit throws, one at the limit does not") {
    Pair pair;
    net::send_all(pair.client, std::string(8, 'a') + "\n" + std::string(9, 'b') + "\n");
    net::LineReader reader(pair.server, 8);
    CHECK(reader.read_line() == std::string(8, 'a'));
    CHECK_THROWS_AS(reader.read_line(), net::LineTooLong);
}

TEST_CASE("a '\\r' counts toward the limit") {
    Pair pair;
    net::send_all(pair.client, std::string(8, 'a') + "\r\n");
    net::LineReader reader(pair.server, 8);
    CHECK_THROWS_AS(reader.read_line(), net::LineTooLong);
}

TEST_CASE("the limit holds before any newline arrives") {
    Pair pair;
    net::send_all(pair.client, std::string(9, 'a'));  // no '\n', connection open
    net::LineReader reader(pair.server, 8);
    CHECK_THROWS_AS(reader.read_line(), net::LineTooLong);
}
