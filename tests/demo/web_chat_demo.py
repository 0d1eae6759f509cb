#!/usr/bin/env python3
"""./lab demo 11: the web chat, a chat client in a terminal and a browser.

    web_chat_demo.py PATH_TO_web-chat [--screenshot FILE.png]

It starts the lab 11 reference on free ports and prints the address to
open in your own browser. Then alice, a chat client on the chat port (what
`nc` is), and bea, a page of the chat in a real browser (headless
Chromium, driven over its DevTools pipe), chat: each line is shown as the
other side received it. Interactive, it then leaves the chat open for you
(open the address, or `nc` the chat port) until Ctrl-C, which stops the
server: the page shows "* server shutting down" and the close code 1001.

Every step waits for what it expects, with a deadline, and the demo exits
1 saying which step did not happen (the lab 11 suite runs it so, with
LAB_DEMO_NO_PAUSES=1: no pauses, no waiting for Ctrl-C). Without Chromium,
a WebSocket client written here stands in for the browser, and says so.
--screenshot writes a PNG of the page (the handout's picture).
Loopback only; it kills only what it started, by PID.
"""

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

PAUSES = os.environ.get("LAB_DEMO_NO_PAUSES", "") not in ("1", "yes", "true")
DEADLINE = 15  # seconds for any one step; each takes milliseconds on a working server
START = time.monotonic()


def show(who, text):
    print(f"{time.monotonic() - START:5.1f} s  {who:<6} {text}", flush=True)


def explain(text):
    for line in text.strip().split("\n"):
        print(f"               {line.strip()}", flush=True)


def pause(seconds=1.2):
    if PAUSES:
        time.sleep(seconds)


class DemoFailed(Exception):
    pass


# ------------------------------------------------------------ the server --

class Server:
    def __init__(self, program):
        self.process = subprocess.Popen([program, "--port", "0", "--web-port", "0"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.listening = self.process.stdout.readline().strip()
        self.web = self.process.stdout.readline().strip()
        if not self.listening.startswith("listening on ") or not self.web.startswith("web on http://"):
            raise DemoFailed(f"{program} did not start (it printed {self.listening!r} {self.web!r})")
        self.chat_port = int(self.listening.rsplit(":", 1)[1])
        self.url = self.web[len("web on "):]

    def stop(self, number=signal.SIGINT):
        if self.process.poll() is None:
            os.kill(self.process.pid, number)
        try:
            return self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
            return None


class ChatClient:
    """A chat client on the chat port, as nc is."""

    def __init__(self, name, port):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.address = "%s:%d" % self.sock.getsockname()[:2]
        self.buffer = b""

    def say(self, line):
        show(self.name, f"-> {line}")
        self.sock.sendall(line.encode() + b"\n")

    def expect(self, predicate, what):
        """The next line for which predicate(line) holds; the lines before it are shown too."""
        deadline = time.monotonic() + DEADLINE
        while True:
            while b"\n" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\n", 1)
                line = raw.decode(errors="replace")
                show(self.name, f"<- {line}")
                if predicate(line):
                    return line
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise DemoFailed(f"{self.name} did not get {what} within {DEADLINE} s")
            if not data:
                raise DemoFailed(f"the server closed {self.name}'s connection before {what}")
            self.buffer += data


# ------------------------------------------------------------ the browser --

def find_chromium():
    named = os.environ.get("LAB_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    for path in ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
                 "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"):
        if os.access(path, os.X_OK):
            return path
    return None


class Browser:
    """Headless Chromium over --remote-debugging-pipe: JSON messages ending in
    a NUL byte, read by Chromium on its descriptor 3, written on its 4."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="netlabs-demo-chromium-")
        to_read, self.to_chromium = os.pipe()
        self.from_chromium, to_write = os.pipe()
        # Chromium's ends, out of the way of 3 and 4, then put there in the child.
        ends = [fcntl.fcntl(to_read, fcntl.F_DUPFD_CLOEXEC, 10), fcntl.fcntl(to_write, fcntl.F_DUPFD_CLOEXEC, 10)]
        os.close(to_read)
        os.close(to_write)

        def in_child():
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=in_child, close_fds=False, start_new_session=True)
        for end in ends:
            os.close(end)
        self.received = b""
        self.events = []
        self.next_id = 0
        self.call("Browser.getVersion", timeout=60)

    def call(self, method, params=None, session=None, timeout=DEADLINE):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chromium, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.received:
                raw, self.received = self.received.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise DemoFailed(f"the browser refused {method}: {reply['error']}")
                    return reply.get("result", {})
                if "method" in reply:
                    self.events.append(reply)
            left = deadline - time.monotonic()
            if left <= 0:
                raise DemoFailed(f"the browser did not answer {method} within {timeout} s")
            ready, _, _ = select.select([self.from_chromium], [], [], left)
            if ready:
                data = os.read(self.from_chromium, 65536)
                if not data:
                    raise DemoFailed("the browser ended")
                self.received += data

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=session)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 760, "height": 300, "deviceScaleFactor": 1, "mobile": False}, session=session)
        self.call("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + DEADLINE
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session for e in self.events):
            if time.monotonic() > deadline:
                raise DemoFailed(f"the page {url} did not load")
            self.call("Runtime.evaluate", {"expression": "1"}, session=session)  # reads the events that came
        return Page(self, session)

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for fd in (self.to_chromium, self.from_chromium):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, session):
        self.browser, self.session = browser, session

    def evaluate(self, expression, await_promise=False, timeout=DEADLINE):
        result = self.browser.call("Runtime.evaluate", {"expression": expression, "awaitPromise": await_promise,
                                                        "returnByValue": True}, self.session, timeout)
        return result.get("result", {}).get("value")

    def wait_for_text(self, text):
        shows = f"document.body.innerText.includes({json.dumps(text)})"
        try:
            self.evaluate("new Promise((resolve) => { if (" + shows + ") return resolve(true);"
                          " new MutationObserver((_, watcher) => { if (" + shows + ") { watcher.disconnect(); resolve(true); } })"
                          ".observe(document, {subtree: true, childList: true, characterData: true}); })", True)
        except DemoFailed:
            raise DemoFailed(f"the page did not show {text!r}; it shows: {self.evaluate('document.body.innerText')!r}")

    def type_line(self, text):
        field = "document.querySelector('input')"
        self.evaluate(f"new Promise((resolve) => {{ const ready = () => !{field}.disabled; if (ready()) return resolve(true);"
                      f" new MutationObserver((_, w) => {{ if (ready()) {{ w.disconnect(); resolve(true); }} }})"
                      f".observe(document, {{subtree: true, attributes: true}}); }})", True)
        self.evaluate(f"{field}.focus()")
        self.browser.call("Input.insertText", {"text": text}, self.session)
        for kind in ("keyDown", "keyUp"):
            key = {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
            if kind == "keyDown":
                key["text"] = "\r"
            self.browser.call("Input.dispatchKeyEvent", key, self.session)

    def screenshot(self, path):
        data = self.browser.call("Page.captureScreenshot", {"format": "png"}, self.session)["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))


class WebSocketStandIn:
    """Without Chromium: a WebSocket client written here, for the browser's part."""

    def __init__(self, url, nick):
        host, port = url[len("http://"):].rstrip("/").rsplit(":", 1)
        self.sock = socket.create_connection((host.strip("[]"), int(port)), timeout=DEADLINE)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(f"GET /chat HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise DemoFailed(f"the upgrade was answered {head.splitlines()[0]!r}")
        self.shown = []
        self.type_line("/nick " + nick)

    def type_line(self, text):
        payload, mask = text.encode(), os.urandom(4)
        length = struct.pack("!B", 0x80 | len(payload)) if len(payload) < 126 else struct.pack("!BH", 0x80 | 126, len(payload))
        self.sock.sendall(b"\x81" + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def wait_for_text(self, text):
        deadline = time.monotonic() + DEADLINE
        while not any(text in line for line in self.shown):
            while len(self.buffer) >= 2 and len(self.buffer) >= 2 + (self.buffer[1] & 0x7F if self.buffer[1] & 0x7F < 126 else 2):
                size, at = self.buffer[1] & 0x7F, 2
                if size == 126:
                    size, at = struct.unpack("!H", self.buffer[2:4])[0], 4
                if len(self.buffer) < at + size:
                    break
                opcode, payload, self.buffer = self.buffer[0] & 0x0F, self.buffer[at:at + size], self.buffer[at + size:]
                self.shown.append(payload.decode(errors="replace") if opcode == 1 else f"(close {payload[:2].hex()})")
            if any(text in line for line in self.shown):
                return
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise DemoFailed(f"the stand-in did not get {text!r}")
            if not data:
                if any(text in line for line in self.shown):
                    return
                raise DemoFailed(f"the server closed before {text!r}")
            self.buffer += data


# ------------------------------------------------------------ the scene --

def main():
    arguments = sys.argv[1:]
    screenshot = None
    if "--screenshot" in arguments:
        at = arguments.index("--screenshot")
        screenshot = arguments[at + 1]
        del arguments[at:at + 2]
    if len(arguments) != 1:
        sys.exit("usage: web_chat_demo.py PATH_TO_web-chat [--screenshot FILE.png]")
    server = Server(arguments[0])
    browser = None
    try:
        print(f"\n== lab 11: one room, on two ports\n\n  {server.listening}\n  {server.web}\n")
        explain(f"""Open {server.url} in a browser to join, or: nc 127.0.0.1 {server.chat_port}""")
        print()
        alice = ChatClient("alice", server.chat_port)
        show("alice", f"connects to the chat port, from {alice.address} (as nc would)")
        pause()
        chromium = find_chromium()
        url = server.url + "?nick=bea"
        if chromium:
            browser = Browser(chromium)
            bea = browser.open(url)
            show("bea", f"opens {url} in a browser (headless Chromium)")
        else:
            show("bea", "no Chromium here (Debian: apt-get install chromium): a WebSocket client stands in")
            bea = WebSocketStandIn(server.url, "bea")
        explain("""The page joins over ws://.../chat: alice hears it join, named by its address,
                   and then the name the page takes (?nick=bea sends /nick bea).""")
        alice.expect(lambda line: line.endswith(" is now bea"), "bea's /nick")
        pause()
        alice.say("hello from a terminal!")
        bea.wait_for_text(f"{alice.address} says: hello from a terminal!")
        show("bea", f"reads: {alice.address} says: hello from a terminal!")
        pause()
        bea.type_line("hi alice, I am in a browser \u263a")
        show("bea", "types: hi alice, I am in a browser \u263a (then Enter)")
        alice.expect(lambda line: line == "bea says: hi alice, I am in a browser \u263a", "bea's line")
        pause()
        alice.say("/nick alice")
        alice.expect(lambda line: line == "* you are now alice", "the answer to /nick")
        bea.wait_for_text("is now alice")
        bea.type_line("/who")
        bea.wait_for_text("* online: alice bea")
        show("bea", "types /who, and reads: * online: alice bea")
        explain("""Each line alice reads is one text message for the page, without its "\\n";
                   each message the page sends is one line for the room.""")
        if screenshot and browser:
            bea.screenshot(screenshot)
            show("demo", f"wrote a picture of the page: {screenshot}")
        if PAUSES and sys.stdin.isatty():
            print(f"\n  The chat is open: {server.url} in your browser, or nc 127.0.0.1 {server.chat_port}."
                  "\n  Ctrl-C stops the server.\n", flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                print()
        show("demo", "stops the server (SIGINT, what Ctrl-C sends)")
        os.kill(server.process.pid, signal.SIGINT)
        alice.expect(lambda line: line == "* server shutting down", "the shutdown notice")
        bea.wait_for_text("* server shutting down")
        show("bea", "reads: * server shutting down")
        if browser:
            bea.wait_for_text("disconnected (1001")
            show("bea", "the page shows: * disconnected (1001). Reload the page to join the chat again.")
        status = server.stop()
        show("demo", f"the server exited with status {status}")
        return 0 if status == 0 else 1
    except DemoFailed as failure:
        print(f"demo: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if browser:
            browser.close()
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
