#pragma once
// Lab 10's programs under test, each in one role, and the grader's ways of
// talking to them:
//
//   RoleProgram     one program in one role: the student's (--program or
//                   --cmd) or the reference, which is the grader itself run
//                   again as `grade --reference-role ROLE ...` (in the
//                   sandbox the grader is the only program of the
//                   instructor's: the reference travels inside it)
//   Transfer        a sender and a receiver with the grader's lossy network
//                   between them, its counts, and a failure report whose
//                   story is the timeline of datagrams
//   ScriptedSender  the grader as the sender, datagram by datagram, straight
//                   to a receiver: for the receiver's rules one at a time

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "busy_clock.hpp"
#include "grader.hpp"
#include "lossy_network.hpp"
#include "net/address.hpp"
#include "net/socket.hpp"
#include "protocol.hpp"

namespace reliable_udp {

using grader::Clock;
using grader::Where;

enum class Who { student, reference };

// The seed of this run's networks: --seed N, or one picked at random and
// printed once. Each test's network gets a seed made from it and the line
// of the test, so that `--seed N -tc="NAME"` does the same again.
std::uint64_t run_seed();
std::uint64_t seed_for(Where where);

// `size` bytes of every value (binary: '\0', '\n', 0xff...), the same for
// the same seed.
std::string random_bytes(std::size_t size, std::uint64_t seed);

// The contract's times, as deadlines: scaled by --time-scale (and 3 in a
// sanitizer build), never tighter than the contract.
std::chrono::milliseconds scaled(double seconds);

class RoleProgram {
public:
    // Starts it: `ROLE ARGS...`; a sender's standard input comes from
    // `input_file` (described as `input_note` in the transcript).
    RoleProgram(Who who, std::string role, std::vector<std::string> args, std::string input_file = "",
                std::string input_note = "");
    ~RoleProgram();
    RoleProgram(const RoleProgram&) = delete;
    RoleProgram& operator=(const RoleProgram&) = delete;

    const std::string& name() const { return name_; }  // "your receiver", "the reference sender"
    Who who() const { return who_; }
    const std::string& role() const { return role_; }
    grader::ChildProcess& process() { return *process_; }
    const grader::ChildProcess& process() const { return *process_; }

    // A receiver's "listening on HOST:PORT" line and the address in it, or
    // the test fails saying why not.
    net::Address wait_until_listening(Where where = Where::current());
    const std::string& listening_line() const { return listening_line_; }

    // What it wrote on standard output after its listening line.
    std::string output() const;
    // Waits until that is at least `bytes` long (or its output ended, or
    // the deadline passed); returns its length.
    std::size_t wait_for_output(std::size_t bytes, Clock::time_point deadline) const;

    // Waits for its exit; the status, and how long it ran.
    std::optional<grader::ExitStatus> wait_for_exit(Clock::time_point deadline);
    double seconds_to_exit() const { return exited_after_; }

    // When its end explains a failure better than the test's own words (a
    // crash, a sanitizer's report, a limit, a command not found).
    std::optional<grader::Diagnosis> end_cause() const;
    std::string status_report() const;

private:
    Who who_;
    std::string role_;
    std::string name_;
    std::string command_line_;
    std::unique_ptr<grader::ChildProcess> process_;
    Clock::time_point started_;
    double exited_after_ = -1;
    std::string listening_line_;
    std::size_t output_start_ = 0;  // bytes of standard output before the data: the listening line
};

// What a transfer sets up.
struct TransferSetup {
    Who sender = Who::student;
    Who receiver = Who::reference;
    std::size_t bytes = 64 * 1024;
    grader::Impairments impairments;
    grader::LossyNetwork::Rule rule;        // a test's own, asked first about every datagram
    std::string rule_note;                  // what the rule does, for the transcript
    std::vector<std::string> sender_args;   // e.g. {"--window", "8"}
    std::string host = "127.0.0.1";         // "::1": both ends over IPv6
    bool with_receiver = true;              // false: nothing behind the network
};

// What the network saw, kept as it happens.
struct Counts {
    std::optional<double> first_from_sender;     // when the sender's first datagram came
    std::optional<double> first_to_receiver;     // when the network first handed the receiver one
    std::size_t data_sent = 0;                   // DATA from the sender (the network's copies not counted)
    std::size_t data_sent_again = 0;             // ... of them with a number sent before
    std::optional<std::uint32_t> highest_data;  // the highest DATA number sent
    std::uint32_t acknowledged = 0;              // the highest valid ACK handed to the sender
    std::size_t most_in_flight = 0;              // most DATA sent and not acknowledged to the sender at once
    std::optional<std::uint32_t> fin;            // the number of the sender's (first) FIN
    std::optional<double> fin_acknowledged;      // when the receiver first sent the FIN's number plus one
    std::optional<double> fin_ack_handed_on;     // when the sender first got it
    std::optional<double> last_fin_ack;          // when the receiver last sent it
    std::size_t invalid_from_sender = 0, invalid_from_receiver = 0;
    std::size_t valid_from_sender = 0, valid_from_receiver = 0;
    std::optional<std::size_t> first_invalid_from_sender, first_invalid_from_receiver;  // passages
    std::optional<std::size_t> first_unordered_data;  // a DATA numbered past the next new one (a gap)
};

class Transfer {
public:
    explicit Transfer(TransferSetup setup, Where where = Where::current());
    ~Transfer();
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    // The whole transfer, as the contract has it: every byte arrives once,
    // in order, and a sender of the student's exits 0 once it is over. Fails
    // the test otherwise, with `hint` (or one chosen from what happened).
    void expect_delivered(std::string_view hint = {}, Where where = Where::current());
    // Only the sender's exit, with this status, within `within`.
    grader::ExitStatus expect_sender_exit(int status, std::chrono::milliseconds within, std::string_view hint,
                                          Where where = Where::current());
    // The contract's time: the sender must exit 0 within `limit` of its
    // first datagram (its start-up, an interpreter's say, is not counted).
    void expect_sender_done_within(std::chrono::milliseconds limit, std::string_view hint, Where where = Where::current());
    // Only the output: exactly the input, once the receiver has written as
    // many bytes, waiting up to `within`.
    void expect_output(std::chrono::milliseconds within, std::string_view hint, Where where = Where::current());

    Counts counts() const;
    grader::LossyNetwork& network() { return *network_; }
    RoleProgram& sender() { return *sender_; }
    RoleProgram* receiver() { return receiver_.get(); }
    const std::string& input() const { return input_; }
    // Waits until `condition` holds for what the network counted (checked
    // after every datagram), the sender has exited, or the deadline has
    // passed; returns whether it holds.
    bool wait_for(const std::function<bool(const Counts&)>& condition, Clock::time_point deadline,
                  Where where = Where::current());
    // A passage the failure report should show the events around.
    void focus_on(std::size_t passage) { focus_ = passage; }
    // How long the whole transfer may take: a generous bound, not a speed test.
    std::chrono::milliseconds deadline() const;
    // The time in which the sender alone (its process group) waited for a
    // CPU between two moments of the network (seconds since it started), as
    // far as the waits of this transfer (every round of a wait) sampled it
    // (grader::BusyClock): what a busy machine took from the sender's own
    // timer. (The receiver's and the network's waits make the round trips
    // longer instead: a test of the timer measures those.)
    double sender_waited(double from, double to) const;

private:
    grader::ProgramState program_state(std::string_view hint) const;
    // Fails at once when waiting longer cannot help: a program died, or
    // every datagram one of the student's has sent is invalid.
    void fail_if_hopeless(Where where);
    // Samples the sender's clock (from every round of a wait).
    void sample_sender_clock();
    class BusyDeadline;
    std::vector<pid_t> programs() const;  // the process groups of the sender and the receiver
    std::string comparison(const std::string& output) const;

    TransferSetup setup_;
    std::string input_;
    std::string input_file_;
    std::unique_ptr<RoleProgram> receiver_;
    std::unique_ptr<grader::LossyNetwork> network_;
    std::unique_ptr<RoleProgram> sender_;
    std::optional<grader::BusyClock> sender_clock_;  // the sender's own waits for a CPU
    std::vector<std::pair<double, double>> sender_samples_;  // (network time, the sender's clock's seconds)
    Counts counts_;  // under the network's lock
    std::optional<std::size_t> focus_;
    grader::ProgramReporter previous_reporter_;
};

// While it lives, a failure report shows these programs' state, and leads
// with the end of one of them when that is the cause.
class Reporting {
public:
    explicit Reporting(std::vector<const RoleProgram*> programs);
    ~Reporting();
    Reporting(const Reporting&) = delete;
    Reporting& operator=(const Reporting&) = delete;

private:
    std::vector<const RoleProgram*> programs_;
    grader::ProgramReporter previous_;
};

// The grader as a sender, datagram by datagram, straight to a receiver.
class ScriptedSender {
public:
    // `program`, if given, is the receiver: a wait for its answer ends as
    // soon as it has exited.
    ScriptedSender(const net::Address& receiver, const RoleProgram* program, std::string name = "the grader");
    void send(const Datagram& datagram);
    void send_raw(const std::string& bytes, const std::string& what);
    // The next datagram from the receiver must be an ACK with this number.
    void expect_ack(std::uint32_t number, std::string_view hint, Where where = Where::current());
    // The next datagram from the receiver must be a valid ACK; its number.
    std::uint32_t next_ack(std::string_view hint, Where where = Where::current());
    // Nothing has come to this sender (checked without waiting: after an
    // answer to another one that the receiver had to send later).
    void expect_nothing_received(std::string_view hint, Where where = Where::current());
    // Quiet: what it sends and receives is not shown in the transcript.
    void set_quiet(bool quiet) { quiet_ = quiet; }

private:
    [[noreturn]] void fail_silent(std::string_view hint, Where where) const;

    bool quiet_ = false;
    bool answered_ = false;  // the receiver has answered before
    net::Address receiver_;
    const RoleProgram* program_;
    std::string name_;
    net::Socket socket_;
};

}  // namespace reliable_udp
