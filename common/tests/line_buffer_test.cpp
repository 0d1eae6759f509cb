// net::LineBuffer: line framing with no socket at all, so every split of
// the bytes can be tried, deterministically.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/line_buffer.hpp"

namespace {

using Lines = std::vector<std::string>;

// Feeds `bytes` in pieces of `piece` bytes, taking whole lines after each,
// then the last line: what a reader does until the end of the stream.
Lines frame(std::string_view bytes, std::size_t piece, std::size_t max = 1024) {
    net::LineBuffer buffer(max);
    Lines lines;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        buffer.append(bytes.substr(at, piece));
        while (auto line = buffer.next_line()) lines.push_back(*line);
    }
    if (auto last = buffer.last_line()) lines.push_back(*last);
    return lines;
}

}  // namespace

TEST_CASE("LineBuffer: every split of the bytes gives the same lines") {
    const std::string bytes = std::string("one\ntwo\r\n\nthree\r\r\nfour\rfive\n") + '\0' + "six\nlast";
    const Lines expected = {"one", "two", "", "three\r", "four\rfive", std::string(1, '\0') + "six", "last"};
    for (std::size_t piece = 1; piece <= bytes.size(); ++piece) {
        CAPTURE(piece);
        CHECK(frame(bytes, piece) == expected);
    }
}

TEST_CASE("LineBuffer: nothing comes out before the '\\n'") {
    net::LineBuffer buffer;
    buffer.append("hel");
    CHECK(buffer.next_line() == std::nullopt);
    buffer.append("lo");
    CHECK(buffer.next_line() == std::nullopt);
    CHECK(buffer.size() == 5);
    buffer.append("\nwor");
    CHECK(buffer.next_line() == "hello");
    CHECK(buffer.next_line() == std::nullopt);
    CHECK(buffer.size() == 3);
}

TEST_CASE("LineBuffer: the last line keeps its '\\r'; an empty rest is no line") {
    CHECK(frame("a\nb\r", 100) == Lines{"a", "b\r"});
    CHECK(frame("a\n", 100) == Lines{"a"});
    CHECK(frame("", 100) == Lines{});
    net::LineBuffer buffer;
    buffer.append("rest");
    CHECK(buffer.last_line() == "rest");
    CHECK(buffer.size() == 0);
    CHECK(buffer.last_line() == std::nullopt);
}

TEST_CASE("LineBuffer: a line of the limit passes, one byte more throws, a '\\r' counts") {
    CHECK(frame(std::string(8, 'a') + "\n", 3, 8) == Lines{std::string(8, 'a')});
    CHECK(frame(std::string(7, 'a') + "\r\n", 3, 8) == Lines{std::string(7, 'a')});
    CHECK_THROWS_AS(frame(std::string(8, 'a') + "\r\n", 3, 8), net::LineTooLong);
    CHECK_THROWS_AS(frame(std::string(9, 'a') + "\n", 100, 8), net::LineTooLong);
}

TEST_CASE("LineBuffer: the limit trips as soon as the byte too many arrives, no '\\n' needed") {
    net::LineBuffer buffer(8);
    buffer.append(std::string(8, 'a'));
    CHECK(buffer.next_line() == std::nullopt);  // 8 bytes: still fine
    buffer.append("a");
    CHECK_THROWS_AS(buffer.next_line(), net::LineTooLong);
}

TEST_CASE("LineBuffer: lines before a long one come out first") {
    net::LineBuffer buffer(8);
    buffer.append("short\nalso\n" + std::string(20, 'x'));
    CHECK(buffer.next_line() == "short");
    CHECK(buffer.next_line() == "also");
    CHECK_THROWS_AS(buffer.next_line(), net::LineTooLong);
}

TEST_CASE("LineBuffer: many short lines in one append, then more") {
    std::string bytes;
    Lines expected;
    for (int i = 0; i < 10000; ++i) {
        expected.push_back(std::to_string(i));
        bytes += expected.back() + "\n";
    }
    CHECK(frame(bytes, bytes.size()) == expected);
    CHECK(frame(bytes, 4096) == expected);
}

TEST_CASE("LineBuffer: a long line in one-byte pieces") {
    const std::string line(65536, 'z');
    CHECK(frame(line + "\nnext\n", 1, 1024 * 1024) == Lines{line, "next"});
}
