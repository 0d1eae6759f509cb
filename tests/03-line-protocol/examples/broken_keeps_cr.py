#!/usr/bin/env python3
"""Mistake: the '\\r' of a "\\r\\n" line ending is kept."""
import line_server


def lines_with_their_cr(client):
    buffer = b""
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield line
        data = client.recv(4096)
        if not data:
            if buffer:
                yield buffer
            return
        buffer += data


if __name__ == "__main__":
    line_server.main(lines=lines_with_their_cr)
