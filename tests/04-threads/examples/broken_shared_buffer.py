#!/usr/bin/env python3
"""Mistake: one line buffer for every thread.

Each thread has its own socket, but the bytes it receives go into a buffer
that all threads share, so one client's unfinished line picks up another's
bytes.
"""
import threaded_server


class SharedBufferReader(threaded_server.LineReader):
    shared = bytearray()  # a class attribute: the same buffer for every reader

    def __init__(self, client):
        super().__init__(client)
        self.buffer = SharedBufferReader.shared


if __name__ == "__main__":
    threaded_server.main(serve=lambda client: threaded_server.serve_client(client, make_reader=SharedBufferReader))
