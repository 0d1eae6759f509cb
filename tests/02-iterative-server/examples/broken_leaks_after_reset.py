#!/usr/bin/env python3
"""Mistake: closing a client's socket only when it says goodbye (recv()
returns 0). A client that resets leaves its descriptor open, as in C code
that returns from the error branch without close()."""
import iterative_server

abandoned = []


def close_only_on_goodbye(client):
    try:
        iterative_server.echo(client)
        client.close()
    except (ConnectionResetError, BrokenPipeError):
        abandoned.append(client)  # still referenced: never closed


if __name__ == "__main__":
    arguments = iterative_server.parse_arguments()
    listener = iterative_server.listen(arguments.host, arguments.port)
    iterative_server.serve_forever(listener, close_only_on_goodbye)
