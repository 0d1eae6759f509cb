#include "diagnosis.hpp"

#include <algorithm>
#include <csignal>
#include <vector>

namespace grader {

namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        lines.push_back(text.substr(0, newline));
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
    return lines;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

const char* const report_starts[] = {"WARNING: ThreadSanitizer", "ERROR: ThreadSanitizer", "ERROR: AddressSanitizer",
                                     "ERROR: LeakSanitizer", "runtime error:"};

// The line on which the first sanitizer report starts, or npos.
std::size_t report_start(const std::vector<std::string_view>& lines) {
    for (std::size_t i = 0; i < lines.size(); ++i)
        for (const char* marker : report_starts)
            if (contains(lines[i], marker)) return i;
    return std::string_view::npos;
}

// One frame of a stack: "#1 add(int) /work/lab/registry.cpp:5 (prog+0x136c)"
// (ThreadSanitizer) or "#3 0x55d2 in make() /work/lab/uaf.cpp:3" (ASan).
struct Frame {
    std::string function;
    std::string location;  // "/work/lab/registry.cpp:5", "<null>", ""
};

std::optional<Frame> parse_frame(std::string_view line) {
    line = trim(line);
    if (line.size() < 3 || line[0] != '#' || line[1] < '0' || line[1] > '9') return std::nullopt;
    line.remove_prefix(line.find(' ') == std::string_view::npos ? line.size() : line.find(' ') + 1);
    if (line.starts_with("0x") && contains(line, " in ")) line.remove_prefix(line.find(" in ") + 4);  // ASan's pc
    if (line.ends_with(")") && contains(line, " (")) line = line.substr(0, line.rfind(" ("));  // TSan's module
    const auto space = line.rfind(' ');
    if (space == std::string_view::npos) return Frame{std::string(line), ""};
    return Frame{std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
}

// A frame in the program's own source, not in the C++ library, the C
// library or the sanitizer's runtime.
bool is_own(const Frame& frame) {
    // Paths may be absolute or relative to the build folder ("../../lab/x.cpp").
    const std::string& at = frame.location;
    return !at.empty() && at != "<null>" && !at.starts_with("(") && !at.starts_with("/usr/") &&
           !contains(at, "/libsanitizer/") && !contains(at, "/sysdeps/") && !contains(at, "/csu/") &&
           !contains(at, "/nptl/");
}

// "/work/main/solutions/06-broadcast-chat/client_registry.cpp:12:5" ->
// "06-broadcast-chat/client_registry.cpp:12": enough to find it.
std::string short_location(const std::string& location) {
    std::string_view at = location;
    const auto last = at.rfind('/');
    const auto before = last == std::string_view::npos || last == 0 ? std::string_view::npos : at.rfind('/', last - 1);
    if (before != std::string_view::npos) at.remove_prefix(before + 1);
    // file:line:column -> file:line
    const auto first_colon = at.find(':');
    if (first_colon != std::string_view::npos) {
        const auto second_colon = at.find(':', first_colon + 1);
        if (second_colon != std::string_view::npos) at = at.substr(0, second_colon);
    }
    return std::string(at);
}

std::string shorten(std::string_view text, std::size_t max) {
    return text.size() <= max ? std::string(text) : std::string(text.substr(0, max)) + "...";
}

// The frames of one stack, the program's own first.
std::string render_stack(const std::vector<Frame>& frames, std::optional<Frame>& first_own) {
    std::string text;
    int own = 0;
    for (const Frame& frame : frames) {
        if (!is_own(frame)) continue;
        if (!first_own) first_own = frame;
        if (++own > 6) continue;
        text += "        " + short_location(frame.location) + "  in " + shorten(frame.function, 90) + "\n";
    }
    const std::size_t others = frames.size() - static_cast<std::size_t>(own);
    if (own > 6) text += "        (" + std::to_string(own - 6) + " more frames of your own)\n";
    if (own == 0 && !frames.empty()) {
        // None of the program's own: show where it was anyway.
        text += "        " + (frames[0].location.empty() ? std::string("?") : short_location(frames[0].location)) +
                "  in " + shorten(frames[0].function, 90) + "\n";
    }
    if (others > 0 && own > 0)
        text += "        (and " + std::to_string(others) + " frames in the C++ library, the C library or the sanitizer)\n";
    return text;
}

}  // namespace

bool has_sanitizer_report(std::string_view stderr_text) {
    for (const char* marker : report_starts)
        if (contains(stderr_text, marker)) return true;
    return false;
}

std::size_t sanitizer_report_offset(std::string_view stderr_text) {
    std::size_t first = std::string_view::npos;
    for (const char* marker : report_starts) first = std::min(first, stderr_text.find(marker));
    return first;
}

std::string summarize_sanitizer_report(std::string_view stderr_text) {
    const std::vector<std::string_view> lines = split_lines(stderr_text);
    const std::size_t start = report_start(lines);
    if (start == std::string_view::npos) return "";
    std::string text;
    std::optional<Frame> first_own;
    std::vector<Frame> stack;
    auto end_stack = [&] {
        if (!stack.empty()) text += render_stack(stack, first_own);
        stack.clear();
    };
    for (std::size_t i = start; i < lines.size() && i < start + 400; ++i) {
        const std::string_view line = lines[i];
        if (auto frame = parse_frame(line)) {
            stack.push_back(*frame);
            continue;
        }
        end_stack();
        const std::string_view content = trim(line);
        if (content.empty() || content.starts_with("=====")) continue;
        if (content.starts_with("SUMMARY:")) {
            // The summary names the top frame, often inside the C++ library
            // or the sanitizer: name the program's own first frame instead.
            std::string summary(content.substr(0, content.find(" /")));
            if (first_own) summary += ", in your code at " + short_location(first_own->location) + " (" +
                                      shorten(first_own->function, 60) + ")";
            text += "    " + summary + "\n";
            break;
        }
        if (contains(content, "runtime error:")) {  // UBSan: "file:line:col: runtime error: what"
            const auto at = content.find(": runtime error:");
            if (at != std::string_view::npos && content.find(' ') > at)
                first_own = Frame{"", std::string(content.substr(0, at))};
            text += "    " + (first_own ? short_location(first_own->location) + ": " : std::string()) +
                    shorten(content.substr(content.find("runtime error:")), 200) + "\n";
            continue;
        }
        if (content.starts_with("Shadow bytes")) break;
        text += "    " + shorten(content, 200) + "\n";
    }
    end_stack();
    return text;
}

std::string sanitizer_hint(std::string_view err) {
    if (contains(err, "ThreadSanitizer: data race"))
        return "two threads used the same data at the same time, and at least one of them wrote it: the two "
               "stacks above show where (your own lines first). Every access to data that several threads share "
               "must hold the same mutex (a std::lock_guard over the whole read-modify-write), or the data must "
               "not be shared";
    if (contains(err, "lock-order-inversion"))
        return "two mutexes are taken in opposite orders by two threads: each can wait for the other for ever "
               "(a deadlock). Take them in one fixed order everywhere, or hold one at a time";
    if (contains(err, "ThreadSanitizer: heap-use-after-free") || contains(err, "AddressSanitizer: heap-use-after-free"))
        return "memory was used after it was freed: an object was destroyed (or a container grew and moved "
               "its elements) while a pointer, reference or iterator to it was still in use; the stacks show "
               "the use, the free and the allocation";
    if (contains(err, "ThreadSanitizer"))
        return "ThreadSanitizer found a threading bug: the report above names it and shows your own lines first";
    if (contains(err, "stack-use-after-return") || contains(err, "stack-use-after-scope"))
        return "a local variable was used after its function returned or its block ended: a reference or "
               "pointer (or a lambda's capture by reference, or a thread's argument) outlived it";
    if (contains(err, "heap-buffer-overflow") || contains(err, "stack-buffer-overflow") ||
        contains(err, "global-buffer-overflow"))
        return "a read or write past the end of a buffer: check the sizes given to recv() and to the code that "
               "reads what it received (recv does not add a '\\0')";
    if (contains(err, "LeakSanitizer"))
        return "memory was allocated and never freed: own it with a std::unique_ptr, a container, or an object "
               "with a destructor";
    if (contains(err, "AddressSanitizer"))
        return "AddressSanitizer found a memory bug: the report above names it and shows your own lines first";
    if (contains(err, "runtime error:"))
        return "undefined behaviour (UBSan): the line named above does something C++ does not define, such as a "
               "signed overflow or a shift too far; the program may do anything after it";
    return "a sanitizer found a bug: its report is above";
}

std::string explain_exit(const ExitStatus& status, std::string_view stderr_text) {
    if (has_sanitizer_report(stderr_text)) return sanitizer_hint(stderr_text);
    const std::vector<std::string_view> lines = split_lines(stderr_text);
    // An exception nobody caught: C++ prints "what(): ..." before aborting;
    // Python's traceback ends with "ErrorType: message".
    std::string uncaught;
    for (auto line = lines.rbegin(); line != lines.rend() && uncaught.empty(); ++line) {
        const std::string_view text = trim(*line);
        if (text.starts_with("what():")) uncaught = std::string(trim(text.substr(7)));
        else if (contains(text, "Error: ") || contains(text, "Exception: ") || text.ends_with("Error") ||
                 text.starts_with("panic:"))
            uncaught = std::string(text);
    }
    const bool client_left = contains(uncaught, "reset by peer") || contains(uncaught, "Broken pipe") ||
                             contains(uncaught, "BrokenPipe") || contains(uncaught, "ConnectionReset") ||
                             contains(uncaught, "ECONNRESET") || contains(uncaught, "EPIPE");
    if (client_left)
        return "it died of an error that only means a client left: \"" + shorten(uncaught, 120) +
               "\". A client that resets or goes away is normal, not a reason for the server to stop: catch the "
               "error around that one client (in C++, std::system_error; net::is_disconnect(error) tells such "
               "errors apart), end that client, and go on";
    // A shell (from --cmd) reports a child killed by signal N as status 128+N.
    const int signal = status.exited ? (status.code > 128 && status.code < 160 ? status.code - 128 : 0) : status.signal;
    switch (signal) {
        case SIGPIPE:
            return "SIGPIPE kills a program that writes to a connection the other side has closed. "
                   "Send with MSG_NOSIGNAL (or ignore SIGPIPE), then handle the EPIPE error: "
                   "that client has left";
        case SIGSEGV:
        case SIGBUS:
            return "it crashed on a bad memory access (a dangling pointer, an index out of range); "
                   "an AddressSanitizer build shows where (./lab test NN --asan)";
        case SIGABRT:
            if (!uncaught.empty())
                return "an exception nobody caught ended it: \"" + shorten(uncaught, 160) +
                       "\". Catch it where the program can go on (around one client), or let it end the "
                       "program on purpose with a message";
            return "it aborted: usually an exception nobody caught (std::terminate), or a failed assert; "
                   "its standard error says which";
        case SIGXCPU:
            return "it used up its CPU time limit: is a loop spinning without waiting for anything?";
        case SIGKILL:
            return "";
        default:
            break;
    }
    if (status.exited && status.code == 127) return "the command was not found or could not be run";
    if (!uncaught.empty())
        return "it ended on an error: \"" + shorten(uncaught, 160) + "\"; its standard error, below, has the rest";
    return "";
}

std::optional<Diagnosis> diagnose_end(const ChildProcess& process, std::string_view role, bool signalled_by_grader) {
    const auto status = process.exit_status();
    const std::string err = process.stderr_text();
    const std::string who = "the " + std::string(role);
    if (const auto reason = process.killed_by_watchdog()) {
        return Diagnosis{"the grader had to stop " + who + ": it " + *reason,
                         "this is the cause of the failure: the test's own question could not be answered", ""};
    }
    if (has_sanitizer_report(err)) {
        const std::string kind = contains(err, "ThreadSanitizer") ? "ThreadSanitizer"
                                 : contains(err, "runtime error:") && !contains(err, "AddressSanitizer")
                                     ? "UndefinedBehaviorSanitizer"
                                     : "AddressSanitizer";
        return Diagnosis{kind + " stopped " + who + ": it found a bug (its report, shortened, is below)",
                         sanitizer_hint(err), summarize_sanitizer_report(err)};
    }
    if (!status) return std::nullopt;
    if (signalled_by_grader) return std::nullopt;
    std::string hint = explain_exit(*status, err);
    if (hint.empty() && status->exited && status->code == 0)
        hint = role == "server" ? "it ended by itself, with status 0, in the middle of the test: a server keeps "
                                  "running; does its loop end after one client, or on some input?"
                                : "it ended by itself, with status 0, before the test was over";
    if (hint.empty() && status->exited)
        hint = "its standard error (below) should say why; an exception or error it did not handle?";
    return Diagnosis{who + " " + status->describe() + " during the test", hint, ""};
}

}  // namespace grader
