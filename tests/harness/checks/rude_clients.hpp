#pragma once
// The rude-client checks of lab 02, for every server lab that serves one
// client after another or several at once (02 to 05): a client that resets,
// that resets in the middle of a transfer, that leaves without reading its
// answers (SIGPIPE), that closes mid-transfer, that gives up while waiting
// its turn; and many clients in a row leave no descriptor open. Each check
// shows the server still serves the next client, as the lab answers
// (checks/answers.hpp). A client that is done just closes: whether the
// server then closes its side has tests of its own.
//
//   GRADER_RUDE_CLIENT_TESTS(grader::echo_answers(), 1000)   // lab 02

#include "checks/answers.hpp"

namespace grader::rude {

void a_reset_does_not_stop_the_server(const Answers&);
void a_reset_mid_transfer_does_not_stop_the_server(const Answers&);
void leaving_without_reading_does_not_kill_with_sigpipe(const Answers&);
void closing_mid_transfer_does_not_stop_the_server(const Answers&);
void clients_leaving_while_waiting_do_not_stop_the_server(const Answers&);
void clients_in_a_row_leave_no_descriptor_open(const Answers&, int count);

}  // namespace grader::rude

#define GRADER_RUDE_CLIENT_TESTS(answers, clients_in_a_row)                                                    \
    TEST_SUITE("rude clients") {                                                                               \
        TEST_CASE("a client that resets the connection does not stop the server") {                            \
            grader::rude::a_reset_does_not_stop_the_server(answers);                                           \
        }                                                                                                      \
        TEST_CASE("a client that resets in the middle of a large transfer does not stop the server") {         \
            grader::rude::a_reset_mid_transfer_does_not_stop_the_server(answers);                              \
        }                                                                                                      \
        TEST_CASE("a client that leaves without reading its answer does not kill the server with SIGPIPE") {   \
            grader::rude::leaving_without_reading_does_not_kill_with_sigpipe(answers);                         \
        }                                                                                                      \
        TEST_CASE("a client that closes in the middle of a transfer does not stop the server") {               \
            grader::rude::closing_mid_transfer_does_not_stop_the_server(answers);                              \
        }                                                                                                      \
        TEST_CASE("clients that leave at once, or while waiting their turn, do not stop the server") {         \
            grader::rude::clients_leaving_while_waiting_do_not_stop_the_server(answers);                       \
        }                                                                                                      \
    }                                                                                                          \
    TEST_SUITE("descriptors") {                                                                                \
        TEST_CASE("clients one after another leave no descriptor open") {                                      \
            grader::rude::clients_in_a_row_leave_no_descriptor_open(answers, clients_in_a_row);                \
        }                                                                                                      \
    }
