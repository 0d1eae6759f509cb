#include "startup.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include <doctest/doctest.h>

#include "client.hpp"
#include "program.hpp"
#include "settings.hpp"

namespace grader::startup {

namespace {

const char* const cannot_listen_hint = "when listening fails, print one line on standard error and exit(1)";

// The program must exit with `status`, or the test fails saying so.
void expect_status(const Finished& run, int status, std::string_view hint, Where where) {
    if (!run.status.exited || run.status.code != status)
        fail("the program should have exited with status " + std::to_string(status) + ", but it " +
                 run.status.describe(),
             hint, where);
}

// One line on standard error, naming the address and, after it, the reason.
void expect_one_line_with_reason(const Finished& run, const std::string& address, Where where) {
    const std::string example = "\"PROGRAM: cannot listen on " + address + ": REASON\"";
    const auto at = run.err.find(address);
    if (at == std::string::npos)
        fail("standard error should name the address " + address + ", but was " + quote_end(run.err),
             "say which address could not be used, and why: " + example, where);
    if (std::count(run.err.begin(), run.err.end(), '\n') != 1)
        fail("standard error should be exactly one line, but was " + quote_end(run.err), cannot_listen_hint, where);
    const std::string after = run.err.substr(at + address.size());
    if (after.find_first_not_of(": \n") == std::string::npos)
        fail("standard error names the address but not the reason: " + quote_end(run.err),
             "add why it failed (strerror, or the exception's message): " + example, where);
}

void expect_no_listening_line(const Finished& run, Where where) {
    if (run.out.find("listening on") != std::string::npos)
        fail("it printed " + quote_bytes(run.out) + ", but a server that could not listen must not say it is listening",
             "print 'listening on' only once listen() has succeeded", where);
}

}  // namespace

void prints_listening_line(Where where) {
    Server server({}, where);
    const auto line = server.listening_line();
    if (!line) fail("the server printed no 'listening on HOST:PORT' line", "print it once listening, and flush", where);
    const std::string expected = "listening on 127.0.0.1:" + std::to_string(server.port());
    if (*line != expected) fail("the listening line should be " + quote_bytes(expected) + ", but was " + quote_bytes(*line), {}, where);
    Client alice = server.connect("alice", 0, where);  // something really listens there
}

void listens_on_given_port(Where where) {
    const std::uint16_t port = find_free_port();
    Server server(on_port(std::to_string(port)), where);
    if (server.port() != port)
        fail("asked for port " + std::to_string(port) + ", the server announced " + std::to_string(server.port()),
             "listen on the port given with --port", where);
    Client alice = server.connect("alice", 0, where);
}

void listens_on_ipv6(Where where) {
    Server server(with_args({"--host", "::1"}), where);
    if (server.host() != "::1")
        fail("with --host ::1 the server should listen on [::1], but it announced " +
                 quote_bytes(server.listening_line().value_or("")),
             "pass the host to getaddrinfo() and listen on the address it returns", where);
    Client alice = server.connect("alice", 0, where);  // over IPv6
}

void listens_on_the_default_address(Where where) {
    DefaultPortLock port_8001;
    if (!port_8001.available()) skip_test(default_port_taken);
    if (!settings().command.empty() && !command_can_start_without_options(settings().command))
        fail("the grader cannot start this command without options: it has {port} or {host}, but not as \"--port {port}\" and \"--host {host}\"",
             "write the command with \"--port {port}\" (and \"--host {host}\"), as the lab contract's "
             "arguments are", where);
    Server server(on_port(""), where);
    if (server.listening_line() != "listening on 127.0.0.1:8001")
        fail("started without options, the server should say \"listening on 127.0.0.1:8001\", but said " +
                 quote_bytes(server.listening_line().value_or("")),
             "the defaults are host 127.0.0.1 and port 8001", where);
    Client alice = server.connect("alice", 0, where);
}

void port_taken_exits_with_1(Where where) {
    const PortInUse taken;
    const std::string address = "127.0.0.1:" + std::to_string(taken.port());
    const Finished run = run_until_exit(on_port(std::to_string(taken.port())), where);
    expect_status(run, 1, cannot_listen_hint, where);
    expect_one_line_with_reason(run, address, where);
    expect_no_listening_line(run, where);
}

void unbindable_host_exits_with_1(Where where) {
    // 192.0.2.1 is reserved for documentation: no machine has it, so bind()
    // fails at once and nothing is sent anywhere.
    const Finished run = run_until_exit(with_args({"--host", "192.0.2.1"}), where);
    expect_status(run, 1, cannot_listen_hint, where);
    expect_one_line_with_reason(run, "192.0.2.1", where);
    expect_no_listening_line(run, where);
}

namespace {
// "usage", "Usage of ./server:", "USAGE": tools' own argument parsers print
// it in any case (Go's flag package, Python's argparse).
bool contains_word_usage(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("usage") != std::string::npos;
}
}  // namespace

void bad_arguments_exit_with_2(Where where) {
    for (const StartOptions& bad : {on_port("abc"), on_port("70000"), on_port("-1"), on_port("80x"),
                                    with_args({"--bogus"})}) {
        const Finished run = run_until_exit(bad, where);
        expect_status(run, 2, "check every argument before listening: a port is a whole number from 0 to 65535, "
                              "and an unknown option is an error",
                      where);
        if (!contains_word_usage(run.err))
            fail("standard error should show the usage, but was " + quote_end(run.err),
                 "print \"usage: PROGRAM [--host HOST] [--port PORT]\" on standard error", where);
        expect_no_listening_line(run, where);
    }
}

}  // namespace grader::startup
