#pragma once
// What the grader was asked to grade, and how long it waits for things.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grader {

struct Settings {
    // Exactly one of these names the program under test:
    std::string program;  // --program PATH: a lab program built here
    std::string command;  // --cmd "COMMAND": any command line, in any language

    // Every deadline is multiplied by this: sanitizer builds and slow
    // machines get more time. Deadlines bound waits for things that should
    // happen; a correct program never waits for them to expire.
    double time_scale = 1.0;

    // --max-threads N: a lower thread limit than a test's own (0: the
    // test's). The harness's self-test sets it so that a thread bomb trips
    // the limit at once on any machine, however slowly threads start.
    int max_threads = 0;

    // --seed N: the seed of a suite's random choices (lab 10's lossy
    // network), to replay a run; without it the suite picks one and prints it.
    std::optional<std::uint64_t> seed;

    // Lab 01's server ends by itself once its client has gone: an exit
    // with status 0 is then no failure of its own (GRADER_SERVER_EXITS_BY_ITSELF()).
    bool server_exits_by_itself = false;

    std::chrono::milliseconds scaled(double seconds) const {
        return std::chrono::milliseconds(static_cast<long long>(seconds * time_scale * 1000));
    }
    // How long a reply, a start-up, an exit may take before it counts as missing.
    std::chrono::milliseconds reply_timeout() const { return scaled(2.0); }
    std::chrono::milliseconds startup_timeout() const { return scaled(5.0); }
    std::chrono::milliseconds exit_timeout() const { return scaled(2.0); }
    // A negative check ("nothing arrives") watches for this fixed window.
    std::chrono::milliseconds silence_window() const { return scaled(0.3); }

    // Programs the suite cannot grade without (GRADER_NEEDS_PROGRAM): when
    // one is not on the PATH, the grader exits with status 2 before any
    // test, naming what to install. A check that could not be made is never
    // a pass, and a whole suite of them is no grade.
    struct NeededProgram {
        std::string name;     // "nc", looked for on the PATH
        std::string what;     // "netcat", for the message
        std::string package;  // "netcat-openbsd": what Debian and Ubuntu install it with
    };
    std::vector<NeededProgram> needed_programs;
};

Settings& settings();

// At the top level of a suite whose server ends by itself (lab 01).
#define GRADER_SERVER_EXITS_BY_ITSELF() \
    [[maybe_unused]] static const bool grader_server_exits_by_itself = (grader::settings().server_exits_by_itself = true)

// At the top level of a suite that needs a program on the PATH, e.g.
//   GRADER_NEEDS_PROGRAM("nc", "netcat", "netcat-openbsd");
#define GRADER_NEEDS_PROGRAM(name, what, debian_package)                                                \
    [[maybe_unused]] static const bool GRADER_CONCAT(grader_needs_program_, __LINE__) =                   \
        (grader::settings().needed_programs.push_back({name, what, debian_package}), true)
#define GRADER_CONCAT(a, b) GRADER_CONCAT_(a, b)
#define GRADER_CONCAT_(a, b) a##b

// The first file called `name` on the PATH that can be run, or "".
std::string find_on_path(const std::string& name);
// A suite whose grader is also a program of its own (lab 10's grader runs
// the reference's two roles as `grade --reference-role ...`, since in the
// sandbox it is the only program of the instructor's there is) sets this,
// at the top level; main() then runs it, instead of grading, when the first
// argument is --reference-role, with the arguments after that.
inline int (*reference_role_main)(int argc, char** argv) = nullptr;
#define GRADER_REFERENCE_ROLE_MAIN(function) \
    [[maybe_unused]] static const bool grader_reference_role_main = (grader::reference_role_main = (function), true)

// "2.0 s": a duration as the reports show it.
std::string seconds_text(std::chrono::milliseconds duration);

// True when the grader itself was built with a sanitizer: the program under
// test then is too, and runs several times slower.
bool built_with_sanitizer();

}  // namespace grader
