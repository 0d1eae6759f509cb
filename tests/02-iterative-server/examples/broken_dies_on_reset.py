#!/usr/bin/env python3
"""Mistake: a client's reset ends the whole server (ConnectionResetError
escapes: exit status 1)."""
import iterative_server


def serve_without_catching(client):
    with client:
        iterative_server.echo(client)


if __name__ == "__main__":
    arguments = iterative_server.parse_arguments()
    listener = iterative_server.listen(arguments.host, arguments.port)
    iterative_server.serve_forever(listener, serve_without_catching)
