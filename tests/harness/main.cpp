// The main() of every grading suite: reads what to grade, runs the doctest
// cases, prints a line per case and the closing "N passed, N failed" (and
// ", N skipped" when a test could not be checked here), and can write
// Gradescope's results.json (grading/results.py makes JUnit XML of it).

#include <doctest/doctest.h>  // its implementation: common/tests/doctest.cpp

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <sstream>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "language.hpp"
#include "net/socket.hpp"
#include "process.hpp"
#include "settings.hpp"
#include "transcript.hpp"

namespace {

struct CaseResult {
    std::string name;
    bool passed = false;
    double seconds = 0;
    std::string output;  // failure messages
    // grader::skip_test(): not checked on this machine, neither passed nor
    // failed (and worth nothing either way).
    bool skipped = false;
    std::string skip_reason;
    std::string report;  // what the student reads above its [FAIL] line
    std::string where;   // FILE:LINE of the first failure
};

// Failures with the same cause (grader::failure_kind_this_test()): the
// first is shown in full, the others one line each ("and 16 more tests
// stopped at the same point"), so that a blank starter's first run is one
// clear message with its hint once. results.json keeps every report.
struct SameCause {
    std::string kind;
    std::string first;  // the title of the test shown in full
    std::string what;   // the first line of its report
    int more = 0;
};
std::vector<SameCause> causes;

std::vector<CaseResult> results;
bool confined = false;  // --confined: the grader runs inside the sandbox (grading/)
// --not-run REASON: every test is reported failed for this reason, none is
// run (a submission that did not build, or timed out, still gets one line
// per test, with its points, in results.json).
std::string not_run_reason;
bool not_run = false;

[[noreturn]] void fail_setup(const std::string& problem);

// A suite that cannot grade without a program (GRADER_NEEDS_PROGRAM) refuses
// to start when it is missing: exit 2 before any test, naming the package.
void refuse_without_needed_programs() {
    std::vector<std::string> missing, packages;
    for (const grader::Settings::NeededProgram& needed : grader::settings().needed_programs) {
        if (!grader::find_on_path(needed.name).empty()) continue;
        missing.push_back(needed.name + " (" + needed.what + ")");
        packages.push_back(needed.package);
    }
    if (missing.empty()) return;
    std::string names, install;
    for (std::size_t i = 0; i < missing.size(); ++i) {
        names += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
        install += " " + packages[i];
    }
    fail_setup("this suite cannot grade without " + names + ", which " + (missing.size() == 1 ? "is" : "are") +
               " not on the PATH. Install it, then grade again (on Debian and Ubuntu: sudo apt-get install" +
               install + "). No test was run.");
}

// doctest's console reporter writes through this, to standard output, for
// --help and --list-test-cases; while tests run it is muted: the grader
// prints each failure's report itself (in the student's language, the
// same causes together) and its own last line (doctest's would count a
// skipped test as failed, and calls the tests a filter left out "skipped").
class MutableOutput : public std::streambuf {
public:
    explicit MutableOutput(std::streambuf* out) : out_(out) {}
    void mute() { muted_ = true; }

protected:
    int overflow(int c) override {
        if (c == traits_type::eof() || muted_) return traits_type::not_eof(c);
        return out_->sputc(static_cast<char>(c));
    }
    std::streamsize xsputn(const char* text, std::streamsize count) override {
        return muted_ ? count : out_->sputn(text, count);
    }
    int sync() override { return out_->pubsync(); }

private:
    std::streambuf* out_;
    bool muted_ = false;
};
MutableOutput reporter_buffer(std::cout.rdbuf());
std::ostream reporter_output(&reporter_buffer);

// Sees every test case start and end, and every failure message.
class GradeListener : public doctest::IReporter {
public:
    explicit GradeListener(const doctest::ContextOptions&) {}

    void test_case_start(const doctest::TestCaseData& data) override {
        grader::start_test();
        current_ = CaseResult();
        current_.name = data.m_name;
        current_.where = std::string(data.m_file.c_str()) + ":" + std::to_string(data.m_line);
        started_ = std::chrono::steady_clock::now();
    }
    void test_case_end(const doctest::CurrentTestCaseStats& stats) override {
        // A test skipped before anything failed in it (a failure, then a
        // skip, is a failure).
        const auto skip_reason = grader::skipped_this_test();
        current_.skipped = skip_reason && stats.numAssertsFailedCurrentTest == 0 && !grader::failed_this_test();
        if (current_.skipped) current_.skip_reason = *skip_reason;
        current_.passed = stats.testCaseSuccess && !current_.skipped;
        // Inside the sandbox, everything the program under test started
        // (setsid'd, double-forked) ends with its test, not with the suite.
        if (confined) grader::kill_every_other_process();
        current_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        const std::string title = grader::localized_test_name(current_.name);
        const std::string seconds = seconds_text(current_.seconds);
        if (current_.skipped) {
            current_.output = "skipped (not checked on this machine, not the program's fault): " + current_.skip_reason;
            std::printf("%s %s (%s)\n       %s %s\n", grader::localized_text("[skip]").c_str(), title.c_str(),
                        seconds.c_str(), grader::localized_text("not checked on this machine:").c_str(),
                        grader::localized_text(current_.skip_reason).c_str());
        } else if (current_.passed) {
            std::printf("%s %s (%s)\n", grader::localized_text("[pass]").c_str(), title.c_str(), seconds.c_str());
        } else {
            print_failure(title, seconds);
        }
        std::fflush(stdout);
        results.push_back(current_);
    }
    void test_case_exception(const doctest::TestCaseException& exception) override {
        const std::string what = std::string("exception: ") + exception.error_string.c_str();
        // fail() ends a test with an exception of its own, already reported;
        // skip_test() with one that is no failure.
        if (grader::failed_this_test() || grader::skipped_this_test()) return;
        const std::string report = grader::report_for(what);
        current_.output += report;
        current_.report += report + "\n";
    }
    void log_assert(const doctest::AssertData& data) override {
        if (!data.m_failed) return;
        std::string message = std::string(data.m_decomp.c_str()) + std::string(data.m_exception.c_str());
        // A plain CHECK, not grader::fail(): give it the same report.
        if (!grader::failed_this_test())
            message = grader::report_for(std::string(data.m_file) + ":" + std::to_string(data.m_line) + ": " +
                                         message);
        if (current_.report.empty()) current_.where = std::string(data.m_file) + ":" + std::to_string(data.m_line);
        current_.output += message + "\n";
        current_.report += message + "\n";
    }
    void log_message(const doctest::MessageData& data) override {
        if (data.m_severity & doctest::assertType::is_warn) return;
        // grader::fail()'s report (ADD_FAIL_AT): at the test's own line.
        if (current_.report.empty()) current_.where = std::string(data.m_file) + ":" + std::to_string(data.m_line);
        current_.output += std::string(data.m_string.c_str()) + "\n";
        current_.report += std::string(data.m_string.c_str()) + "\n";
    }

    void report_query(const doctest::QueryData& query) override {
        if (!not_run) return;
        for (unsigned i = 0; i < query.num_data; ++i) {
            CaseResult result;
            result.name = query.data[i]->m_name;
            result.output = not_run_reason;
            results.push_back(result);
        }
    }
    // Only when tests are to run (not for --list-test-cases, nor --not-run).
    void test_run_start() override {
        refuse_without_needed_programs();
        reporter_buffer.mute();  // before doctest's "[doctest] run with --help"
    }
    // Listeners are called before doctest's own reporter: it writes its
    // summary after this.
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}

private:
    static std::string seconds_text(double seconds) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f s", seconds);
        return text;
    }

    // The first failure of a cause in full, under a rule; the next ones of
    // the same cause one line each.
    void print_failure(const std::string& title, const std::string& seconds) {
        const std::string& kind = grader::failure_kind_this_test();
        SameCause* same = nullptr;
        for (SameCause& cause : causes)
            if (!kind.empty() && cause.kind == kind) same = &cause;
        if (same) {
            ++same->more;
            std::printf("%s %s (%s): %s\n", grader::localized_text("[FAIL]").c_str(), title.c_str(), seconds.c_str(),
                        grader::localized_text("stopped at the same point as '" + same->first + "' (above)").c_str());
            return;
        }
        std::string report = current_.report;
        while (report.ends_with("\n\n")) report.pop_back();
        if (!kind.empty()) causes.push_back({kind, title, report.substr(0, report.find('\n')), 0});
        std::printf("%s\n%s  (%s)\n\n%s\n%s %s (%s)\n", std::string(79, '=').c_str(), title.c_str(),
                    current_.where.c_str(), report.c_str(), grader::localized_text("[FAIL]").c_str(), title.c_str(),
                    seconds.c_str());
    }

    CaseResult current_;
    std::chrono::steady_clock::time_point started_;
};

// Under the tests, before the last line: each cause that stopped several.
void print_same_causes() {
    for (const SameCause& cause : causes) {
        if (cause.more == 0) continue;
        const std::string line = "and " + std::to_string(cause.more) + (cause.more == 1 ? " more test" : " more tests") +
                                 " stopped at the same point as '" + cause.first + "' (its report is above):";
        std::printf("%s\n  %s\n", grader::localized_text(line).c_str(), cause.what.c_str());
    }
}

REGISTER_LISTENER("grade", 1, GradeListener);

// Gradescope shows `output` as text, and JSON must be valid UTF-8,
// whatever the program under test printed: well-formed UTF-8 sequences are
// kept (a student's "é" stays "é"), every other byte becomes U+FFFD.
std::string valid_utf8(const std::string& text) {
    std::string valid;
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    for (std::size_t i = 0; i < size;) {
        const unsigned char c = bytes[i];
        // The length of a well-formed sequence starting here, or 0.
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
        if (c < 0x80) length = 1;
        else if (c >= 0xc2 && c <= 0xdf) length = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            length = 3;
            if (c == 0xe0) low = 0xa0;   // no overlong forms
            if (c == 0xed) high = 0x9f;  // no surrogates
        } else if (c >= 0xf0 && c <= 0xf4) {
            length = 4;
            if (c == 0xf0) low = 0x90;
            if (c == 0xf4) high = 0x8f;  // nothing above U+10FFFF
        }
        bool valid_here = length > 0 && i + length <= size;
        if (valid_here && length > 1) valid_here = bytes[i + 1] >= low && bytes[i + 1] <= high;
        for (std::size_t k = 2; valid_here && k < length; ++k) valid_here = bytes[i + k] >= 0x80 && bytes[i + k] <= 0xbf;
        if (valid_here) {
            valid.append(text, i, length);
            i += length;
        } else {
            valid += "\xef\xbf\xbd";  // U+FFFD, the replacement character
            ++i;
        }
    }
    return valid;
}

// A JSON string: valid UTF-8, control characters escaped.
std::string json_string(const std::string& text) {
    std::string json = "\"";
    for (const char c : valid_utf8(text)) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') json += {'\\', c};
        else if (c == '\n') json += "\\n";
        else if (c == '\t') json += "\\t";
        else if (byte < 0x20 || byte == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
            json += escaped;
        } else json += c;
    }
    return json + "\"";
}

// One test's failure report, cut to a size a results page can show.
std::string cut_output(const std::string& output) {
    constexpr std::size_t limit = 16 * 1024;
    if (output.size() <= limit) return output;
    return output.substr(0, limit) + "\n[... " + std::to_string(output.size() - limit) + " more bytes cut]\n";
}

// Points and visibility per test, from --points FILE: one rule a line,
//     POINTS VISIBILITY NAME-PATTERN
// e.g. "3 after_due_date echoes 16 MiB*" ('*' matches anything). The last
// rule that matches a test wins; a test no rule matches is worth 1 point,
// visible. '#' starts a comment.
struct Rule {
    double points = 1;
    std::string visibility = "visible";
    std::string pattern;
};
std::vector<Rule> rules;

bool matches(std::string_view pattern, std::string_view name) {
    if (pattern.empty()) return name.empty();
    if (pattern.front() == '*') {
        for (std::size_t skip = 0; skip <= name.size(); ++skip)
            if (matches(pattern.substr(1), name.substr(skip))) return true;
        return false;
    }
    return !name.empty() && pattern.front() == name.front() && matches(pattern.substr(1), name.substr(1));
}

Rule rule_for(const std::string& name) {
    Rule found;
    for (const Rule& rule : rules)
        if (matches(rule.pattern, name)) found = rule;
    return found;
}

[[noreturn]] void fail_setup(const std::string& problem) {
    std::cerr << "grade: " << problem << "\n";
    std::exit(2);
}

void read_points(const std::string& path) {
    std::ifstream file(path);
    if (!file) fail_setup("cannot read the points file " + path);
    const std::vector<std::string> visibilities = {"visible", "hidden", "after_due_date", "after_published"};
    std::string line;
    for (int number = 1; std::getline(file, line); ++number) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        Rule rule;
        std::string points;
        if (!(words >> points)) continue;  // blank or comment
        char* end = nullptr;
        rule.points = std::strtod(points.c_str(), &end);
        words >> rule.visibility >> std::ws;
        std::getline(words, rule.pattern);
        while (!rule.pattern.empty() && std::isspace(static_cast<unsigned char>(rule.pattern.back()))) rule.pattern.pop_back();
        if (*end != '\0' || rule.points < 0 || rule.pattern.empty() ||
            std::find(visibilities.begin(), visibilities.end(), rule.visibility) == visibilities.end())
            fail_setup(path + ":" + std::to_string(number) +
                       ": expected POINTS VISIBILITY NAME-PATTERN, e.g. \"2 after_due_date echoes*\" "
                       "(visibility: visible, hidden, after_due_date or after_published)");
        rules.push_back(rule);
    }
}

// A file the results go to, opened before any test runs, so that a path
// that cannot be written stops the grader at once (exit 2) rather than
// after the tests, or never. "/dev/fd/N" is the descriptor N the grader
// was given (the sandbox passes a pipe that way).
class Output {
public:
    Output() = default;
    explicit Output(const std::string& path) : path_(path) {
        if (path.starts_with("/dev/fd/")) {
            fd_ = net::Socket(std::atoi(path.c_str() + 8));
            if (fd_.fd() < 3 || ::fcntl(fd_.fd(), F_GETFD) < 0) fail_setup("cannot write " + path + ": no such descriptor");
            ::fcntl(fd_.fd(), F_SETFD, FD_CLOEXEC);
        } else {
            fd_ = net::Socket(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
            if (!fd_.is_open()) fail_setup("cannot write " + path + ": " + std::strerror(errno));
        }
    }
    bool wanted() const { return fd_.is_open(); }
    void write(const std::string& text) {
        for (std::size_t done = 0; done < text.size();) {
            const ssize_t n = ::write(fd_.fd(), text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail_setup("cannot write " + path_ + ": " + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
        // A file's write-back error shows in fsync() (net::Socket's close()
        // keeps close()'s to itself); a pipe has none (EINVAL).
        if (::fsync(fd_.fd()) < 0 && errno != EINVAL && errno != EROFS)
            fail_setup("cannot write " + path_ + ": " + std::strerror(errno));
        fd_.close();
    }

private:
    std::string path_;
    net::Socket fd_;  // the one owner of descriptors (common/): a file or a pipe here
};

std::string number_text(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

// What the instructor reads at the top of the results when tests were
// skipped: which, and why (empty when none was).
std::string skipped_warning() {
    std::string list;
    int count = 0;
    for (const CaseResult& r : results) {
        if (!r.skipped) continue;
        ++count;
        list += "\n  - " + r.name + ": " + r.skip_reason;
    }
    if (count == 0) return "";
    return "Warning: " + std::to_string(count) + (count == 1 ? " test" : " tests") +
           " could not be checked on the grading machine, and " + (count == 1 ? "is" : "are") +
           " worth 0 of 0 points here (not the program's fault; the score leaves " +
           (count == 1 ? "it" : "them") + " out):" + list +
           "\nFix the grading machine and grade again for a score that includes " + (count == 1 ? "it" : "them") + ".\n";
}

// Gradescope's results.json (https://gradescope-autograders.readthedocs.io,
// "Autograder specifications"): the score, and each test with its points.
// A skipped test is worth 0 of 0, "failed" (Gradescope knows only passed and
// failed, and a check never made must never show as a pass), with
// "extra_data": {"skipped": true}; the top-level output warns.
std::string results_json(double total_seconds) {
    double score = 0;
    std::string tests;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const CaseResult& r = results[i];
        const Rule rule = rule_for(r.name);
        const double max_score = r.skipped ? 0 : rule.points;
        if (r.passed) score += rule.points;
        tests += "    {\"name\": " + json_string(r.name) + ", \"score\": " + number_text(r.passed ? rule.points : 0) +
                 ", \"max_score\": " + number_text(max_score) + ", \"status\": \"" +
                 (r.passed ? "passed" : "failed") + "\", \"visibility\": \"" + rule.visibility +
                 "\", \"execution_time\": " + number_text(r.seconds) + ", \"output\": " +
                 json_string(cut_output(r.output)) + (r.skipped ? ", \"extra_data\": {\"skipped\": true}" : "") + "}" +
                 (i + 1 < results.size() ? ",\n" : "\n");
    }
    const std::string warning = skipped_warning();
    return "{\n  \"score\": " + number_text(score) + ",\n  \"execution_time\": " + number_text(total_seconds) +
           (warning.empty() ? std::string() : ",\n  \"output\": " + json_string(warning)) +
           ",\n  \"tests\": [\n" + tests + "  ]\n}\n";
}

[[noreturn]] void usage(const char* problem) {
    std::cerr << "grade: " << problem << "\n"
              << "usage: grade (--program PATH | --cmd \"COMMAND\") [--time-scale X] [--max-threads N]\n"
              << "             [--results FILE] [--points FILE] [--confined] [--seed N]\n"
              << "             [--expect-failure [--expect-score-at-most PERCENT]] [doctest options, e.g. -tc=\"name*\"]\n"
              << "  --cmd: {port} in COMMAND is replaced by a free port; without it, --port PORT is added\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "--reference-role" && grader::reference_role_main)
        return grader::reference_role_main(argc - 1, argv + 1);
    grader::Settings& settings = grader::settings();
    std::string results_path, points_path;
    bool expect_failure = false;
    double most_percent = -1;  // --expect-score-at-most: the score a failing program may reach, in %
    std::vector<const char*> doctest_args = {argv[0]};
    if (grader::built_with_sanitizer()) settings.time_scale = 3.0;
    if (const char* scale = std::getenv("GRADER_TIME_SCALE")) settings.time_scale *= std::atof(scale);

    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage((arg + " needs a value").c_str());
            return argv[++i];
        };
        if (arg == "--program") settings.program = value();
        else if (arg == "--cmd") settings.command = value();
        else if (arg == "--results") results_path = value();
        else if (arg == "--points") points_path = value();
        else if (arg == "--junit")
            usage("--junit is no more: the grader writes results.json (--results FILE), and grading/results.py "
                  "makes JUnit XML of it (./lab grade NN --junit FILE does both)");
        else if (arg == "--confined") confined = true;
        else if (arg == "--not-run") {
            not_run = true;
            not_run_reason = value();
        }
        else if (arg == "--expect-failure") expect_failure = true;
        else if (arg == "--expect-score-at-most") {
            char* end = nullptr;
            const std::string percent = value();
            most_percent = std::strtod(percent.c_str(), &end);
            if (*end != '\0' || most_percent < 0 || most_percent > 100)
                usage("--expect-score-at-most needs a percentage from 0 to 100");
        }
        else if (arg == "--max-threads") {
            settings.max_threads = std::atoi(value().c_str());
            if (settings.max_threads <= 0) usage("--max-threads needs a positive number");
        }
        else if (arg == "--seed") {
            const std::string text = value();
            char* end = nullptr;
            errno = 0;
            const unsigned long long seed = std::strtoull(text.c_str(), &end, 10);
            if (text.empty() || *end != '\0' || errno != 0 || text.front() == '-') usage("--seed needs a whole number");
            settings.seed = seed;
        }
        else if (arg == "--time-scale") {
            const double scale = std::atof(value().c_str());
            if (scale <= 0) usage("--time-scale needs a positive number");
            settings.time_scale *= scale;
        } else doctest_args.push_back(argv[i]);
    }
    if (settings.program.empty() == settings.command.empty()) usage("give exactly one of --program and --cmd");
    if (most_percent >= 0 && (!expect_failure || points_path.empty()))
        usage("--expect-score-at-most goes with --expect-failure and --points");
    if (!points_path.empty()) read_points(points_path);
    Output results_file;
    if (!results_path.empty()) results_file = Output(results_path);
    // Programs under test may run as the same user as the grader (in the
    // sandbox they do): they must not be able to read or change its memory,
    // its descriptors (the results pipe) or attach a debugger to it.
    ::prctl(PR_SET_DUMPABLE, 0);
    if (confined && !grader::alone_in_pid_namespace())
        fail_setup("--confined: this grader is not the first program of a PID namespace of its own "
                   "(run it through grading/sandbox, which starts it so)");

    // The program under test gets SIGPIPE back to its default (see
    // process.cpp); the grader itself must not die writing to a closed pipe.
    std::signal(SIGPIPE, SIG_IGN);
    grader::kill_all_children_on_signal();
    // Sanitized programs under test stop at their first report, so it fails the test.
    ::setenv("TSAN_OPTIONS", "halt_on_error=1:second_deadlock_stack=1", 0);
    // verify_asan_link_order=0: tests may preload a small shim (short sends).
    ::setenv("ASAN_OPTIONS", "halt_on_error=1:detect_leaks=0:verify_asan_link_order=0", 0);
    ::setenv("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1", 0);
    // Grading must not depend on the grader's environment: a program that
    // does not flush its output fails on every machine, or on none.
    ::unsetenv("PYTHONUNBUFFERED");

    if (not_run) doctest_args.push_back("--list-test-cases");
    doctest::Context context;
    context.setOption("no-version", true);
    context.setCout(&reporter_output);
    context.applyCommandLine(static_cast<int>(doctest_args.size()), doctest_args.data());
    const auto started = std::chrono::steady_clock::now();
    const int doctest_status = context.run();
    if (context.shouldExit() && !not_run) return doctest_status;  // --help, --list-test-cases, ...
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    int passed = 0, failed = 0, skipped = 0;
    for (const CaseResult& r : results) (r.skipped ? skipped : r.passed ? passed : failed)++;
    if (results_file.wanted()) results_file.write(results_json(seconds));
    const std::string skipped_text = skipped > 0 ? ", " + std::to_string(skipped) + " skipped" : "";
    if (skipped > 0)
        std::printf("%s\n", grader::localized_text(
                                 skipped == 1 ? "1 test was skipped: it could not be checked on this machine (why: see "
                                                "[skip] above), and counts neither as passed nor as failed"
                                              : std::to_string(skipped) + " tests were skipped: they could not be checked "
                                                "on this machine (why: see [skip] above), and count neither as passed "
                                                "nor as failed")
                                 .c_str());

    if (expect_failure) {
        // A skipped test is no failure: the suite must have caught the
        // program in a check it really made.
        if (failed > 0 && most_percent >= 0) {
            // A program with one core mistake must lose a real part of the
            // points: the points file weighs the lab's idea above its edges.
            double score = 0, max_score = 0;
            for (const CaseResult& r : results) {
                if (r.skipped) continue;
                max_score += rule_for(r.name).points;
                if (r.passed) score += rule_for(r.name).points;
            }
            const double percent = max_score > 0 ? 100 * score / max_score : 0;
            if (percent > most_percent + 1e-9) {
                std::printf("this program fails %d of %zu tests, but scores %s of %s points (%.1f %%), more than the "
                            "%s %% a program with this mistake may score: %s weighs it too little\n",
                            failed, results.size(), number_text(score).c_str(), number_text(max_score).c_str(),
                            percent, number_text(most_percent).c_str(), points_path.c_str());
                std::printf("0 passed, 1 failed\n");
                return 1;
            }
            std::printf("as it should, this program fails %d of %zu tests and scores %s of %s points (%.1f %%, at "
                        "most %s %%)\n",
                        failed, results.size(), number_text(score).c_str(), number_text(max_score).c_str(), percent,
                        number_text(most_percent).c_str());
            std::printf("1 passed, 0 failed\n");
            return 0;
        }
        if (failed > 0) {
            std::printf("as it should, this program fails %d of %zu tests\n", failed, results.size());
            std::printf("1 passed, 0 failed\n");
            return 0;
        }
        std::printf("this program should fail the suite, but it failed no test%s: the suite checks too little\n",
                    skipped > 0 ? " (some were skipped, not checked)" : "");
        std::printf("0 passed, 1 failed\n");
        return 1;
    }
    print_same_causes();
    if (results.empty()) std::printf("%s\n", grader::localized_text("no test ran: check the -tc filter").c_str());
    std::printf("%s\n", grader::localized_text(std::to_string(passed) + " passed, " + std::to_string(failed) +
                                                " failed" + skipped_text)
                             .c_str());
    // Skips alone do not fail the grading: nothing wrong was seen.
    return failed == 0 && !results.empty() ? 0 : 1;
}
