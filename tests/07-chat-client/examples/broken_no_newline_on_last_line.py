#!/usr/bin/env python3
"""Broken on purpose: a last input line without '\\n' is sent as it is, so the
server never sees it end (it arrives as a half line, then the end of the
stream). The grader must fail it."""

import socket
import sys

import chat_client


def send_as_is(sock, input_ended):
    try:
        for line in sys.stdin.buffer:
            sock.sendall(line)  # the last line may lack its '\n'
        input_ended.set()
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


if __name__ == "__main__":
    chat_client.main(send_as_is)
