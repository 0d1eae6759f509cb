#!/usr/bin/env python3
"""Mistake: the line is stripped before it is compared, so "/who " and " /who" count as the command."""
import shared_server


def answer_lines(client, shared, client_id):
    reader = shared_server.LineReader(client)
    while (line := reader.read_line()) is not None:
        if line.strip() == b"/who":
            client.sendall(shared_server.who(shared, client_id).encode() + b"\n")
        else:
            client.sendall(b"%d: %s\n" % (shared.counter.next(), line))


if __name__ == "__main__":
    shared_server.main(answer=answer_lines)
