#include "roles.hpp"

#include "busy_clock.hpp"
#include "language.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include <unistd.h>

#include <fmt/core.h>

#include "net/udp.hpp"

namespace reliable_udp {

namespace {

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// The grader's own file, to run it again as the reference. Read once, at
// the start: /proc/self/exe is ours only while we are the grader.
const std::string& grader_path() {
    static const std::string path = [] {
        char buffer[4096];
        const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string("/proc/self/exe");
    }();
    return path;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& word : words) line += (line.empty() ? "" : " ") + grader::shell_quote(word);
    return line;
}

std::string role_noun(const std::string& role) {
    if (role == "receive") return "receiver";
    if (role == "send") return "sender";
    return "program";
}

std::string thousands(std::size_t n) {
    std::string digits = std::to_string(n);
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
    return digits;
}

}  // namespace

std::uint64_t run_seed() {
    static const std::uint64_t seed = [] {
        const std::uint64_t chosen = grader::settings().seed.value_or(std::random_device{}() % 1'000'000'000);
        std::printf("%s\n", grader::localized_text(fmt::format("lab 10: the network's seed for this run is {} (add --seed {} "
                                                             "to do the same again)",
                                                             chosen, chosen))
                                   .c_str());
        std::fflush(stdout);
        return chosen;
    }();
    return seed;
}

std::uint64_t seed_for(Where where) { return mix(run_seed() ^ mix(where.line())); }

std::string random_bytes(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::string bytes(size, '\0');
    for (std::size_t at = 0; at < size; at += 8) {
        const std::uint64_t value = random();
        for (std::size_t k = 0; k < 8 && at + k < size; ++k) bytes[at + k] = static_cast<char>(value >> (8 * k));
    }
    return bytes;
}

std::chrono::milliseconds scaled(double seconds) { return grader::settings().scaled(seconds); }

// ------------------------------------------------------------ RoleProgram --

RoleProgram::RoleProgram(Who who, std::string role, std::vector<std::string> args, std::string input_file,
                         std::string input_note)
    : who_(who), role_(std::move(role)), name_((who == Who::student ? "your " : "the reference ") + role_noun(role_)) {
    const grader::Settings& settings = grader::settings();
    std::vector<std::string> words;  // the role and its options
    if (!role_.empty()) words.push_back(role_);
    words.insert(words.end(), args.begin(), args.end());

    std::vector<std::string> argv;
    bool through_shell = false;
    if (who == Who::reference) {
        argv = {grader_path(), "--reference-role"};
        argv.insert(argv.end(), words.begin(), words.end());
        command_line_ = "reliable-udp " + join_words(words) + "   (the reference: the grader itself)";
    } else if (!settings.program.empty()) {
        argv = {settings.program};
        argv.insert(argv.end(), words.begin(), words.end());
        command_line_ = join_words(argv);
    } else {
        if (settings.command.find("{port}") != std::string::npos || settings.command.find("{host}") != std::string::npos)
            grader::fail("the command has {port} or {host}, but lab 10's grader adds the role and its options "
                         "after the command itself (COMMAND receive --port P, COMMAND send --to HOST:PORT)",
                         "write the command without them, e.g. --cmd \"python3 reliable_udp.py\"");
        argv = grader::shell_command(settings.command, "", "", words);
        through_shell = true;
        command_line_ = settings.command + " " + join_words(words);
    }
    if (!input_file.empty()) {
        // Standard input from a file: the shell opens it, then becomes the program.
        if (through_shell) {
            argv[2] = "exec <" + grader::shell_quote(input_file) + " && " + argv[2];
        } else {
            std::vector<std::string> wrapped = {"/bin/sh", "-c", "exec <\"$0\" && exec \"$@\"", input_file};
            wrapped.insert(wrapped.end(), argv.begin(), argv.end());
            argv = std::move(wrapped);
        }
        command_line_ += " < " + input_note;
    }
    grader::Limits limits;
    limits.max_output_bytes = std::size_t{64} << 20;  // 10 MiB of output, and room for more
    grader::transcript().add("grader", "starts " + name_ + ": " + command_line_);
    started_ = Clock::now();
    process_ = std::make_unique<grader::ChildProcess>(argv, limits, false);
}

RoleProgram::~RoleProgram() = default;  // the ChildProcess kills what is left of it

net::Address RoleProgram::wait_until_listening(Where where) {
    const auto timeout = grader::settings().startup_timeout();
    const std::optional<std::string> line = process_->next_stdout_line(Clock::now() + timeout);
    if (!line) {
        if (const auto status = process_->wait_for_exit(Clock::now() + std::chrono::milliseconds(200)))
            grader::fail(name_ + " " + status->describe() + " without printing 'listening on HOST:PORT'",
                         grader::explain_exit(*status, process_->stderr_text()), where);
        grader::fail(name_ + " printed no 'listening on HOST:PORT' line within " + grader::seconds_text(timeout),
                     "once the socket is bound, print the line and flush it (std::endl, or flush=True): standard "
                     "output is a pipe here, which keeps what is written until it is flushed",
                     where);
    }
    grader::transcript().add(name_, "prints", *line + "\n", true);
    const std::string prefix = "listening on ";
    const auto host_port = line->starts_with(prefix) ? net::split_host_port(line->substr(prefix.size())) : std::nullopt;
    if (!host_port)
        grader::fail("the first line on standard output must be 'listening on HOST:PORT', but it was " +
                         grader::quote_bytes(*line),
                     "print exactly 'listening on ' and the address the socket is bound to, e.g. 'listening on "
                     "127.0.0.1:8001' (IPv6 in brackets: 'listening on [::1]:8001'), before any data",
                     where);
    listening_line_ = *line;
    output_start_ = line->size() + 1;
    std::string host = host_port->first;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    return net::resolve_udp(host, host_port->second);
}

std::string RoleProgram::output() const {
    const std::string all = process_->stdout_text();
    return all.size() > output_start_ ? all.substr(output_start_) : std::string();
}

std::size_t RoleProgram::wait_for_output(std::size_t bytes, Clock::time_point deadline) const {
    const std::size_t all = process_->wait_for_stdout_size(output_start_ + bytes, deadline);
    return all > output_start_ ? all - output_start_ : 0;
}

std::optional<grader::ExitStatus> RoleProgram::wait_for_exit(Clock::time_point deadline) {
    const auto status = process_->wait_for_exit(deadline);
    if (status && exited_after_ < 0) exited_after_ = std::chrono::duration<double>(Clock::now() - started_).count();
    return status;
}

std::optional<grader::Diagnosis> RoleProgram::end_cause() const {
    // A limit, or a sanitizer's report: always the cause.
    if (auto diagnosis = grader::diagnose_end(*process_, role_noun(role_), /* an exit is the test's business */ true))
        return diagnosis;
    const auto status = process_->exit_status();
    if (!status) return std::nullopt;
    // A shell (from --cmd) reports a program killed by signal N as 128 + N.
    const bool crashed = (!status->exited && status->signal != SIGKILL) ||
                         (status->exited && status->code > 128 && status->code < 160);
    if (crashed || (status->exited && status->code == 127)) {
        process_->wait_for_output_end(Clock::now() + std::chrono::milliseconds(500));
        const std::string explanation = grader::explain_exit(*status, process_->stderr_text());
        return grader::Diagnosis{name_ + " " + status->describe() + " during the test",
                                 explanation.empty() ? "its standard error, below, may say why" : explanation, ""};
    }
    return std::nullopt;
}

std::string RoleProgram::status_report() const {
    std::string report = "\n" + name_ + ": " + command_line_ + "\n";
    if (const auto status = process_->exit_status()) {
        report += "  it " + status->describe() + (exited_after_ >= 0 ? fmt::format(" (after {:.2f} s)", exited_after_) : "") + "\n";
        if (const auto reason = process_->killed_by_watchdog()) report += "  (stopped by the grader: it " + *reason + ")\n";
    } else {
        report += "  still running (pid " + std::to_string(process_->pid()) + ")\n";
    }
    if (role_ == "receive" && !listening_line_.empty())
        report += "  it wrote " + thousands(output().size()) + " bytes on standard output after its listening line\n";
    const std::string err = process_->stderr_text();
    if (err.empty())
        report += "  its standard error is empty\n";
    else
        report += "  its standard error (last lines):\n" + grader::last_lines(err, 12);
    return report;
}

// --------------------------------------------------------------- Transfer --

Transfer::Transfer(TransferSetup setup, Where where) : setup_(std::move(setup)) {
    previous_reporter_ = grader::set_program_reporter([this](std::string_view hint) { return program_state(hint); });
    const std::uint64_t seed = seed_for(where);
    input_ = random_bytes(setup_.bytes, seed);
    // The sender's standard input: a file in the scratch folder.
    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/lab10-input-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) grader::fail("the grader cannot write its input file in " + path, {}, where);
    for (std::size_t done = 0; done < input_.size();) {
        const ssize_t n = ::write(fd, input_.data() + done, input_.size() - done);
        if (n <= 0) {
            ::close(fd);
            grader::fail("the grader cannot write its input file " + path, {}, where);
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    input_file_ = path;

    std::optional<net::Address> receiver_address;
    if (setup_.with_receiver) {
        std::vector<std::string> args = {"--port", "0"};
        if (setup_.host != "127.0.0.1") args.insert(args.end(), {"--host", setup_.host});
        receiver_ = std::make_unique<RoleProgram>(setup_.receiver, "receive", args);
        receiver_address = receiver_->wait_until_listening(where);
    }
    const std::string sender_name = (setup_.sender == Who::student ? "your " : "the reference ") + std::string("sender");
    const std::string receiver_name = !setup_.with_receiver ? "nobody"
                                      : (setup_.receiver == Who::student ? "your " : "the reference ") + std::string("receiver");
    network_ = std::make_unique<grader::LossyNetwork>(describe, seed, receiver_address, sender_name, receiver_name, setup_.host);
    network_->set_impairments(setup_.impairments);
    if (setup_.rule) network_->set_rule(setup_.rule);
    network_->set_observer([this](const grader::Passage& passage, bool handed_on) {
        Counts& c = counts_;
        if (passage.injected) return;
        if (passage.way == grader::Way::forward) {
            if (handed_on) {
                if (!c.first_to_receiver) c.first_to_receiver = passage.arrived.back();
                return;
            }
            if (!c.first_from_sender) c.first_from_sender = passage.at;
            const std::string& kind = passage.info.kind;
            if (kind == "invalid") {
                ++c.invalid_from_sender;
                if (!c.first_invalid_from_sender) c.first_invalid_from_sender = passage.index;
                return;
            }
            ++c.valid_from_sender;
            if (kind == "DATA") {
                ++c.data_sent;
                if (passage.occurrence > 0) ++c.data_sent_again;
                const auto number = static_cast<std::uint32_t>(passage.info.number);
                const std::uint64_t next_new = c.highest_data ? std::uint64_t{*c.highest_data} + 1 : 0;
                if (number > next_new && !c.first_unordered_data) c.first_unordered_data = passage.index;
                if (!c.highest_data || number > *c.highest_data) c.highest_data = number;
                const long long in_flight = static_cast<long long>(*c.highest_data) + 1 - c.acknowledged;
                if (in_flight > 0) c.most_in_flight = std::max(c.most_in_flight, static_cast<std::size_t>(in_flight));
            } else if (kind == "FIN" && !c.fin) {
                c.fin = static_cast<std::uint32_t>(passage.info.number);
            }
            return;
        }
        if (passage.info.kind == "invalid") {
            if (handed_on) return;
            ++c.invalid_from_receiver;
            if (!c.first_invalid_from_receiver) c.first_invalid_from_receiver = passage.index;
            return;
        }
        if (!handed_on) ++c.valid_from_receiver;
        if (passage.info.kind != "ACK") return;
        const bool acks_fin = c.fin && passage.info.number == std::uint64_t{*c.fin} + 1;
        if (!handed_on) {
            if (acks_fin && !c.fin_acknowledged) c.fin_acknowledged = passage.at;
            if (acks_fin) c.last_fin_ack = passage.at;
            return;
        }
        // The copy just handed on: the first one may be the corrupted one.
        if ((passage.fate.corrupt_at || passage.fate.instead) && passage.arrived.size() == 1) return;
        c.acknowledged = std::max<std::uint32_t>(c.acknowledged, static_cast<std::uint32_t>(passage.info.number));
        if (acks_fin && !c.fin_ack_handed_on) c.fin_ack_handed_on = passage.arrived.back();
    });
    grader::transcript().add("the network", setup_.impairments.describe());
    if (!setup_.rule_note.empty()) grader::transcript().add("the network", "also " + setup_.rule_note + " (the test's own rule)");
    std::vector<std::string> args = {"--to", network_->sender_side()};
    args.insert(args.end(), setup_.sender_args.begin(), setup_.sender_args.end());
    sender_ = std::make_unique<RoleProgram>(setup_.sender, "send", args, input_file_,
                                            thousands(input_.size()) + " bytes of random binary data");
}

Transfer::~Transfer() {
    // The programs go first (their destructors kill them), then the network.
    sender_.reset();
    receiver_.reset();
    network_.reset();
    if (!input_file_.empty()) ::unlink(input_file_.c_str());
    grader::set_program_reporter(std::move(previous_reporter_));
}

std::chrono::milliseconds Transfer::deadline() const {
    const double mebibytes = static_cast<double>(input_.size()) / (1 << 20);
    return scaled(10.0 + 2.0 * mebibytes);
}

Counts Transfer::counts() const {
    return network_->locked([this] { return counts_; });
}

// A deadline `within` from now on a BusyClock of the transfer's programs
// and network (Waits::added: they work in turn): a busy machine, which made
// them wait for a CPU, makes no one late (an interpreter that starts slowly
// under load included). A program that hangs waits for no CPU: its
// deadline comes on time. The cap on the clock (ten times it, and a minute)
// only bounds the test on a machine busy beyond reason.
class Transfer::BusyDeadline {
public:
    BusyDeadline(const Transfer& transfer, std::chrono::milliseconds within)
        : clock_(transfer.programs(), {transfer.network_->thread_id()}, grader::BusyClock::Waits::added),
          within_(within), cap_(Clock::now() + 10 * within + std::chrono::seconds(60)) {}
    bool passed() { return Clock::now() >= cap_ || clock_.elapsed() >= within_; }
    std::string describe() { return clock_.describe(); }

private:
    grader::BusyClock clock_;
    std::chrono::milliseconds within_;
    Clock::time_point cap_;
};

std::vector<pid_t> Transfer::programs() const {
    std::vector<pid_t> programs;
    if (sender_) programs.push_back(sender_->process().pid());
    if (receiver_) programs.push_back(receiver_->process().pid());
    return programs;
}

void Transfer::sample_sender_clock() {
    if (!sender_clock_)
        sender_clock_.emplace(std::vector<pid_t>{sender_->process().pid()}, std::vector<pid_t>{},
                              grader::BusyClock::Waits::added, grader::BusyClock::Sampler::left_out);
    sender_samples_.emplace_back(network_->now(), std::chrono::duration<double>(sender_clock_->elapsed()).count());
}

double Transfer::sender_waited(double from, double to) const {
    // Each moment on the sender's clock, by linear interpolation between the
    // samples around it (on the clock before the first, or after the last).
    const auto clock = [this](double at) {
        const auto& s = sender_samples_;
        if (s.empty()) return at;
        if (at <= s.front().first) return s.front().second - (s.front().first - at);
        if (at >= s.back().first) return s.back().second + (at - s.back().first);
        const auto after = std::lower_bound(s.begin(), s.end(), at, [](const auto& sample, double t) { return sample.first < t; });
        const auto before = after - 1;
        const double span = after->first - before->first;
        const double part = span > 0 ? (at - before->first) / span : 0;
        return before->second + part * (after->second - before->second);
    };
    return std::max(0.0, (to - from) - (clock(to) - clock(from)));
}

void Transfer::fail_if_hopeless(Where where) {
    sample_sender_clock();
    // Three datagrams and not one valid: the header is wrong (its byte order,
    // say), and the other end will answer none of them.
    const Counts c = counts();
    const auto all_invalid = [&](Who who, std::size_t invalid, std::size_t valid, std::optional<std::size_t> first,
                                 const RoleProgram* program) {
        if (who != Who::student || invalid < 3 || valid > 0 || !first || !program) return;
        focus_on(*first);
        grader::fail(fmt::format("every datagram {} has sent ({} so far) is invalid; the first one: {}", program->name(), invalid,
                                 network_->passage(*first).info.text),
                     "build every datagram byte by byte: the type (1 byte), the number (4 bytes), the payload's length (2 "
                     "bytes), the checksum (2 bytes), every number big-endian (htonl and htons, or shifts), then the "
                     "payload; the checksum is the Internet checksum of the whole datagram computed with its own field 0",
                     where);
    };
    // (Only against the reference: two ends of the student's may agree on a
    // header of their own, and that is for the tests against the reference.)
    if (setup_.with_receiver && setup_.receiver == Who::reference)
        all_invalid(setup_.sender, c.invalid_from_sender, c.valid_from_sender, c.first_invalid_from_sender, sender_.get());
    if (setup_.sender == Who::reference)
        all_invalid(setup_.receiver, c.invalid_from_receiver, c.valid_from_receiver, c.first_invalid_from_receiver, receiver_.get());
    // A receiver of the student's that has answered nothing at all, long
    // after the network handed it its first datagram.
    const double reply_seconds = std::chrono::duration<double>(grader::settings().reply_timeout()).count();
    if (receiver_ && setup_.receiver == Who::student && c.first_to_receiver &&
        c.valid_from_receiver + c.invalid_from_receiver == 0 && network_->now() > *c.first_to_receiver + reply_seconds)
        grader::fail(fmt::format("your receiver has answered nothing, {:.1f} s after the network handed it its first datagram",
                                 network_->now() - *c.first_to_receiver),
                     "answer every valid DATA and FIN at once with an ACK (the next number expected), sent to the address "
                     "the datagram came from; a receiver that answers nothing may be refusing every datagram: read the "
                     "header as it is sent (numbers big-endian, the checksum computed with its field 0)",
                     where);
    for (const RoleProgram* program : {sender_.get(), receiver_.get()})
        if (program && program->end_cause()) grader::fail("the transfer could not go on", {}, where);
    if (receiver_ && setup_.receiver == Who::student) {
        if (const auto status = receiver_->process().exit_status(); status && !c.fin_acknowledged)
            grader::fail("your receiver " + status->describe() + " before the transfer was complete",
                         "a receiver exits only once the transfer is complete (the FIN and every DATA before it have "
                         "arrived) and it has lingered 2 seconds: its standard error, below, may say why it stopped",
                         where);
    }
}

grader::ExitStatus Transfer::expect_sender_exit(int status, std::chrono::milliseconds within, std::string_view hint,
                                                Where where) {
    // `within` on a BusyClock of both programs and the network (a busy
    // machine delays no deadline's verdict: grader::BusyClock), and never
    // more than four times it on the clock.
    BusyDeadline deadline(*this, within);
    std::optional<grader::ExitStatus> exit;
    while (!(exit = sender_->wait_for_exit(Clock::now() + std::chrono::milliseconds(50)))) {
        if (deadline.passed()) break;
        fail_if_hopeless(where);
    }
    if (!exit) {
        std::string what = fmt::format("{} should have exited with status {} within {}, but it was still running after {}",
                                       sender_->name(), status, grader::seconds_text(within), deadline.describe());
        if (receiver_ && !receiver_->listening_line().empty())
            what += fmt::format(" ({} had written {} of the {} bytes)", receiver_->name(), thousands(receiver_->output().size()),
                                thousands(input_.size()));
        grader::fail(what, hint, where);
    }
    grader::transcript().add(sender_->name(), exit->describe() + fmt::format(" (after {:.2f} s)", sender_->seconds_to_exit()));
    if (!exit->exited || exit->code != status) {
        sender_->process().wait_for_output_end(Clock::now() + std::chrono::milliseconds(500));
        const std::string err = sender_->process().stderr_text();
        const Counts c = counts();
        const bool silent = c.valid_from_sender + c.invalid_from_sender == 0;
        grader::fail(fmt::format("{} should have exited with status {}, but it {}{}{}", sender_->name(), status, exit->describe(),
                                 silent ? " without sending a single datagram" : "",
                                 err.empty() ? "" : ", saying " + grader::quote_end(err, 300)),
                     silent && setup_.sender == Who::student
                         ? std::string_view("send the input as DATA 0, 1, 2, ... and then a FIN, to the address --to gives, "
                                            "and exit 0 only once the FIN is acknowledged (Sender::run)")
                         : hint,
                     where);
    }
    return *exit;
}

void Transfer::expect_sender_done_within(std::chrono::milliseconds limit, std::string_view hint, Where where) {
    const double seconds = std::chrono::duration<double>(limit).count();
    // The limit counts from the first datagram (any start-up is free), on a
    // BusyClock: less the time in which the sender, the receiver or the
    // network's thread waited for a CPU, so that a busy machine blames no
    // program (on an idle one it is the time on the clock). A sender that
    // hangs waits for no CPU: its time runs as on the clock.
    // (Start-up is free here, not unbounded: four times the usual time to
    // start, on the busy clock, for an interpreter's.)
    BusyDeadline start_up(*this, 4 * grader::settings().startup_timeout());
    const auto deadline = Clock::now() + 10 * (grader::settings().startup_timeout() + limit) + std::chrono::seconds(60);
    const std::vector<pid_t> programs = this->programs();
    std::optional<grader::BusyClock> clock;
    double clock_started = 0;  // network time when the clock started, just after the first datagram
    const auto counted = [&] {
        const auto first = counts().first_from_sender;
        if (!first) return 0.0;
        if (!clock) {
            clock.emplace(programs, std::vector<pid_t>{network_->thread_id()}, grader::BusyClock::Waits::added);
            clock_started = network_->now();
        }
        return clock_started - *first + std::chrono::duration<double>(clock->elapsed()).count();
    };
    std::optional<grader::ExitStatus> exit;
    while (!(exit = sender_->wait_for_exit(std::min(deadline, Clock::now() + std::chrono::milliseconds(50))))) {
        if (Clock::now() >= deadline || counted() > seconds || (!counts().first_from_sender && start_up.passed())) break;
        fail_if_hopeless(where);
    }
    const double took = counted();
    const double on_the_clock = counts().first_from_sender ? network_->now() - *counts().first_from_sender : 0.0;
    const std::string busy = on_the_clock - took > 0.05
                                 ? fmt::format(" ({:.2f} s on the clock, of which the programs or the network waited {:.2f} s for a "
                                               "CPU: the machine was busy)",
                                               on_the_clock, on_the_clock - took)
                                 : "";
    if (!exit) {
        grader::fail(counts().first_from_sender
                         ? fmt::format("{} was still running {:.1f} s after its first datagram{}; the contract's limit is {}",
                                       sender_->name(), took, busy, grader::seconds_text(limit))
                         : sender_->name() + " sent nothing within " + start_up.describe(),
                     hint, where);
    }
    grader::transcript().add(sender_->name(), exit->describe() + fmt::format(" ({:.2f} s after its first datagram{})", took, busy));
    if (!exit->exited || exit->code != 0)
        grader::fail(fmt::format("{} should have exited with status 0, but it {}", sender_->name(), exit->describe()), hint, where);
    if (took > seconds)
        grader::fail(fmt::format("{} took {:.2f} s from its first datagram to its exit{}; the contract's limit is {}",
                                 sender_->name(), took, busy, grader::seconds_text(limit)),
                     hint, where);
}

std::string Transfer::comparison(const std::string& output) const {
    const std::string& name = receiver_->name();
    std::size_t same = 0;
    while (same < output.size() && same < input_.size() && output[same] == input_[same]) ++same;
    if (same == output.size() && same < input_.size())
        return fmt::format("{} wrote {} of the {} bytes sent, all right so far; the rest (from byte {} on, in DATA {} if "
                           "each DATA carries 1,200 bytes) never came out",
                           name, thousands(output.size()), thousands(input_.size()), thousands(same), same / max_payload);
    if (same == input_.size())
        return fmt::format("{} wrote the {} bytes sent, and then {} bytes more: a DATA written twice?", name,
                           thousands(input_.size()), thousands(output.size() - input_.size()));
    // Where did the wrong bytes come from? Further on in the input (written
    // before their turn), earlier (written again), or nowhere (damaged).
    const std::string_view wrong = std::string_view(output).substr(same, 16);
    const auto found = input_.find(wrong);
    std::string source = "bytes that were never sent: a corrupted datagram taken for a good one?";
    if (found != std::string::npos && found > same)
        source = fmt::format("bytes from further on in the input (byte {}): a DATA written before its turn?", thousands(found));
    else if (found != std::string::npos)
        source = fmt::format("bytes from earlier in the input (byte {}): a DATA written twice?", thousands(found));
    return fmt::format("{}'s output is right up to byte {} (of {}; in DATA {} if each carries 1,200 bytes), then wrong: it "
                       "wrote {} where the input has {}: {}",
                       name, thousands(same), thousands(input_.size()), same / max_payload, hex(wrong, 8),
                       hex(std::string_view(input_).substr(same, 8), 8), source);
}

void Transfer::expect_output(std::chrono::milliseconds within, std::string_view hint, Where where) {
    BusyDeadline deadline(*this, within);
    while (receiver_->wait_for_output(input_.size(), Clock::now() + std::chrono::milliseconds(50)) < input_.size()) {
        if (deadline.passed()) break;
        fail_if_hopeless(where);
        const auto status = receiver_->process().exit_status();
        if (status && receiver_->process().wait_for_output_end(Clock::now())) break;  // it has ended: no more will come
    }
    const std::string output = receiver_->output();
    const std::string_view head = std::string_view(output).substr(0, input_.size());
    if (head != input_) {
        std::string what = comparison(output);
        if (output.size() < input_.size())
            what += fmt::format(" (after waiting {} for it)", grader::seconds_text(within));
        grader::fail(what, hint, where);
    }
    if (setup_.receiver == Who::student) {
        // Complete: once it has acknowledged the FIN, nothing more may come.
        network_->wait_until([this] { return counts_.fin_acknowledged.has_value(); },
                             Clock::now() + grader::settings().reply_timeout());
        receiver_->wait_for_output(input_.size() + 1, Clock::now() + std::chrono::milliseconds(20));
    }
    const std::string final_output = receiver_->output();
    if (final_output.size() > input_.size()) grader::fail(comparison(final_output), hint, where);
    grader::transcript().add(receiver_->name(), "has written the " + thousands(input_.size()) + " bytes sent, in order");
}

void Transfer::expect_delivered(std::string_view hint, Where where) {
    const auto within = deadline();
    if (setup_.sender == Who::student) {
        expect_sender_exit(0, within,
                           hint.empty() ? "the sender exits 0 once every byte and the FIN are acknowledged; the "
                                          "network's timeline (below) shows what it sent, what was lost, and what "
                                          "came back"
                                        : hint,
                           where);
        // The receiver has acknowledged the FIN: its output is complete, or
        // about to be (a receiver may write it all at its exit).
        expect_output(scaled(2.0) + grader::settings().reply_timeout(), hint, where);
    } else {
        expect_output(within, hint, where);
    }
}

grader::ProgramState Transfer::program_state(std::string_view /*hint*/) const {
    grader::ProgramState state;
    std::vector<const RoleProgram*> programs;  // the student's first: theirs is the likelier cause
    for (const Who who : {Who::student, Who::reference})
        for (const RoleProgram* program : {sender_.get(), receiver_.get()})
            if (program && program->who() == who) programs.push_back(program);
    for (const RoleProgram* program : programs) {
        if (const auto cause = program->end_cause()) {
            state.cause = cause->cause;
            state.cause_hint = cause->hint;
            state.evidence = cause->evidence;
            break;
        }
    }
    const std::uint64_t seed = run_seed();
    state.details += fmt::format("\nto do this again: add --seed {} (and -tc=\"...\" with this test's name)\n", seed);
    if (network_) {
        state.details += network_->report(focus_);
        const Counts c = counts();
        state.details += fmt::format("  most DATA unacknowledged at once: {}; DATA sent: {} ({} of them again)\n",
                                     c.most_in_flight, c.data_sent, c.data_sent_again);
    }
    for (const RoleProgram* program : programs) state.details += program->status_report();
    return state;
}

bool Transfer::wait_for(const std::function<bool(const Counts&)>& condition, Clock::time_point until, Where where) {
    BusyDeadline deadline(*this, std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
    while (true) {
        if (network_->wait_until([&] { return condition(counts_); }, Clock::now() + std::chrono::milliseconds(50))) return true;
        fail_if_hopeless(where);
        if (deadline.passed() || sender_->process().exit_status()) return network_->locked([&] { return condition(counts_); });
    }
}

// -------------------------------------------------------------- Reporting --

Reporting::Reporting(std::vector<const RoleProgram*> programs) : programs_(std::move(programs)) {
    previous_ = grader::set_program_reporter([this](std::string_view) {
        grader::ProgramState state;
        for (const RoleProgram* program : programs_) {
            if (const auto cause = program->end_cause(); cause && state.cause.empty()) {
                state.cause = cause->cause;
                state.cause_hint = cause->hint;
                state.evidence = cause->evidence;
            }
            state.details += program->status_report();
        }
        return state;
    });
}

Reporting::~Reporting() { grader::set_program_reporter(std::move(previous_)); }

// --------------------------------------------------------- ScriptedSender --

ScriptedSender::ScriptedSender(const net::Address& receiver, const RoleProgram* program, std::string name)
    : receiver_(receiver), program_(program), name_(std::move(name)),
      socket_(net::bind_udp(receiver.get()->sa_family == AF_INET6 ? "::1" : "127.0.0.1", 0)) {
    grader::transcript().add("grader", "plays a sender (" + name_ + ") from " + net::local_address(socket_).to_string());
}

void ScriptedSender::send(const Datagram& datagram) {
    const std::string shown = datagram.type == DATA ? " " + grader::quote_bytes(datagram.payload, 24) : "";
    send_raw(encode(datagram), name(datagram) + shown);
}

void ScriptedSender::send_raw(const std::string& bytes, const std::string& what) {
    if (!quiet_) grader::transcript().add(name_, "sends " + what);
    net::send_to(socket_, receiver_, bytes);
}

std::uint32_t ScriptedSender::next_ack(std::string_view hint, Where where) {
    const auto timeout = grader::settings().reply_timeout();
    const auto deadline = Clock::now() + timeout;
    std::optional<net::Received> received;
    while (!(received = net::receive_from(socket_, std::min(deadline, Clock::now() + std::chrono::milliseconds(50))))) {
        if (program_ && program_->process().exit_status()) {
            received = net::receive_from(socket_, Clock::now());  // its last answer, if it sent one
            if (received) break;
            grader::fail("your receiver " + program_->process().exit_status()->describe() + " instead of answering " + name_,
                         "a receiver runs until the transfer is complete, and 2 seconds more", where);
        }
        if (Clock::now() >= deadline) fail_silent(hint, where);
    }
    answered_ = true;
    const Checked checked = check(received->bytes);
    if (!quiet_ || !checked.datagram || checked.datagram->type != ACK)
        grader::transcript().add("your receiver", "answers " + (checked.datagram ? name(*checked.datagram)
                                                                              : "an invalid datagram [" + hex(received->bytes) + "]"));
    if (received->from.to_string() != receiver_.to_string())
        grader::fail("the answer came from " + received->from.to_string() + ", not from " + receiver_.to_string() +
                         ", where the receiver listens",
                     "reply from the socket the datagram came in on: a sender checks that its ACKs come from "
                     "where it sends",
                     where);
    if (!checked.datagram)
        grader::fail("your receiver answered with bytes that are not a datagram: " + checked.problem,
                     "an ACK is a 9-byte header (type 2, the number, length 0, the checksum), numbers big-endian", where);
    if (checked.datagram->type != ACK)
        grader::fail("your receiver answered with a " + name(*checked.datagram) + ", where an ACK was due",
                     "a receiver answers every valid DATA and FIN with an ACK (type 2)", where);
    return checked.datagram->number;
}

void ScriptedSender::fail_silent(std::string_view hint, Where where) const {
    const std::string what = "your receiver sent no ACK back to " + name_ + " within " +
                             grader::seconds_text(grader::settings().reply_timeout());
    if (!answered_)
        grader::fail(what + ", nor any answer before",
                     "answer every valid DATA and FIN at once with an ACK (the next number expected), sent to the address "
                     "the datagram came from",
                     where);
    grader::fail(what, hint, where);
}

void ScriptedSender::expect_ack(std::uint32_t number, std::string_view hint, Where where) {
    const std::uint32_t got = next_ack(hint, where);
    if (got != number) grader::fail(fmt::format("your receiver answered ACK {}, where ACK {} was due", got, number), hint, where);
}

void ScriptedSender::expect_nothing_received(std::string_view hint, Where where) {
    if (const auto received = net::receive_from(socket_, Clock::now())) {
        const Checked checked = check(received->bytes);
        grader::transcript().add("your receiver", "answers " + name_ + ": " +
                                                      (checked.datagram ? name(*checked.datagram) : std::string("an invalid datagram")));
        grader::fail("your receiver answered " + name_ + ", which it should have ignored", hint, where);
    }
}

}  // namespace reliable_udp
