#!/usr/bin/env python3
"""Mistake: treating a reset as a client leaving, but not EPIPE (sending to
a client that has gone): BrokenPipeError escapes, exit status 1."""
import iterative_server


def serve_catching_resets_only(client):
    with client:
        try:
            iterative_server.echo(client)
        except ConnectionResetError:
            pass


if __name__ == "__main__":
    arguments = iterative_server.parse_arguments()
    listener = iterative_server.listen(arguments.host, arguments.port)
    iterative_server.serve_forever(listener, serve_catching_resets_only)
