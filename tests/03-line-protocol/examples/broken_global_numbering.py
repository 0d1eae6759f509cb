#!/usr/bin/env python3
"""Mistake: one counter for the whole server, so numbering does not start
again at 1 for the next connection."""
import line_server

count = 0


def answer_with_global_count(client, lines):
    global count
    for line in lines(client):
        count += 1
        client.sendall(b"%d: %s\n" % (count, line))


if __name__ == "__main__":
    line_server.main(talk=answer_with_global_count)
