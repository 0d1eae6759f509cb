#pragma once
// The lab contract's start-up rules, the same for every server lab:
//   PROGRAM [--host HOST] [--port PORT], defaults 127.0.0.1 and 8001;
//   "listening on HOST:PORT" once listening; a port that is taken or a host
//   that cannot be bound: one line on standard error, status 1; bad
//   arguments: usage on standard error, status 2.
//
// A server lab's suite checks them all with one line at the top level:
//
//   GRADER_START_UP_TESTS()
//
// Each check only connects (a connection proves the server listens); what
// the server then says is for the lab's own tests.

#include "transcript.hpp"

namespace grader::startup {

void prints_listening_line(Where where = Where::current());
void listens_on_given_port(Where where = Where::current());
void listens_on_ipv6(Where where = Where::current());
void listens_on_the_default_address(Where where = Where::current());
void port_taken_exits_with_1(Where where = Where::current());
void unbindable_host_exits_with_1(Where where = Where::current());
void bad_arguments_exit_with_2(Where where = Where::current());

}  // namespace grader::startup

// The checks as doctest cases. The same cases run for --program and --cmd,
// so that a lab's maximum score does not depend on how the program is
// started: for the default address, a --cmd's "--port {port}" is left out.
#define GRADER_START_UP_TESTS()                                                                             \
    TEST_SUITE("starting up") {                                                                             \
        TEST_CASE("prints 'listening on 127.0.0.1:PORT' with the real port") {                              \
            grader::startup::prints_listening_line();                                                       \
        }                                                                                                   \
        TEST_CASE("listens on the port given with --port") { grader::startup::listens_on_given_port(); }    \
        TEST_CASE("listens on IPv6 with --host ::1") { grader::startup::listens_on_ipv6(); }                \
        TEST_CASE("a port that is taken: one line on standard error naming the address, exit status 1") {  \
            grader::startup::port_taken_exits_with_1();                                                     \
        }                                                                                                   \
        TEST_CASE("a host that cannot be bound: one line on standard error, exit status 1") {              \
            grader::startup::unbindable_host_exits_with_1();                                                \
        }                                                                                                   \
        TEST_CASE("bad arguments: a usage message on standard error, exit status 2") {                      \
            grader::startup::bad_arguments_exit_with_2();                                                   \
        }                                                                                                   \
        TEST_CASE("without options, listens on 127.0.0.1:8001") {                                           \
            grader::startup::listens_on_the_default_address();                                             \
        }                                                                                                   \
    }
