#!/usr/bin/env python3
"""Mistake: lab 03's loop, one client at a time. A silent client holds up everyone."""
import threaded_server


def serve_here(serve, client):
    serve(client)  # on the accept loop's own thread: nobody else is accepted meanwhile


if __name__ == "__main__":
    threaded_server.main(start=serve_here)
