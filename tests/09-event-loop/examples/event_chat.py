#!/usr/bin/env python3
"""Lab 09's chat server in Python: one thread, non-blocking sockets, epoll.

    ./lab grade 09 --cmd "python3 tests/09-event-loop/examples/event_chat.py --port {port}"

The same design as the C++ solution: a room that only appends to queues,
a queue per client written after each round of events (one send per
client), EPOLLOUT watched only while a write came back short, flow control
(while a client that reads has more than a high-water mark waiting, the
loop reads nobody: senders are paused, EPOLLIN off; a client whose socket
took nothing for a second is stalled: it holds nobody, and past
--max-queue it is dropped), a signalfd-like wake-up for SIGINT/SIGTERM
(signal.set_wakeup_fd on a non-blocking socket pair, the self-pipe trick),
and the open-file limit raised to its hard limit.
"""

import argparse
import os
import resource
import select
import signal
import socket
import sys
import time

MAX_LINE = 4096
NAME_BYTES = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
CONTROL = bytes(range(0x20)).replace(b"\t", b"") + b"\x7f"
STALL_SECONDS = 1.0  # a socket that took nothing for this long: the client has stopped reading
TICK_SECONDS = 0.1


def number(low, high):
    def parse(text):
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"bad value '{text}' ({low} to {high})")
        return int(text)
    return parse


def parse_arguments():
    parser = argparse.ArgumentParser(prog="event-chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=number(0, 65535), default=8001)
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
        print(f"event-chat: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    listener.setblocking(False)
    print(f"listening on {address_text(listener.getsockname())}", flush=True)
    return listener


class Member:
    def __init__(self, sock, address):
        self.sock = sock
        self.name = address.encode()
        self.input = b""
        self.output = bytearray()
        self.in_room = True       # listed, hears the others
        self.closing = False      # out of the room: write what is owed, then close
        self.watching_out = False
        self.paused = False       # not read while the room is held
        self.behind = False       # counted in Server.behind
        self.stalled = False      # its socket took nothing for a second
        self.blocked_since = None  # the socket has taken nothing since then


class Server:
    def __init__(self, listener, wakeup, max_clients, max_queue):
        self.listener = listener
        self.wakeup = wakeup
        self.max_clients = max_clients
        self.max_queue = max_queue
        self.epoll = select.epoll()
        self.epoll.register(listener.fileno(), select.EPOLLIN)
        self.epoll.register(wakeup.fileno(), select.EPOLLIN)
        self.members = {}     # fd -> Member, in the order they joined (dicts keep order)
        self.to_write = {}    # fd -> Member with new output this round
        self.to_drop = []     # stalled, over --max-queue
        self.in_room = 0      # members in the room, for --max-clients
        self.high_water = min(64 * 1024, max_queue // 2)
        self.low_water = self.high_water // 2
        self.behind = 0       # members that read and are behind: while any, read nobody
        self.paused = []      # members not read while the room is held
        self.next_tick = 0.0

    def update_flow(self, member):
        limit = self.low_water if member.behind else self.high_water
        behind = member.in_room and not member.closing and not member.stalled and len(member.output) > limit
        if behind != member.behind:
            member.behind = behind
            self.behind += 1 if behind else -1

    # The room: appends to queues, never writes.
    def tell(self, member, data):
        if not member.in_room:
            return
        if member.stalled and len(member.output) + len(data) > self.max_queue:
            self.to_drop.append(member)
            return
        member.output += data
        self.update_flow(member)
        self.to_write[member.sock.fileno()] = member

    def tell_others(self, sender, data):
        for member in self.members.values():
            if member is not sender and member.in_room:
                self.tell(member, data)

    def leave(self, member):
        if member.in_room:
            member.in_room = False
            self.in_room -= 1
            self.update_flow(member)
            self.tell_others(member, b"* " + member.name + b" left\n")

    def finish(self, member):
        """Out of the room; closed once its queue is written."""
        self.leave(member)
        member.closing = True
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
            names = b" ".join(m.name for m in self.members.values() if m.in_room)
            self.tell(member, b"* online: " + names + b"\n")
        elif line == b"/nick" or line.startswith(b"/nick "):
            name = line[6:]
            if not 1 <= len(name) <= 20 or not set(name) <= NAME_BYTES:
                self.tell(member, b"! invalid name\n")
            elif any(m is not member and m.in_room and m.name == name for m in self.members.values()):
                self.tell(member, b"! name taken\n")
            else:
                old, member.name = member.name, name
                self.tell_others(member, b"* " + old + b" is now " + name + b"\n")
                self.tell(member, b"* you are now " + name + b"\n")
        elif line.startswith(b"/"):
            self.tell(member, b"! unknown command: " + line.translate(None, CONTROL) + b"\n")
        else:
            text = line.translate(None, CONTROL)
            if text:
                self.tell_others(member, member.name + b" says: " + text + b"\n")

    # The loop.
    def accept(self):
        for _ in range(128):
            try:
                sock, address = self.listener.accept()
            except BlockingIOError:
                return
            except OSError:
                continue
            sock.setblocking(False)
            if self.in_room >= self.max_clients:
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
            member = Member(sock, address_text(address))
            self.tell_others(member, b"* " + member.name + b" joined\n")
            self.members[sock.fileno()] = member
            self.in_room += 1
            self.epoll.register(sock.fileno(), select.EPOLLIN)

    def read(self, member):
        try:
            data = member.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            self.close(member)
            return
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
                    self.tell(member, b"! line too long\n")
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
        if not member.closing and not member.paused:
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
                self.take_lines(member)
                if not member.paused:
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
            self.tell(member, b"! line too long\n")
            self.finish(member)
            return
        self.handle_line(member, line[:-1] if line.endswith(b"\r") else line)

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
        if not member.output and member.closing:
            self.close(member)
            return
        member.watching_out = bool(member.output)
        self.watch(member)

    def write_listed(self):
        while self.to_write or self.to_drop:
            self.drop_overflowing()
            listed, self.to_write = self.to_write, {}
            for member in listed.values():
                if member.sock.fileno() >= 0 and (not member.watching_out or member.closing):
                    self.write(member)

    def run(self):
        while True:
            try:
                events = self.epoll.poll(TICK_SECONDS)
            except InterruptedError:
                continue
            for fd, what in events:
                if fd == self.wakeup.fileno():
                    self.shut_down()
                    return
                if fd == self.listener.fileno():
                    self.accept()
                    continue
                member = self.members.get(fd)
                if member is None:
                    continue
                if what & (select.EPOLLHUP | select.EPOLLERR) and not member.closing:
                    self.read(member)
                elif what & select.EPOLLIN and not member.closing and not member.paused:
                    if self.behind:
                        self.pause(member)
                    else:
                        self.read(member)
                if fd in self.members and what & (select.EPOLLOUT | select.EPOLLHUP | select.EPOLLERR):
                    self.write(member)
                self.drop_overflowing()
            self.write_listed()
            if time.monotonic() >= self.next_tick and any(m.watching_out for m in self.members.values()):
                self.next_tick = time.monotonic() + TICK_SECONDS
                self.tick()
                self.write_listed()
            self.resume_paused()

    def shut_down(self):
        self.listener.close()
        for member in list(self.members.values()):
            self.tell(member, b"* server shutting down\n")
        for member in self.members.values():  # nobody is told anyone left
            member.in_room = False
        self.in_room = 0
        for member in self.members.values():
            member.closing = True
            self.to_write[member.sock.fileno()] = member
        deadline = time.monotonic() + 1.5
        while self.members and time.monotonic() < deadline:
            self.write_listed()
            for fd, _ in self.epoll.poll(max(0.0, deadline - time.monotonic())):
                member = self.members.get(fd)
                if member is not None:
                    self.write(member)


def main():
    arguments = parse_arguments()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # The self-pipe trick: the signal wakes the loop through a socket pair.
    wake_reader, wake_writer = socket.socketpair()
    wake_writer.setblocking(False)
    signal.set_wakeup_fd(wake_writer.fileno())
    for number_ in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number_, lambda *_: None)
    listener = listen(arguments.host, arguments.port)
    Server(listener, wake_reader, arguments.max_clients, arguments.max_queue).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
