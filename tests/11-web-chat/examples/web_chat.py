#!/usr/bin/env python3
"""Lab 11's web chat in Python, standard library only: one thread, epoll.

    ./lab grade 11 --cmd "python3 tests/11-web-chat/examples/web_chat.py --port {port}"

Lab 09's event chat (tests/09-event-loop/examples/event_chat.py, flow
control included) with a web port: each connection there is an HTTP
request first (the page, an error, or the WebSocket handshake), and after a
101 a member of the room that speaks RFC 6455 frames. Written apart from the C++ reference, to show that
the grader checks the contract, not one implementation. Its page is its
own, smaller than the lab's chat.html.
"""

import argparse
import base64
import hashlib
import resource
import select
import signal
import socket
import struct
import sys
import time

MAX_LINE = 4096
MAX_HEAD = 8192
LINGER_SECONDS = 1.0
STALL_SECONDS = 1.0  # a socket that took nothing for this long: the member has stopped reading
TICK_SECONDS = 0.1
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
NAME_BYTES = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
CONTROL = bytes(range(0x20)).replace(b"\t", b"") + b"\x7f"
TOKEN = set(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>chat</title><link rel="icon" href="data:,"></head>
<body><h1>chat <span id="me"></span></h1><pre id="log"></pre>
<form id="form"><input id="line" disabled autocomplete="off"></form>
<script>
const log = document.getElementById("log"), input = document.getElementById("line");
const socket = new WebSocket("ws://" + location.host + "/chat");
const show = (text) => { log.textContent += text + "\\n"; };
socket.onopen = () => { input.disabled = false; input.focus(); };
socket.onmessage = (event) => {
  const named = event.data.match(/^\\* you are now (.+)$/);
  if (named) document.getElementById("me").textContent = named[1];
  show(event.data);
};
socket.onclose = (event) => { show("* disconnected (" + event.code + "): reload to join again"); input.disabled = true; };
document.getElementById("form").onsubmit = (event) => {
  event.preventDefault();
  if (input.value) { socket.send(input.value); show("> " + input.value); }
  input.value = "";
};
</script></body></html>
"""


def number(low, high):
    def parse(text):
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"bad value '{text}' ({low} to {high})")
        return int(text)
    return parse


def parse_arguments():
    parser = argparse.ArgumentParser(prog="web-chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=number(0, 65535), default=8001)
    parser.add_argument("--web-port", type=number(0, 65535), default=8080)
    parser.add_argument("--max-clients", type=number(1, 1000000), default=1000)
    parser.add_argument("--max-queue", type=number(1, 1 << 40), default=1 << 20)
    return parser.parse_args()


def address_text(address):
    host, port = address[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(4096)
    except OSError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"web-chat: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    listener.setblocking(False)
    return listener


# ---- HTTP and WebSocket, as bytes in and bytes out ----

def response(status, reason, headers=(), body=b""):
    head = f"HTTP/1.1 {status} {reason}\r\n"
    for name, value in headers:
        head += f"{name}: {value}\r\n"
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


def error(status, reason, headers=()):
    return response(status, reason, list(headers) + [("Content-Type", "text/plain; charset=utf-8")],
                    f"{status} {reason}\n".encode())


def frame(opcode, payload):
    length = len(payload)
    if length <= 125:
        head = struct.pack("!BB", 0x80 | opcode, length)
    elif length <= 0xFFFF:
        head = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return head + payload


def close_frame(code, reason=b""):
    return frame(0x8, struct.pack("!H", code) + reason[:123])


class Failure(Exception):
    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code


def is_utf8(data):
    try:
        data.decode("utf-8")  # strict: no overlongs, no surrogates
        return True
    except UnicodeDecodeError:
        return False


def repaired(data):
    """Each byte that is not part of a UTF-8 sequence becomes U+FFFD."""
    out = bytearray()
    i = 0
    while i < len(data):
        for size in (1, 2, 3, 4):
            piece = data[i:i + size]
            if len(piece) == size and is_utf8(piece):
                out += piece
                i += size
                break
        else:
            out += "\ufffd".encode()
            i += 1
    return bytes(out)


def parse_head(head):
    """The request's target and headers (names in lower case), or None if it is not a good request."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[0] != b"GET" or not parts[1].startswith(b"/") or parts[2] != b"HTTP/1.1":
        return None
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or not set(name) <= TOKEN:
            return None
        headers.append((name.lower(), value.strip(b" \t")))
    return parts[1], headers


def header(headers, name):
    return next((value for key, value in headers if key == name), None)


def lists(headers, name, token):
    return any(token in (item.strip(b" \t").lower() for item in value.split(b","))
               for key, value in headers if key == name)


class Member:
    def __init__(self, sock, address, kind):
        self.sock = sock
        self.name = address.encode()
        self.kind = kind          # "lines", "http" or "ws"
        self.input = b""
        self.output = bytearray()
        self.in_room = False
        self.closing = False      # write what is owed, then close (web: linger)
        self.closed_sent = False  # a close frame (or none) is decided
        self.lingering = None     # a deadline, once lingering
        self.watching_out = False
        self.message = b""        # a fragmented message so far
        self.in_message = False
        self.paused = False       # not read while the room is held
        self.behind = False       # counted in Server.behind
        self.stalled = False      # its socket took nothing for a second
        self.blocked_since = None  # the socket has taken nothing since then


class Server:
    def __init__(self, listener, web, wakeup, max_clients, max_queue):
        self.listener, self.web, self.wakeup = listener, web, wakeup
        self.max_clients, self.max_queue = max_clients, max_queue
        self.epoll = select.epoll()
        for sock in (listener, web, wakeup):
            self.epoll.register(sock.fileno(), select.EPOLLIN)
        self.members = {}   # fd -> Member
        self.room = []      # members in the room, in the order they joined
        self.to_write = {}
        self.to_drop = []     # stalled, over --max-queue
        self.going_away = False
        self.high_water = min(64 * 1024, max_queue // 2)
        self.low_water = self.high_water // 2
        self.behind = 0       # members that read and are behind: while any, read no lines
        self.paused = []      # members not read while the room is held
        self.next_tick = 0.0

    def update_flow(self, member):
        limit = self.low_water if member.behind else self.high_water
        behind = member.in_room and not member.closing and not member.stalled and len(member.output) > limit
        if behind != member.behind:
            member.behind = behind
            self.behind += 1 if behind else -1

    # The room: appends to queues, never writes.
    def queue(self, member, data):
        member.output += data
        self.update_flow(member)
        self.to_write[member.sock.fileno()] = member

    def tell(self, member, line):
        if not member.in_room:
            return
        data = frame(0x1, repaired(line)) if member.kind == "ws" else line + b"\n"
        if member.stalled and len(member.output) + len(data) > self.max_queue:
            self.to_drop.append(member)
            return
        self.queue(member, data)

    def tell_others(self, sender, line):
        for member in self.room:
            if member is not sender:
                self.tell(member, line)

    def join(self, member):
        self.tell_others(member, b"* " + member.name + b" joined")
        member.in_room = True
        self.room.append(member)

    def leave(self, member):
        if member.in_room:
            member.in_room = False
            self.room.remove(member)
            self.update_flow(member)
            self.tell_others(member, b"* " + member.name + b" left")

    def finish(self, member, close=None):
        """Out of the room; closed once its queue is written. A browser gets a close frame."""
        self.leave(member)
        if member.kind == "ws" and not member.closed_sent:
            member.closed_sent = True
            default = close_frame(1001 if self.going_away else 1000)
            member.output += default if close is None else close
        member.closing = True
        self.update_flow(member)
        self.to_write[member.sock.fileno()] = member

    def close(self, member):
        self.leave(member)
        fd = member.sock.fileno()
        if self.members.pop(fd, None) is not None:
            self.epoll.unregister(fd)
            self.to_write.pop(fd, None)
            member.sock.close()

    def drop_overflowing(self):
        while self.to_drop:
            member = self.to_drop.pop()
            member.output.clear()
            self.close(member)

    def handle_line(self, member, line):
        if line == b"/quit":
            self.finish(member)
        elif line == b"/who":
            self.tell(member, b"* online: " + b" ".join(m.name for m in self.room))
        elif line == b"/nick" or line.startswith(b"/nick "):
            name = line[6:]
            if not 1 <= len(name) <= 20 or not set(name) <= NAME_BYTES:
                self.tell(member, b"! invalid name")
            elif any(m is not member and m.name == name for m in self.room):
                self.tell(member, b"! name taken")
            else:
                old, member.name = member.name, name
                self.tell_others(member, b"* " + old + b" is now " + name)
                self.tell(member, b"* you are now " + name)
        elif line.startswith(b"/"):
            self.tell(member, b"! unknown command: " + line.translate(None, CONTROL))
        else:
            text = line.translate(None, CONTROL)
            if text:
                self.tell_others(member, member.name + b" says: " + text)

    # The loop.
    def accept(self, listener, kind):
        for _ in range(128):
            try:
                sock, address = listener.accept()
            except BlockingIOError:
                return
            except OSError:
                continue
            sock.setblocking(False)
            if kind == "lines" and len(self.room) >= self.max_clients:
                try:
                    sock.send(b"! server full\n")
                    sock.shutdown(socket.SHUT_WR)
                    while sock.recv(4096):
                        pass
                except OSError:
                    pass
                sock.close()
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            member = Member(sock, address_text(address), kind)
            self.members[sock.fileno()] = member
            self.epoll.register(sock.fileno(), select.EPOLLIN)
            if kind == "lines":
                self.join(member)

    def read(self, member):
        try:
            data = member.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            self.close(member)
            return
        if member.lingering is not None:
            if not data:
                self.close(member)
            return
        if member.closing:
            return
        getattr(self, "read_" + member.kind)(member, data)

    def read_lines(self, member, data):
        if not data:
            lines = member.input.split(b"\n")
            for line in lines[:-1]:
                if member.in_room:
                    self.line(member, line)
            if member.in_room and lines[-1]:
                self.handle_line(member, lines[-1])
            self.finish(member)
            return
        member.input += data
        self.take_lines(member)

    def take_lines(self, member):
        """Whole lines to the room while it is not held; the rest waits, paused."""
        while member.in_room and not self.behind:
            end = member.input.find(b"\n")
            if end < 0:
                if len(member.input) > MAX_LINE:
                    self.tell(member, b"! line too long")
                    self.finish(member)
                return
            line, member.input = member.input[:end], member.input[end + 1:]
            self.line(member, line)
        if member.in_room:
            self.pause(member)

    def pause(self, member):
        if not member.paused:
            member.paused = True
            self.paused.append(member)
            self.watch(member)

    def watch(self, member):
        events = 0
        if (not member.closing or member.lingering is not None) and not member.paused:
            events |= select.EPOLLIN
        if member.watching_out:
            events |= select.EPOLLOUT
        self.epoll.modify(member.sock.fileno(), events)

    def resume_paused(self):
        while not self.behind and self.paused:
            paused, self.paused = self.paused, []
            for member in paused:
                if member.sock.fileno() not in self.members:
                    continue
                if self.behind:
                    self.paused.append(member)
                    continue
                member.paused = False
                self.take_frames(member) if member.kind == "ws" else self.take_lines(member)
                if not member.paused and member.sock.fileno() in self.members:
                    self.watch(member)
            self.write_listed()

    def tick(self):
        now = time.monotonic()
        for member in list(self.members.values()):
            if not member.watching_out:
                continue
            if not member.stalled and member.blocked_since is not None and now - member.blocked_since >= STALL_SECONDS:
                member.stalled = True
                self.update_flow(member)
            if member.stalled and member.in_room and len(member.output) > self.max_queue:
                self.to_drop.append(member)

    def line(self, member, line):
        if len(line) > MAX_LINE:
            self.tell(member, b"! line too long")
            self.finish(member)
            return
        self.handle_line(member, line[:-1] if line.endswith(b"\r") else line)

    def answer(self, member, data):
        self.queue(member, data)
        self.finish(member)

    def read_http(self, member, data):
        if not data:
            self.close(member)
            return
        member.input += data
        # A bad first line is answered as soon as it has ended.
        first_end = member.input.find(b"\r\n")
        first = member.input[:first_end] if first_end >= 0 else None
        if first is not None and parse_head(first) is None:
            self.answer(member, error(400, "Bad Request"))
            return
        end = member.input.find(b"\r\n\r\n")
        if end < 0 or end + 4 > MAX_HEAD:
            if len(member.input) > MAX_HEAD:
                self.answer(member, error(431, "Request Header Fields Too Large"))
            return
        head, rest = member.input[:end], member.input[end + 4:]
        parsed = parse_head(head)
        if parsed is None:
            self.answer(member, error(400, "Bad Request"))
            return
        target, headers = parsed
        path = target.split(b"?")[0]
        if path == b"/":
            self.answer(member, response(200, "OK", [("Content-Type", "text/html; charset=utf-8")], PAGE))
            return
        if path != b"/chat":
            self.answer(member, error(404, "Not Found"))
            return
        if header(headers, b"sec-websocket-version") != b"13":
            self.answer(member, error(426, "Upgrade Required", [("Sec-WebSocket-Version", "13")]))
            return
        key = header(headers, b"sec-websocket-key")
        try:
            good_key = key is not None and len(base64.b64decode(key, validate=True)) == 16
        except ValueError:
            good_key = False
        if not (lists(headers, b"upgrade", b"websocket") and lists(headers, b"connection", b"upgrade") and good_key):
            self.answer(member, error(400, "Bad Request"))
            return
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        self.queue(member, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        member.kind = "ws"
        member.input = b""
        if len(self.room) >= self.max_clients:
            self.queue(member, frame(0x1, b"! server full"))
            self.finish(member, close_frame(1013, b"server full"))
            return
        self.join(member)
        if rest:
            self.read_ws(member, rest)

    def read_ws(self, member, data):
        if not data:
            self.take_frames(member, at_end=True)
            member.closed_sent = True  # it has gone: no close frame
            self.finish(member)
            return
        member.input += data
        self.take_frames(member)

    def take_frames(self, member, at_end=False):
        """A browser's frames while the room is not held; the rest waits, paused."""
        try:
            while member.in_room and (at_end or not self.behind):
                if not self.next_frame(member):
                    return
        except Failure as failure:
            self.finish(member, close_frame(failure.code, str(failure).encode()))
            return
        if member.in_room and not at_end:
            self.pause(member)

    def next_frame(self, member):
        """Takes one frame from the member's input; False if none is whole yet."""
        data = member.input
        if len(data) < 2:
            return False
        fin, opcode = data[0] & 0x80, data[0] & 0x0F
        if data[0] & 0x70:
            raise Failure(1002, "reserved bits")
        if opcode not in (0x0, 0x1, 0x2, 0x8, 0x9, 0xA):
            raise Failure(1002, "unknown opcode")
        if not data[1] & 0x80:
            raise Failure(1002, "not masked")
        length, at = data[1] & 0x7F, 2
        if length == 126:
            if len(data) < 4:
                return False
            length, at = struct.unpack("!H", data[2:4])[0], 4
            if length <= 125:
                raise Failure(1002, "not the shortest length")
        elif length == 127:
            if len(data) < 10:
                return False
            length, at = struct.unpack("!Q", data[2:10])[0], 10
            if length >> 63 or length <= 0xFFFF:
                raise Failure(1002, "bad 64-bit length")
        if opcode >= 0x8 and (not fin or length > 125):
            raise Failure(1002, "bad control frame")
        if opcode < 0x8:
            if opcode == 0x0 and not member.in_message:
                raise Failure(1002, "continuation of nothing")
            if opcode != 0x0 and member.in_message:
                raise Failure(1002, "new message in a message")
            if opcode == 0x2:
                raise Failure(1003, "binary")
            if len(member.message) + length > MAX_LINE:
                raise Failure(1009, "message too big")
        if len(data) < at + 4 + length:
            return False
        mask = data[at:at + 4]
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(data[at + 4:at + 4 + length]))
        member.input = data[at + 4 + length:]
        if opcode == 0x9:
            self.queue(member, frame(0xA, payload))
        elif opcode == 0x8:
            self.finish(member, self.close_reply(payload))
        elif opcode in (0x0, 0x1):
            member.message += payload
            member.in_message = not fin
            if fin:
                message, member.message = member.message, b""
                if not is_utf8(message):
                    raise Failure(1007, "not UTF-8")
                self.handle_line(member, message)
        return True

    @staticmethod
    def close_reply(payload):
        if not payload:
            return frame(0x8, b"")
        if len(payload) == 1:
            raise Failure(1002, "one-byte close")
        code = struct.unpack("!H", payload[:2])[0]
        if not (1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999):
            raise Failure(1002, "bad close code")
        if not is_utf8(payload[2:]):
            raise Failure(1007, "bad close reason")
        return close_frame(code)

    def write(self, member):
        took = False
        while member.output:
            try:
                sent = member.sock.send(member.output)
            except BlockingIOError:
                break
            except OSError:
                member.output.clear()
                self.close(member)
                return
            del member.output[:sent]
            took = True
        if took:
            member.stalled = False
        if not member.output:
            member.blocked_since = None
        elif took or member.blocked_since is None:
            member.blocked_since = time.monotonic()
        self.update_flow(member)
        fd = member.sock.fileno()
        if not member.output and member.closing:
            if member.kind == "lines":
                self.close(member)
                return
            # A web connection lingers: our side shut, read until it closes, or a second.
            try:
                member.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            member.lingering = time.monotonic() + LINGER_SECONDS
            member.watching_out = False
            self.epoll.modify(fd, select.EPOLLIN)
            return
        member.watching_out = bool(member.output)
        self.watch(member)

    def write_listed(self):
        while self.to_write or self.to_drop:
            self.drop_overflowing()
            listed, self.to_write = self.to_write, {}
            for member in listed.values():
                if member.sock.fileno() >= 0 and member.lingering is None and (not member.watching_out or member.closing):
                    self.write(member)

    def timeout(self):
        deadlines = [m.lingering for m in self.members.values() if m.lingering is not None]
        if any(m.watching_out for m in self.members.values()):
            deadlines.append(time.monotonic() + TICK_SECONDS)
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def close_overdue(self):
        now = time.monotonic()
        for member in [m for m in self.members.values() if m.lingering is not None and m.lingering <= now]:
            self.close(member)

    def run(self):
        while True:
            try:
                events = self.epoll.poll(self.timeout())
            except InterruptedError:
                continue
            for fd, what in events:
                if fd == self.wakeup.fileno():
                    self.shut_down()
                    return
                if fd == self.listener.fileno():
                    self.accept(self.listener, "lines")
                    continue
                if fd == self.web.fileno():
                    self.accept(self.web, "http")
                    continue
                member = self.members.get(fd)
                if member is None:
                    continue
                if member.lingering is not None:
                    self.read(member)
                    continue
                if what & (select.EPOLLHUP | select.EPOLLERR):
                    if not member.closing:
                        self.read(member)
                elif what & select.EPOLLIN and not member.closing and not member.paused:
                    if self.behind and member.kind != "http":
                        self.pause(member)
                    else:
                        self.read(member)
                if fd in self.members and member.lingering is None and what & (select.EPOLLOUT | select.EPOLLHUP | select.EPOLLERR):
                    self.write(member)
                self.drop_overflowing()
            self.write_listed()
            if time.monotonic() >= self.next_tick and any(m.watching_out for m in self.members.values()):
                self.next_tick = time.monotonic() + TICK_SECONDS
                self.tick()
                self.write_listed()
            self.resume_paused()
            self.close_overdue()

    def shut_down(self):
        self.listener.close()
        self.web.close()
        self.going_away = True
        for member in list(self.members.values()):
            if member.kind == "http" and not member.closing:
                self.close(member)
        for member in list(self.room):
            self.tell(member, b"* server shutting down")
        for member in list(self.members.values()):
            member.in_room = False
        self.room.clear()
        for member in list(self.members.values()):
            if not member.closing:
                self.finish(member)
        deadline = time.monotonic() + 1.5
        while self.members and time.monotonic() < deadline:
            self.write_listed()
            for fd, _ in self.epoll.poll(max(0.0, deadline - time.monotonic())):
                member = self.members.get(fd)
                if member is None:
                    continue
                if member.lingering is not None:
                    self.read(member)
                else:
                    self.write(member)


def main():
    arguments = parse_arguments()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    wake_reader, wake_writer = socket.socketpair()
    wake_writer.setblocking(False)
    signal.set_wakeup_fd(wake_writer.fileno())
    for number_ in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number_, lambda *_: None)
    listener = listen(arguments.host, arguments.port)
    web = listen(arguments.host, arguments.web_port)
    print(f"listening on {address_text(listener.getsockname())}", flush=True)
    print(f"web on http://{address_text(web.getsockname())}/", flush=True)
    Server(listener, web, wake_reader, arguments.max_clients, arguments.max_queue).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
