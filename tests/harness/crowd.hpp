#pragma once
// Crowd: thousands of test clients at once, in one thread and one epoll set
// (a thread per test client would need the 10,000 threads the server under
// test must do without). Expectations are in aggregate ("every client gets
// this line"), and a failure report summarises: how many got it, how many
// the server closed, and what a few of the others received last.
//
//   grader::Crowd crowd(server, 10000, settings().scaled(30));  // connects all
//   crowd.send_line(0, "hello");
//   crowd.expect_everyone_gets(crowd.address(0) + " says: hello", {0}, settings().scaled(20), hint);
//
// Lines that arrive meanwhile (join notices, say) are read and counted, so
// that no client's socket fills up while the test waits on the others.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "busy_clock.hpp"
#include "net/socket.hpp"
#include "program.hpp"
#include "transcript.hpp"

namespace grader {

class Crowd {
public:
    // Connects `count` clients to the server, failing the test unless all of
    // them are connected, and the first has heard the others join ("* ADDR
    // joined"), within `within`. (Here and below, `within` is time on a
    // BusyClock: on a busy machine, the time the server and the grader
    // waited for a CPU does not count against the server.) At most `window` clients are ever waiting
    // to be accepted, so that a listen backlog of 128 never overflows (a
    // dropped handshake costs a second). Raises the grader's own open-file
    // limit to its hard limit first.
    Crowd(const Server& server, int count, std::chrono::milliseconds within, int window = 100,
          Where where = Where::current());
    ~Crowd();
    Crowd(const Crowd&) = delete;
    Crowd& operator=(const Crowd&) = delete;

    std::size_t size() const { return members_.size(); }
    const std::string& address(std::size_t index) const { return members_[index].address; }

    // Sends a line from one client (the whole line, or the test fails).
    void send_line(std::size_t index, std::string_view line, Where where = Where::current());

    // Waits until every client but those in `except` has received `line`
    // (other lines before it are read and skipped), or fails with a summary.
    void expect_everyone_gets(std::string_view line, const std::vector<std::size_t>& except,
                              std::chrono::milliseconds within, std::string_view hint, Where where = Where::current());

    // Lines received so far, all clients together (notices included).
    long long lines_received() const { return lines_received_; }

private:
    struct Member {
        net::Socket socket;
        std::string address;  // as the server sees it
        std::string partial;
        std::string last_line;  // the last whole line it received (for reports)
        bool connected = false;
        bool closed = false;
        bool got_expected = false;
    };
    void poll(int timeout_ms);
    // True once `within` has passed on `clock` (sampled at each call):
    // looked at only once that much has passed on the wall clock, and then
    // every quarter second.
    bool past(BusyClock& clock, std::chrono::milliseconds within);
    void receive(std::size_t index);
    std::string summary(std::string_view what, const std::vector<bool>& excluded) const;

    std::vector<Member> members_;
    int epoll_ = -1;
    std::string expected_;
    long long lines_received_ = 0;
    int joins_heard_by_first_ = 0;
    int closed_ = 0;
    std::size_t connected_ = 0;
    std::vector<bool> excluded_;  // not owed the expected line
    std::size_t got_expected_ = 0, closed_before_expected_ = 0;
    std::vector<char> buffer_;
    pid_t server_;
    Clock::time_point next_look_{};
};

}  // namespace grader
