#pragma once
// A test client: one TCP connection to the program under test, driven by a
// test step by step. Every wait has a deadline; every failure fails the test
// with a report (what was expected, what came, the transcript, a hint).
// Everything it does goes into the transcript under its name.

#include <cstdint>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>

#include "net/socket.hpp"
#include "peer.hpp"
#include "process.hpp"
#include "transcript.hpp"

namespace grader {

class Client {
public:
    // Connects, or fails the test. Nagle and delayed ACKs are off, so that
    // small lock-step exchanges are not held back 40 ms at a time.
    // receive_buffer: a small SO_RCVBUF (set before connecting, so the TCP
    // window is small too) makes the server block in send() as soon as this
    // client stops reading. 0 keeps the system's default.
    Client(std::string name, const std::string& host, std::uint16_t port, int receive_buffer = 0,
           Where where = Where::current());
    Client(Client&&) = default;
    Client& operator=(Client&&) = default;

    const std::string& name() const { return peer_.name(); }
    // This client's address as the server sees it: "127.0.0.1:51234".
    const std::string& address() const { return address_; }

    // Sends bytes, or fails the test if the server does not take them in time.
    void send(std::string_view bytes, Where where = Where::current());
    void send_line(std::string_view line, Where where = Where::current());  // adds the '\n'
    // One byte per send(), a millisecond apart, so the server gets them in
    // as many reads as there are bytes.
    void send_slowly(std::string_view bytes, Where where = Where::current());

    // What the client receives, and its expectations: see Peer, which does
    // them for the test clients and for lab 07's scripted server alike.
    std::string next_line(std::string_view hint = {}, Where where = Where::current()) { return peer_.next_line(hint, where); }
    std::optional<std::string> try_next_line(std::chrono::milliseconds within) { return peer_.try_next_line(within); }
    void expect_line(std::string_view expected, std::string_view hint = {}, Where where = Where::current()) {
        peer_.expect_line(expected, hint, where);
    }
    std::string next_bytes(std::string_view hint = {}, Where where = Where::current()) { return peer_.next_bytes(hint, where); }
    void expect_bytes(std::string_view expected, std::string_view hint = {}, Where where = Where::current()) {
        peer_.expect_bytes(expected, hint, where);
    }
    void expect_silence(std::string_view hint = {}, Where where = Where::current()) { peer_.expect_silence(hint, where); }
    void expect_closed(std::string_view hint = {}, Where where = Where::current()) { peer_.expect_closed(hint, where); }
    void expect_echo(std::string_view bytes, std::string_view hint = {}, Where where = Where::current()) {
        peer_.expect_echo(bytes, hint, where);
    }

    void half_close() { peer_.half_close(); }  // shutdown(SHUT_WR): "I will send nothing more"
    void reset() { peer_.reset(); }            // close with SO_LINGER 0: the server sees a reset

    // Received bytes are not written to the transcript one by one (for
    // tests that move thousands of lines).
    void set_quiet(bool quiet) { peer_.set_quiet(quiet); }
    bool is_closed() const { return peer_.is_closed(); }
    Peer& peer() { return peer_; }

private:
    Peer peer_;
    std::string address_;
};

}  // namespace grader
