#pragma once
// One end of a TCP connection that the grader holds, driven by a test step
// by step; the program under test is at the other end. A test client
// (grader::Client: the grader connected) and lab 07's scripted server (the
// grader accepted) are both a Peer: they send, read lines, wait for the
// other side to close, with a deadline on every wait, and write everything
// they do into the transcript. A failure fails the test with a report:
// what was expected, what came, the transcript and a hint.
//
//   grader::Peer server({"server", "the grader's server", "the client"}, std::move(accepted));
//   server.send_line("* 127.0.0.1:5000 joined");
//   server.expect_line("hello", "send each line typed");
//   server.expect_closed("at the end of input, close the sending side");

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "net/socket.hpp"
#include "process.hpp"
#include "transcript.hpp"

namespace grader {

// Who is talking, in the transcript and in reports.
struct PeerNames {
    std::string name;     // in the transcript: "alice", "server"
    std::string subject;  // in reports: "alice", "the grader's server"
    std::string other;    // the program under test, in reports: "the server", "the client"
};

class Peer {
public:
    // Takes a connected socket. It is made non-blocking, with Nagle off, so
    // that small lock-step exchanges are not held back 40 ms at a time.
    Peer(PeerNames names, net::Socket socket);
    Peer(Peer&&) = default;
    Peer& operator=(Peer&&) = default;

    const std::string& name() const { return names_.name; }
    int fd() const { return socket_.fd(); }

    // Sends bytes, or fails the test if the other side does not take them in time.
    void send(std::string_view bytes, std::string_view hint = {}, Where where = Where::current());
    void send_line(std::string_view line, std::string_view hint = {}, Where where = Where::current());  // adds '\n'
    // For bulk: one transcript line, `summary`, instead of the bytes.
    void send_quietly(std::string_view bytes, std::string_view summary, std::string_view hint = {},
                      Where where = Where::current());

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
    // The other side closes its side of the connection (end of stream, or a
    // reset), with no more bytes before it.
    void expect_closed(std::string_view hint = {}, Where where = Where::current());

    // One byte per send(), a millisecond apart, so that the other side gets
    // them in as many reads as there are bytes.
    void send_slowly(std::string_view bytes, std::string_view hint = {}, Where where = Where::current());
    // Sends `bytes` while reading, and expects them echoed back unchanged:
    // for transfers larger than the kernel's buffers. Diagnoses by symptom
    // (a '\0' lost, a resend from the start, nothing back until the end).
    void expect_echo(std::string_view bytes, std::string_view hint = {}, Where where = Where::current());

    void half_close();  // shutdown(SHUT_WR): "I will send nothing more"
    void close();       // close(): "I have gone"
    void reset();       // close with SO_LINGER 0: the other side sees a reset

    // How the program at the other end has ended ("it was killed by
    // SIGSEGV: ..."), or "" while it runs. When it has ended, a failure's
    // hint says that, not the test's hint: the cause comes first.
    void set_end_explainer(std::function<std::string()> explain_end) { explain_end_ = std::move(explain_end); }

    // Received bytes are not written to the transcript one by one (for
    // tests that move thousands of lines).
    void set_quiet(bool quiet) { quiet_ = quiet; }
    bool is_closed() const { return closed_; }  // the other side closed (or reset)
    bool was_reset() const { return reset_; }

private:
    enum class Read { data, closed, timed_out };
    Read read_more(Clock::time_point deadline);
    std::optional<std::string> take_line();
    [[noreturn]] void fail_expecting(const std::string& expected, std::string_view hint, Read why, Where where);
    [[noreturn]] void fail_with(const std::string& what, std::string_view hint, Where where);

    PeerNames names_;
    net::Socket socket_;
    std::string pending_;  // received, not yet taken by a test
    bool closed_ = false;  // the other side closed (or reset) the connection
    bool reset_ = false;
    bool quiet_ = false;
    std::function<std::string()> explain_end_;
};

}  // namespace grader
