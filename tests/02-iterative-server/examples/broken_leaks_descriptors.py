#!/usr/bin/env python3
"""Mistake: never closing a client's socket. (Python would close it once
nothing refers to it; keeping every socket in a list is what C does when it
forgets close().)"""
import iterative_server

served = []


def serve_and_forget_to_close(client):
    served.append(client)
    try:
        iterative_server.echo(client)
    except (ConnectionResetError, BrokenPipeError):
        pass


if __name__ == "__main__":
    arguments = iterative_server.parse_arguments()
    listener = iterative_server.listen(arguments.host, arguments.port)
    iterative_server.serve_forever(listener, serve_and_forget_to_close)
