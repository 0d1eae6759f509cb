#!/usr/bin/env python3
"""Mistake: replies end in "\\r\\n"; servers end every line with '\\n' alone."""
import line_server


def answer_with_crlf(client, lines):
    for number, line in enumerate(lines(client), start=1):
        client.sendall(b"%d: %s\r\n" % (number, line))


if __name__ == "__main__":
    line_server.main(talk=answer_with_crlf)
