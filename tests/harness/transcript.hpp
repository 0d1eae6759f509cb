#pragma once
// The story of one test: who connected, what each client sent and received,
// and when. A failing test prints it, so the student sees the conversation
// their program had, not just the line that went wrong.

#include <chrono>
#include <functional>
#include <mutex>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace grader {

// The line of a test that made an expectation: failures are reported there.
using Where = std::source_location;

class Transcript {
public:
    // Starts a new story (at the start of every test case).
    void restart();
    // One event: "alice sends", "hello\n". Bytes are shown escaped and, when
    // long, shortened.
    void add(std::string_view who, std::string_view what, std::string_view bytes = {},
             bool show_bytes = false);
    std::string render(std::size_t max_events = 40) const;

private:
    struct Event {
        double seconds;
        std::string text;
    };
    mutable std::mutex mutex_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::vector<Event> events_;
};

Transcript& transcript();

// "hello\n" -> "hello\n" in quotes with \n, \r, \t and \xNN escapes; past
// max_bytes it is cut, with the full length said.
std::string quote_bytes(std::string_view bytes, std::size_t max_bytes = 120);

// What the program under test is doing now, and the end of its standard
// error: part of every failure report. The running Server registers this;
// it is given the report's hint, so as not to say the same thing twice.
void set_status_reporter(std::function<std::string(std::string_view hint)> reporter);
void set_status_reporter(std::function<std::string()> reporter);
void set_status_reporter(std::nullptr_t);  // no reporter

// Fails the current test with a report for a student: what went wrong, what
// was expected, the hint, the transcript and the program's state. `where`
// is the line of the test that expected it (every harness call that can fail
// takes one, defaulted to its caller's line).
[[noreturn]] void fail(const std::string& what, std::string_view hint = {}, Where where = Where::current());
// The same, but the test goes on (for checks made while cleaning up).
void fail_without_stopping(const std::string& what, std::string_view hint = {}, Where where = Where::current());
// True once fail() or fail_without_stopping() has reported in this test.
bool failed_this_test();
// A client saw the server close or reset its connection: if the server is
// dying, a failure report waits a moment for its exit status.
void note_connection_lost();
bool connection_lost_this_test();
void start_test();

}  // namespace grader
