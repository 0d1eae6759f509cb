#!/usr/bin/env python3
"""Broken on purpose: each recv() is relayed as if it were a line (the
classic "TCP is messages" mistake), its '\\n' and '\\r' trimmed. Everything
else is right. The grader must fail the tests of lines split over reads."""

import chat_server


def reads_as_lines(sock):
    while True:
        data = sock.recv(65536)
        if not data:
            return
        yield data.rstrip(b"\n").removesuffix(b"\r")


if __name__ == "__main__":
    chat_server.lines = reads_as_lines
    chat_server.main()
