#!/usr/bin/env python3
"""Mistake: the original course's chat server. Each recv(1024) is taken as
one message, so reads are numbered, not lines."""
import line_server


def each_read_as_a_line(client):
    while data := client.recv(1024):
        yield data.rstrip(b"\r\n")


if __name__ == "__main__":
    line_server.main(lines=each_read_as_a_line)
