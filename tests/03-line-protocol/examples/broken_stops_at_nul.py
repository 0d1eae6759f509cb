#!/usr/bin/env python3
"""Mistake: a line handled as a C string (strlen, printf "%s"), so it ends
at its first '\\0'."""
import line_server


def lines_as_c_strings(client):
    for line in line_server.read_lines(client):
        yield line.split(b"\0")[0]


if __name__ == "__main__":
    line_server.main(lines=lines_as_c_strings)
