#include "checks/lines.hpp"

#include <charconv>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "program.hpp"

namespace grader::lines {

namespace {


// A line of `length` bytes, none of them '\n', different for each seed, so
// that a reply built from the wrong bytes shows.
std::string make_line(std::size_t length, int seed) {
    std::string line(length, ' ');
    for (std::size_t i = 0; i < length; ++i) line[i] = static_cast<char>('A' + (i * 7 + static_cast<std::size_t>(seed) * 13) % 58);
    return line;
}

std::string without(std::string_view text, char byte) {
    std::string kept;
    for (char c : text)
        if (c != byte) kept += c;
    return kept;
}

std::string without_trailing(std::string_view text, char byte) {
    while (!text.empty() && text.back() == byte) text.remove_suffix(1);
    return std::string(text);
}

// 1024 and 1023, 4096 and 4095, ...: the sizes of fixed buffers.
bool looks_like_a_buffer_size(std::size_t size) {
    for (std::size_t power = 64; power <= (std::size_t{1} << 20); power *= 2)
        if (size == power || size + 1 == power) return true;
    return false;
}

// The likely mistake behind a wrong reply to line `number`, `line`, in plain
// words; "" when the reply says nothing recognisable.
std::string diagnose(std::string_view got, long number, std::string_view line) {
    const std::string n = std::to_string(number);
    if (got == reply_to(number, line) + "\r")
        return "the reply ends in '\\r'. Either the '\\r' of a \"\\r\\n\" line ending was kept (drop that one "
               "'\\r': telnet and nc -C end lines with \"\\r\\n\"), or the reply was sent with \"\\r\\n\" (end "
               "replies with '\\n' alone)";
    if (line.find('\r') != std::string_view::npos &&
        (got == reply_to(number, without(line, '\r')) || got == reply_to(number, without_trailing(line, '\r'))))
        return "only one '\\r' is dropped, the one just before the '\\n': \"a\\r\\r\\n\" is the line \"a\\r\", and a "
               "'\\r' inside a line is data. Are you removing every '\\r'?";

    std::size_t digits = 0;
    while (digits < got.size() && digits < 18 && got[digits] >= '0' && got[digits] <= '9') ++digits;
    if (digits == 0 || got.substr(digits, 2) != ": ")
        return "every reply is \"N: LINE\". A reply without its number is often the second of several lines that "
               "came in one recv() and were answered as one message: split what you receive at every '\\n', and "
               "answer each line";
    long got_number = 0;
    std::from_chars(got.data(), got.data() + digits, got_number);
    const std::string_view text = got.substr(digits + 2);

    if (got_number == 1 && number > 1)
        return "your reply to line " + n + " came back as \"1: ...\": are you counting reads instead of lines? "
               "Several lines can arrive in one recv(), and one line can arrive in several";
    if (got_number > number)
        return "this is line " + n + " of this connection, but the reply says " + std::to_string(got_number) +
               ": each connection counts its own lines from 1. Is the counter shared by all connections, instead "
               "of one per client?";
    if (got_number + 1 == number && text == line)
        return "the count is one behind: N counts from 1, so a connection's first line is answered \"1: ...\"";
    if (got_number < number)
        return "this is line " + n + " but the reply says " + std::to_string(got_number) +
               ": some lines were not answered one by one. Are you counting reads instead of lines? One recv() can "
               "bring several lines";
    const std::size_t nul = line.find('\0');
    if (nul != std::string_view::npos && text == line.substr(0, nul))
        return "the line was cut at its first '\\0': a line is bytes with a length, not a C string (no strlen(), "
               "no printf(\"%s\"), no std::string(buffer) without the length)";
    if (text.empty())
        return "the reply has an empty line: was part of a line answered as if it were whole (a recv() can end "
               "anywhere in a line), or a '\\n' left at the start of the buffer?";
    if (text.size() < line.size() && line.starts_with(text)) {
        const std::string sizes = "only the first " + std::to_string(text.size()) + " of the line's " +
                                  std::to_string(line.size()) + " bytes came back";
        if (looks_like_a_buffer_size(text.size()))
            return sizes + ": is the line kept in a fixed-size buffer? A line can be longer than any buffer you "
                           "recv() into: keep it in a std::string that grows until its '\\n' arrives";
        return sizes + ": was part of a line answered as if it were whole? A recv() can return part of a line: "
                       "keep the bytes until the line's '\\n' arrives";
    }
    if (text.size() > line.size() && text.starts_with(line))
        return "the reply has more than the line: did the '\\n', or the next line's first bytes, end up in it?";
    return "";
}



}  // namespace

std::string reply_to(long number, std::string_view line) { return std::to_string(number) + ": " + std::string(line); }

// The next line `client` receives must be the reply to its line `number`.
void expect_reply(Client& client, long number, std::string_view line, std::string_view hint, Where where) {
    const std::string expected = reply_to(number, line);
    const std::string got = client.next_line(hint, where);
    if (got == expected) return;
    const std::string diagnosis = diagnose(got, number, line);
    grader::fail(client.name() + " expected the line " + grader::quote_bytes(expected + "\n") + "\n  but received      " +
                     grader::quote_bytes(got + "\n"),
                 diagnosis.empty() ? hint : std::string_view(diagnosis), where);
}

void answers_a_line() {
    Server server;
    Client alice = server.connect("alice");
    alice.send("hello\n");
    expect_reply(alice, 1, "hello", "answer each line with its number, ': ', the line, and '\\n'");
}

void numbers_lines_one_two_three() {
    Server server;
    Client alice = server.connect("alice");
    const std::vector<std::string> lines = {"one", "two words", "three: with a colon"};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        alice.send_line(lines[i]);
        expect_reply(alice, static_cast<long>(i) + 1, lines[i],
                     "answer each line as soon as its '\\n' has arrived, and keep reading for the next one");
    }
}

void empty_lines_count() {
    Server server;
    Client alice = server.connect("alice");
    const char* const empty_hint = "an empty line (a '\\n' alone) is a line too: answer it \"N: \" and count it";
    alice.send("first\n");
    expect_reply(alice, 1, "first");
    alice.send("\n");
    expect_reply(alice, 2, "", empty_hint);
    alice.send("\n");
    expect_reply(alice, 3, "", empty_hint);
    alice.send("after two empty lines\n");
    expect_reply(alice, 4, "after two empty lines", empty_hint);
}

void drops_the_cr_of_crlf() {
    Server server;
    Client alice = server.connect("alice");
    alice.send("hello\r\n");
    expect_reply(alice, 1, "hello");
    alice.send("\r\n");
    expect_reply(alice, 2, "", "\"\\r\\n\" alone is an empty line: answer it \"2: \"");
}

void drops_only_one_cr() {
    Server server;
    Client alice = server.connect("alice");
    alice.send("a\r\r\n");
    expect_reply(alice, 1, "a\r");
    alice.send("b\rc\r\n");
    expect_reply(alice, 2, "b\rc");
    alice.send("\r\r\n");
    expect_reply(alice, 3, "\r");
    alice.send("d\r\n");
    expect_reply(alice, 4, "d");
}

void a_line_is_bytes() {
    Server server;
    Client alice = server.connect("alice");
    const std::string line("a\0b\tc\xff\xfe\x01 \xc3\xa9t\xc3\xa9", 15);
    alice.send(line + "\n");
    expect_reply(alice, 1, line);
    alice.send("next\n");
    expect_reply(alice, 2, "next");
}

void lines_sent_byte_by_byte() {
    Server server;
    Client alice = server.connect("alice");
    alice.send_slowly("one\ntwo\n\nthree\n");
    const char* const hint = "each recv() may return a single byte: keep the bytes until a '\\n' arrives";
    expect_reply(alice, 1, "one", hint);
    expect_reply(alice, 2, "two", hint);
    expect_reply(alice, 3, "", hint);
    expect_reply(alice, 4, "three", hint);
}

void many_lines_in_one_write() {
    Server server;
    Client alice = server.connect("alice");
    std::string all;
    for (int i = 1; i <= 200; ++i) all += "line " + std::to_string(i) + " of 200\n";
    alice.send(all);
    for (int i = 1; i <= 200; ++i)
        expect_reply(alice, i, "line " + std::to_string(i) + " of 200",
                     "one recv() can bring many lines: answer every line in the buffer before receiving more");
}

void a_line_split_across_writes() {
    Server server;
    Client alice = server.connect("alice");
    const char* const early =
        "a reply came before the line's '\\n' had arrived: a recv() can return part of a line; keep it in the "
        "buffer until the rest comes";
    alice.send("hel");
    alice.expect_silence(early);
    alice.send("lo, wor");
    alice.send("ld\nsec");
    expect_reply(alice, 1, "hello, world");
    alice.expect_silence(early);
    alice.send("ond\n");
    expect_reply(alice, 2, "second", "the bytes after a line's '\\n' are the start of the next line: keep them");
}

void a_line_of_64_kib() {
    Server server;
    Client alice = server.connect("alice");
    const std::string line = make_line(65536, 1);
    alice.send(line + "\n");
    expect_reply(alice, 1, line, "lines of up to 65,536 bytes must work: the buffer has to grow to hold one");
    alice.send("short\n");
    expect_reply(alice, 2, "short");
}

void lines_around_buffer_sizes() {
    Server server;
    Client alice = server.connect("alice");
    struct Piece {
        std::size_t length;
        const char* ending;
    };
    // Every line ends in '\n' alone: the '\r' rule has tests of its own.
    const std::vector<Piece> pieces = {{1023, "\n"}, {1024, "\n"},  {1025, "\n"}, {4095, "\n"},  {4096, "\n"},
                                       {4097, "\n"}, {0, "\n"},     {8191, "\n"}, {8192, "\n"},  {8193, "\n"},
                                       {1, "\n"},    {65535, "\n"}, {65536, "\n"}, {2, "\n"}};
    std::string all;
    std::vector<std::string> lines;
    for (const Piece& piece : pieces) {
        lines.push_back(make_line(piece.length, static_cast<int>(lines.size())));
        all += lines.back() + piece.ending;
    }
    alice.send(all);
    for (std::size_t i = 0; i < lines.size(); ++i)
        expect_reply(alice, static_cast<long>(i) + 1, lines[i],
                     "a line can start in one recv() and end several recv()s later: keep the bytes received until "
                     "a '\\n', wherever the reads happen to split them");
}

void a_last_line_is_answered_at_half_close() {
    Server server;
    Client alice = server.connect("alice");
    alice.send("one\ntwo");
    expect_reply(alice, 1, "one");
    alice.expect_silence("\"two\" has no '\\n' yet, so more of it may come: answer it only once its '\\n' arrives "
                         "or the client closes its side");
    alice.half_close();
    expect_reply(alice, 2, "two",
                 "the client closed its side after \"two\" (recv() returned 0): that was its last line, and it is "
                 "answered \"2: two\" like any other before the server closes the connection");
    alice.expect_closed("after answering the last line, close the client's socket: that tells the client you are done");
}

void every_line_is_answered_before_the_close() {
    Server server;
    Client alice = server.connect("alice");
    alice.send("a\nb\nc\n");
    alice.half_close();
    expect_reply(alice, 1, "a");
    expect_reply(alice, 2, "b");
    expect_reply(alice, 3, "c", "recv() returns every byte the client sent before it returns 0: answer them all");
    alice.expect_closed("after the last line, close the client's socket and send nothing more: the end of the "
                        "stream is not a line");
}

void nothing_more_after_a_whole_last_line() {
    Server server;
    Client alice = server.connect("alice");
    alice.send("only line\n");
    expect_reply(alice, 1, "only line");
    alice.half_close();
    alice.expect_closed("the end of the stream is not a line: when nothing is left after the last '\\n', send "
                        "nothing more, and close");
}

void a_last_line_of_64_kib() {
    Server server;
    Client alice = server.connect("alice");
    const std::string line = make_line(65536, 2);
    alice.send(line);
    alice.half_close();
    expect_reply(alice, 1, line, "a last line without '\\n' is answered when the client closes its side, long or short");
    alice.expect_closed();
}

}  // namespace grader::lines
