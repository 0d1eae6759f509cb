#!/usr/bin/env python3
"""Mistake: one recv() and one send(), as if a message arrived in one piece."""
import echo_server


def echo_once(client):
    client.sendall(client.recv(65536))


if __name__ == "__main__":
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    echo_server.announce(listener)
    echo_server.serve(listener, echo_once)
