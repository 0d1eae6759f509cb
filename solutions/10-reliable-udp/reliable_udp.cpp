// Lab 10 — reliable-udp: one program, two roles, over UDP.
//
//   reliable-udp receive [--host HOST] [--port PORT]
//   reliable-udp send --to HOST:PORT [--window N]
//
// TCP handed labs 01 to 09 a byte stream that arrives whole and in order.
// Here the network is UDP's: datagrams, each on its own, which the network
// may lose, repeat, reorder or damage, and nothing more. The two roles make
// delivery reliable themselves, with the ideas TCP is made of:
//   - a checksum, so that damage is noticed and the datagram treated as
//     lost (datagram.cpp);
//   - numbers and cumulative acknowledgements, so that losses, repeats and
//     reordering are noticed and repaired (receiver.cpp, sender.cpp);
//   - a window, and a timer that follows the round trip, so that it is fast
//     as well (sender.cpp, round_trip.cpp);
//   - a FIN, and a receiver that lingers after it, so that both ends know
//     the transfer is over.

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include "net/address.hpp"
#include "net/options.hpp"
#include "net/udp.hpp"
#include "receiver.hpp"
#include "sender.hpp"

namespace {

const char* const usage =
    "usage: reliable-udp receive [--host HOST] [--port PORT]\n"
    "       reliable-udp send --to HOST:PORT [--window N]";

[[noreturn]] void exit_with_usage(const std::string& problem) {
    std::cerr << "reliable-udp: " << problem << "\n" << usage << std::endl;
    std::exit(2);
}

struct SendOptions {
    std::string host;
    std::uint16_t port = 0;
    std::size_t window = 32;
};

// send --to HOST:PORT [--window N], or the usage and exit status 2.
SendOptions parse_send_options(int argc, char** argv) {
    SendOptions options;
    bool has_to = false;
    for (int i = 2; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << usage << std::endl;
            std::exit(0);
        }
        // "--window 8" and "--window=8" alike.
        std::string_view value;
        if (const auto equals = flag.find('='); flag.starts_with("--") && equals != std::string_view::npos) {
            value = flag.substr(equals + 1);
            flag = flag.substr(0, equals);
        } else if (flag == "--to" || flag == "--window") {
            if (i + 1 >= argc) exit_with_usage(std::string(flag) + " needs a value");
            value = argv[++i];
        }
        if (flag == "--to") {
            const auto host_port = net::split_host_port(value);
            if (!host_port) exit_with_usage("bad address '" + std::string(value) + "' for --to (HOST:PORT, or [IPv6]:PORT)");
            options.host = host_port->first;
            options.port = host_port->second;
            has_to = true;
        } else if (flag == "--window") {
            const bool digits = !value.empty() && value.size() <= 4 && value.find_first_not_of("0123456789") == std::string_view::npos;
            const int window = digits ? std::stoi(std::string(value)) : 0;
            if (window < 1 || window > 1024) exit_with_usage("bad window '" + std::string(value) + "' (1 to 1024)");
            options.window = static_cast<std::size_t>(window);
        } else {
            exit_with_usage("unknown argument '" + std::string(argv[i]) + "'");
        }
    }
    if (!has_to) exit_with_usage("send needs --to HOST:PORT");
    return options;
}

int receive(int argc, char** argv) {
    // The options after "receive" are a server's: --host, --port.
    const net::Options options = net::parse_options(argc - 1, argv + 1, "reliable-udp receive");
    const net::Socket socket = net::bind_udp_or_exit(options, "reliable-udp");
    return Receiver(socket, std::cout).run();
}

int send(int argc, char** argv) {
    const SendOptions options = parse_send_options(argc, argv);
    net::Address receiver;
    try {
        receiver = net::resolve_udp(options.host, options.port);
    } catch (const std::system_error& error) {
        std::cerr << "reliable-udp: cannot send to " << net::join_host_port(options.host, options.port) << ": "
                  << error.code().message() << std::endl;
        return 1;
    }
    const net::Socket socket = net::udp_socket_for(receiver);
    return Sender(socket, receiver, options.window, STDIN_FILENO).run();
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view role = argc > 1 ? argv[1] : "";
    try {
        if (role == "receive") return receive(argc, argv);
        if (role == "send") return send(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "reliable-udp: " << error.what() << std::endl;
        return 1;
    }
    if (role == "--help" || role == "-h") {
        std::cout << usage << std::endl;
        return 0;
    }
    exit_with_usage(role.empty() ? "say which role: receive or send" : "unknown role '" + std::string(role) + "'");
}
