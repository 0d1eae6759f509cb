#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

struct Outcome {
    int exit_status = -1;
    std::string out;
    std::string err;
};

std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
    return text;
}

// parse_options and listen_or_exit end the program on bad input, so they are
// tried in a child process, whose exit status and output we then inspect.
Outcome in_child(const std::function<void()>& body) {
    int out[2], err[2];
    REQUIRE(::pipe(out) == 0);
    REQUIRE(::pipe(err) == 0);
    // Anything still in our output buffers would be written twice: by us,
    // and by the child when it exits.
    std::cout.flush();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        body();
        std::exit(0);
    }
    ::close(out[1]);
    ::close(err[1]);
    Outcome outcome;
    outcome.out = read_all(out[0]);  // outputs are small: no deadlock reading one then the other
    outcome.err = read_all(err[0]);
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    outcome.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return outcome;
}

net::Options parse(std::vector<std::string> words,
                   std::initializer_list<net::NumberOption> extra = {}) {
    words.insert(words.begin(), "prog");
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    return net::parse_options(static_cast<int>(words.size()), argv.data(), "prog", extra);
}

const net::NumberOption max_clients{"--max-clients", "N", 1000, 1, 1000000};

}  // namespace

TEST_CASE("defaults are 127.0.0.1 and 8001") {
    const net::Options options = parse({});
    CHECK(options.host == "127.0.0.1");
    CHECK(options.port == 8001);
}

TEST_CASE("--host and --port, with a space or an equals sign") {
    CHECK(parse({"--host", "::1", "--port", "0"}).host == "::1");
    CHECK(parse({"--port", "0"}).port == 0);
    CHECK(parse({"--port=65535"}).port == 65535);
}

TEST_CASE("a lab's extra number options have defaults and take values") {
    CHECK(parse({}, {max_clients}).number("--max-clients") == 1000);
    CHECK(parse({"--max-clients", "7"}, {max_clients}).number("--max-clients") == 7);
}

TEST_CASE("bad arguments print the usage and exit with status 2") {
    for (const auto& words : std::vector<std::vector<std::string>>{
             {"--port", "abc"}, {"--port", "70000"}, {"--port", "-1"}, {"--port", "-0"}, {"--port", "+80"}, {"--port", "80x"},
             {"--port"}, {"--bogus"}, {"extra"}, {"--max-clients", "0"}}) {
        CAPTURE(words.front());
        const Outcome outcome = in_child([&] { parse(words, {max_clients}); });
        CHECK(outcome.exit_status == 2);
        CHECK(outcome.err.find("usage: prog [--host HOST] [--port PORT] [--max-clients N]\n") !=
              std::string::npos);
        CHECK(outcome.out.empty());
    }
}

TEST_CASE("--help prints the usage on standard output and exits with 0") {
    const Outcome outcome = in_child([] { parse({"--help"}); });
    CHECK(outcome.exit_status == 0);
    CHECK(outcome.out == "usage: prog [--host HOST] [--port PORT]\n");
}

TEST_CASE("listen_or_exit prints the listening line with the real port") {
    const Outcome outcome = in_child([] {
        net::Options options;
        options.port = 0;
        net::listen_or_exit(options, "prog");
    });
    CHECK(outcome.exit_status == 0);
    CHECK(outcome.out.starts_with("listening on 127.0.0.1:"));
    CHECK(outcome.out != "listening on 127.0.0.1:0\n");
}

TEST_CASE("listen_or_exit on a taken port prints one line and exits with status 1") {
    const net::Socket taken = net::listen_on("127.0.0.1", 0);
    const std::uint16_t port = net::local_address(taken).port();
    const Outcome outcome = in_child([&] {
        net::Options options;
        options.port = port;
        net::listen_or_exit(options, "prog");
    });
    CHECK(outcome.exit_status == 1);
    CHECK(outcome.err == "prog: cannot listen on 127.0.0.1:" + std::to_string(port) +
                             ": Address already in use\n");
    CHECK(outcome.out.empty());
}
