// Lab 07 — chat-client: a client for the chat server of lab 06, that reads
// the keyboard and the network at the same time.
//
// BEGIN SOLUTION ONLY
// A chat client has two sources of input, and neither waits for the other:
// the user may type nothing for a minute while ten lines arrive, or type
// three lines while nothing does. A program with one thread can wait in one
// place at a time: in getline() for the keyboard, or in recv() for the
// network. Whichever it waits in, the other source is ignored meanwhile.
// So this program has one thread for each:
//
//   keyboard thread                        main thread
//   ---------------                        -----------
//   getline(std::cin)                      net::LineReader on the connection
//   send_all(line + "\n")                  print each line, flushed
//   end of input:                          the server closed:
//     note it, half-close                    input ended first? return 0
//     ("I will send nothing more")           otherwise "* disconnected",
//                                              end at once (std::_Exit)
//
// The two threads share the connection (one only sends, the other only
// receives, which TCP allows at the same time) and one flag, an atomic.
// INSTEAD
//| // Already done for you: the command line and connecting. Your parts are
//| // marked YOUR CODE below: the keyboard thread, the printing of what the
//| // server sends, and how main starts and ends them.
//| // Grade it with:   ./lab test 07
// END SOLUTION ONLY

#include <atomic>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "net/address.hpp"
#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// BEGIN SOLUTION ONLY
// Ends the program now, whatever the keyboard thread is doing: it may be
// waiting in getline() for a line that never comes, and nothing can
// interrupt that wait. Neither way out of a normal program works then:
// - returning from main destroys the std::jthread, whose destructor joins
//   the thread: it waits for the user to press Enter;
// - std::exit runs the C library's clean-up, which flushes every stdio
//   stream, and since glibc 2.41 takes each stream's lock to do it: getline
//   holds the lock of standard input while it waits, so std::exit waits too.
// std::_Exit ends the process at once: no destructors, no exit handlers, no
// flushing of stdio buffers. So flush what we printed first (std::endl did
// already; std::cerr is never buffered), then go. The kernel closes the
// socket and every other descriptor.
[[noreturn]] void end_now(int status) {
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(status);
}

// END SOLUTION ONLY
// Connects to the server, or says why not on one line and exits with 1.
net::Connection connect_or_exit(const net::Options& options) {
    try {
        net::Connection server = net::connect_to(options.host, options.port);
        // Nagle's algorithm would hold back a short line while the previous
        // one is unacknowledged, in the hope of merging them: right for bulk
        // data, wrong for a conversation.
        net::set_no_delay(server.socket);
        return server;
    } catch (const std::system_error& error) {
        std::cerr << "chat-client: cannot connect to " << net::join_host_port(options.host, options.port) << ": "
                  << error.code().message() << std::endl;
        std::exit(1);  // no other thread yet: a normal exit is fine here
    }
}

// The keyboard thread. Guarantees:
// - every line of standard input reaches the server, ending in '\n' (a last
//   line typed without one too);
// - at the end of input the server sees the end of this client's stream and
//   can still send (a half-close), and by the time it can react,
//   input_ended is already true;
// - when the server has gone, this thread ends quietly: nothing escapes it.
void send_what_is_typed(const net::Connection& server, std::atomic<bool>& input_ended) {
    // BEGIN YOURS
    try {
        std::string line;
        // getline returns a last line without '\n' too: it gets one here.
        while (std::getline(std::cin, line)) net::send_all(server, line + "\n");
        // Set before the half-close: the server may answer it by closing at
        // once, and by then the main thread must know this was our doing.
        input_ended = true;
        net::shutdown_sending(server);
    } catch (const std::system_error& error) {
        // The server has gone (a reset): the main thread sees it too, and
        // says so. Anything else is worth a word.
        if (!net::is_disconnect(error)) std::cerr << "chat-client: " << error.what() << std::endl;
    }
    // INSTEAD
    //| // README.md: "Two sources, two threads", "Ending cleanly".
    //| (void)server;
    //| (void)input_ended;
    // END YOURS
}

// Prints each line the server sends on standard output as soon as it has
// arrived whole, even when standard output is a pipe. Returns once the
// server has closed the connection (or reset it).
void print_what_arrives(const net::Connection& server) {
    // BEGIN YOURS
    try {
        net::LineReader reader(server);
        // std::endl flushes: without it, a line could wait in the buffer of
        // std::cout (standard output may be a pipe, not a terminal).
        while (const std::optional<std::string> line = reader.read_line()) std::cout << *line << std::endl;
    } catch (const std::system_error& error) {
        if (!net::is_disconnect(error)) {
            std::cerr << "chat-client: " << error.what() << std::endl;
            end_now(1);  // the keyboard thread may be in getline: see end_now
        }
    } catch (const std::exception& error) {
        // net::LineTooLong: a line over 1 MiB, which no chat server sends.
        std::cerr << "chat-client: " << error.what() << std::endl;
        end_now(1);
    }
    // INSTEAD
    //| (void)server;
    // END YOURS
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-client");
    const net::Connection server = connect_or_exit(options);

    std::atomic<bool> input_ended = false;
    // BEGIN YOURS
    std::jthread keyboard(send_what_is_typed, std::cref(server), std::ref(input_ended));
    print_what_arrives(server);

    if (input_ended) {
        // The normal end: we said goodbye (half-close), the server closed.
        // Leaving main joins `keyboard`, which has already finished.
        return 0;
    }
    // The server went first, and the keyboard thread is still waiting in
    // getline() for a line that may never come. end_now ends the whole
    // program without leaving main, so `keyboard` is never destroyed, and
    // nothing waits for it.
    std::cerr << "* disconnected" << std::endl;
    end_now(0);
    // INSTEAD
    //| // As given, main does one thing after the other: the keyboard until the
    //| // end of input, and only then the network, so nothing the server sends
    //| // is printed while the user types. Guarantees to reach:
    //| // - what arrives is printed while the user types (or types nothing);
    //| // - the input ended first: the program ends with status 0 once the
    //| //   server has closed, and says nothing more;
    //| // - the server went first: "* disconnected" on standard error, status
    //| //   0, at once, even while the keyboard thread waits in getline for a
    //| //   line that may never come (README.md, "Ending cleanly": which ways of
    //| //   ending a program wait for that thread, and which do not).
    //| send_what_is_typed(server, input_ended);
    //| print_what_arrives(server);
    //| return 0;
    // END YOURS
}
