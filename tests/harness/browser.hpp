#pragma once
// A real web browser for the tests: headless Chromium, driven over the
// DevTools protocol through a pipe (--remote-debugging-pipe: JSON messages
// ending in '\0', Chromium reads them on its descriptor 3 and writes on 4),
// so that nothing but the grader and Chromium is needed, in the sandbox too.
//
//   grader::Browser browser;                     // skips the test where there is no Chromium
//   grader::Page anna = browser.open("http://127.0.0.1:8080/", "anna");
//   anna.type_line("hello");                     // into the page's text field, then Enter
//   anna.expect_text("* 127.0.0.1:5000 joined", hint);   // the page shows it, within a deadline
//
// Each Browser is a fresh Chromium with a fresh profile, killed (with
// everything it started) and its profile removed when the Browser goes.
// Where no Chromium can be found or started, the constructor ends the test
// as skipped, saying why: a check that could not be made is not a pass.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "net/socket.hpp"
#include "transcript.hpp"

namespace grader {

class Browser;

// One tab.
class Page {
public:
    const std::string& name() const { return name_; }
    // Waits until the page has a text field that is enabled, clicks into
    // it, types `text` and presses Enter, as a user would.
    void type_line(std::string_view text, Where where = Where::current());
    // Waits until the page's text (what a user reads) contains `text`.
    void expect_text(std::string_view text, std::string_view hint, Where where = Where::current());
    // What the page shows now, as text.
    std::string text(Where where = Where::current());
    // The page as a PNG image, `width` by `height` CSS pixels.
    std::string screenshot_png(int width, int height, Where where = Where::current());
    // The addresses the page loaded anything from but its own (outside resources).
    std::string outside_requests(Where where = Where::current());

private:
    friend class Browser;
    Page(Browser& browser, std::string name, std::string session)
        : browser_(&browser), name_(std::move(name)), session_(std::move(session)) {}
    // Runs a script in the page: its value (a promise's, awaited), as text.
    std::optional<std::string> try_evaluate(const std::string& expression, bool await_promise,
                                            std::chrono::milliseconds within, Where where);
    std::string evaluate(const std::string& expression, bool await_promise, Where where);

    Browser* browser_;
    std::string name_;
    std::string session_;  // the DevTools session attached to this tab
};

class Browser {
public:
    explicit Browser(Where where = Where::current());
    ~Browser();
    Browser(const Browser&) = delete;
    Browser& operator=(const Browser&) = delete;

    // Opens `url` in a new tab, and returns once it has loaded.
    Page open(const std::string& url, std::string name, Where where = Where::current());

    // The Chromium found, or "" (LAB_CHROMIUM names one; else the usual places).
    static std::string find_chromium();

private:
    friend class Page;
    // Sends a command and waits for its answer (its "result", as JSON):
    // nothing if none came within `within`; an error answer fails the test,
    // a browser that has gone skips it.
    std::optional<std::string> try_call(const std::string& method, const std::string& params_json,
                                        const std::string& session, std::chrono::milliseconds within, Where where);
    std::string call(const std::string& method, const std::string& params_json, const std::string& session,
                     std::chrono::milliseconds within, Where where);
    bool read_messages(std::chrono::steady_clock::time_point deadline);
    std::string chromium_said() const;

    pid_t pid_ = -1;
    net::Socket to_chromium_;       // our end of its descriptor 3
    net::Socket from_chromium_;     // our end of its descriptor 4
    std::string profile_;           // a fresh --user-data-dir, removed at the end
    std::string log_;               // its standard output and error, a file in the profile's parent
    std::string received_;          // bytes from Chromium not yet split into messages
    std::unique_ptr<struct BrowserMessages> messages_;
    int next_id_ = 1;
};

}  // namespace grader
