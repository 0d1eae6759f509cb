#!/usr/bin/env python3
"""Mistake: treating received bytes as a C string, cut at the first NUL."""
import echo_server


def echo_up_to_nul(client):
    while True:
        data = client.recv(65536)
        if not data:
            return
        client.sendall(data.split(b"\0")[0])


if __name__ == "__main__":
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    echo_server.announce(listener)
    echo_server.serve(listener, echo_up_to_nul)
