#!/usr/bin/env python3
"""Lab 07's chat client in Python: the grader grades any language.

    ./lab grade 07 --cmd "python3 tests/07-chat-client/examples/chat_client.py --port {port}"

The same design as the C++ solution: the keyboard on a thread of its own,
the network on the main thread. The broken_*.py files beside it each make
one classic mistake; `./lab check` makes sure the grader catches every one.
"""

import argparse
import os
import socket
import sys
import threading


def port_number(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"bad port '{text}' (0 to 65535)")
    return int(text)


def parse_arguments():
    # argparse prints the usage on standard error and exits with 2 on bad input.
    parser = argparse.ArgumentParser(prog="chat-client")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port_number, default=8001)
    return parser.parse_args()


def connect(host, port):
    try:
        sock = socket.create_connection((host, port))
    except OSError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"chat-client: cannot connect to {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_what_is_typed(sock, input_ended):
    """The keyboard thread: each line typed goes to the server; at the end
    of input, note it, then half-close."""
    try:
        for line in sys.stdin.buffer:
            if not line.endswith(b"\n"):
                line += b"\n"  # a last line without '\n' gets one
            sock.sendall(line)
        input_ended.set()
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server has gone: the main thread sees it too


def print_what_arrives(sock):
    """Prints each line from the server as it arrives, until it closes."""
    pending = b""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                sys.stdout.buffer.write(line + b"\n")
            sys.stdout.buffer.flush()
    except (ConnectionResetError, BrokenPipeError):
        pass
    if pending:
        sys.stdout.buffer.write(pending + b"\n")
        sys.stdout.buffer.flush()


def main(keyboard=send_what_is_typed):
    arguments = parse_arguments()
    sock = connect(arguments.host, arguments.port)
    input_ended = threading.Event()
    # A daemon thread does not keep the program alive: when the server goes
    # first, the program can end while this thread still waits for a line.
    threading.Thread(target=keyboard, args=(sock, input_ended), daemon=True).start()
    print_what_arrives(sock)
    if not input_ended.is_set():
        print("* disconnected", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(0)  # at once, whatever the keyboard thread is doing


if __name__ == "__main__":
    main()
