#!/usr/bin/env python3
"""Lab 03's line server in Python: the grader grades any language.

    ./lab grade 03 --cmd "python3 tests/03-line-protocol/examples/line_server.py --port {port}"

The broken_*.py files beside it each import this one and make one classic
mistake; `./lab check` makes sure the grader catches every one of them.
"""

import argparse
import socket
import sys


def port_number(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"bad port '{text}' (0 to 65535)")
    return int(text)


def parse_arguments():
    # argparse prints the usage on standard error and exits with 2 on bad input.
    parser = argparse.ArgumentParser(prog="line-server")
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
        listener.listen()
    except OSError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"line-server: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"listening on {shown}:{port}", flush=True)
    return listener


def read_lines(client):
    """Yields each whole line (bytes, without '\\n' and one '\\r' before
    it), and at the end of the stream a last line without '\\n'."""
    buffer = b""
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield line[:-1] if line.endswith(b"\r") else line
        data = client.recv(4096)
        if not data:
            if buffer:
                yield buffer
            return
        buffer += data


def answer_lines(client, lines=read_lines):
    for number, line in enumerate(lines(client), start=1):
        client.sendall(b"%d: %s\n" % (number, line))


def main(lines=read_lines, talk=answer_lines):
    """The server: one client after another, forever. The broken examples
    call it with a line reader (lines) or a conversation (talk) of their own."""
    arguments = parse_arguments()
    listener = listen(arguments.host, arguments.port)
    while True:
        client, _ = listener.accept()
        with client:  # closes the client's socket however we leave
            try:
                talk(client, lines)
            except (ConnectionResetError, BrokenPipeError):
                pass  # the client left without a goodbye


if __name__ == "__main__":
    main()
