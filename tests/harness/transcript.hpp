#pragma once
// The story of one test: who connected, what each client sent and received,
// and when. A failing test prints it, so the student sees the conversation
// their program had, not just the line that went wrong.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
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
// The same, but keeps the end: a program's standard error, whose last lines
// (a Python traceback's exception, say) are the ones that matter.
std::string quote_end(std::string_view bytes, std::size_t max_bytes = 600);

// What a failure report says about the program under test. The running
// Server (or lab 07's client) registers a reporter; it is given the test's
// hint, so as not to say the same thing twice.
struct ProgramState {
    // Set when the program's end is the real cause of the failure (it
    // crashed, exited, hit a limit, was stopped by a sanitizer): the report
    // then leads with it and its hint, not with the test's own.
    std::string cause;
    std::string cause_hint;
    std::string evidence;  // e.g. a sanitizer's report, shortened
    std::string details;   // its state: command line, status, standard error
};
using ProgramReporter = std::function<ProgramState(std::string_view hint)>;
// Sets the reporter, and returns the one it replaces, to be put back when
// its owner goes (a server started for a moment inside a test, over the
// test's own server).
ProgramReporter set_program_reporter(ProgramReporter reporter);
// Reporters that give the details only.
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
// Ends the current test as SKIPPED: what it checks could not be checked on
// this machine, and that is not the program's fault (port 8001 taken by
// another program, say). A skipped test is neither passed nor failed: the
// grader's line shows "[skip]" and why, and results.json gives it 0 of 0
// points (a check never made is never a pass). A test that has already
// failed stays failed. Call it from the test's own thread. A tool without
// which the suite cannot grade at all is no reason to skip: declare it with
// GRADER_NEEDS_PROGRAM (settings.hpp), and grading refuses to start.
[[noreturn]] void skip_test(const std::string& why);
// Why the current test was skipped, if it was.
std::optional<std::string> skipped_this_test();
// For a failure that did not come through fail() (a plain doctest CHECK, an
// exception): the same report around its message, so that every failure
// has the transcript, the program's state and a hint.
std::string report_for(const std::string& what);
// True once fail() or fail_without_stopping() has reported in this test.
bool failed_this_test();
// What stopped this test, for grouping failures with the same cause (the
// first line of the program's end or of what was wrong, numbers left out,
// and the hint); empty when nothing was reported.
const std::string& failure_kind_this_test();
// A client saw the server close or reset its connection: if the server is
// dying, a failure report waits a moment for its exit status.
void note_connection_lost();
bool connection_lost_this_test();
void start_test();

}  // namespace grader
