#!/usr/bin/env python3
"""Mistake: every line takes a number before the command is recognised, "/who" included.

The answer to "/who" is right, but the number it took is lost: the line after
it skips one.
"""
import shared_server


def answer_lines(client, shared, client_id):
    reader = shared_server.LineReader(client)
    while (line := reader.read_line()) is not None:
        number = shared.counter.next()  # too early: "/who" is not numbered
        if line == b"/who":
            client.sendall(shared_server.who(shared, client_id).encode() + b"\n")
        else:
            client.sendall(b"%d: %s\n" % (number, line))


if __name__ == "__main__":
    shared_server.main(answer=answer_lines)
