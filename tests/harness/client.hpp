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

    const std::string& name() const { return name_; }
    // This client's address as the server sees it: "127.0.0.1:51234".
    const std::string& address() const { return address_; }

    // Sends bytes, or fails the test if the server does not take them in time.
    void send(std::string_view bytes, Where where = Where::current());
    void send_line(std::string_view line, Where where = Where::current());  // adds the '\n'
    // One byte per send(), a millisecond apart, so the server gets them in
    // as many reads as there are bytes.
    void send_slowly(std::string_view bytes, Where where = Where::current());

    // The next whole line (without '\n'), or the test fails with the hint.
    std::string next_line(std::string_view hint = {}, Where where = Where::current());
    // The next line if one arrives within `within`; nothing otherwise (no failure).
    std::optional<std::string> try_next_line(std::chrono::milliseconds within);
    void expect_line(std::string_view expected, std::string_view hint = {}, Where where = Where::current());
    // Whatever has arrived, at least one byte, or the test fails with the hint.
    std::string next_bytes(std::string_view hint = {}, Where where = Where::current());
    // Exactly these bytes next, however they are split into reads.
    void expect_bytes(std::string_view expected, std::string_view hint = {}, Where where = Where::current());
    // Nothing arrives for the silence window (a fixed wait: the one kind of
    // check that cannot end early).
    void expect_silence(std::string_view hint = {}, Where where = Where::current());
    // The server closes the connection (end of stream or reset), with no
    // more bytes before it.
    void expect_closed(std::string_view hint = {}, Where where = Where::current());

    // Sends `bytes` while reading, and expects them echoed back unchanged:
    // for transfers larger than the kernel's buffers.
    void expect_echo(std::string_view bytes, std::string_view hint = {}, Where where = Where::current());

    void half_close();  // shutdown(SHUT_WR): "I will send nothing more"
    void reset();       // close with SO_LINGER 0: the server sees a reset

    // Received bytes are not written to the transcript one by one (for
    // tests that move thousands of lines).
    void set_quiet(bool quiet) { quiet_ = quiet; }
    bool is_closed() const { return closed_; }

private:
    enum class Read { data, closed, timed_out };
    Read read_more(Clock::time_point deadline);
    std::optional<std::string> take_line();
    [[noreturn]] void fail_expecting(const std::string& expected, std::string_view hint, Read why,
                                     Where where);

    std::string name_;
    net::Socket socket_;
    std::string address_;
    std::string pending_;  // received, not yet taken by a test
    bool closed_ = false;  // the server closed (or reset) the connection
    bool reset_ = false;
    bool quiet_ = false;
};

}  // namespace grader
