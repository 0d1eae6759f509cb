#!/usr/bin/env python3
"""Mistake: reading until the client closes before echoing anything, as if
the whole conversation were one message. A client waiting for its echo
before sending more waits forever."""
import echo_server


def echo_at_the_end(client):
    received = b""
    while data := client.recv(65536):
        received += data
    client.sendall(received)


if __name__ == "__main__":
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    echo_server.announce(listener)
    echo_server.serve(listener, echo_at_the_end)
