#!/usr/bin/env python3
"""Broken on purpose: every line goes to everyone, the sender included.

The relay loop forgot to skip the sender, so the sender sees its own line
come back as "ADDR says: ...". The grader must fail it.
"""

import chat_server


class EchoingRegistry(chat_server.Registry):
    def relay(self, sender, line):
        with self.lock:
            everyone = list(self.members)
        chat_server.send_to_each(everyone, sender.address.encode() + b" says: " + line + b"\n")


if __name__ == "__main__":
    chat_server.main(EchoingRegistry)
