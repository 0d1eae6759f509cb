#include "browser.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.hpp"
#include "settings.hpp"

namespace grader {

using json = nlohmann::json;

// What Chromium has said and nobody has taken yet.
struct BrowserMessages {
    std::map<int, json> replies;  // by the id of the command they answer
    std::deque<json> events;      // everything else, oldest first
};

namespace {

// A browser is slower than a server: opening a page, running its script
// and drawing take a moment. A correct program never waits this out.
std::chrono::milliseconds browser_timeout() { return settings().scaled(10); }
std::chrono::milliseconds startup_timeout() { return settings().scaled(30); }

int milliseconds_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

std::string temporary_folder() {
    const char* tmp = std::getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

// A JavaScript string literal for `text` (JSON's are JavaScript's).
std::string js_string(std::string_view text) { return json(std::string(text)).dump(); }

// The page's text field: the first text input (or textarea).
constexpr std::string_view text_field = "document.querySelector('input:not([type]), input[type=text], textarea')";

std::string decode_base64(std::string_view text) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes;
    std::uint32_t group = 0;
    int bits = 0;
    for (char c : text) {
        const auto value = alphabet.find(c);
        if (value == std::string_view::npos) continue;  // '=' and line breaks
        group = group << 6 | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes += static_cast<char>(group >> bits & 0xFF);
        }
    }
    return bytes;
}

}  // namespace

std::string Browser::find_chromium() {
    if (const char* named = std::getenv("LAB_CHROMIUM"); named && *named) return named;
    // Debian's /usr/bin/chromium is a shell script around the binary: the
    // binary itself, when it is there, is one process less to go wrong.
    for (const char* path : {"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
                             "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"})
        if (::access(path, X_OK) == 0) return path;
    return {};
}

Browser::Browser(Where where) : messages_(std::make_unique<BrowserMessages>()) {
    (void)where;
    const std::string chromium = find_chromium();
    if (chromium.empty())
        skip_test("no Chromium on this machine to open the page in (Debian: apt-get install chromium; or set "
                  "LAB_CHROMIUM to a Chromium or Chrome)");
    if (::access(chromium.c_str(), X_OK) != 0)
        skip_test("LAB_CHROMIUM names " + chromium + ", which is no program that can be run here (" +
                  std::strerror(errno) + ")");
    std::string folder = temporary_folder() + "/netlabs-chromium-XXXXXX";
    if (!::mkdtemp(folder.data()))
        skip_test("cannot make a profile folder for Chromium in " + temporary_folder() + ": " + std::strerror(errno));
    profile_ = folder;
    log_ = profile_ + ".log";

    // Without the flags that stop it, Chromium would try to reach Google
    // (updates, sync, safe browsing); as root or in a sandbox its own
    // sandbox cannot start (--no-sandbox); /dev/shm may be small.
    const std::vector<std::string> args = {
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--disable-dev-shm-usage", "--mute-audio", "--password-store=basic",
        "--use-mock-keychain", "--disable-features=Translate,MediaRouter,OptimizationHints",
        "--remote-debugging-pipe", "--user-data-dir=" + profile_, "about:blank"};
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    int to[2], from[2];
    if (::pipe2(to, O_CLOEXEC) != 0 || ::pipe2(from, O_CLOEXEC) != 0)
        skip_test(std::string("cannot make pipes for Chromium: ") + std::strerror(errno));
    const int log = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t pid = ::fork();
    if (pid == 0) {
        // In the child, until exec: only calls that are safe after fork().
        ::setpgid(0, 0);                     // its own group: killed together at the end
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // and with the grader, if the grader is killed
        const int in = ::fcntl(to[0], F_DUPFD, 10), out = ::fcntl(from[1], F_DUPFD, 10);
        ::dup2(in, 3);  // dup2 clears close-on-exec: these two it keeps
        ::dup2(out, 4);
        ::dup2(null, 0);
        if (log >= 0) {
            ::dup2(log, 1);
            ::dup2(log, 2);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(to[0]);
    ::close(from[1]);
    if (log >= 0) ::close(log);
    if (null >= 0) ::close(null);
    to_chromium_ = net::Socket(to[1]);
    from_chromium_ = net::Socket(from[0]);
    if (pid < 0) skip_test(std::string("cannot start Chromium: ") + std::strerror(errno));
    pid_ = pid;
    ::fcntl(from_chromium_.fd(), F_SETFL, O_NONBLOCK);
    transcript().add("grader", "starts a browser: " + chromium + " --headless (driven over the DevTools protocol)");

    // Whether it runs: it answers a first command.
    const int id = next_id_++;
    const std::string message = json{{"id", id}, {"method", "Browser.getVersion"}}.dump() + '\0';
    const auto deadline = Clock::now() + startup_timeout();
    const bool sent = ::write(to_chromium_.fd(), message.data(), message.size()) == static_cast<ssize_t>(message.size());
    while (sent && !messages_->replies.contains(id) && read_messages(deadline)) {
    }
    if (!messages_->replies.contains(id))
        skip_test("the browser (" + chromium + ") " +
                  (Clock::now() < deadline ? std::string("ended before it answered its first command")
                                           : "did not start within " + seconds_text(startup_timeout())) +
                  chromium_said());
    transcript().add("grader", "the browser runs: " + messages_->replies[id]["result"].value("product", std::string("?")));
}

Browser::~Browser() {
    to_chromium_.close();
    from_chromium_.close();
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);  // Chromium and every process it started
        ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    if (!profile_.empty()) std::filesystem::remove_all(profile_, ignored);
    if (!log_.empty()) std::filesystem::remove(log_, ignored);
}

std::string Browser::chromium_said() const {
    std::ifstream file(log_);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    return text.empty() ? std::string() : "; it said: " + quote_end(text);
}

bool Browser::read_messages(Clock::time_point deadline) {
    pollfd waiting{from_chromium_.fd(), POLLIN, 0};
    if (::poll(&waiting, 1, milliseconds_until(deadline)) <= 0) return false;
    char buffer[65536];
    const ssize_t n = ::read(from_chromium_.fd(), buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) return false;  // it has gone
    received_.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t end; (end = received_.find('\0')) != std::string::npos;) {
        json message = json::parse(received_.substr(0, end), nullptr, false);
        received_.erase(0, end + 1);
        if (message.is_discarded()) continue;
        if (message.contains("id") && message["id"].is_number_integer()) {
            const int id = message["id"].get<int>();
            messages_->replies[id] = std::move(message);
        } else if (messages_->events.size() < 10000) {
            messages_->events.push_back(std::move(message));
        }
    }
    return true;
}

std::optional<std::string> Browser::try_call(const std::string& method, const std::string& params_json,
                                             const std::string& session, std::chrono::milliseconds within, Where where) {
    const int id = next_id_++;
    json message{{"id", id}, {"method", method}, {"params", json::parse(params_json)}};
    if (!session.empty()) message["sessionId"] = session;
    const std::string bytes = message.dump() + '\0';
    for (std::size_t sent = 0; sent < bytes.size();) {
        const ssize_t n = ::write(to_chromium_.fd(), bytes.data() + sent, bytes.size() - sent);
        if (n <= 0) {
            if (errno == EINTR) continue;
            skip_test("the browser stopped taking commands (" + std::string(std::strerror(errno)) + ")" + chromium_said());
        }
        sent += static_cast<std::size_t>(n);
    }
    const auto deadline = Clock::now() + within;
    while (!messages_->replies.contains(id)) {
        if (!read_messages(deadline)) {
            if (Clock::now() < deadline) skip_test("the browser ended in the middle of the test" + chromium_said());
            return std::nullopt;
        }
    }
    json reply = std::move(messages_->replies[id]);
    messages_->replies.erase(id);
    if (reply.contains("error")) fail("the browser refused " + method + ": " + reply["error"].dump(), "", where);
    return reply["result"].dump();
}

std::string Browser::call(const std::string& method, const std::string& params_json, const std::string& session,
                          std::chrono::milliseconds within, Where where) {
    auto result = try_call(method, params_json, session, within, where);
    if (!result)
        fail("the browser did not answer " + method + " within " + seconds_text(within),
             "the browser was too slow: not the program's fault; run the grader again (or with --time-scale 2)", where);
    return *result;
}

Page Browser::open(const std::string& url, std::string name, Where where) {
    transcript().add(name, "(a browser tab) opens " + url);
    const json target = json::parse(call("Target.createTarget", json{{"url", "about:blank"}}.dump(), "", browser_timeout(), where));
    const json attached = json::parse(call("Target.attachToTarget",
                                           json{{"targetId", target["targetId"]}, {"flatten", true}}.dump(), "",
                                           browser_timeout(), where));
    const std::string session = attached["sessionId"].get<std::string>();
    call("Page.enable", "{}", session, browser_timeout(), where);
    const json navigated = json::parse(call("Page.navigate", json{{"url", url}}.dump(), session, browser_timeout(), where));
    if (navigated.contains("errorText"))
        fail(name + " (a browser tab) could not load " + url + ": " + navigated["errorText"].get<std::string>(),
             "the web port must answer GET / with the page", where);
    // Loaded: its scripts have run (the page's WebSocket is on its way).
    const auto deadline = Clock::now() + browser_timeout();
    while (true) {
        auto& events = messages_->events;
        const auto loaded = std::find_if(events.begin(), events.end(), [&](const json& event) {
            return event.value("method", "") == "Page.loadEventFired" && event.value("sessionId", "") == session;
        });
        if (loaded != events.end()) {
            events.erase(loaded);
            break;
        }
        events.clear();  // nothing else is waited for
        if (!read_messages(deadline))
            fail(name + " (a browser tab) did not finish loading " + url + " within " + seconds_text(browser_timeout()),
                 "answer GET / with the whole page: \"HTTP/1.1 200 OK\", Content-Type, Content-Length (the body's size "
                 "in bytes), then exactly that many bytes",
                 where);
    }
    transcript().add(name, "has loaded the page");
    return Page(*this, std::move(name), session);
}

std::optional<std::string> Page::try_evaluate(const std::string& expression, bool await_promise,
                                             std::chrono::milliseconds within, Where where) {
    const auto reply = browser_->try_call(
        "Runtime.evaluate",
        json{{"expression", expression}, {"awaitPromise", await_promise}, {"returnByValue", true}}.dump(), session_,
        within, where);
    if (!reply) return std::nullopt;
    const json result = json::parse(*reply);
    if (result.contains("exceptionDetails"))
        fail("a script the grader ran in " + name_ + "'s page threw: " + result["exceptionDetails"].dump(),
             "the page must keep its usual shape: a text field to type into, and the chat's lines shown as text", where);
    const json& value = result["result"];
    if (!value.contains("value")) return std::string();
    return value["value"].is_string() ? value["value"].get<std::string>() : value["value"].dump();
}

std::string Page::evaluate(const std::string& expression, bool await_promise, Where where) {
    auto result = try_evaluate(expression, await_promise, browser_timeout(), where);
    if (!result)
        fail("the browser did not run a script in " + name_ + "'s page within " + seconds_text(browser_timeout()),
             "the browser was too slow: not the program's fault; run the grader again (or with --time-scale 2)", where);
    return *result;
}

void Page::type_line(std::string_view text, Where where) {
    // The field is enabled once the page's WebSocket is open.
    const std::string field(text_field);
    const auto ready = try_evaluate(
        "new Promise((resolve) => {"
        "  const ready = () => { const f = " + field + "; return f && !f.disabled; };"
        "  if (ready()) return resolve(true);"
        "  const watcher = new MutationObserver(() => { if (ready()) { watcher.disconnect(); resolve(true); } });"
        "  watcher.observe(document, {subtree: true, childList: true, attributes: true});"
        "})",
        true, browser_timeout(), where);
    if (!ready)
        fail(name_ + "'s page had no text field to type into within " + seconds_text(browser_timeout()) +
                 " (the page enables it once its WebSocket is open); it shows " + quote_end(this->text(where)),
             "the page joins over ws:// at /chat: answer the upgrade with 101 and a right Sec-WebSocket-Accept, or "
             "the browser closes the WebSocket at once",
             where);
    evaluate(field + ".focus()", false, where);
    transcript().add(name_, "types " + quote_bytes(text) + " and presses Enter");
    browser_->call("Input.insertText", json{{"text", std::string(text)}}.dump(), session_, browser_timeout(), where);
    for (const char* type : {"keyDown", "keyUp"}) {
        json key{{"type", type}, {"key", "Enter"}, {"code", "Enter"}, {"windowsVirtualKeyCode", 13},
                 {"nativeVirtualKeyCode", 13}};
        if (std::string_view(type) == "keyDown") key["text"] = "\r";
        browser_->call("Input.dispatchKeyEvent", key.dump(), session_, browser_timeout(), where);
    }
}

std::string Page::text(Where where) {
    return evaluate("document.body ? document.body.innerText : ''", false, where);
}

void Page::expect_text(std::string_view wanted, std::string_view hint, Where where) {
    const std::string shows = "document.body && document.body.innerText.includes(" + js_string(wanted) + ")";
    const auto shown = try_evaluate("new Promise((resolve) => {"
                                    "  if (" + shows + ") return resolve(true);"
                                    "  const watcher = new MutationObserver(() => {"
                                    "    if (" + shows + ") { watcher.disconnect(); resolve(true); } });"
                                    "  watcher.observe(document, {subtree: true, childList: true, characterData: true});"
                                    "})",
                                    true, browser_timeout(), where);
    if (!shown)
        fail(name_ + "'s page should show " + quote_bytes(wanted) + "\n  but " + seconds_text(browser_timeout()) +
                 " later it shows " + quote_end(text(where)),
             hint, where);
    transcript().add(name_, "shows " + quote_bytes(wanted));
}

std::string Page::screenshot_png(int width, int height, Where where) {
    browser_->call("Emulation.setDeviceMetricsOverride",
                   json{{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}}.dump(), session_,
                   browser_timeout(), where);
    const json shot = json::parse(browser_->call("Page.captureScreenshot", json{{"format", "png"}}.dump(), session_,
                                                 browser_timeout(), where));
    return decode_base64(shot.value("data", std::string()));
}

std::string Page::outside_requests(Where where) {
    return evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)"
                    ".filter((address) => !address.startsWith(location.origin + '/')).join(' ')",
                    false, where);
}

}  // namespace grader
