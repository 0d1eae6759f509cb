// The smallest grading suite: one echo exchange. The harness's own tests run
// it against misbehaving programs.

#include "grader.hpp"

TEST_CASE("echoes one line") {
    grader::Server server;
    grader::Client alice = server.connect("alice");
    alice.send("hello\n");
    alice.expect_bytes("hello\n", "send back what you receive");
}
