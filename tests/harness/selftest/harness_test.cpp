// The grader must never hang, and must say what went wrong. Each case runs
// tiny-suite against one kind of misbehaving program and reads its verdict.

#include <doctest/doctest.h>  // main(): common/tests/main.cpp

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "process.hpp"

#ifndef TINY_SUITE
#error "TINY_SUITE and MISBEHAVE must be defined by the build"
#endif

namespace {

struct Verdict {
    grader::ExitStatus status;
    std::string output;
};

// Runs the suite on `misbehave MODE` and reads its verdict. Each case waits
// for an event (a reply, an exit, a crash, a limit tripping, a sanitizer's
// report), never for a deadline to run out, except where the deadline is the
// point (a program that never listens, never flushes, never answers):
// - those three get deadlines cut to a third, so that they are quick;
// - every other mode gets long deadlines (x10), so that the event comes
//   first on any machine, however loaded: under ThreadSanitizer on 2 busy
//   cores, writing a race report takes seconds, and threads start at about
//   150 a second. The case still ends the moment the event comes;
// - the thread bomb gets a low thread limit (100), so that it trips at once;
// - a correct program gets the normal deadlines, as students do.
Verdict grade(const std::string& mode) {
    grader::Limits limits;
    const bool deadline_is_the_point = mode == "hang" || mode == "no-flush" || mode == "silent";
    std::vector<std::string> argv = {TINY_SUITE, "--cmd", std::string(MISBEHAVE) + " " + mode, "--time-scale",
                                     mode == "echo" ? "1" : deadline_is_the_point ? "0.3" : "10"};
    if (mode == "threads") argv.insert(argv.end(), {"--max-threads", "100"});
    grader::ChildProcess suite(argv, limits, false);
    const auto status = suite.wait_for_exit(grader::Clock::now() + std::chrono::seconds(100));
    REQUIRE_MESSAGE(status.has_value(), "the grader did not finish within 100 s on mode " << mode);
    while (suite.next_stdout_line(grader::Clock::now() + std::chrono::seconds(5))) {}
    return {*status, suite.stdout_text() + suite.stderr_text()};
}

// The first child of `parent` whose command name is `name`, or 0.
pid_t child_named(pid_t parent, const std::string& name) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream stat_file(entry.path() / "stat");
        std::string stat;
        if (!std::getline(stat_file, stat)) continue;
        const auto open = stat.find('('), close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        std::istringstream rest(stat.substr(close + 2));
        char state = 0;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == parent && stat.substr(open + 1, close - open - 1) == name) return std::stoi(stat);
    }
    return 0;
}

// Running, not a zombie (an orphan may wait a while to be reaped).
bool is_alive(pid_t pid) {
    std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(stat_file, stat)) return false;
    return stat.substr(stat.rfind(')') + 2, 1) != "Z";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a correct program passes") {
    const Verdict verdict = grade("echo");
    CHECK(verdict.status.exited);
    CHECK(verdict.status.code == 0);
    CHECK(contains(verdict.output, "1 passed, 0 failed\n"));
}

TEST_CASE("a program that never listens fails, saying it printed no listening line") {
    const Verdict verdict = grade("hang");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "no 'listening on HOST:PORT' line within"));
    CHECK(contains(verdict.output, "0 passed, 1 failed\n"));
}

TEST_CASE("a program that does not flush its listening line gets the flush hint") {
    const Verdict verdict = grade("no-flush");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "flush"));
}

TEST_CASE("a program that prints something else first is told the line's form") {
    const Verdict verdict = grade("wrong-line");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "must be 'listening on HOST:PORT', but it was \"Server started!\""));
}

TEST_CASE("a program that exits at once fails with its exit status") {
    const Verdict verdict = grade("exit-at-once");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "exited with status 3"));
}

TEST_CASE("a program that crashes fails, saying it was killed by SIGSEGV") {
    const Verdict verdict = grade("crash");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "SEGV"));  // "SIGSEGV", or a sanitizer's "SEGV on unknown address"
}

TEST_CASE("a program killed by SIGPIPE gets the MSG_NOSIGNAL hint") {
    const Verdict verdict = grade("sigpipe");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "MSG_NOSIGNAL"));
}

TEST_CASE("a program that floods its output is stopped, and told so") {
    const Verdict verdict = grade("flood");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "MiB of output"));
}

TEST_CASE("a program that starts threads without end is stopped, and told so") {
    const Verdict verdict = grade("threads");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "threads, more than the limit of 100"));
}

TEST_CASE("a program that never answers fails when the reply deadline passes") {
    const Verdict verdict = grade("silent");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "alice expected \"hello\\n\""));
    CHECK(contains(verdict.output, "alice sends \"hello\\n\""));  // the transcript
}

#if defined(__SANITIZE_THREAD__)
TEST_CASE("a data race fails the test, with ThreadSanitizer's report shown") {
    const Verdict verdict = grade("race");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "WARNING: ThreadSanitizer: data race"));
}
#endif

#if defined(__SANITIZE_ADDRESS__)  // the ASan build has UBSan too
TEST_CASE("undefined behaviour fails the test, with UBSan's report shown") {
    const Verdict verdict = grade("overflow");
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "runtime error: signed integer overflow"));
}
#endif

TEST_CASE("an interrupted grader kills the program it started") {
    grader::Limits limits;
    grader::ChildProcess suite({TINY_SUITE, "--cmd", std::string(MISBEHAVE) + " silent"}, limits, false);
    // Wait until the suite has started the program under test.
    pid_t program = 0;
    const auto deadline = grader::Clock::now() + std::chrono::seconds(60);  // an event, not a race
    while ((program = child_named(suite.pid(), "misbehave")) == 0 && grader::Clock::now() < deadline) {
        suite.wait_for_exit(grader::Clock::now() + std::chrono::milliseconds(10));  // look again in 10 ms
    }
    REQUIRE_MESSAGE(program != 0, "the suite did not start the program within 60 s");
    suite.signal_group(SIGTERM);  // reaches the suite only: the program has a group of its own
    REQUIRE(suite.wait_for_exit(grader::Clock::now() + std::chrono::seconds(5)).has_value());
    const auto gone_by = grader::Clock::now() + std::chrono::seconds(5);
    while (is_alive(program) && grader::Clock::now() < gone_by) {
        suite.wait_for_exit(grader::Clock::now() + std::chrono::milliseconds(10));
    }
    CHECK_MESSAGE(!is_alive(program), "the program under test outlived the interrupted grader");
}
