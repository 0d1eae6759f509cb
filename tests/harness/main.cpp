// The main() of every grading suite: reads what to grade, runs the doctest
// cases, prints a line per case and the closing "N passed, N failed", and can
// write Gradescope's results.json.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "process.hpp"
#include "settings.hpp"
#include "transcript.hpp"

namespace {

struct CaseResult {
    std::string name;
    bool passed = false;
    double seconds = 0;
    std::string output;  // failure messages
};

std::vector<CaseResult> results;

// Sees every test case start and end, and every failure message.
class GradeListener : public doctest::IReporter {
public:
    explicit GradeListener(const doctest::ContextOptions&) {}

    void test_case_start(const doctest::TestCaseData& data) override {
        grader::start_test();
        current_ = CaseResult{data.m_name, false, 0, ""};
        started_ = std::chrono::steady_clock::now();
    }
    void test_case_end(const doctest::CurrentTestCaseStats& stats) override {
        current_.passed = stats.testCaseSuccess;
        current_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        std::printf("%s %s (%.2f s)\n", current_.passed ? "[pass]" : "[FAIL]", current_.name.c_str(),
                    current_.seconds);
        std::fflush(stdout);
        results.push_back(current_);
    }
    void test_case_exception(const doctest::TestCaseException& exception) override {
        const std::string what = std::string("exception: ") + exception.error_string.c_str();
        // fail() ends a test with an exception of its own, already reported.
        if (grader::failed_this_test()) return;
        const std::string report = grader::report_for(what);
        current_.output += report;
        std::printf("%s\n", report.c_str());
    }
    void log_assert(const doctest::AssertData& data) override {
        if (!data.m_failed) return;
        std::string message = std::string(data.m_decomp.c_str()) + std::string(data.m_exception.c_str());
        // A plain CHECK, not grader::fail(): give it the same report.
        if (!grader::failed_this_test()) {
            message = grader::report_for(std::string(data.m_file) + ":" + std::to_string(data.m_line) + ": " +
                                         message);
            std::printf("%s\n", message.c_str());
        }
        current_.output += message + "\n";
    }
    void log_message(const doctest::MessageData& data) override {
        if (data.m_severity & doctest::assertType::is_warn) return;
        current_.output += std::string(data.m_string.c_str()) + "\n";
    }

    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}

private:
    CaseResult current_;
    std::chrono::steady_clock::time_point started_;
};

REGISTER_LISTENER("grade", 1, GradeListener);

std::string json_string(const std::string& text) {
    std::string json = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            json += '\\';
            json += static_cast<char>(c);
        } else if (c == '\n') {
            json += "\\n";
        } else if (c < 0x20 || c >= 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);  // bytes shown as Latin-1: always valid JSON
            json += escaped;
        } else {
            json += static_cast<char>(c);
        }
    }
    return json + "\"";
}

// Gradescope's format: one point per test case.
void write_results_json(const std::string& path, int passed) {
    std::ofstream file(path);
    file << "{\n  \"score\": " << passed << ",\n  \"max_score\": " << results.size() << ",\n  \"tests\": [\n";
    for (std::size_t i = 0; i < results.size(); ++i) {
        const CaseResult& r = results[i];
        file << "    {\"name\": " << json_string(r.name) << ", \"score\": " << (r.passed ? 1 : 0)
             << ", \"max_score\": 1, \"status\": \"" << (r.passed ? "passed" : "failed")
             << "\", \"output\": " << json_string(r.output) << "}" << (i + 1 < results.size() ? "," : "") << "\n";
    }
    file << "  ]\n}\n";
}

[[noreturn]] void usage(const char* problem) {
    std::cerr << "grade: " << problem << "\n"
              << "usage: grade (--program PATH | --cmd \"COMMAND\") [--time-scale X] [--results FILE] [--max-threads N]\n"
              << "             [--expect-failure] [doctest options, e.g. -tc=\"name*\"]\n"
              << "  --cmd: {port} in COMMAND is replaced by a free port; without it, --port PORT is added\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    grader::Settings& settings = grader::settings();
    std::string results_path;
    bool expect_failure = false;
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
        else if (arg == "--expect-failure") expect_failure = true;
        else if (arg == "--max-threads") {
            settings.max_threads = std::atoi(value().c_str());
            if (settings.max_threads <= 0) usage("--max-threads needs a positive number");
        }
        else if (arg == "--time-scale") {
            const double scale = std::atof(value().c_str());
            if (scale <= 0) usage("--time-scale needs a positive number");
            settings.time_scale *= scale;
        } else doctest_args.push_back(argv[i]);
    }
    if (settings.program.empty() == settings.command.empty()) usage("give exactly one of --program and --cmd");
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

    doctest::Context context;
    context.setOption("no-version", true);
    context.applyCommandLine(static_cast<int>(doctest_args.size()), doctest_args.data());
    const int doctest_status = context.run();
    if (context.shouldExit()) return doctest_status;  // --help, --list-test-cases, ...

    int passed = 0, failed = 0;
    for (const CaseResult& r : results) (r.passed ? passed : failed)++;
    if (!results_path.empty()) write_results_json(results_path, passed);

    if (expect_failure) {
        if (failed > 0) {
            std::printf("as it should, this program fails %d of %zu tests\n", failed, results.size());
            std::printf("1 passed, 0 failed\n");
            return 0;
        }
        std::printf("this program should fail the suite, but it passed every test: the suite checks too little\n");
        std::printf("0 passed, 1 failed\n");
        return 1;
    }
    if (results.empty()) std::printf("no test ran: check the -tc filter\n");
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && !results.empty() ? 0 : 1;
}
