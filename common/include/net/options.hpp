#pragma once
// The command line every lab program shares, and the start-up rules of the
// lab contract:
//   PROGRAM [--host HOST] [--port PORT]        defaults 127.0.0.1 and 8001
//   bad arguments        -> usage message on standard error, exit status 2
//   cannot listen        -> one line on standard error, exit status 1
//   listening            -> "listening on HOST:PORT" on standard output, flushed

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "net/socket.hpp"

namespace net {

// A whole-number option some labs add, such as --max-clients N.
struct NumberOption {
    std::string_view flag;         // "--max-clients"
    std::string_view placeholder;  // "N", shown in the usage message
    long long default_value;
    long long min;
    long long max;
};

struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8001;
    std::map<std::string, long long, std::less<>> numbers;  // by flag

    long long number(std::string_view flag) const;
};

// Parses argv, or prints the usage message and exits with status 2.
// "--help" prints the usage message on standard output and exits with 0.
Options parse_options(int argc, char** argv, std::string_view program,
                      std::initializer_list<NumberOption> extra = {});

// Listens on options.host:options.port and prints "listening on HOST:PORT"
// with the real port, or prints "PROGRAM: cannot listen on HOST:PORT: REASON"
// on standard error and exits with status 1.
Socket listen_or_exit(const Options& options, std::string_view program);

}  // namespace net
