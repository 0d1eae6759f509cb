#!/usr/bin/env python3
"""Lab 02's iterative echo server in Python: the grader grades any language.

    ./lab grade 02 --cmd "python3 tests/02-iterative-server/examples/iterative_server.py --port {port}"

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
    parser = argparse.ArgumentParser(prog="iterative-server")
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
        print(f"iterative-server: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"listening on {shown}:{port}", flush=True)
    return listener


def echo(client):
    while True:
        data = client.recv(65536)
        if not data:
            return
        client.sendall(data)


def serve_client(client, talk=echo):
    """One client, start to end. Python ignores SIGPIPE, so a send to a
    client that has gone raises BrokenPipeError (EPIPE), like MSG_NOSIGNAL."""
    with client:  # closes the client's socket however we leave
        try:
            talk(client)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the client left without a goodbye: not our problem
        except OSError as error:
            print(f"iterative-server: {error}", file=sys.stderr)


def serve_forever(listener, serve=serve_client):
    while True:
        client, _ = listener.accept()
        serve(client)


if __name__ == "__main__":
    arguments = parse_arguments()
    serve_forever(listen(arguments.host, arguments.port))
