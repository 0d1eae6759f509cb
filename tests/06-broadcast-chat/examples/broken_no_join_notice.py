#!/usr/bin/env python3
"""Broken on purpose: a newcomer is added to the list, but nobody is told.
Everything else is right. The grader must fail the join notice's tests, and
only those."""

import chat_server


class QuietArrivals(chat_server.Registry):
    def add(self, member):
        with self.lock:
            self.members.append(member)


if __name__ == "__main__":
    chat_server.main(QuietArrivals)
