#include "transcript.hpp"

#include "language.hpp"

#include <utility>

#include <fmt/core.h>

#include <doctest/doctest.h>

namespace grader {

namespace {
std::mutex reporter_mutex;
std::function<ProgramState(std::string_view)> program_reporter;
bool reported = false;
bool connection_lost = false;
std::optional<std::string> skip_reason;
std::string failure_kind;  // of the first failure reported in this test
}  // namespace

Transcript& transcript() {
    static Transcript the_transcript;
    return the_transcript;
}

void Transcript::restart() {
    std::lock_guard lock(mutex_);
    events_.clear();
    start_ = std::chrono::steady_clock::now();
}

void Transcript::add(std::string_view who, std::string_view what, std::string_view bytes, bool show_bytes) {
    std::lock_guard lock(mutex_);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string text = std::string(who) + " " + std::string(what);
    if (show_bytes) text += " " + quote_bytes(bytes);
    events_.push_back({seconds, std::move(text)});
}

std::string Transcript::render(std::size_t max_events) const {
    std::lock_guard lock(mutex_);
    std::string text;
    std::size_t first = 0;
    if (events_.size() > max_events) {
        first = events_.size() - max_events;
        text += "  " + localized_text("(" + std::to_string(first) + " earlier events not shown)") + "\n";
    }
    for (std::size_t i = first; i < events_.size(); ++i) {
        text += fmt::format("  {:8.3f} s  {}\n", events_[i].seconds, localized_text(events_[i].text));
    }
    if (events_.empty()) text += "  " + localized_text("(nothing happened)") + "\n";
    return text;
}

std::string quote_bytes(std::string_view bytes, std::size_t max_bytes) {
    std::string text = "\"";
    for (std::size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
        const unsigned char byte = static_cast<unsigned char>(bytes[i]);
        switch (byte) {
            case '\n': text += "\\n"; break;
            case '\r': text += "\\r"; break;
            case '\t': text += "\\t"; break;
            case '"': text += "\\\""; break;
            case '\\': text += "\\\\"; break;
            default:
                if (byte >= 0x20 && byte < 0x7f) {
                    text += static_cast<char>(byte);
                } else {
                    text += fmt::format("\\x{:02x}", byte);
                }
        }
    }
    text += "\"";
    if (bytes.size() > max_bytes) text += "... (" + std::to_string(bytes.size()) + " bytes in all)";
    return text;
}

std::string quote_end(std::string_view bytes, std::size_t max_bytes) {
    if (bytes.size() <= max_bytes) return quote_bytes(bytes, max_bytes);
    return "(" + std::to_string(bytes.size() - max_bytes) + " bytes before) ..." +
           quote_bytes(bytes.substr(bytes.size() - max_bytes), max_bytes);
}

ProgramReporter set_program_reporter(ProgramReporter reporter) {
    std::lock_guard lock(reporter_mutex);
    return std::exchange(program_reporter, std::move(reporter));
}

void set_status_reporter(std::function<std::string(std::string_view)> reporter) {
    if (!reporter) {
        set_program_reporter(nullptr);
        return;
    }
    set_program_reporter([reporter = std::move(reporter)](std::string_view hint) {
        ProgramState state;
        state.details = reporter(hint);
        return state;
    });
}

void set_status_reporter(std::nullptr_t) { set_program_reporter(nullptr); }


void set_status_reporter(std::function<std::string()> reporter) {
    if (!reporter) {
        set_program_reporter(nullptr);
        return;
    }
    set_status_reporter([reporter = std::move(reporter)](std::string_view) { return reporter(); });
}

namespace {
std::string indented(std::string_view text, std::string_view indent) {
    std::string result;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        result += std::string(indent) + std::string(text.substr(0, newline)) + "\n";
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
    return result;
}

// What a student reads: what went wrong and the hint first, then the
// transcript, then the program's state. When the program's end is the cause
// (a crash, an exit, a limit, a sanitizer), that comes first, with its own
// hint: the test's hint is about an answer, and there was none to judge.
// What makes two failures "the same": the first line of what stopped the
// test (the program's end when that is the cause, else what was wrong),
// with its numbers (ports, times) left out, and its hint.
std::string kind_of(std::string_view first_line, std::string_view hint) {
    std::string kind;
    for (std::size_t i = 0; i < first_line.size() && first_line[i] != '\n'; ++i) {
        const bool digit = first_line[i] >= '0' && first_line[i] <= '9';
        if (!digit) kind += first_line[i];
        else if (kind.empty() || kind.back() != '#') kind += '#';
    }
    return kind + "\n" + std::string(hint);
}

std::string full_report(const std::string& what, std::string_view hint) {
    ProgramState state;
    {
        std::lock_guard lock(reporter_mutex);
        if (program_reporter) state = program_reporter(hint);
    }
    std::string report;
    if (!state.cause.empty()) {
        if (failure_kind.empty()) failure_kind = kind_of(state.cause, state.cause_hint);
        report = localized_text(state.cause) + "\n";
        report += localized_text("  so this test could not go on; it had got to:") + "\n" +
                  indented(localized_text(what), "    ");
        if (!state.evidence.empty()) report += "\n" + state.evidence;
        if (!state.cause_hint.empty())
            report += "\n" + localized_text("hint:") + " " + localized_hint(state.cause_hint) + "\n";
    } else {
        if (failure_kind.empty()) failure_kind = kind_of(what, hint);
        report = localized_text(what) + "\n";
        if (!hint.empty()) report += "\n" + localized_text("hint:") + " " + localized_hint(hint) + "\n";
    }
    report += "\n" + localized_text("what happened (seconds since the test started):") + "\n" +
              transcript().render();
    report += localized_text(state.details);
    // doctest's strings end at a NUL byte: a program that printed one would
    // cut the report there.
    for (std::size_t at; (at = report.find('\0')) != std::string::npos;) report.replace(at, 1, "\\x00");
    return report;
}
}  // namespace

std::string report_for(const std::string& what) {
    return full_report(what, "compare what the test expected (above) with what the program did (the transcript "
                             "below)");
}

void fail(const std::string& what, std::string_view hint, std::source_location where) {
    reported = true;
    ADD_FAIL_AT(where.file_name(), static_cast<int>(where.line()), full_report(what, hint));
    throw std::logic_error("unreachable");  // ADD_FAIL_AT throws; this tells the compiler
}

void fail_without_stopping(const std::string& what, std::string_view hint, std::source_location where) {
    reported = true;
    ADD_FAIL_CHECK_AT(where.file_name(), static_cast<int>(where.line()), full_report(what, hint));
}

bool failed_this_test() { return reported; }

const std::string& failure_kind_this_test() { return failure_kind; }

void skip_test(const std::string& why) {
    skip_reason = why;
    transcript().add("grader", "cannot check this here, and skips the test: " + why);
    // What a failed REQUIRE throws: doctest ends the test without a report
    // of its own, and the grader's listener (main.cpp), seeing the reason
    // and no failure, reports the test as skipped.
    throw doctest::detail::TestFailureException();
}

std::optional<std::string> skipped_this_test() { return skip_reason; }

void note_connection_lost() { connection_lost = true; }
bool connection_lost_this_test() { return connection_lost; }

void start_test() {
    reported = false;
    connection_lost = false;
    skip_reason.reset();
    failure_kind.clear();
    set_program_reporter(nullptr);
    transcript().restart();
}

}  // namespace grader
