#pragma once
// Why a program under test failed, when the reason is the program's end and
// not the test's question: it crashed, exited, was stopped by the grader for
// a limit, or was stopped by a sanitizer. A failure report leads with that
// cause and a hint about it; the test's own hint (about the answer it
// expected) is only for a program that is alive and answered wrongly.

#include <optional>
#include <string>
#include <string_view>

#include "process.hpp"

namespace grader {

struct Diagnosis {
    std::string cause;  // "the server was killed by SIGABRT (signal 6)": the report's first line
    std::string hint;   // what that usually means, and what to do
    std::string evidence;  // e.g. a sanitizer's report, shortened to what matters; may be ""
};

// The cause of a program's end, from its exit status, its standard error and
// the grader's watchdog. `role` is "server" or "client". Nothing while it
// runs. `signals_sent`: the grader signalled it itself (an expected end).
std::optional<Diagnosis> diagnose_end(const ChildProcess& process, std::string_view role, bool signalled_by_grader);

// What an exit status probably means, in plain words ("" if nothing to add),
// read together with the program's standard error (an uncaught exception's
// what(), a Python traceback's last line).
std::string explain_exit(const ExitStatus& status, std::string_view stderr_text);

// Sanitizer reports (ThreadSanitizer, AddressSanitizer, UBSan) in a
// program's standard error.
bool has_sanitizer_report(std::string_view stderr_text);
// Where the first report starts in it (npos if there is none).
std::size_t sanitizer_report_offset(std::string_view stderr_text);
// The report from its head, shortened for a student: the WARNING or ERROR
// line; for each stack, the frames in the student's own files first, as
// file:line and function; the mutexes held; the SUMMARY, naming the first
// frame of the student's own. "" if there is no report.
std::string summarize_sanitizer_report(std::string_view stderr_text);
// What the kind of report ("data race", "heap-use-after-free", ...) usually
// means, and what to do.
std::string sanitizer_hint(std::string_view stderr_text);

}  // namespace grader
