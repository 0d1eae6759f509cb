#!/usr/bin/env python3
"""Broken on purpose: at the end of input it half-closes first and notes that
the input ended only afterwards. The server answers the half-close by
closing; if the network thread sees that close before the flag is set, the
client says "* disconnected" after a clean end of input. On a real machine
that is a race of microseconds; the grader's slow-shutdown test makes it
happen every time, and must fail this client. (In C++: input_ended = true
after net::shutdown_sending.)"""

import socket
import sys

import chat_client


def half_close_then_note(sock, input_ended):
    try:
        for line in sys.stdin.buffer:
            sock.sendall(line if line.endswith(b"\n") else line + b"\n")
        sock.shutdown(socket.SHUT_WR)
        input_ended.set()  # the mistake: too late, the server may have closed already
    except OSError:
        pass


if __name__ == "__main__":
    chat_client.main(half_close_then_note)
