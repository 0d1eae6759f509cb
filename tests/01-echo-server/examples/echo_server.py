#!/usr/bin/env python3
"""Lab 01's echo server in Python: proof that the grader grades any language.

    ./lab grade 01 --cmd "python3 tests/01-echo-server/examples/echo_server.py --port {port}"

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
    parser = argparse.ArgumentParser(prog="echo-server")
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
        print(f"echo-server: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    return listener


def announce(listener):
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"listening on {shown}:{port}", flush=True)


def echo(client):
    while True:
        data = client.recv(65536)
        if not data:
            return
        client.sendall(data)


def serve(listener, echo_function=echo):
    client, _ = listener.accept()
    with client:
        try:
            echo_function(client)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the client reset the connection: it has left, we are done


def main():
    arguments = parse_arguments()
    listener = listen(arguments.host, arguments.port)
    announce(listener)
    serve(listener)


if __name__ == "__main__":
    main()
