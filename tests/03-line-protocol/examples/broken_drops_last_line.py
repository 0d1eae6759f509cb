#!/usr/bin/env python3
"""Mistake: a last line without '\\n' is dropped when the client closes."""
import line_server


def whole_lines_only(client):
    buffer = b""
    while data := client.recv(4096):
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield line[:-1] if line.endswith(b"\r") else line


if __name__ == "__main__":
    line_server.main(lines=whole_lines_only)
