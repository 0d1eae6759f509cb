#!/usr/bin/env python3
"""Lab 04's threaded line server in Python: it passes the same suite.

    ./lab grade 04 --cmd "python3 tests/04-threads/examples/threaded_server.py --port {port}"

Each client is served on a thread of its own. In Python only one thread runs
Python code at a time (the GIL), but a thread waiting in recv() lets the
others run, which is all a server like this needs.

The broken_*.py files beside it import this one and make one classic mistake
each; the build checks that the grader catches every one of them.
"""

import argparse
import errno
import socket
import sys
import threading
import time

PROGRAM = "threaded-server"


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


def listen(host, port):
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"{PROGRAM}: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    host, port = listener.getsockname()[:2]
    print(f"listening on {f'[{host}]' if ':' in host else host}:{port}", flush=True)
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


def answer_lines(client, reader):
    count = 0
    while (line := reader.read_line()) is not None:
        count += 1
        client.sendall(b"%d: %s\n" % (count, line))


def serve_client(client, answer=answer_lines, make_reader=LineReader):
    with client:  # closed when the thread is done with it
        try:
            answer(client, make_reader(client))
        except OSError:
            pass  # a reset or a broken pipe: the client has left


def start_thread(serve, client):
    # daemon=True: the program may end without waiting for this thread.
    threading.Thread(target=serve, args=(client,), daemon=True).start()


def main(serve=serve_client, start=start_thread):
    arguments = parse_arguments()
    listener = listen(arguments.host, arguments.port)
    while True:
        try:
            client, _ = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EMFILE, errno.ENFILE, errno.ECONNABORTED, errno.EINTR):
                raise
            # Out of descriptors: clients that leave give theirs back. Wait a
            # little and try again, as net::accept_client does.
            time.sleep(0.01)
            continue
        start(serve, client)


if __name__ == "__main__":
    main()
