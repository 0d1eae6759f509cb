#!/usr/bin/env python3
"""Broken on purpose: a graceful shutdown that waits, with no deadline, for
every client to receive what is queued for it. A client that has stopped
reading never will: the server never exits. The grader must fail it."""

import robust_chat


class Server(robust_chat.Server):
    flush_seconds = float("inf")

    def shut_down(self):
        with self.room.lock:
            self.room.shut_down()
        for thread in self.threads:
            thread.join()  # THE MISTAKE: no deadline, no cut-off


if __name__ == "__main__":
    robust_chat.main(Server)
