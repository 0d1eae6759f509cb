#pragma once
// The line rules of lab 03, for every lab that speaks in lines (03, 04, 05):
// each line answered "N: LINE", N counting from 1 (on a fresh server with
// one client, a count per connection and a count per server agree); the
// '\r' rule; bytes, not C strings; any split of the stream into reads; long
// lines; the last line at the end of the stream. One client each.
//
// A suite adds them with one line at the top level:
//
//   GRADER_LINE_TESTS()

#include <string>
#include <string_view>

#include "client.hpp"
#include "transcript.hpp"

namespace grader::lines {

// "N: LINE".
std::string reply_to(long number, std::string_view line);
// The next line `client` receives must be the reply to its line `number`;
// a wrong one is diagnosed (counting reads, a fixed buffer, C strings, ...).
void expect_reply(Client& client, long number, std::string_view line, std::string_view hint = {},
                  Where where = Where::current());

void answers_a_line();
void numbers_lines_one_two_three();
void empty_lines_count();
void drops_the_cr_of_crlf();
void drops_only_one_cr();
void a_line_is_bytes();
void lines_sent_byte_by_byte();
void many_lines_in_one_write();
void a_line_split_across_writes();
void a_line_of_64_kib();
void lines_around_buffer_sizes();
void a_last_line_is_answered_at_half_close();
void every_line_is_answered_before_the_close();
void nothing_more_after_a_whole_last_line();
void a_last_line_of_64_kib();

}  // namespace grader::lines

#define GRADER_LINE_TESTS()                                                                                    \
    TEST_SUITE("lines") {                                                                                              \
        TEST_CASE("answers a line with '1: LINE'") { grader::lines::answers_a_line(); }                                \
        TEST_CASE("numbers a connection's lines 1, 2, 3, answering each as soon as it arrives") { grader::lines::numbers_lines_one_two_three(); } \
        TEST_CASE("empty lines count, and are answered 'N: '") { grader::lines::empty_lines_count(); }                 \
        TEST_CASE("drops the '\\r' of a \"\\r\\n\" line ending (telnet)") { grader::lines::drops_the_cr_of_crlf(); }   \
        TEST_CASE("drops only one '\\r': \"a\\r\\r\\n\" is the line \"a\\r\", and a '\\r' inside a line stays") { grader::lines::drops_only_one_cr(); } \
        TEST_CASE("a line is bytes: '\\0', tabs and bytes above 127 come back unchanged") { grader::lines::a_line_is_bytes(); } \
    }                                                                                                                  \
    TEST_SUITE("a byte stream, not messages") {                                                                        \
        TEST_CASE("lines sent one byte at a time") { grader::lines::lines_sent_byte_by_byte(); }                       \
        TEST_CASE("many lines in one write") { grader::lines::many_lines_in_one_write(); }                             \
        TEST_CASE("a line split across writes is answered once, when its '\\n' arrives") { grader::lines::a_line_split_across_writes(); } \
        TEST_CASE("a line of 65,536 bytes") { grader::lines::a_line_of_64_kib(); }                                     \
        TEST_CASE("lines just under, at and over buffer sizes (1024, 4096, 8192, 65,536), all in one write") { grader::lines::lines_around_buffer_sizes(); } \
    }                                                                                                                  \
    TEST_SUITE("the end of the stream") {                                                                              \
        TEST_CASE("a last line without '\\n' is answered once the client closes its side; then the server closes") { grader::lines::a_last_line_is_answered_at_half_close(); } \
        TEST_CASE("every line sent before the client closes its side is answered, then the connection is closed") { grader::lines::every_line_is_answered_before_the_close(); } \
        TEST_CASE("nothing more is sent when the client closes after a whole line") { grader::lines::nothing_more_after_a_whole_last_line(); } \
        TEST_CASE("a last line of 65,536 bytes without '\\n'") { grader::lines::a_last_line_of_64_kib(); }             \
    }
