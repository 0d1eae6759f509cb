#!/usr/bin/env python3
"""Broken on purpose: when a client closes its side, bytes left over without
a '\\n' are thrown away instead of relayed as its last line. Everything else
is right. The grader must fail the last line's tests, and only those."""

import chat_server


def whole_lines_only(sock):
    pending = b""
    while True:
        data = sock.recv(65536)
        if not data:
            return  # the last line without '\n' is lost
        pending += data
        *whole, pending = pending.split(b"\n")
        for line in whole:
            yield line[:-1] if line.endswith(b"\r") else line


if __name__ == "__main__":
    chat_server.lines = whole_lines_only
    chat_server.main()
