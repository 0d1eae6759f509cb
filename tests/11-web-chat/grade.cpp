// Lab 11 — web-chat. The lab 09 server with a web port next to its chat
// port: HTTP (the page, errors), the WebSocket upgrade, RFC 6455 frames
// both ways and the close rules, checked byte by byte with the grader's own
// WebSocket client (tests/harness/web_client.hpp); browsers and chat
// clients in one room, with lab 08's notices, limits and shutdown; and a
// real browser, headless Chromium (tests/harness/browser.hpp), that opens
// the page twice and chats with a chat client. The chat port is lab 09's:
// the shared chat checks run on it.
//
// Every program is started with "--web-port 0" (GRADER_SERVER_ARGS), and
// its web port read from its "web on http://HOST:PORT/" line.

#include <csignal>
#include <string>
#include <vector>

#include <sys/file.h>
#include <fcntl.h>

#include <poll.h>
#include <sys/socket.h>

#include "browser.hpp"
#include "checks/chat.hpp"
#include "checks/flow.hpp"
#include "grader.hpp"
#include "net/tcp.hpp"
#include "web_client.hpp"

using grader::Client;
using grader::FrameOptions;
using grader::Opcode;
using grader::Server;
using grader::StartOptions;
using grader::WebClient;
using grader::Where;

GRADER_SERVER_ARGS("--web-port", "0");

namespace {

// ---- hints ----

const char* const web_line_hint =
    "once both ports listen, print \"listening on HOST:PORT\" (the chat port) and then \"web on "
    "http://HOST:WEBPORT/\" (an IPv6 host in brackets), each a line, and flush";
const char* const page_hint =
    "answer \"GET / HTTP/1.1\" with \"HTTP/1.1 200 OK\", \"Content-Type: text/html; charset=utf-8\", "
    "\"Content-Length: N\" (the page's size in bytes), an empty line and the page; then close the connection";
const char* const parse_hint =
    "TCP is a byte stream: keep a web connection's bytes until the empty line (\"\\r\\n\\r\\n\") ends the request, "
    "however they were split into reads";
const char* const token_hint =
    "header names, and tokens such as \"websocket\" and \"Upgrade\", match in any case; Connection is a comma-separated "
    "list (\"keep-alive, Upgrade\"); the path is the target up to any '?'";
const char* const not_found_hint = "a path that is neither \"/\" nor \"/chat\": \"HTTP/1.1 404 Not Found\", then close";
const char* const bad_line_hint =
    "the first line must be exactly \"GET TARGET HTTP/1.1\": anything else is answered \"HTTP/1.1 400 Bad Request\" "
    "as soon as that line has ended (do not wait for the headers), then the connection is closed";
const char* const too_large_hint =
    "count the bytes of the request line and headers as they come: past 8 KiB without the empty line, answer "
    "\"HTTP/1.1 431 Request Header Fields Too Large\" at once and close";
const char* const accept_hint =
    "Sec-WebSocket-Accept is base64 of the 20-byte SHA-1 digest (not of its hex text) of the key followed by "
    "\"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\": the RFC's key \"dGhlIHNhbXBsZSBub25jZQ==\" gives "
    "\"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\"";
const char* const upgrade_hint =
    "answer a good upgrade with \"HTTP/1.1 101 Switching Protocols\", \"Upgrade: websocket\", \"Connection: "
    "Upgrade\" and \"Sec-WebSocket-Accept: ...\", then an empty line, and no body";
const char* const version_hint =
    "a Sec-WebSocket-Version missing, or other than 13: \"HTTP/1.1 426 Upgrade Required\" with the header "
    "\"Sec-WebSocket-Version: 13\" (the version we speak), then close";
const char* const bad_upgrade_hint =
    "an upgrade without \"Upgrade: websocket\", or whose Connection does not list \"Upgrade\", or whose "
    "Sec-WebSocket-Key is not base64 of 16 bytes: \"HTTP/1.1 400 Bad Request\", then close";
const char* const join_hint =
    "from its 101 on, a browser is a member of the room like any other, named by its address (IP:PORT of its "
    "connection to the web port): the others hear \"* ADDR joined\" at once";
const char* const says_hint =
    "each text message from a browser is one chat line: the others get \"NAME says: TEXT\", NAME its address until "
    "/nick";
const char* const to_browser_hint =
    "each line the server would send a chat client goes to a browser as one text frame (opcode 0x1, FIN set), the "
    "line without its '\\n'";
const char* const unmasked_hint =
    "a server's frames are never masked: the second byte's top bit (MASK) is 0, and no masking key follows";
const char* const shortest_hint =
    "write a frame's length in its shortest form: 0 to 125 in the 7 bits; 126 and then 2 bytes (big-endian) up "
    "to 65,535; 127 and then 8 bytes beyond";
const char* const lengths_hint =
    "lengths are big-endian (network byte order, the most significant byte first): 126 is followed by 2 bytes "
    "(bytes[2] << 8 | bytes[3]), 127 by 8; the payload follows the masking key";
const char* const mask_hint =
    "a client's frames are masked: after the length come 4 bytes of masking key, and payload byte i is XORed "
    "with key[i % 4]";
const char* const split_hint =
    "a frame may arrive in pieces, or several in one read: keep a connection's bytes, and take a frame only once "
    "its header, key and whole payload are there";
const char* const must_mask_hint =
    "a client frame without MASK is a protocol error: close with 1002 (a close frame with code 1002, then close "
    "the connection)";
const char* const not_shortest_hint =
    "a client frame whose length is not in its shortest form (126 and 2 bytes for 125 or fewer; 127 and 8 bytes "
    "for 65,535 or fewer) is a protocol error: close with 1002";
const char* const fragments_hint =
    "a message may come in fragments: a text frame without FIN, continuation frames (opcode 0x0), the last with "
    "FIN; join their payloads, and use the message once it is whole";
const char* const fragment_rules_hint =
    "a continuation frame with no message begun, or a new text frame before the last message's FIN, is a "
    "protocol error: close with 1002";
const char* const ping_hint =
    "answer a ping (opcode 0x9) with a pong (opcode 0xA) carrying the same payload, at once, even between a "
    "message's fragments";
const char* const pong_ignored_hint = "a pong nobody asked for is allowed, and ignored";
const char* const control_hint =
    "control frames (close, ping, pong) are never fragmented and carry at most 125 bytes: a ping without FIN, or "
    "with a 16-bit length, is a protocol error (1002)";
const char* const reserved_hint =
    "with no extension agreed, the reserved bits RSV1-3 must be 0, and the opcodes are 0x0-0x2 and 0x8-0xA: "
    "anything else is a protocol error (1002)";
const char* const binary_hint =
    "a binary message (opcode 0x2) is not a chat line: close with 1003 (unsupported data)";
const char* const utf8_hint =
    "a text message must be UTF-8: check the whole message once it is joined, and close with 1007 if it is not "
    "(overlong forms, surrogates, stray continuation bytes and cut sequences are not UTF-8)";
const char* const utf8_whole_hint =
    "check UTF-8 on the whole message, not fragment by fragment: a character's bytes may be split between two "
    "fragments";
const char* const too_big_hint =
    "a message over 4,096 bytes (the line limit) is closed with 1009 (message too big) as soon as its length is "
    "known: the frame's header, or the fragment that takes it past the limit; 4,096 bytes are fine";
const char* const echo_close_hint =
    "answer a close frame with a close frame carrying the same status code (its first two bytes, big-endian), "
    "then close the connection";
const char* const empty_close_hint = "answer a close frame without a payload with a close frame without a payload";
const char* const bad_close_hint =
    "a close code a peer may not send (below 1000, 1004, 1005, 1006, 1015, 1016-2999, 5000 and up), or a close "
    "payload of one byte, is a protocol error: close with 1002";
const char* const left_hint =
    "when a browser leaves (its close, an error, the end of its connection), it leaves the room: the others get "
    "\"* NAME left\"";
const char* const control_bytes_hint =
    "a browser's message is one chat line: control bytes ('\\n' included) are removed, as from any line, and a "
    "message left empty is ignored";
const char* const repair_hint =
    "a chat client may send bytes that are not UTF-8; a browser takes only UTF-8 (it would close on anything "
    "else, 1007): replace each byte that is not part of a UTF-8 sequence with U+FFFD (\"\\xEF\\xBF\\xBD\") in "
    "messages to browsers, and send chat clients the bytes as they are";
const char* const full_hint =
    "over --max-clients, a browser completes its handshake, then gets the text message \"! server full\" and a "
    "close frame with 1013 (try again later); nobody hears of it";
const char* const shutdown_hint =
    "on SIGTERM or SIGINT, every browser gets the text message \"* server shutting down\" and then a close frame "
    "with 1001 (going away); every connection closes, and the server exits 0 within 2 s";
const char* const one_thread_hint =
    "lab 11 serves both ports from lab 09's one loop: a second listener in the same epoll set, no thread";
const char* const stalled_hint =
    "the loop must never wait for one member: relaying appends to queues, and a queue is written when its socket "
    "takes it. A member that is behind may hold the room (stop watching the senders' sockets), but only while it "
    "reads: once its socket has taken nothing for a second, it no longer counts";
const char* const flow_hint =
    "a browser that reads is a reader like any other: while it is behind, take no lines from anyone (flow "
    "control); never drop it, and let it lose nothing";
const char* const queue_hint =
    "relaying only appends to each receiver's queue (a browser's as frames); the loop writes a queue when its "
    "socket takes it, and drops a member whose queue passes --max-queue";

// ---- the program and its two ports ----

struct WebPort {
    std::string host;
    std::uint16_t port = 0;
};

// "web on http://HOST:PORT/", the line after the listening line.
std::optional<WebPort> parse_web_line(const std::string& line) {
    const std::string prefix = "web on http://";
    if (!line.starts_with(prefix) || !line.ends_with("/")) return std::nullopt;
    const std::string address = line.substr(prefix.size(), line.size() - prefix.size() - 1);
    const auto colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    std::string host = address.substr(0, colon);
    const std::string port = address.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    if (host.front() == '[') {
        if (host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return std::nullopt;  // an IPv6 host must be in brackets
    }
    const int number = std::stoi(port);
    if (number <= 0 || number > 65535) return std::nullopt;
    return WebPort{host, static_cast<std::uint16_t>(number)};
}

std::string read_web_line(Server& server, Where where) {
    server.listening_line();  // with --cmd and {port}, it has not been read yet
    const auto line = server.process().next_stdout_line(grader::Clock::now() + grader::settings().reply_timeout());
    if (!line)
        grader::fail("the server printed no \"web on http://HOST:WEBPORT/\" line after its listening line", web_line_hint,
                     where);
    grader::transcript().add("server", "prints", *line + "\n", true);
    return *line;
}

// The program under test, listening on both ports.
class WebChat {
public:
    explicit WebChat(StartOptions options = {}, Where where = Where::current()) : server_(std::move(options), where) {
        const std::string line = read_web_line(server_, where);
        const auto web = parse_web_line(line);
        if (!web)
            grader::fail("the line after the listening line should be \"web on http://HOST:WEBPORT/\", but was " +
                             grader::quote_bytes(line),
                         web_line_hint, where);
        web_ = *web;
        if (web_.host == "0.0.0.0" || web_.host == "::") web_.host = server_.host();
    }

    Server& server() { return server_; }
    const WebPort& web_port() const { return web_; }
    std::string url(std::string_view path = "/") const {
        const std::string host = web_.host.find(':') != std::string::npos ? "[" + web_.host + "]" : web_.host;
        return "http://" + host + ":" + std::to_string(web_.port) + std::string(path);
    }

    // A chat client, on the chat port.
    Client connect(std::string name, int receive_buffer = 0, Where where = Where::current()) {
        return server_.connect(std::move(name), receive_buffer, where);
    }
    // A connection to the web port, nothing sent yet.
    WebClient web(std::string name, int receive_buffer = 0, Where where = Where::current()) {
        return WebClient(std::move(name), web_.host, web_.port, receive_buffer, where);
    }
    // A browser in the room: upgraded (its 101 is its joining).
    WebClient browser(std::string name, int receive_buffer = 0, Where where = Where::current()) {
        WebClient browser = web(std::move(name), receive_buffer, where);
        browser.upgrade("/chat", where);
        return browser;
    }

private:
    Server server_;
    WebPort web_;
};

// Someone who hears the room: a chat client (lines) or a browser (text messages).
class Ear {
public:
    Ear(Client& client) : client_(&client) {}
    Ear(WebClient& browser) : browser_(&browser) {}
    void expect(const std::string& line, std::string_view hint, Where where = Where::current()) {
        if (client_) client_->expect_line(line, hint, where);
        else browser_->expect_text(line, hint, where);
    }
    std::string next(std::string_view hint, Where where = Where::current()) {
        return client_ ? client_->next_line(hint, where) : browser_->next_text(hint, where);
    }

private:
    Client* client_ = nullptr;
    WebClient* browser_ = nullptr;
};

std::string joined(std::string_view address) { return "* " + std::string(address) + " joined"; }
std::string left(std::string_view name) { return "* " + std::string(name) + " left"; }
std::string says(std::string_view name, std::string_view line) { return std::string(name) + " says: " + std::string(line); }

// A browser joins; everyone in `here` hears it (and it is in the room).
WebClient join_browser(WebChat& chat, std::string name, std::vector<Ear> here, int receive_buffer = 0,
                       Where where = Where::current()) {
    WebClient browser = chat.browser(std::move(name), receive_buffer, where);
    for (Ear& ear : here) ear.expect(joined(browser.address()), join_hint, where);
    return browser;
}

Client join_client(WebChat& chat, std::string name, std::vector<Ear> here, int receive_buffer = 0,
                   Where where = Where::current()) {
    Client client = chat.connect(std::move(name), receive_buffer, where);
    for (Ear& ear : here) ear.expect(joined(client.address()), join_hint, where);
    return client;
}

StartOptions with(std::vector<std::string> args) {
    StartOptions options;
    options.args = std::move(args);
    return options;
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string get(std::string_view target, std::string_view headers = "Host: 127.0.0.1\r\n") {
    return "GET " + std::string(target) + " HTTP/1.1\r\n" + std::string(headers) + "\r\n";
}

// A request on a connection of its own: the response, then the end of the connection.
grader::HttpResponse ask(WebChat& chat, const std::string& name, std::string_view request, std::string_view hint,
                         Where where = Where::current()) {
    WebClient client = chat.web(name, 0, where);
    client.send(request, where);
    grader::HttpResponse response = client.read_response(hint, where);
    client.expect_closed("after its response, the server closes the connection (\"Connection: close\")", where);
    return response;
}

void expect_status(const grader::HttpResponse& response, int status, std::string_view hint, Where where = Where::current()) {
    if (response.status != status)
        grader::fail("the response should start \"HTTP/1.1 " + std::to_string(status) + " ...\", but its status line is " +
                         grader::quote_bytes(response.status_line),
                     hint, where);
}

// The server closes with `code`, then the others (`here`) hear `leaver` leave.
void expect_closed_with(WebClient& leaver, std::uint16_t code, std::string_view hint, std::vector<Ear> here,
                        Where where = Where::current()) {
    leaver.expect_close(code, hint, where);
    for (Ear& ear : here) ear.expect(left(leaver.address()), left_hint, where);
}

void expect_no_faults(const WebClient& client, std::string_view kind, std::string_view hint,
                      Where where = Where::current()) {
    for (const std::string& fault : client.faults())
        if (fault.find(kind) != std::string::npos)
            grader::fail("the server " + fault, hint, where);
}

// Holds port 8080, the default web port, for one test at a time across
// suites (as grader::DefaultPortLock holds 8001).
class WebPortLock {
public:
    WebPortLock() : lock_(::open("/tmp/netlabs-port-8080.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
        if (lock_.is_open()) ::flock(lock_.fd(), LOCK_EX);
        try {
            const net::Socket probe = net::listen_on("127.0.0.1", 8080);
            available_ = true;
        } catch (const std::system_error&) {
            available_ = false;
        }
    }
    bool available() const { return available_; }

private:
    net::Socket lock_;  // (any descriptor: net::Socket is the one owner)
    bool available_ = false;
};

// The address of the page that has just joined, from carol's "* ADDR joined".
std::string page_joins(Client& carol, grader::Page& page, Where where = Where::current()) {
    const char* const hint =
        "the page (chat.html) opens a WebSocket to ws://HOST:PORT/chat as it loads, and the server makes it a "
        "member at its 101: if you changed the page, check that it still does; the page shows what went wrong";
    const auto line = carol.try_next_line(grader::settings().reply_timeout());
    if (!line)
        grader::fail("carol expected the page to join (\"* ADDR joined\"), but nothing came within " +
                         grader::seconds_text(grader::settings().reply_timeout()) + "; the page shows " +
                         grader::quote_end(page.text(where)),
                     hint, where);
    if (!line->starts_with("* ") || !line->ends_with(" joined"))
        grader::fail("carol expected the page to join (\"* ADDR joined\"), but received " + grader::quote_bytes(*line),
                     hint, where);
    return line->substr(2, line->size() - 2 - std::string_view(" joined").size());
}

// What a browser needs before its page can chat, checked first with the
// grader's own client, so that a failure says at once why a browser would
// fail: the page served, and a WebSocket it would accept. `carol`, a chat
// client, sees the probe come and go.
void expect_a_browser_would_chat(WebChat& chat, Client& carol, Where where = Where::current()) {
    expect_status(ask(chat, "probe", get("/"), page_hint, where), 200, page_hint, where);
    WebClient probe = join_browser(chat, "probe", {carol}, 0, where);
    probe.send_text("/who");
    probe.next_text("\"/who\" from a browser is answered as a text message", where);
    for (const std::string& fault : probe.faults())
        grader::fail("a browser would refuse this server's WebSocket: the server " + fault,
                     fault.find("Accept") != std::string::npos ? accept_hint
                     : fault.find("masked") != std::string::npos ? unmasked_hint
                                                                 : shortest_hint,
                     where);
    probe.send_close(1000);
    probe.expect_close(1000, echo_close_hint, where);
    carol.expect_line(left(probe.address()), left_hint, where);
}

}  // namespace

GRADER_START_UP_TESTS()

TEST_SUITE("starting up: the web port") {

TEST_CASE("prints 'web on http://127.0.0.1:WEBPORT/' after the listening line, with the real port") {
    WebChat chat;
    const std::string line = "web on http://127.0.0.1:" + std::to_string(chat.web_port().port) + "/";
    WebClient visitor = chat.web("visitor");  // something listens there
    visitor.send(get("/"));
    expect_status(visitor.read_response(page_hint), 200, page_hint);
}

TEST_CASE("listens on the web port given with --web-port") {
    const std::uint16_t port = grader::find_free_port();
    WebChat chat(with({"--web-port", std::to_string(port)}));
    if (chat.web_port().port != port)
        grader::fail("asked for web port " + std::to_string(port) + ", the server announced " +
                         std::to_string(chat.web_port().port),
                     "listen on the port given with --web-port, and print it");
    WebClient visitor = chat.web("visitor");
}

TEST_CASE("with --host ::1, both ports listen on IPv6: 'web on http://[::1]:WEBPORT/'") {
    WebChat chat(with({"--host", "::1"}));
    if (chat.web_port().host != "::1")
        grader::fail("with --host ::1 the web line should name [::1], but it named " + chat.web_port().host,
                     "listen on the same host as the chat port, and write an IPv6 host in brackets");
    WebClient visitor = chat.web("visitor");
}

TEST_CASE("a web port that is taken: one line on standard error naming it, exit status 1") {
    const grader::PortInUse taken;
    const auto run = grader::run_until_exit(with({"--web-port", std::to_string(taken.port())}));
    if (!run.status.exited || run.status.code != 1)
        grader::fail("the program should have exited with status 1, but it " + run.status.describe(),
                     "when the web port cannot be listened on, print one line on standard error and exit(1)");
    const std::string address = "127.0.0.1:" + std::to_string(taken.port());
    if (run.err.find(address) == std::string::npos || std::count(run.err.begin(), run.err.end(), '\n') != 1)
        grader::fail("standard error should be one line naming " + address + ", but was " + grader::quote_end(run.err),
                     "say which address could not be used, and why: \"web-chat: cannot listen on " + address +
                         ": Address already in use\"");
    if (run.out.find("listening on") != std::string::npos)
        grader::fail("it printed " + grader::quote_bytes(run.out) + ", but it could not listen on both ports",
                     "listen on both ports first, then print the two lines");
}

TEST_CASE("bad --web-port values: a usage message on standard error, exit status 2") {
    for (const std::string bad : {"abc", "70000", "-1"}) {
        const auto run = grader::run_until_exit(with({"--web-port", bad}));
        if (!run.status.exited || run.status.code != 2 || lower(run.err).find("usage") == std::string::npos)
            grader::fail("with --web-port " + bad + " the program should print a usage message on standard error and "
                         "exit with status 2, but it " + run.status.describe() + " and printed " +
                             grader::quote_end(run.err),
                         "check --web-port as --port: a whole number from 0 to 65535");
    }
}

TEST_CASE("without --web-port, the web port is 8080") {
    WebPortLock port_8080;
    if (!port_8080.available()) grader::skip_test("another program on this machine is using port 8080");
    StartOptions options;
    options.server_args = false;  // no --web-port at all
    WebChat chat(options);
    if (chat.web_port().port != 8080)
        grader::fail("without --web-port the web line should name port 8080, but it named " +
                         std::to_string(chat.web_port().port),
                     "the web port's default is 8080");
    WebClient visitor = chat.web("visitor");
}

}  // TEST_SUITE

// The chat port, as in lab 09: the shared chat checks, clients named by the
// nicknames they take; descriptors end with their clients.
TEST_SUITE("joining and leaving") {
    TEST_CASE("the others get '* NAME joined' when a client connects; the newcomer gets nothing") {
        grader::chat::others_hear_a_client_join(grader::chat::by_nickname);
    }
    TEST_CASE("the others get '* NAME left' when a client closes its side; its connection is closed") {
        grader::chat::others_hear_a_client_leave_when_it_closes(grader::chat::by_nickname);
    }
    TEST_CASE("the others get '* NAME left' when a client resets its connection") {
        grader::chat::others_hear_a_client_leave_when_it_resets(grader::chat::by_nickname);
    }
    TEST_CASE("a client who left is heard no more") {
        grader::chat::a_client_who_left_is_heard_no_more(grader::chat::by_nickname);
    }
}
TEST_SUITE("chat") {
    TEST_CASE("a line goes to every other client as 'NAME says: LINE'") {
        grader::chat::a_line_goes_to_every_other_client(grader::chat::by_nickname);
    }
    TEST_CASE("the sender gets nothing back") {
        grader::chat::the_sender_gets_nothing_back(grader::chat::by_nickname);
    }
    TEST_CASE("empty lines are ignored") {
        grader::chat::empty_lines_are_ignored(grader::chat::by_nickname);
    }
    TEST_CASE("a line sent one byte at a time arrives whole") {
        grader::chat::a_line_sent_byte_by_byte_arrives_whole(grader::chat::by_nickname);
    }
    TEST_CASE("many lines in one write, and a line over several writes, arrive as lines, in order") {
        grader::chat::lines_arrive_as_lines_however_written(grader::chat::by_nickname);
    }
    TEST_CASE("'\\r\\n' ends a line too: one '\\r' before the '\\n' is dropped") {
        grader::chat::cr_lf_ends_a_line(grader::chat::by_nickname);
    }
    TEST_CASE("two clients typing at once: each line arrives whole") {
        grader::chat::two_clients_typing_at_once(grader::chat::by_nickname);
    }
    TEST_CASE("'/who' is answered to the asker alone: everyone online, in the order they connected") {
        grader::chat::who_lists_everyone_in_order(grader::chat::by_nickname);
    }
    TEST_CASE("'/who' is a command only as the exact whole line") {
        grader::chat::who_is_a_command_only_as_the_whole_line(grader::chat::by_nickname);
    }
    TEST_CASE("a last line without '\\n' is relayed when its sender closes its side") {
        grader::chat::a_last_line_is_relayed_at_half_close(grader::chat::by_nickname);
    }
}
TEST_SUITE("many clients") {
    TEST_CASE("50 clients each send 100 lines at once: every other client gets them all, whole, in order") {
        grader::chat::fifty_clients_send_at_once(grader::chat::by_nickname);
    }
    TEST_CASE("clients joining and leaving during the traffic disturb nobody") {
        grader::chat::clients_come_and_go_during_traffic(grader::chat::by_nickname);
    }
    TEST_CASE("a client that resets while lines are relayed to it disturbs nobody") {
        grader::chat::a_reset_while_relaying_disturbs_nobody(grader::chat::by_nickname);
    }
    TEST_CASE("clients that reset or close in the middle of a line disturb nobody") {
        grader::chat::resets_mid_line_disturb_nobody(grader::chat::by_nickname);
    }
    TEST_CASE("descriptors end with their clients") {
        grader::chat::descriptors_end_with_clients(grader::chat::by_nickname);
    }
}

TEST_SUITE("HTTP") {

TEST_CASE("GET / is answered 200 with the page: text/html, its length in bytes; then the connection closes") {
    WebChat chat;
    const grader::HttpResponse response = ask(chat, "visitor", get("/"), page_hint);
    expect_status(response, 200, page_hint);
    const auto type = response.header("Content-Type");
    if (!type || lower(*type).find("text/html") != 0 || lower(*type).find("charset=utf-8") == std::string::npos)
        grader::fail("the page's Content-Type should be \"text/html; charset=utf-8\", but was " +
                         grader::quote_bytes(type.value_or("(none)")),
                     page_hint);
    if (lower(response.body).find("<html") == std::string::npos)
        grader::fail("the page should be an HTML document, but its body starts " + grader::quote_bytes(response.body, 80),
                     "serve chat.html, as it was built into the program");
}

TEST_CASE("a request that comes one byte at a time is answered the same") {
    WebChat chat;
    WebClient visitor = chat.web("visitor");
    visitor.send_slowly(get("/"));
    expect_status(visitor.read_response(parse_hint), 200, parse_hint);
}

TEST_CASE("header names and tokens in any case, and query strings, are understood") {
    WebChat chat;
    expect_status(ask(chat, "visitor", get("/?nick=ann&x=1"), token_hint), 200, token_hint);
    WebClient browser = chat.web("browser");
    browser.send("GET /chat?room=1 HTTP/1.1\r\nhost: 127.0.0.1\r\nUPGRADE: WebSocket\r\n"
                 "connection: keep-alive, UPGRADE\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "SEC-WEBSOCKET-VERSION: 13\r\n\r\n");
    const grader::HttpResponse response = browser.read_response(token_hint);
    expect_status(response, 101, token_hint);
}

TEST_CASE("another path: 404 Not Found, then the connection closes") {
    WebChat chat;
    for (const char* path : {"/index.html", "/chat/room", "/favicon.ico"})
        expect_status(ask(chat, "visitor", get(path), not_found_hint), 404, not_found_hint);
}

TEST_CASE("a first line that is not 'GET PATH HTTP/1.1': 400 as soon as it has ended, then the connection closes") {
    WebChat chat;
    for (const char* line : {"HELLO\r\n", "POST / HTTP/1.1\r\n", "GET / HTTP/1.0\r\n", "GET /\r\n", "GET index.html HTTP/1.1\r\n"}) {
        // Only the line: the headers never come, and need not.
        expect_status(ask(chat, "visitor", line, bad_line_hint), 400, bad_line_hint);
    }
}

TEST_CASE("a head over 8 KiB is answered 431 at once, then the connection closes; 8,000 bytes are fine") {
    WebChat chat;
    const std::string filler = "X-Filler: " + std::string(7900, 'a') + "\r\n";
    expect_status(ask(chat, "visitor", get("/", "Host: 127.0.0.1\r\n" + filler), too_large_hint), 200,
                  "a request of 8,000 bytes is within the limit of 8 KiB: answer it");
    // 9,000 bytes and no end of the head: the server must not wait for it.
    const std::string endless = "GET / HTTP/1.1\r\nX-Filler: " + std::string(9000, 'b');
    expect_status(ask(chat, "overflow", endless, too_large_hint), 431, too_large_hint);
}

TEST_CASE("nobody hears of a page request: it never joins the room") {
    WebChat chat;
    Client alice = chat.connect("alice");
    expect_status(ask(chat, "visitor", get("/"), page_hint), 200, page_hint);
    alice.send_line("/who");
    alice.expect_line("* online: " + alice.address(),
                      "a connection to the web port is a member of the room only after its upgrade (101): a page "
                      "request is not, and nobody hears of it");
}

}  // TEST_SUITE

TEST_SUITE("the upgrade") {

TEST_CASE("a good upgrade: 101 Switching Protocols with the right Sec-WebSocket-Accept") {
    WebChat chat;
    // The RFC's own example first: its accept is known.
    WebClient example = chat.web("example");
    example.send(get("/chat", "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
    const grader::HttpResponse response = example.read_response(upgrade_hint);
    expect_status(response, 101, upgrade_hint);
    if (!response.lists("Upgrade", "websocket"))
        grader::fail("the 101 should say \"Upgrade: websocket\", but its head was " + grader::quote_bytes(response.head),
                     upgrade_hint);
    if (!response.lists("Connection", "Upgrade"))
        grader::fail("the 101 should say \"Connection: Upgrade\", but its head was " + grader::quote_bytes(response.head),
                     upgrade_hint);
    if (response.header("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        grader::fail("for the key \"dGhlIHNhbXBsZSBub25jZQ==\" the Sec-WebSocket-Accept must be "
                     "\"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\", but it was " +
                         grader::quote_bytes(response.header("Sec-WebSocket-Accept").value_or("(none)")),
                     accept_hint);
    // And a key of our own.
    WebClient bob = chat.browser("bob");
    expect_no_faults(bob, "Sec-WebSocket-Accept", accept_hint);
}

TEST_CASE("a missing or other Sec-WebSocket-Version: 426 Upgrade Required, with 'Sec-WebSocket-Version: 13'") {
    WebChat chat;
    const std::string key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    for (const std::string version : {"", "Sec-WebSocket-Version: 8\r\n"}) {
        const grader::HttpResponse response = ask(
            chat, "visitor", get("/chat", "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key + version),
            version_hint);
        expect_status(response, 426, version_hint);
        if (response.header("Sec-WebSocket-Version") != "13")
            grader::fail("the 426 should carry \"Sec-WebSocket-Version: 13\", but its head was " +
                             grader::quote_bytes(response.head),
                         version_hint);
    }
}

TEST_CASE("any other bad upgrade: 400 Bad Request") {
    WebChat chat;
    const std::string version = "Sec-WebSocket-Version: 13\r\n", key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    for (const std::string& headers : {
             "Connection: Upgrade\r\n" + key + version,                                    // no Upgrade
             "Upgrade: h2c\r\nConnection: Upgrade\r\n" + key + version,                    // not websocket
             "Upgrade: websocket\r\nConnection: keep-alive\r\n" + key + version,           // no Upgrade token
             "Upgrade: websocket\r\nConnection: Upgrade\r\n" + version,                    // no key
             "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc\r\n" + version,  // not 16 bytes
             "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n" + version}) {
        expect_status(ask(chat, "visitor", get("/chat", "Host: 127.0.0.1\r\n" + headers), bad_upgrade_hint), 400,
                      bad_upgrade_hint);
    }
}

TEST_CASE("frames that come right behind the upgrade request, in the same write, are read") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = chat.web("bob");
    bob.send(bob.upgrade_request() + grader::encode_frame(Opcode::text, "right behind the request"));
    expect_status(bob.read_response(upgrade_hint), 101, upgrade_hint);
    alice.expect_line(joined(bob.address()), join_hint);
    alice.expect_line(says(bob.address(), "right behind the request"),
                      "the bytes after the request's empty line, in the same read, are the first frames: keep them "
                      "for the frame reader (RequestReader::rest)");
}

TEST_CASE("a browser joins the room at its 101, named by its address: the others hear '* ADDR joined'") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = chat.browser("bob");
    alice.expect_line(joined(bob.address()), join_hint);
    WebClient carol = chat.browser("carol");
    alice.expect_line(joined(carol.address()), join_hint);
    bob.expect_text(joined(carol.address()), to_browser_hint);
}

}  // TEST_SUITE

TEST_SUITE("frames") {

TEST_CASE("a text message is a chat line: the others get 'ADDR says: TEXT'") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    WebClient carol = join_browser(chat, "carol", {alice, bob});
    bob.send_text("hello from a browser");
    alice.expect_line(says(bob.address(), "hello from a browser"), says_hint);
    carol.expect_text(says(bob.address(), "hello from a browser"), says_hint);
    alice.send_line("hello from nc");
    bob.expect_text(says(alice.address(), "hello from nc"), to_browser_hint);
    carol.expect_text(says(alice.address(), "hello from nc"), to_browser_hint);
}

TEST_CASE("the server's frames are never masked") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    alice.send_line("short");
    bob.expect_text(says(alice.address(), "short"), to_browser_hint);
    bob.send_text("/who");
    bob.expect_text("* online: " + alice.address() + " " + bob.address(), to_browser_hint);
    expect_no_faults(bob, "masked", unmasked_hint);
}

TEST_CASE("the server's frames have their length in the shortest form") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    for (std::size_t size : {1u, 100u, 110u, 200u, 1000u, 4000u}) {  // 7-bit and 16-bit messages
        const std::string line(size, 's');
        alice.send_line(line);
        bob.expect_text(says(alice.address(), line), to_browser_hint);
    }
    expect_no_faults(bob, "form", shortest_hint);
}

TEST_CASE("messages of 0 to 4,096 bytes, in 7-bit and 16-bit lengths, are read; 16-bit lengths are written") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    for (std::size_t size : {1u, 125u, 126u, 127u, 255u, 256u, 1000u, 4096u}) {
        std::string text;
        for (std::size_t i = 0; i < size; ++i) text += static_cast<char>('a' + i % 26);
        bob.send_text(text);
        alice.expect_line(says(bob.address(), text), lengths_hint);
    }
    // And the other way: lines of 126 bytes and more reach a browser whole.
    const std::string line(1500, 'L');
    alice.send_line(line);
    bob.expect_text(says(alice.address(), line), lengths_hint);
}

TEST_CASE("each message is unmasked with its own key, however it is split into reads") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    // Three frames in one write.
    bob.send(grader::encode_frame(Opcode::text, "one") + grader::encode_frame(Opcode::text, "two") +
             grader::encode_frame(Opcode::text, std::string(300, '3')));
    alice.expect_line(says(bob.address(), "one"), split_hint);
    alice.expect_line(says(bob.address(), "two"), split_hint);
    alice.expect_line(says(bob.address(), std::string(300, '3')), split_hint);
    // One frame, a byte at a time.
    bob.send_slowly(grader::encode_frame(Opcode::text, "slowly, with a mask"));
    alice.expect_line(says(bob.address(), "slowly, with a mask"), mask_hint);
}

TEST_CASE("a client frame that is not masked is closed with 1002") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::text, "not masked", {.mask = false});
    expect_closed_with(bob, 1002, must_mask_hint, {alice});
}

TEST_CASE("a client frame whose length is not in its shortest form is closed with 1002") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::text, "five!", {.length_form = 16});
    expect_closed_with(bob, 1002, not_shortest_hint, {alice});
    WebClient carol = join_browser(chat, "carol", {alice});
    carol.send_frame(Opcode::text, std::string(300, 'c'), {.length_form = 64});
    expect_closed_with(carol, 1002, not_shortest_hint, {alice});
}

TEST_CASE("a 64-bit length: over 4,096 bytes is closed with 1009 on its header; its top bit set with 1002") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    // Only the header of a 100,000-byte frame: the server must not wait for the rest.
    bob.send(grader::encode_frame(Opcode::text, std::string(100'000, 'x')).substr(0, 14));
    expect_closed_with(bob, 1009, too_big_hint, {alice});
    WebClient carol = join_browser(chat, "carol", {alice});
    std::string header = grader::encode_frame(Opcode::text, std::string(100'000, 'x')).substr(0, 14);
    header[2] = static_cast<char>(0x80);  // the most significant bit of the 64-bit length
    carol.send(header);
    expect_closed_with(carol, 1002, "a 64-bit length must have its most significant bit 0: else close with 1002", {alice});
}

TEST_CASE("a fragmented message is joined: one chat line") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::text, "hel", {.fin = false});
    bob.send_frame(Opcode::continuation, "lo, ", {.fin = false});
    bob.send_frame(Opcode::continuation, "world", {.fin = true});
    alice.expect_line(says(bob.address(), "hello, world"), fragments_hint);
    // A ping between fragments does not end the message.
    bob.send_frame(Opcode::text, "in ", {.fin = false});
    bob.send_frame(Opcode::ping, "p");
    bob.send_frame(Opcode::continuation, "pieces", {.fin = true});
    alice.expect_line(says(bob.address(), "in pieces"), fragments_hint);
}

TEST_CASE("a continuation with no message begun, or a new message before the last one ended: 1002") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::continuation, "nothing began", {.fin = true});
    expect_closed_with(bob, 1002, fragment_rules_hint, {alice});
    WebClient carol = join_browser(chat, "carol", {alice});
    carol.send_frame(Opcode::text, "first ", {.fin = false});
    carol.send_frame(Opcode::text, "second", {.fin = true});
    expect_closed_with(carol, 1002, fragment_rules_hint, {alice});
}

TEST_CASE("a ping is answered by a pong with its payload, even between fragments") {
    WebChat chat;
    WebClient bob = chat.browser("bob");
    for (const std::string& payload : {std::string(), std::string("are you there?"), std::string(125, 'p')}) {
        bob.send_frame(Opcode::ping, payload);
        const grader::Frame pong = bob.next_frame(ping_hint);
        if (pong.opcode != 0xA || pong.payload != payload)
            grader::fail("bob sent a ping with " + grader::quote_bytes(payload) + " and expected a pong with the same, "
                         "but received " + pong.describe(),
                         ping_hint);
    }
    bob.send_frame(Opcode::text, "half", {.fin = false});
    bob.send_frame(Opcode::ping, "between");
    const grader::Frame pong = bob.next_frame(ping_hint);
    if (pong.opcode != 0xA || pong.payload != "between")
        grader::fail("bob sent a ping between two fragments and expected a pong with \"between\", but received " +
                         pong.describe(),
                     ping_hint);
}

TEST_CASE("a pong nobody asked for is ignored") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::pong, "unasked");
    bob.send_text("still here");
    alice.expect_line(says(bob.address(), "still here"), pong_ignored_hint);
}

TEST_CASE("a control frame fragmented, or over 125 bytes, is closed with 1002") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::ping, "no fin", {.fin = false});
    expect_closed_with(bob, 1002, control_hint, {alice});
    WebClient carol = join_browser(chat, "carol", {alice});
    carol.send_frame(Opcode::ping, std::string(126, 'p'));
    expect_closed_with(carol, 1002, control_hint, {alice});
}

TEST_CASE("reserved bits set, or an unknown opcode, are closed with 1002") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::text, "rsv1", {.rsv = 4});
    expect_closed_with(bob, 1002, reserved_hint, {alice});
    for (int opcode : {0x3, 0xB}) {
        WebClient carol = join_browser(chat, "carol", {alice});
        carol.send_frame(static_cast<Opcode>(opcode), "what is this");
        expect_closed_with(carol, 1002, reserved_hint, {alice});
    }
}

TEST_CASE("a binary message is closed with 1003") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::binary, std::string("\x00\x01\x02", 3));
    expect_closed_with(bob, 1003, binary_hint, {alice});
}

TEST_CASE("text that is not UTF-8 is closed with 1007") {
    WebChat chat;
    Client alice = chat.connect("alice");
    for (const std::string& bad : {std::string("caf\xE9"), std::string("\xFF"), std::string("\xC0\xAF"),
                                  std::string("\xED\xA0\x80"), std::string("cut \xE2\x82")}) {
        WebClient bob = join_browser(chat, "bob", {alice});
        bob.send_text(bad);
        expect_closed_with(bob, 1007, utf8_hint, {alice});
    }
}

TEST_CASE("UTF-8 is checked on the whole message: a character may be split between fragments") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::text, "caf\xC3", {.fin = false});  // the first byte of "é"
    bob.send_frame(Opcode::continuation, "\xA9 \xE2\x82", {.fin = false});  // its second, and two of "€"
    bob.send_frame(Opcode::continuation, "\xAC!", {.fin = true});
    alice.expect_line(says(bob.address(), "caf\xC3\xA9 \xE2\x82\xAC!"), utf8_whole_hint);
}

TEST_CASE("a message over 4,096 bytes is closed with 1009, in one frame or in fragments; 4,096 are a line") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_text(std::string(4096, 'k'));
    alice.expect_line(says(bob.address(), std::string(4096, 'k')), too_big_hint);
    bob.send_text(std::string(4097, 'k'));
    expect_closed_with(bob, 1009, too_big_hint, {alice});
    WebClient carol = join_browser(chat, "carol", {alice});
    for (int i = 0; i < 40; ++i) carol.send_frame(i == 0 ? Opcode::text : Opcode::continuation, std::string(100, 'f'), {.fin = false});
    carol.send_frame(Opcode::continuation, std::string(97, 'f'), {.fin = true});  // 4,097 in all
    expect_closed_with(carol, 1009, too_big_hint, {alice});
}

}  // TEST_SUITE

TEST_SUITE("closing") {

TEST_CASE("a close is answered by a close with the same code; the others hear it leave") {
    WebChat chat;
    Client alice = chat.connect("alice");
    for (std::uint16_t code : {1000, 1001, 3000, 4999}) {
        WebClient bob = join_browser(chat, "bob", {alice});
        bob.send_close(code, "bye");
        expect_closed_with(bob, code, echo_close_hint, {alice});
    }
}

TEST_CASE("an empty close is answered by an empty close") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_frame(Opcode::close, "");
    bob.expect_close(std::nullopt, empty_close_hint);
    alice.expect_line(left(bob.address()), left_hint);
}

TEST_CASE("a close code a peer may not send, or a close payload of one byte, is closed with 1002") {
    WebChat chat;
    Client alice = chat.connect("alice");
    for (std::uint16_t code : {999, 1004, 1005, 1006, 1015, 5000}) {
        WebClient bob = join_browser(chat, "bob", {alice});
        bob.send_close(code);
        expect_closed_with(bob, 1002, bad_close_hint, {alice});
    }
    WebClient carol = join_browser(chat, "carol", {alice});
    carol.send_frame(Opcode::close, "\x03");
    expect_closed_with(carol, 1002, bad_close_hint, {alice});
}

TEST_CASE("a browser that vanishes (end of stream, or a reset) leaves: the others hear it") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    const std::string bob_address = bob.address();
    bob.close();
    alice.expect_line(left(bob_address), left_hint);
    WebClient carol = join_browser(chat, "carol", {alice});
    const std::string carol_address = carol.address();
    carol.reset();
    alice.expect_line(left(carol_address), left_hint);
}

TEST_CASE("'/quit' from a browser: the server closes it, and the others hear it leave") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_text("/quit");
    const auto frame = bob.try_next_frame(grader::settings().reply_timeout());
    if (frame && frame->opcode != 0x8)
        grader::fail("after '/quit' bob expected a close frame, but received " + frame->describe(),
                     "'/quit' from a browser ends it like any client: the room finishes it, and a browser's end is a "
                     "close frame, then the end of the connection");
    if (frame) bob.expect_closed("after the close frame, the server closes the connection");
    alice.expect_line(left(bob.address()), left_hint);
}

}  // TEST_SUITE

TEST_SUITE("one room") {

TEST_CASE("browsers and chat clients hear each other, with lab 08's notices") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    Client carol = join_client(chat, "carol", {alice, bob});
    WebClient dave = join_browser(chat, "dave", {alice, bob, carol});
    bob.send_text("/nick bob");
    bob.expect_text("* you are now bob", "a browser's \"/nick NAME\" is a command, answered to it as a text message");
    for (Ear ear : std::vector<Ear>{alice, carol, dave})
        ear.expect("* " + bob.address() + " is now bob", "the others hear \"* OLD is now NAME\", browsers too");
    bob.send_text("hi, everyone");
    for (Ear ear : std::vector<Ear>{alice, carol, dave}) ear.expect(says("bob", "hi, everyone"), says_hint);
    carol.send_line("hi, bob");
    for (Ear ear : std::vector<Ear>{alice, bob, dave}) ear.expect(says(carol.address(), "hi, bob"), to_browser_hint);
    dave.send_text("/who");
    dave.expect_text("* online: " + alice.address() + " bob " + carol.address() + " " + dave.address(),
                     "\"/who\" from a browser is answered to it alone, as one text message, everyone in the order "
                     "they joined");
    dave.send_text("/dance");
    dave.expect_text("! unknown command: /dance", "commands from a browser are lab 08's, answered as text messages");
    const std::string dave_address = dave.address();
    dave.send_close(1000);
    dave.expect_close(1000, echo_close_hint);
    for (Ear ear : std::vector<Ear>{alice, bob, carol}) ear.expect(left(dave_address), left_hint);
}

TEST_CASE("each hears the others' lines in order: 100 from a chat client and 100 from a browser at once") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    WebClient carol = join_browser(chat, "carol", {alice, bob});
    carol.set_quiet(true);
    std::string from_alice;
    for (int i = 0; i < 100; ++i) from_alice += "a" + std::to_string(i) + "\n";
    alice.send(from_alice);
    for (int i = 0; i < 100; ++i) bob.send_text("b" + std::to_string(i));
    int next_a = 0, next_b = 0;
    while (next_a < 100 || next_b < 100) {
        const std::string text = carol.next_text(queue_hint);
        if (text == says(alice.address(), "a" + std::to_string(next_a))) ++next_a;
        else if (text == says(bob.address(), "b" + std::to_string(next_b))) ++next_b;
        else
            grader::fail("carol received " + grader::quote_bytes(text) + " where alice's line " + std::to_string(next_a) +
                             " or bob's message " + std::to_string(next_b) + " was due",
                         "lines reach every member whole, once each, in the order their sender sent them");
    }
}

TEST_CASE("a browser's message loses its control bytes, '\\n' included; one left empty is ignored") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_text("two\nlines\tand a \x1b[31mcolour");
    alice.expect_line(says(bob.address(), "twolines\tand a [31mcolour"), control_bytes_hint);
    bob.send_text("\n\x01\x7f");
    bob.send_text("after");
    alice.expect_line(says(bob.address(), "after"), control_bytes_hint);
}

TEST_CASE("bytes from a chat client that are not UTF-8 reach browsers as U+FFFD, and close nobody") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    Client carol = join_client(chat, "carol", {alice, bob});
    alice.send_line("caf\xE9 \xFF!");
    bob.expect_text(says(alice.address(), "caf\xEF\xBF\xBD \xEF\xBF\xBD!"), repair_hint);
    carol.expect_line(says(alice.address(), "caf\xE9 \xFF!"), "chat clients get the bytes as they were sent");
    alice.send_line("still here");
    bob.expect_text(says(alice.address(), "still here"), repair_hint);
}

TEST_CASE("a browser's UTF-8 reaches chat clients as it is") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    bob.send_text("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
    alice.expect_line(says(bob.address(), "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"), says_hint);
}

}  // TEST_SUITE

TEST_SUITE("limits and shutdown") {

TEST_CASE("--max-clients 2: a browser over it gets '! server full' and a close with 1013; nobody hears of it") {
    WebChat chat(with({"--max-clients", "2"}));
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    WebClient carol = chat.browser("carol");
    carol.expect_text("! server full", full_hint);
    carol.expect_close(1013, full_hint);
    Client dave = chat.connect("dave");
    dave.expect_line("! server full", "over --max-clients, a chat client too gets \"! server full\" and is closed");
    dave.expect_closed("over --max-clients, the client is closed after \"! server full\"");
    bob.send_text("/who");
    bob.expect_text("* online: " + alice.address() + " " + bob.address(), full_hint);
    alice.expect_silence("nobody hears of a client turned away");
}

TEST_CASE("a browser that stops reading holds the others at most a second, and is dropped past --max-queue") {
    WebChat chat(with({"--max-queue", "65536"}));
    Client alice = chat.connect("alice");
    Client bob = join_client(chat, "bob", {alice});
    WebClient slow = join_browser(chat, "slow", {alice, bob}, 4096);
    slow.set_quiet(true);
    alice.set_quiet(true);
    bob.set_quiet(true);
    const std::string text(990, '.');
    bool dropped = false;
    int sent = 0;
    // bob waits for each line as long as the reply deadline, plus the second
    // the server may wait for slow before it counts as stalled.
    const auto patience = grader::settings().reply_timeout() + grader::settings().scaled(1.0);
    auto next_for_bob = [&] {
        const auto line = bob.try_next_line(patience);
        if (!line)
            grader::fail("bob reads all the while, yet no line reached him for " + grader::seconds_text(patience) +
                             " (alice has sent " + std::to_string(sent) + " lines, the browser reads nothing)",
                         stalled_hint);
        return *line;
    };
    for (int round = 0; !dropped && round < 400; ++round) {
        std::string burst;
        for (int i = 0; i < 40; ++i) burst += std::to_string(round * 40 + i) + text + "\n";
        alice.send(burst);
        for (int i = 0; i < 40; ++i) {
            std::string line = next_for_bob();
            if (line == left(slow.address())) {
                dropped = true;
                line = next_for_bob();
            }
            const std::string expected = says(alice.address(), std::to_string(round * 40 + i) + text);
            if (line != expected)
                grader::fail("bob received " + grader::quote_bytes(line) + " where " + grader::quote_bytes(expected) +
                                 " was due: lines must arrive whole, in order, none lost",
                             queue_hint);
        }
        sent += 40;
    }
    // Sent faster than a second? Then slow must still go, without more
    // traffic, once it has taken nothing for a second past --max-queue.
    if (!dropped) {
        const auto line = bob.try_next_line(patience);
        dropped = line && *line == left(slow.address());
    }
    if (!dropped)
        grader::fail(std::to_string(sent) + " lines of 1 KB went to a browser that reads nothing, and the server "
                     "still had not dropped it a second later (--max-queue 65536)",
                     "count the bytes waiting in each member's queue, a browser's frames too; past --max-queue, drop "
                     "it (the others see it leave)");
    chat.server().expect_running();
}

TEST_CASE("SIGTERM: browsers get '* server shutting down' and a close with 1001; all close; exit 0") {
    WebChat chat;
    Client alice = chat.connect("alice");
    WebClient bob = join_browser(chat, "bob", {alice});
    WebClient carol = join_browser(chat, "carol", {alice, bob});
    WebClient visitor = chat.web("visitor");  // a page request not yet sent: not a member
    chat.server().send_signal(SIGTERM);
    alice.expect_line("* server shutting down", shutdown_hint);
    alice.expect_closed(shutdown_hint);
    for (WebClient* browser : {&bob, &carol}) {
        browser->expect_text("* server shutting down", shutdown_hint);
        browser->expect_close(1001, shutdown_hint);
    }
    visitor.expect_closed("on shutdown, every connection closes, a page request too");
    chat.server().expect_exit(0, shutdown_hint);
}

TEST_CASE("SIGINT: the same") {
    WebChat chat;
    WebClient bob = chat.browser("bob");
    chat.server().send_signal(SIGINT);
    bob.expect_text("* server shutting down", shutdown_hint);
    bob.expect_close(1001, shutdown_hint);
    chat.server().expect_exit(0, shutdown_hint);
}

TEST_CASE("one thread, whatever connects: chat clients, page requests, browsers") {
    WebChat chat;
    Client alice = chat.connect("alice");
    std::vector<WebClient> browsers;
    for (int i = 0; i < 10; ++i) {
        expect_status(ask(chat, "visitor" + std::to_string(i), get("/"), page_hint), 200, page_hint);
        browsers.push_back(chat.browser("browser" + std::to_string(i)));
        alice.expect_line(joined(browsers.back().address()), join_hint);
    }
    browsers.front().send_text("from a browser");
    alice.expect_line(says(browsers.front().address(), "from a browser"), says_hint);
    const int threads = chat.server().thread_count();
    if (threads != 1)
        grader::fail("the server runs " + std::to_string(threads) + " threads with browsers connected; lab 11 runs "
                     "exactly one",
                     one_thread_hint);
}

TEST_CASE("descriptors end with page requests and browsers") {
    WebChat chat;
    Client alice = chat.connect("alice");
    alice.send_line("/who");  // answered: alice's connection is open in the server before we count
    alice.expect_line("* online: " + alice.address(), "'/who' lists everyone, as in lab 09");
    const int before = chat.server().open_file_count();
    for (int i = 0; i < 10; ++i) {
        expect_status(ask(chat, "visitor" + std::to_string(i), get("/"), page_hint), 200, page_hint);
        WebClient browser = join_browser(chat, "browser" + std::to_string(i), {alice});
        const std::string address = browser.address();
        if (i % 2 == 0) {
            browser.send_close(1000);
            browser.expect_close(1000, echo_close_hint);
        } else {
            browser.close();
        }
        alice.expect_line(left(address), left_hint);
    }
    if (!chat.server().wait_for_open_files_at_most(before, grader::settings().reply_timeout()))
        grader::fail("the server had " + std::to_string(before) + " open files before 10 page requests and 10 browsers "
                     "came and went, and " + std::to_string(chat.server().open_file_count()) + " after",
                     "close every connection once it is done: a page request once its response is written (and the "
                     "client has closed, or a moment later), a browser after the close frames");
}

}  // TEST_SUITE

TEST_SUITE("flow control") {

TEST_CASE("a paste storm on the chat port: every client that reads gets every line; none is dropped") {
    grader::flow::a_paste_storm_reaches_every_reader();
}

TEST_CASE("the server reads its senders no faster than its readers take their lines: memory stays bounded") {
    grader::flow::the_server_reads_no_faster_than_its_readers();
}

TEST_CASE("two chat clients paste at once: a browser that reads gets every line, in order, and is never dropped") {
    WebChat chat(with({"--max-queue", "100000"}));
    Client alice = chat.connect("alice", 65536);
    Client carol = join_client(chat, "carol", {alice}, 65536);
    WebClient bob = join_browser(chat, "bob", {alice, carol}, 65536);
    alice.set_quiet(true);
    carol.set_quiet(true);
    bob.set_quiet(true);
    // Lines short enough that bob's frames have 7-bit lengths (this test is
    // about flow control, not length forms): 8,000 of 90 bytes each.
    constexpr int lines_each = 8000;
    constexpr std::size_t line_size = 90;
    std::string pastes[2];
    for (int sender = 0; sender < 2; ++sender)
        for (int n = 0; n < lines_each; ++n) {
            std::string line = (sender == 0 ? "a " : "c ") + std::to_string(n) + " ";
            line.resize(line_size, sender == 0 ? 'a' : 'c');
            pastes[sender] += line + "\n";
        }
    grader::transcript().add("grader", "has alice and carol paste 8,000 lines of 90 bytes each, at once, as fast as "
                                       "their sockets take them; bob, a browser, reads all the while (not shown)");
    Client* senders[2] = {&alice, &carol};
    std::size_t sent[2] = {0, 0};
    int bob_next[2] = {0, 0}, alice_got = 0, carol_got = 0;
    auto expect_in_order = [&](const std::string& text, int& next, const std::string& who, char tag) {
        std::string line = std::string(1, tag) + " " + std::to_string(next) + " ";
        line.resize(line_size, tag);
        if (text != says(who, line))
            grader::fail("a line arrived out of order, or garbled: " + grader::quote_bytes(text, 60) + " where line " +
                             std::to_string(next) + " of " + who + " was due",
                         flow_hint);
        ++next;
    };
    const auto patience = grader::settings().reply_timeout() + grader::settings().scaled(1.0);
    auto last_progress = grader::Clock::now();
    while (bob_next[0] < lines_each || bob_next[1] < lines_each || alice_got < lines_each || carol_got < lines_each) {
        bool moved = false;
        for (int i = 0; i < 2; ++i) {
            while (sent[i] < pastes[i].size()) {
                const ssize_t n = ::send(senders[i]->peer().fd(), pastes[i].data() + sent[i], pastes[i].size() - sent[i],
                                         MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n <= 0) break;
                sent[i] += static_cast<std::size_t>(n);
                moved = true;
            }
        }
        while (const auto line = alice.try_next_line(std::chrono::milliseconds(0))) {
            expect_in_order(*line, alice_got, carol.address(), 'c');
            moved = true;
        }
        while (const auto line = carol.try_next_line(std::chrono::milliseconds(0))) {
            expect_in_order(*line, carol_got, alice.address(), 'a');
            moved = true;
        }
        while (const auto frame = bob.try_next_frame(std::chrono::milliseconds(0))) {
            if (frame->opcode != 0x1)
                grader::fail("bob, a browser that reads all the while, received " + frame->describe() +
                                 " in the middle of the paste", flow_hint);
            const bool from_alice = frame->payload.starts_with(alice.address());
            expect_in_order(frame->payload, bob_next[from_alice ? 0 : 1], from_alice ? alice.address() : carol.address(),
                            from_alice ? 'a' : 'c');
            moved = true;
        }
        if (bob.is_closed() || alice.is_closed() || carol.is_closed())
            grader::fail(std::string(bob.is_closed() ? "bob's" : alice.is_closed() ? "alice's" : "carol's") +
                             " connection was closed in the middle of the paste; bob had " +
                             std::to_string(bob_next[0] + bob_next[1]) + " of " + std::to_string(2 * lines_each) + " lines",
                         flow_hint);
        if (moved) {
            last_progress = grader::Clock::now();
            continue;
        }
        if (grader::Clock::now() - last_progress > patience)
            grader::fail("the paste stopped moving for " + grader::seconds_text(patience) + ": bob has " +
                             std::to_string(bob_next[0] + bob_next[1]) + ", alice " + std::to_string(alice_got) +
                             " and carol " + std::to_string(carol_got) + " of the lines due",
                         stalled_hint);
        // Nothing to do: wait until a socket has something to read, or room to write.
        pollfd fds[3] = {{alice.peer().fd(), static_cast<short>(POLLIN | (sent[0] < pastes[0].size() ? POLLOUT : 0)), 0},
                         {carol.peer().fd(), static_cast<short>(POLLIN | (sent[1] < pastes[1].size() ? POLLOUT : 0)), 0},
                         {bob.fd(), POLLIN, 0}};
        ::poll(fds, 3, 50);
    }
}

}  // TEST_SUITE

TEST_SUITE("in a real browser") {

TEST_CASE("two pages in Chromium and a chat client chat: each reads what the others type") {
    WebChat chat;
    Client carol = chat.connect("carol");
    expect_a_browser_would_chat(chat, carol);
    grader::Browser browser;
    grader::Page anna = browser.open(chat.url("/"), "anna");
    const std::string anna_address = page_joins(carol, anna);
    grader::Page ben = browser.open(chat.url("/"), "ben");
    const std::string ben_address = page_joins(carol, ben);
    anna.expect_text(joined(ben_address), to_browser_hint);
    anna.type_line("hello from anna's page");
    carol.expect_line(says(anna_address, "hello from anna's page"), says_hint);
    ben.expect_text(says(anna_address, "hello from anna's page"), to_browser_hint);
    carol.send_line("hello, pages");
    anna.expect_text(says(carol.address(), "hello, pages"), to_browser_hint);
    ben.expect_text(says(carol.address(), "hello, pages"), to_browser_hint);
    ben.type_line("/nick ben");
    ben.expect_text("* you are now ben", "the page shows what the server answers it");
    carol.expect_line("* " + ben_address + " is now ben", says_hint);
    const std::string outside = anna.outside_requests();
    if (!outside.empty())
        grader::fail("the page loaded " + outside + ", outside the server", "the page is one file, with no outside resources");
}

TEST_CASE("a page in Chromium hears the server shut down") {
    WebChat chat;
    Client carol = chat.connect("carol");
    expect_a_browser_would_chat(chat, carol);
    grader::Browser browser;
    grader::Page anna = browser.open(chat.url("/"), "anna");
    page_joins(carol, anna);
    chat.server().send_signal(SIGTERM);
    anna.expect_text("* server shutting down", shutdown_hint);
    chat.server().expect_exit(0, "the server exits once every connection, the browser's too, has closed (within 2 s)");
}

}  // TEST_SUITE
