#!/usr/bin/env python3
"""Broken on purpose: the join notice goes to everyone, the newcomer
included, so it reads "* ITS-OWN-ADDR joined". The grader must fail it."""

import chat_server


class LoudRegistry(chat_server.Registry):
    def add(self, member):
        with self.lock:
            self.members.append(member)
            everyone = list(self.members)
        chat_server.send_to_each(everyone, f"* {member.address} joined\n".encode())


if __name__ == "__main__":
    chat_server.main(LoudRegistry)
