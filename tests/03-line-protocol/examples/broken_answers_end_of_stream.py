#!/usr/bin/env python3
"""Mistake: the end of the stream is taken as one more (empty) line, so a
client that closes after a whole line gets an extra reply "N: "."""
import line_server


def lines_and_an_empty_one(client):
    buffer = b""
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield line[:-1] if line.endswith(b"\r") else line
        data = client.recv(4096)
        if not data:
            yield buffer
            return
        buffer += data


if __name__ == "__main__":
    line_server.main(lines=lines_and_an_empty_one)
