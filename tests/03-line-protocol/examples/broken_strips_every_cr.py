#!/usr/bin/env python3
"""Mistake: every '\\r' at the end of a line is dropped (rstrip), where only
one is: "a\\r\\r\\n" is the line "a\\r"."""
import line_server


def lines_without_any_cr(client):
    for line in line_server.read_lines(client):
        yield line.rstrip(b"\r")


if __name__ == "__main__":
    line_server.main(lines=lines_without_any_cr)
