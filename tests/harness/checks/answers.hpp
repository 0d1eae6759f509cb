#pragma once
// How a lab answers a client's line, for the checks that several labs share
// (rude clients, threads): lab 02 echoes it, labs 03 to 05 number it.

#include <functional>
#include <string>
#include <string_view>

#include "client.hpp"
#include "transcript.hpp"

namespace grader {

struct Answers {
    // What the reply to a client's `nth` line (counted per connection, from
    // 1) should look like, to show in a failure ("1: hello").
    std::function<std::string(int nth, std::string_view line)> expected;
    // Whether `reply` answers the client's `nth` line `line`.
    std::function<bool(std::string_view reply, int nth, std::string_view line)> matches;
    // Why a client can stop another's service, in this lab's words.
    std::string survive_hint;
};

// Lab 02: every byte comes back.
Answers echo_answers();
// "N: LINE", N counting the connection's lines (labs 03, 04).
Answers numbered_per_connection();
// "N: LINE", whatever N: for checks of something else than the count
// (which has tests of its own in each lab), so that a wrong count fails
// only those.
Answers numbered_lines();

// Sends `line` (the client's `nth`) and expects its answer.
void expect_served(Client& client, const Answers& answers, int nth, std::string_view line, std::string_view hint = {},
                   Where where = Where::current());
// The next line `client` receives must answer its `nth` line `line`.
void expect_answer(Client& client, const Answers& answers, int nth, std::string_view line,
                   std::string_view hint = {}, Where where = Where::current());

}  // namespace grader
