#!/usr/bin/env python3
"""Broken on purpose: a client that leaves is announced, and its socket
closed, but it is never taken off the list: '/who' still lists it, and
every line is still offered to it. The grader must fail it."""

import chat_server


class ForgetfulRegistry(chat_server.Registry):
    def remove(self, member):
        with self.lock:
            still_here = [other for other in self.members if other is not member]
        chat_server.send_to_each(still_here, f"* {member.address} left\n".encode())


if __name__ == "__main__":
    chat_server.main(ForgetfulRegistry)
