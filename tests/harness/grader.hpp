#pragma once
// Everything a lab's grading suite needs. A suite reads like a spec:
//
//   TEST_CASE("echoes a line back") {
//       grader::Server server;                   // starts the program, waits for `listening on`
//       grader::Client alice = server.connect("alice");
//       alice.send("hello\n");
//       alice.expect_bytes("hello\n", "hint: what the likely mistake is");
//   }
//
// Each expectation waits with a deadline and, when it fails, shows what was
// sent and received (the transcript), what was expected, the hint, and the
// state of the program under test.

#include <doctest/doctest.h>

#include "client.hpp"
#include "process.hpp"
#include "program.hpp"
#include "settings.hpp"
#include "startup.hpp"
#include "transcript.hpp"
