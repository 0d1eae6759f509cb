#!/usr/bin/env python3
"""Broken on purpose: a write queue per client, but no bound. A client that
stops reading is never dropped: the server queues everything for it, for
ever: memory any client can make the server spend. --max-queue is accepted
and ignored. The grader must fail it."""

import robust_chat


class UnboundedOutbox(robust_chat.Outbox):
    def __init__(self, *args):
        super().__init__(*args)
        self.max_queue = float("inf")  # THE MISTAKE: no limit, even for a client that stopped reading


class Server(robust_chat.Server):
    outbox_class = UnboundedOutbox


if __name__ == "__main__":
    robust_chat.main(Server)
