#!/usr/bin/env python3
"""Broken on purpose: no queue at all; a client whose socket would block
(send() fails with EAGAIN) is dropped at once. It never stalls anyone, but
it drops clients long before --max-queue bytes are pending: a client that
is a little slow for a moment (a phone on a train) is thrown out. The
grader must fail it."""

import socket

import robust_chat


class ImpatientOutbox(robust_chat.Outbox):
    def deliver(self, data):
        with self.cond:
            if self.finishing or self.aborted:
                return True
            try:
                sent = self.sock.send(data, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return False
            except OSError:
                return True
            if sent < len(data):
                self.queue += data[sent:]  # rare: the rest goes out with the writer
                self.cond.notify()
            return True


class Server(robust_chat.Server):
    outbox_class = ImpatientOutbox


if __name__ == "__main__":
    robust_chat.main(Server)
