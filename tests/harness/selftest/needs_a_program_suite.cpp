// A suite that cannot grade without a program no machine has: grading must
// refuse to start (exit 2), naming what to install (harness_test.cpp).

#include "grader.hpp"

GRADER_NEEDS_PROGRAM("netlabs-no-such-program", "a program no machine has", "netlabs-selftest-package");

TEST_CASE("echoes one line") {
    grader::Server server;
    grader::Client alice = server.connect("alice");
    alice.send("hello\n");
    alice.expect_bytes("hello\n", "send back what you receive");
}
