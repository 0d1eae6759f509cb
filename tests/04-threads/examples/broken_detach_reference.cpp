// Mistake: a detached thread that uses the accept loop's `client` by reference.
//
//     net::Connection client = net::accept_client(listener);
//     std::thread([&client] { serve_client(client); }).detach();
//
// `client` is a local variable of one turn of the loop. The turn ends as soon
// as the thread is started, `client` is destroyed (its socket is closed), and
// the thread goes on using a connection that no longer exists: it reads a
// closed descriptor, or worse, the next client's. The cure: move the
// connection into the thread (capture by value, or pass it as an argument).

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

void serve_client(const net::Connection& client) {
    try {
        net::LineReader reader(client);
        int count = 0;
        while (const std::optional<std::string> line = reader.read_line())
            net::send_all(client, std::to_string(++count) + ": " + *line + "\n");
    } catch (const std::exception& error) {
        std::cerr << "threaded-server: " << error.what() << std::endl;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "threaded-server");
    const net::Socket listener = net::listen_or_exit(options, "threaded-server");
    while (true) {
        net::Connection client = net::accept_client(listener);
        std::thread([&client] { serve_client(client); }).detach();  // the mistake
    }  // `client` is destroyed here, while its thread is still starting
}
