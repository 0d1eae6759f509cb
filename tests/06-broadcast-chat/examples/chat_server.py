#!/usr/bin/env python3
"""Lab 06's chat server in Python: the grader grades any language.

    ./lab grade 06 --cmd "python3 tests/06-broadcast-chat/examples/chat_server.py --port {port}"

The same design as the C++ solution: a thread per client, a registry of
clients under one lock (held only to change or copy the list), a write lock
per client, and whole lines. The broken_*.py files beside it each import
this one and make one classic mistake; original_chat.py is the original
course's design. `./lab check` makes sure the grader catches every one.
"""

import argparse
import socket
import sys
import threading


def port_number(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"bad port '{text}' (0 to 65535)")
    return int(text)


def parse_arguments(program="chat-server"):
    # argparse prints the usage on standard error and exits with 2 on bad input.
    parser = argparse.ArgumentParser(prog=program)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port_number, default=8001)
    return parser.parse_args()


def listen(host, port, program="chat-server"):
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"{program}: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    print(f"listening on {address_text(listener.getsockname())}", flush=True)
    return listener


def address_text(address):
    host, port = address[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def lines(sock):
    """The lines of a connection, as bytes, without '\\n' and one '\\r' before
    it; a last line without '\\n' once the peer has closed its side."""
    pending = b""
    while True:
        data = sock.recv(65536)
        if not data:
            if pending:
                yield pending
            return
        pending += data
        *whole, pending = pending.split(b"\n")
        for line in whole:
            yield line[:-1] if line.endswith(b"\r") else line


class Member:
    """A connected client: any thread may write to it, one line at a time."""

    def __init__(self, sock, address):
        self.sock = sock
        self.address = address
        self.write_lock = threading.Lock()
        self.closed = False

    def send(self, data):
        with self.write_lock:
            if not self.closed:
                self.sock.sendall(data)

    def close(self):
        with self.write_lock:
            self.closed = True
            self.sock.close()


def send_to_each(members, data):
    for member in members:
        try:
            member.send(data)
        except OSError:
            pass  # it has gone: its own thread will see that and leave


class Registry:
    """Everyone connected, in connection order, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.members = []

    def add(self, member):
        with self.lock:
            already_here = list(self.members)
            self.members.append(member)
        send_to_each(already_here, f"* {member.address} joined\n".encode())

    def remove(self, member):
        with self.lock:
            self.members.remove(member)
            still_here = list(self.members)
        send_to_each(still_here, f"* {member.address} left\n".encode())

    def everyone_but(self, sender):
        with self.lock:
            return [member for member in self.members if member is not sender]

    def relay(self, sender, line):
        send_to_each(self.everyone_but(sender), sender.address.encode() + b" says: " + line + b"\n")

    def who(self):
        with self.lock:
            return ("* online: " + " ".join(member.address for member in self.members) + "\n").encode()


def serve_client(registry, member):
    try:
        for line in lines(member.sock):
            if not line:
                continue
            if line == b"/who":
                member.send(registry.who())
            else:
                registry.relay(member, line)
    except OSError:
        pass  # a reset: the client left without a goodbye
    registry.remove(member)
    member.close()


def serve_forever(listener, registry):
    while True:
        sock, address = listener.accept()
        member = Member(sock, address_text(address))
        registry.add(member)
        threading.Thread(target=serve_client, args=(registry, member), daemon=True).start()


def main(registry_class=Registry):
    arguments = parse_arguments()
    serve_forever(listen(arguments.host, arguments.port), registry_class())


if __name__ == "__main__":
    main()
