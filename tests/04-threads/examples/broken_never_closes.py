#!/usr/bin/env python3
"""Mistake: the server keeps every client's socket, "for later", and never closes it.

A client that has finished never sees the connection close, and each one
leaves a file descriptor behind.
"""
import threaded_server

every_client = []


def serve_and_keep(client):
    every_client.append(client)
    try:
        threaded_server.answer_lines(client, threaded_server.LineReader(client))
    except OSError:
        pass


if __name__ == "__main__":
    threaded_server.main(serve=serve_and_keep)
