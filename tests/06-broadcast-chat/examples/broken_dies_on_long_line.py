#!/usr/bin/env python3
"""Broken on purpose: a line longer than 1 MiB raises, and the error ends the
whole program (os._exit: as an uncaught exception does in a C++ thread).
Everything else is right. The grader must fail the long line's test."""

import os
import chat_server

LIMIT = 1 << 20


def lines_up_to_a_limit(sock):
    for line in original_lines(sock):
        if len(line) > LIMIT:
            print("chat-server: line too long", flush=True)
            os._exit(1)
        yield line


if __name__ == "__main__":
    original_lines = chat_server.lines
    chat_server.lines = lines_up_to_a_limit
    chat_server.main()
