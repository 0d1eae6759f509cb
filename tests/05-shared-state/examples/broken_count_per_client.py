#!/usr/bin/env python3
"""Mistake: lab 04's count, one per connection, where lab 05 wants one for the whole server."""
import shared_server


def answer_lines(client, shared, client_id):
    reader = shared_server.LineReader(client)
    count = 0
    while (line := reader.read_line()) is not None:
        if line == b"/who":
            client.sendall(shared_server.who(shared, client_id).encode() + b"\n")
        else:
            count += 1
            client.sendall(b"%d: %s\n" % (count, line))


if __name__ == "__main__":
    shared_server.main(answer=answer_lines)
