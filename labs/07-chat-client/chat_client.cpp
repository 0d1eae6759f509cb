// Lab 07 — chat-client: a client for the chat server of lab 06, that reads
// the keyboard and the network at the same time. Read README.md in this
// folder first.
//
// Already done for you: the command line and connecting. Your parts are
// marked YOUR CODE below: the keyboard thread, the printing of what the
// server sends, and how main starts and ends them.
// Grade it with:   ./lab test 07

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

// Connects to the server, or says why not on one line and exits with 1.
net::Connection connect_or_exit(const net::Options& options) {
    try {
        net::Connection server = net::connect_to(options.host, options.port);
        net::set_no_delay(server.socket);  // short lines go out at once (see common/include/net/tcp.hpp)
        return server;
    } catch (const std::system_error& error) {
        std::cerr << "chat-client: cannot connect to " << net::join_host_port(options.host, options.port) << ": "
                  << error.code().message() << std::endl;
        std::exit(1);
    }
}

// The keyboard thread: every line typed goes to the server.
void send_what_is_typed(const net::Connection& server, std::atomic<bool>& input_ended) {
    // ===== YOUR CODE (lab 07) =============================================
    // - std::getline(std::cin, line) until it fails (end of input); send
    //   each line with its '\n' (net::send_all). getline also returns a
    //   last line that had no '\n': it gets one too.
    // - At the end of input: set input_ended, then net::shutdown_sending
    //   (half-close: the server sees the end of your stream, and can still
    //   send to you). Why in that order? See README.md.
    // - send_all throws std::system_error if the server has gone: catch it
    //   (an exception that leaves a thread's function ends the program).
    (void)server;
    (void)input_ended;
    // ===== END OF YOUR CODE ===============================================
}

// Prints every line from the server as soon as it arrives, until the server
// closes the connection (or resets it).
void print_what_arrives(const net::Connection& server) {
    // ===== YOUR CODE (lab 07) =============================================
    // net::LineReader on the connection; print each line with std::endl
    // (it flushes: standard output may be a pipe, which keeps text in a
    // buffer until flushed). A reset (net::is_disconnect) ends it too.
    (void)server;
    // ===== END OF YOUR CODE ===============================================
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-client");
    const net::Connection server = connect_or_exit(options);
    std::atomic<bool> input_ended = false;

    // ===== YOUR CODE (lab 07) =============================================
    // As given, main does one thing after the other: the keyboard until the
    // end of input, and only then the network. Nothing the server sends is
    // printed while the user has not finished typing. Instead:
    // - run send_what_is_typed on a thread of its own: a std::jthread (pass
    //   the connection with std::cref and the flag with std::ref);
    // - on this thread, print what arrives until the server closes;
    // - then, if the input ended first, return 0. Otherwise the server went
    //   first: print "* disconnected" on standard error, flush std::cout,
    //   and end the program with std::_Exit(0). Not return, not std::exit:
    //   think about where the keyboard thread is, what the std::jthread's
    //   destructor does, and what getline holds while it waits (README.md,
    //   "Ending cleanly"). std::_Exit runs no destructors and flushes
    //   nothing: what is not flushed by then is lost.
    send_what_is_typed(server, input_ended);
    print_what_arrives(server);
    // ===== END OF YOUR CODE ===============================================
    return 0;
}
