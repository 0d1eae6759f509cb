#!/usr/bin/env python3
"""Broken on purpose: a client that leaves is removed from the list, but
nobody is told. The grader must fail it."""

import chat_server


class SilentRegistry(chat_server.Registry):
    def remove(self, member):
        with self.lock:
            self.members.remove(member)


if __name__ == "__main__":
    chat_server.main(SilentRegistry)
