#!/usr/bin/env python3
"""Lab 05's shared-state line server in Python: it passes the same suite.

    ./lab grade 05 --cmd "python3 tests/05-shared-state/examples/shared_server.py --port {port}"

A thread per client, as in lab 04, sharing two things: a counter that
numbers every line of the server, and a registry of connected clients that
answers "/who". Both are guarded by a lock. Python's GIL does not make
`count += 1` safe: it is several bytecodes (load, add, store), and a thread
can be switched out between them.

The broken_*.py files beside it import this one and make one classic mistake
each; the build checks that the grader catches every one of them.
"""

import argparse
import socket
import sys
import threading

PROGRAM = "shared-server"


def port_number(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"bad port '{text}' (0 to 65535)")
    return int(text)


def parse_arguments():
    # argparse prints the usage on standard error and exits with 2 on bad input.
    parser = argparse.ArgumentParser(prog=PROGRAM)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port_number, default=8001)
    return parser.parse_args()


def address_text(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        print(f"{PROGRAM}: cannot listen on {address_text(host, port)}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    print(f"listening on {address_text(*listener.getsockname()[:2])}", flush=True)
    return listener


class LineReader:
    """Whole lines from a connection, however the bytes arrive."""

    def __init__(self, client):
        self.client = client
        self.buffer = bytearray()
        self.closed = False

    def read_line(self):
        """The next line without its '\\n' (and one '\\r' before it), or None at the end."""
        scanned = 0
        while True:
            newline = self.buffer.find(b"\n", scanned)
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[:newline + 1]
                return line[:-1] if line.endswith(b"\r") else line
            scanned = len(self.buffer)
            if self.closed:
                if not self.buffer:
                    return None
                line = bytes(self.buffer)  # a last line without '\n'
                self.buffer.clear()
                return line
            data = self.client.recv(65536)
            self.closed = not data
            self.buffer += data


class Counter:
    """Numbers lines over the whole server: 1, 2, 3, ..."""

    def __init__(self):
        self.lock = threading.Lock()
        self.value = 0

    def next(self):
        with self.lock:
            self.value += 1
            return self.value


class Registry:
    """Connected clients, in the order they connected."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []  # (id, address)
        self.next_id = 1

    def add(self, address):
        with self.lock:
            client_id = self.next_id
            self.next_id += 1
            self.entries.append((client_id, address))
            return client_id

    def remove(self, client_id):
        with self.lock:
            self.entries = [entry for entry in self.entries if entry[0] != client_id]

    def addresses(self):
        with self.lock:
            return [address for _, address in self.entries]


class Shared:
    def __init__(self, counter, registry):
        self.counter = counter
        self.registry = registry


def who(shared, client_id):
    return "* online: " + " ".join(shared.registry.addresses())


def answer_lines(client, shared, client_id):
    reader = LineReader(client)
    while (line := reader.read_line()) is not None:
        if line == b"/who":
            client.sendall(who(shared, client_id).encode() + b"\n")
        else:
            client.sendall(b"%d: %s\n" % (shared.counter.next(), line))


def serve_client(client, shared, client_id, answer):
    with client:  # closed when the thread is done with it
        try:
            answer(client, shared, client_id)
        except OSError:
            pass  # a reset or a broken pipe: the client has left
        finally:
            shared.registry.remove(client_id)  # off the list before the socket closes


def main(answer=answer_lines, counter=Counter, registry=Registry):
    arguments = parse_arguments()
    listener = listen(arguments.host, arguments.port)
    shared = Shared(counter(), registry())
    while True:
        client, peer = listener.accept()
        # Listed here, by the accept loop, in the order clients connected.
        client_id = shared.registry.add(address_text(*peer[:2]))
        threading.Thread(target=serve_client, args=(client, shared, client_id, answer), daemon=True).start()


if __name__ == "__main__":
    main()
