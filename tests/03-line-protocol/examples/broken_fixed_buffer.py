#!/usr/bin/env python3
"""Mistake: a fixed 1024-byte line buffer, as in C's
`char line[1024]; readline(fd, line, sizeof line)`: a longer line is handed
out in 1023-byte pieces, each answered as a line."""
import line_server

MAX_LINE = 1024


def lines_of_at_most_1023_bytes(client):
    for line in line_server.read_lines(client):
        while len(line) >= MAX_LINE:
            yield line[:MAX_LINE - 1]
            line = line[MAX_LINE - 1:]
        yield line


if __name__ == "__main__":
    line_server.main(lines=lines_of_at_most_1023_bytes)
