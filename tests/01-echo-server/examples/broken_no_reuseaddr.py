#!/usr/bin/env python3
"""Mistake: no SO_REUSEADDR. A server restarted on the same port while its
old connections wait in TIME_WAIT fails in bind() for a minute."""
import socket
import sys

import echo_server


def listen_without_reuseaddr(host, port):
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        listener.bind(address)  # no setsockopt(SO_REUSEADDR) before it
        listener.listen()
    except OSError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"echo-server: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    return listener


if __name__ == "__main__":
    arguments = echo_server.parse_arguments()
    listener = listen_without_reuseaddr(arguments.host, arguments.port)
    echo_server.announce(listener)
    echo_server.serve(listener)
