// The grader must never hang, and must say what went wrong. Each case runs
// tiny-suite against one kind of misbehaving program and reads its verdict.

#include <doctest/doctest.h>  // main(): common/tests/main.cpp

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "busy_clock.hpp"
#include "net/socket.hpp"
#include "net/tcp.hpp"
#include "process.hpp"

#if !defined(TINY_SUITE) || !defined(SKIP_SUITE) || !defined(NEEDS_A_PROGRAM_SUITE)
#error "TINY_SUITE, SKIP_SUITE, NEEDS_A_PROGRAM_SUITE and MISBEHAVE must be defined by the build"
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

// A suite run on the correct echo server, with these options.
Verdict run_suite(const std::string& suite, std::vector<std::string> options) {
    std::vector<std::string> argv = {suite, "--cmd", std::string(MISBEHAVE) + " echo"};
    argv.insert(argv.end(), options.begin(), options.end());
    grader::ChildProcess run(argv, grader::Limits{}, false);
    const auto status = run.wait_for_exit(grader::Clock::now() + std::chrono::seconds(100));
    REQUIRE_MESSAGE(status.has_value(), "the grader did not finish within 100 s");
    run.wait_for_output_end(grader::Clock::now() + std::chrono::seconds(5));
    return {*status, run.stdout_text() + run.stderr_text()};
}

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// A results.json of this test's own.
struct ResultsFile {
    std::string path = std::filesystem::temp_directory_path() / ("harness-test-results-" + std::to_string(::getpid()) + ".json");
    ~ResultsFile() { std::filesystem::remove(path); }
};

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

// ---------------------------------------------------------------- a check that could not be made

TEST_CASE("a skipped test is neither passed nor failed: '[skip]' and why, 'N skipped', exit 0, 0 of 0 points") {
    const ResultsFile results;
    const Verdict verdict =
        run_suite(SKIP_SUITE, {"-tc=echoes one line,cannot be checked here", "--results", results.path});
    CHECK(verdict.status.exited);
    CHECK(verdict.status.code == 0);
    CHECK(contains(verdict.output, "[skip] cannot be checked here"));
    CHECK(contains(verdict.output, "not checked on this machine: the self-test skips this one on purpose"));
    CHECK(contains(verdict.output, "\n1 passed, 0 failed, 1 skipped\n"));
    CHECK(!contains(verdict.output, "[FAIL]"));
    CHECK(!contains(verdict.output, "THREW"));  // not reported as an exception
    const std::string json = read_file(results.path);
    CHECK(contains(json, "{\"name\": \"cannot be checked here\", \"score\": 0, \"max_score\": 0, \"status\": \"failed\""));
    CHECK(contains(json, "\"output\": \"skipped (not checked on this machine, not the program's fault): the self-test "
                         "skips this one on purpose\", \"extra_data\": {\"skipped\": true}}"));
    CHECK(contains(json, "\"score\": 1,\n"));  // the echo's point, and only it
    CHECK(contains(json, "\"output\": \"Warning: 1 test could not be checked on the grading machine"));
}

TEST_CASE("without a skip the last line and results are as before: no 'skipped', no warning") {
    const ResultsFile results;
    const Verdict verdict = run_suite(SKIP_SUITE, {"-tc=echoes one line", "--results", results.path});
    CHECK(verdict.status.code == 0);
    CHECK(contains(verdict.output, "\n1 passed, 0 failed\n"));
    CHECK(!contains(verdict.output, "skipped"));
    const std::string json = read_file(results.path);
    CHECK(!contains(json, "\"output\": \"Warning"));
    CHECK(!contains(json, "extra_data"));
}

TEST_CASE("a test that fails and then skips is a failure") {
    const Verdict verdict = run_suite(SKIP_SUITE, {"-tc=fails and then cannot be checked"});
    CHECK(verdict.status.code == 1);
    CHECK(contains(verdict.output, "[FAIL] fails and then cannot be checked"));
    CHECK(contains(verdict.output, "a failure before the skip"));
    CHECK(contains(verdict.output, "\n0 passed, 1 failed\n"));
}

TEST_CASE("--expect-failure needs a real failure: a skip is not one") {
    const Verdict skipped_only =
        run_suite(SKIP_SUITE, {"-tc=echoes one line,cannot be checked here", "--expect-failure"});
    CHECK(skipped_only.status.code == 1);
    CHECK(contains(skipped_only.output, "it failed no test (some were skipped, not checked)"));
    const Verdict failed = run_suite(SKIP_SUITE, {"-tc=cannot be checked here,fails and then*", "--expect-failure"});
    CHECK(failed.status.code == 0);
    CHECK(contains(failed.output, "as it should, this program fails 1 of 2 tests"));
}

TEST_CASE("the default-port test skips, saying why, when another program holds port 8001") {
    // Every grader on this machine takes this lock before it looks at port
    // 8001: holding it, and the port, the self-test is "another program".
    // The suite it runs takes a lock of its own (GRADER_DEFAULT_PORT_LOCK).
    net::Socket lock(::open("/tmp/netlabs-port-8001.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666));
    if (lock.is_open()) ::flock(lock.fd(), LOCK_EX);
    std::optional<net::Socket> holder;
    try {
        holder.emplace(net::listen_on("127.0.0.1", 8001));
    } catch (const std::exception&) {
        // someone else's program has it: taken all the same
    }
    const std::string own_lock = std::filesystem::temp_directory_path() / ("harness-test-8001-" + std::to_string(::getpid()) + ".lock");
    ::setenv("GRADER_DEFAULT_PORT_LOCK", own_lock.c_str(), 1);
    const Verdict verdict = run_suite(SKIP_SUITE, {"-tc=without options*"});
    ::unsetenv("GRADER_DEFAULT_PORT_LOCK");
    std::filesystem::remove(own_lock);
    CHECK(verdict.status.code == 0);
    CHECK(contains(verdict.output, "[skip] without options, listens on 127.0.0.1:8001"));
    CHECK(contains(verdict.output, "another program on this machine is using port 8001"));
    CHECK(contains(verdict.output, "\n0 passed, 0 failed, 1 skipped\n"));
}

TEST_CASE("a suite that needs a program missing from the PATH refuses to start: exit 2, naming what to install") {
    const Verdict verdict = run_suite(NEEDS_A_PROGRAM_SUITE, {});
    CHECK(verdict.status.exited);
    CHECK(verdict.status.code == 2);
    CHECK(contains(verdict.output, "netlabs-no-such-program (a program no machine has), which is not on the PATH"));
    CHECK(contains(verdict.output, "apt-get install netlabs-selftest-package"));
    CHECK(!contains(verdict.output, "[pass]"));
    CHECK(!contains(verdict.output, "[FAIL]"));
    // Listing the tests needs nothing.
    const Verdict listing = run_suite(NEEDS_A_PROGRAM_SUITE, {"--list-test-cases"});
    CHECK(listing.status.code == 0);
    CHECK(contains(listing.output, "echoes one line"));
}

TEST_CASE("the grader writes no JUnit of its own: --junit is an unknown option (grading/results.py writes JUnit)") {
    const Verdict verdict = run_suite(TINY_SUITE, {"--junit", "/dev/null"});
    CHECK(verdict.status.code == 2);
    CHECK(contains(verdict.output, "--junit is no more"));
    CHECK(!contains(verdict.output, "[pass]"));
}

// ---------------------------------------------------------------- points that mean something

TEST_CASE("--expect-score-at-most: a failing program must also score at most that share of the points") {
    const std::string points = std::filesystem::temp_directory_path() / ("harness-test-points-" + std::to_string(::getpid()) + ".txt");
    {
        std::ofstream file(points);
        file << "1 visible echoes one line\n3 visible fails and then*\n";
    }
    const std::vector<std::string> run = {"-tc=echoes one line,fails and then*", "--expect-failure", "--points", points};
    auto with = [&](std::string percent) {
        std::vector<std::string> options = run;
        options.insert(options.end(), {"--expect-score-at-most", percent});
        return run_suite(SKIP_SUITE, options);
    };
    const Verdict within = with("25");  // 1 of 4 points
    CHECK(within.status.code == 0);
    CHECK(contains(within.output, "scores 1 of 4 points (25.0 %, at most 25 %)"));
    const Verdict above = with("20");
    CHECK(above.status.code == 1);
    CHECK(contains(above.output, "scores 1 of 4 points (25.0 %), more than the 20 % a program with this mistake may score"));
    CHECK(contains(above.output, "\n0 passed, 1 failed\n"));
    const Verdict without_points = run_suite(SKIP_SUITE, {"--expect-failure", "--expect-score-at-most", "80"});
    CHECK(without_points.status.code == 2);
    std::filesystem::remove(points);
}

// ---------------------------------------------------------------- no flake under load

TEST_CASE("a BusyClock counts the time a program waited for a CPU out, and a sleeping program's clock still runs") {
    // Twice as many busy loops as cores, in one process group: each waits
    // for a CPU about half the time, so together they wait longer than the
    // clock runs.
    const long cores = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
    const std::string loops = "for i in $(seq " + std::to_string(2 * cores + 2) +
                              "); do (while :; do :; done) & done; wait";
    grader::ChildProcess busy({"sh", "-c", loops}, grader::Limits{}, false);
    grader::ChildProcess sleeper({"sleep", "30"}, grader::Limits{}, false);
    grader::BusyClock busy_clock(busy.pid()), sleeping_clock(sleeper.pid());
    // This thread's own waits for a CPU count out too (it is the grader).
    auto own_wait = [] {
        std::ifstream schedstat("/proc/thread-self/schedstat");
        long long on_cpu = 0, waiting = 0;
        schedstat >> on_cpu >> waiting;
        return std::chrono::milliseconds(waiting / 1'000'000);
    };
    const auto own_wait_before = own_wait();
    const auto started = grader::Clock::now();
    // The clocks are what is measured: two seconds of wall time must pass,
    // sampled every 10 ms.
    while (grader::Clock::now() - started < std::chrono::seconds(2)) {
        busy.wait_for_exit(grader::Clock::now() + std::chrono::milliseconds(10));
        busy_clock.sample();
        sleeping_clock.sample();
    }
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(grader::Clock::now() - started);
    CHECK(wall >= std::chrono::milliseconds(2000));
    CHECK_MESSAGE(busy_clock.elapsed() < wall / 2, busy_clock.describe());
    // The sleeper waits for no CPU; the machine's waits (the loops') count
    // out at most four fifths of each interval: its deadline still comes,
    // within five times its length (less the time this thread, the grader,
    // waited: that is counted out whole).
    const auto grader_waited = own_wait() - own_wait_before;
    CHECK_MESSAGE(sleeping_clock.elapsed() >= (wall - grader_waited) / 5 - std::chrono::milliseconds(50),
                  (sleeping_clock.describe() + ", the grader waited " + std::to_string(grader_waited.count()) + " ms"));
    busy.signal_group(SIGKILL);
    sleeper.signal_group(SIGKILL);
}
