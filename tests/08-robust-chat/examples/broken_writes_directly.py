#!/usr/bin/env python3
"""Broken on purpose: lab 06's design. Relaying a line sends it straight to
each receiver's socket (sendall, under that receiver's lock), from the
sender's thread. One client that stops reading then stalls every thread
that relays to it, and the accept loop with its join notices:
head-of-line blocking. (Nothing is queued, so nothing is ever dropped
either.) The grader must fail it."""

import socket
import struct
import threading

import robust_chat


class DirectOutbox(robust_chat.Outbox):
    def __init__(self, *args):
        super().__init__(*args)
        self.write_lock = threading.Lock()
        # No time limit on a send (lab 06 had none).
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 0, 0))

    def deliver(self, data):
        with self.write_lock:
            if not (self.finishing or self.aborted):
                try:
                    self.sock.sendall(data)  # waits as long as the client does not read
                except OSError:
                    pass
        return True


class Server(robust_chat.Server):
    outbox_class = DirectOutbox


if __name__ == "__main__":
    robust_chat.main(Server)
