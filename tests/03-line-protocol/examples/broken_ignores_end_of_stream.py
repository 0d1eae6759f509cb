#!/usr/bin/env python3
"""Mistake: recv() returning nothing (0 bytes: the client has closed its
side) is not taken as the end, so the last line is never answered and the
connection never closed (in C: `while (recv(...) >= 0)`, spinning)."""
import line_server


def lines_never_ending(client):
    buffer = b""
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield line[:-1] if line.endswith(b"\r") else line
        buffer += client.recv(4096)


if __name__ == "__main__":
    line_server.main(lines=lines_never_ending)
