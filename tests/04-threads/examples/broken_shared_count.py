#!/usr/bin/env python3
"""Mistake: one count for the whole server (lab 05's), where lab 04 counts
each connection's lines from 1. Everything else is right: the grader must
fail the per-connection count's tests, and only those."""
import threading

import threaded_server

count = 0
count_lock = threading.Lock()


def answer_with_one_count(client, reader):
    global count
    while (line := reader.read_line()) is not None:
        with count_lock:
            count += 1
            number = count
        client.sendall(b"%d: %s\n" % (number, line))


def serve_with_one_count(client):
    threaded_server.serve_client(client, answer=answer_with_one_count)


if __name__ == "__main__":
    threaded_server.main(serve=serve_with_one_count)
