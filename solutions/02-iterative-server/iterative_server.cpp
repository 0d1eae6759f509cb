// Lab 02 — iterative-server: the echo of lab 01, served to one client after
// another, forever, surviving clients that leave rudely.
//
// BEGIN SOLUTION ONLY
// Two things change from lab 01, and they are the whole lesson:
//   1. main is a loop: accept a client, serve it, close it, accept the next.
//      A server that exits when its first client leaves is no server.
//   2. A client's failure is that client's business. A reset, a client that
//      vanishes mid-transfer, a send to a socket the client has closed: each
//      ends that one conversation, never the server.
//
// The loop serves one client at a time. A client that connects meanwhile is
// not refused: the kernel completes its connection and keeps it, and the
// bytes it sends, in the listening socket's queue (the backlog) until
// accept() takes it. It waits its turn; lab 04 gives each client a thread.
// INSTEAD
//| // As given, it accepts one client, echoes nothing, and exits. Your part is
//| // marked YOUR CODE: the echo (lab 01's, with common/'s calls), what to do
//| // when a client fails, and the loop.
//| // Grade it with:   ./lab test 02
// END SOLUTION ONLY

#include <array>
#include <cstddef>
#include <exception>
#include <iostream>
#include <string_view>
#include <system_error>

#include "net/errors.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// Lab 01's echo, with common/'s calls in place of lab 01's own (README.md
// has the table): sends back every byte the client sends until it closes
// its side, then returns. When the client resets or vanishes, the call that
// meets it throws std::system_error (net::is_disconnect(error) is true).
void echo_until_client_leaves(const net::Connection& client) {
    // BEGIN YOURS
    // receive_some() is a recv() that retries on EINTR, send_all() a send()
    // loop with MSG_NOSIGNAL. Both throw std::system_error, so the loop
    // itself has no error handling.
    std::array<char, 64 * 1024> buffer;
    while (true) {
        const std::size_t received = net::receive_some(client, buffer);
        if (received == 0) return;  // the client closed its side: we are done
        net::send_all(client, std::string_view(buffer.data(), received));
    }
    // INSTEAD
    //| (void)client;
    // END YOURS
}

// Serves one client. Whatever the client does, returns to the accept loop:
// a client leaving, politely or not, prints nothing; any other failure
// with this client is one line on standard error, and the server goes on.
//   client.socket: the connected socket;  client.peer.to_string(): "127.0.0.1:51234"
void serve_client(const net::Connection& client) {
    // BEGIN YOURS
    try {
        echo_until_client_leaves(client);
    } catch (const std::system_error& error) {
        // ECONNRESET, EPIPE and the like: the client left without saying
        // goodbye. That is a normal way to leave, so nothing is logged.
        if (net::is_disconnect(error)) return;
        // Anything else went wrong with this one client only: say so on
        // standard error (one line, naming the call and the client, which
        // the message already does) and go on with the next client.
        std::cerr << "iterative-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        // Not a failed call (no memory left, say): the same, one line.
        std::cerr << "iterative-server: " << client.peer.to_string() << ": " << error.what() << std::endl;
    }
    // INSTEAD
    //| echo_until_client_leaves(client);
    // END YOURS
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "iterative-server");
    const net::Socket listener = net::listen_or_exit(options, "iterative-server");

    // BEGIN YOURS
    try {
        while (true) {
            // `client` lives for one turn of the loop: its destructor closes
            // the client's socket at the end of each turn, however
            // serve_client returned. Without that, every client would leave
            // one descriptor behind, and after about a thousand clients
            // accept() would fail with EMFILE ("too many open files").
            net::Connection client = net::accept_client(listener);
            serve_client(client);
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed,
        // which no client can cause. That is the end of this server.
        std::cerr << "iterative-server: " << error.what() << std::endl;
        return 1;
    }
    // INSTEAD
    //| // As given, lab 01's life: one client, then exit. A server serves
    //| // clients one after another and never exits on its own; each client's
    //| // socket is closed once it has been served, whichever way it left.
    //| net::Connection client = net::accept_client(listener);
    //| serve_client(client);
    //| return 0;
    // END YOURS
}
