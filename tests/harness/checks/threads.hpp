#pragma once
// The thread checks of lab 04, for every thread-per-client lab (04, 05):
// every client served at once, a silent or slow client delays nobody, each
// client has its own line buffer and its own thread, and threads end with
// their clients. Answers as the lab gives them (checks/answers.hpp).
//
//   GRADER_THREAD_TESTS(grader::numbered_lines())   // labs 04, 05

#include "checks/answers.hpp"

namespace grader::threads {

void a_silent_client_delays_nobody(const Answers&);
void a_slow_client_delays_nobody(const Answers&);
void a_hundred_clients_at_once(const Answers&);
void a_hundred_clients_send_twenty_lines_each(const Answers&);
void partial_lines_never_mix(const Answers&);
void each_client_has_a_thread(const Answers&);
void threads_end_with_their_clients(const Answers&);
void clients_in_waves_leave_no_thread(const Answers&);

}  // namespace grader::threads

#define GRADER_THREAD_TESTS(answers)                                                                           \
    TEST_SUITE("every client at once") {                                                                       \
        TEST_CASE("a client that sends nothing never delays another") {                                        \
            grader::threads::a_silent_client_delays_nobody(answers);                                           \
        }                                                                                                      \
        TEST_CASE("a client that sends a line one byte at a time never delays another") {                      \
            grader::threads::a_slow_client_delays_nobody(answers);                                             \
        }                                                                                                      \
        TEST_CASE("100 clients connected at once, their lines interleaved: every answer right") {              \
            grader::threads::a_hundred_clients_at_once(answers);                                               \
        }                                                                                                      \
        TEST_CASE("100 clients each send 20 lines in one write, all at once: every answer right, in order") {  \
            grader::threads::a_hundred_clients_send_twenty_lines_each(answers);                                \
        }                                                                                                      \
        TEST_CASE("partial lines from different clients never mix") {                                          \
            grader::threads::partial_lines_never_mix(answers);                                                 \
        }                                                                                                      \
        TEST_CASE("each connected client has a thread of its own") {                                           \
            grader::threads::each_client_has_a_thread(answers);                                                \
        }                                                                                                      \
        TEST_CASE("threads end with their clients: the thread count returns to its start within a second") {  \
            grader::threads::threads_end_with_their_clients(answers);                                          \
        }                                                                                                      \
        TEST_CASE("clients that come and go in waves are all served, and leave no thread behind") {           \
            grader::threads::clients_in_waves_leave_no_thread(answers);                                        \
        }                                                                                                      \
    }
