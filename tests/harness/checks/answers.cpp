#include "checks/answers.hpp"

#include <string>

namespace grader {

namespace {

bool is_number_then(std::string_view reply, std::string_view line) {
    const auto colon = reply.find(": ");
    if (colon == 0 || colon == std::string_view::npos) return false;
    for (char c : reply.substr(0, colon))
        if (c < '0' || c > '9') return false;
    return reply.substr(colon + 2) == line;
}

}  // namespace

Answers echo_answers() {
    return {[](int, std::string_view line) { return std::string(line); },
            [](std::string_view reply, int, std::string_view line) { return reply == line; },
            "a client that resets or vanishes ends its own conversation, not the server: catch the "
            "std::system_error, and when net::is_disconnect(error) is true just return to the accept loop"};
}

Answers numbered_per_connection() {
    return {[](int nth, std::string_view line) { return std::to_string(nth) + ": " + std::string(line); },
            [](std::string_view reply, int nth, std::string_view line) {
                return reply == std::to_string(nth) + ": " + std::string(line);
            },
            "a client that resets or vanishes ends its own conversation, not the server: when "
            "net::is_disconnect(error) is true, that client is done (return from its loop, or end its thread)"};
}

Answers numbered_lines() {
    return {[](int, std::string_view line) { return "N: " + std::string(line); },
            [](std::string_view reply, int, std::string_view line) { return is_number_then(reply, line); },
            "a client that resets or vanishes ends its own conversation, nothing else: when "
            "net::is_disconnect(error) is true, that client is done (back to the accept loop, or the end of its "
            "thread)"};
}

void expect_served(Client& client, const Answers& answers, int nth, std::string_view line, std::string_view hint,
                   Where where) {
    client.send_line(line, where);
    expect_answer(client, answers, nth, line, hint, where);
}

void expect_answer(Client& client, const Answers& answers, int nth, std::string_view line, std::string_view hint,
                   Where where) {
    const std::string reply = client.next_line(hint, where);
    if (!answers.matches(reply, nth, line))
        fail(client.name() + " expected the line " + quote_bytes(answers.expected(nth, line) + "\n") +
                 "\n  but received      " + quote_bytes(reply + "\n"),
             hint, where);
}

}  // namespace grader
