// listen_or_exit, at the end of this file, is part of the finished answer
// to lab 01 (labs/01-echo-server): if you have not done lab 01 yet, skip it.

#include "net/options.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "net/address.hpp"
#include "net/tcp.hpp"

namespace net {

namespace {

std::string usage_line(std::string_view program, std::initializer_list<NumberOption> extra) {
    std::string usage = "usage: " + std::string(program) + " [--host HOST] [--port PORT]";
    for (const NumberOption& option : extra)
        usage += " [" + std::string(option.flag) + " " + std::string(option.placeholder) + "]";
    return usage;
}

[[noreturn]] void exit_with_usage(std::string_view program,
                                  std::initializer_list<NumberOption> extra,
                                  const std::string& problem) {
    std::cerr << program << ": " << problem << "\n" << usage_line(program, extra) << std::endl;
    std::exit(2);
}

// The whole text must be a number in [min, max]: "80x", "" and "-1" are not ports.
std::optional<long long> parse_number(std::string_view text, long long min, long long max) {
    // Digits only: from_chars alone would take "-0" for a port.
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    if (value < min || value > max) return std::nullopt;
    return value;
}

const NumberOption* find_option(std::initializer_list<NumberOption> extra, std::string_view flag) {
    for (const NumberOption& option : extra)
        if (option.flag == flag) return &option;
    return nullptr;
}

}  // namespace

long long Options::number(std::string_view flag) const {
    const auto found = numbers.find(flag);
    if (found == numbers.end()) throw std::out_of_range("no option " + std::string(flag));
    return found->second;
}

Options parse_options(int argc, char** argv, std::string_view program,
                      std::initializer_list<NumberOption> extra) {
    Options options;
    for (const NumberOption& option : extra) options.numbers[std::string(option.flag)] = option.default_value;

    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << usage_line(program, extra) << std::endl;
            std::exit(0);
        }
        // Both "--port 8001" and "--port=8001" are accepted.
        std::optional<std::string_view> value;
        if (const auto equals = flag.find('='); flag.starts_with("--") && equals != flag.npos) {
            value = flag.substr(equals + 1);
            flag = flag.substr(0, equals);
        }
        auto take_value = [&]() -> std::string_view {
            if (value) return *value;
            if (i + 1 >= argc) exit_with_usage(program, extra, std::string(flag) + " needs a value");
            return argv[++i];
        };

        if (flag == "--host") {
            options.host = take_value();
            if (options.host.empty()) exit_with_usage(program, extra, "--host needs a value");
        } else if (flag == "--port") {
            const std::string_view text = take_value();
            const auto port = parse_number(text, 0, 65535);
            if (!port) exit_with_usage(program, extra, "bad port '" + std::string(text) + "' (0 to 65535)");
            options.port = static_cast<std::uint16_t>(*port);
        } else if (const NumberOption* option = find_option(extra, flag)) {
            const std::string_view text = take_value();
            const auto number = parse_number(text, option->min, option->max);
            if (!number) {
                exit_with_usage(program, extra,
                                "bad value '" + std::string(text) + "' for " + std::string(flag) + " (" +
                                    std::to_string(option->min) + " to " + std::to_string(option->max) + ")");
            }
            options.numbers[std::string(flag)] = *number;
        } else {
            exit_with_usage(program, extra, "unknown argument '" + std::string(argv[i]) + "'");
        }
    }
    return options;
}

Socket listen_or_exit(const Options& options, std::string_view program) {
    try {
        Socket listener = listen_on(options.host, options.port);
        // The grader (and any script) waits for this line before connecting,
        // so it must leave our buffer now: std::endl flushes. Without the
        // flush, a pipe keeps it in a 4 KiB buffer until much later.
        std::cout << "listening on " << local_address(listener).to_string() << std::endl;
        return listener;
    } catch (const std::system_error& error) {
        std::cerr << program << ": cannot listen on " << join_host_port(options.host, options.port)
                  << ": " << error.code().message() << std::endl;
        std::exit(1);
    }
}

}  // namespace net
