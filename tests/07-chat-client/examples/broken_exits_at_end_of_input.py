#!/usr/bin/env python3
"""Broken on purpose: at the end of input it closes the connection and exits
at once, instead of half-closing and printing what the server still sends
until the server closes. The grader must fail it."""

import os
import socket
import sys

import chat_client


def send_then_quit(sock, input_ended):
    for line in sys.stdin.buffer:
        sock.sendall(line if line.endswith(b"\n") else line + b"\n")
    sock.shutdown(socket.SHUT_WR)
    sys.stdout.flush()
    os._exit(0)  # without waiting for the server's last lines


if __name__ == "__main__":
    chat_client.main(send_then_quit)
