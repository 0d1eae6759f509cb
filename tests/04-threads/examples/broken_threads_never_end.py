#!/usr/bin/env python3
"""Mistake: a client's thread does not end when its client leaves.

Here each thread, its client gone, waits for a shutdown that never comes, so
the server gains a thread per client, forever. (The same happens to a thread
that loops on recv() after it returned the end of the stream.)
"""
import threading

import threaded_server

shutdown = threading.Event()


def serve_then_wait(client):
    threaded_server.serve_client(client)
    shutdown.wait()  # "wait until the server stops": it never does


if __name__ == "__main__":
    threaded_server.main(serve=serve_then_wait)
