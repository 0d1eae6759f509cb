#!/usr/bin/env python3
"""Broken on purpose: a write queue per client, but no bound. A client that
stops reading makes the server queue everything for it, for ever: memory
any client can make the server spend. --max-queue is accepted and ignored.
The grader must fail it."""

import robust_chat


class UnboundedOutbox(robust_chat.Outbox):
    def deliver(self, data):
        with self.cond:
            if not (self.finishing or self.aborted):
                self.queue += data  # no limit
                self.cond.notify()
        return True


class Server(robust_chat.Server):
    outbox_class = UnboundedOutbox


if __name__ == "__main__":
    robust_chat.main(Server)
