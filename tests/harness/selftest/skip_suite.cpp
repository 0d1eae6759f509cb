// A suite with tests that cannot be checked here: the harness's own tests
// (harness_test.cpp) read how the grader reports them, on the terminal, in
// its exit status and in results.json.

#include "grader.hpp"

TEST_CASE("echoes one line") {
    grader::Server server;
    grader::Client alice = server.connect("alice");
    alice.send("hello\n");
    alice.expect_bytes("hello\n", "send back what you receive");
}

TEST_CASE("cannot be checked here") { grader::skip_test("the self-test skips this one on purpose"); }

TEST_CASE("fails and then cannot be checked") {
    grader::fail_without_stopping("a failure before the skip", "a failure stays a failure");
    grader::skip_test("too late to skip");
}

// The contract's default port (the self-test holds it).
TEST_CASE("without options, listens on 127.0.0.1:8001") { grader::startup::listens_on_the_default_address(); }
