#!/usr/bin/env python3
"""Broken on purpose: one client's reset ends someone else's conversation.

Relaying catches no error, so a send to a client that has just reset raises
in the SENDER's thread, which takes the error for its own disconnection and
ends: the sender is dropped, and the others miss its lines. (In C++ this is
a std::system_error thrown by send_all to the dead client, caught by the
sender's serve_client.) The grader must fail it.
"""

import chat_server


def send_to_each_without_catching(members, data):
    for member in members:
        member.send(data)  # an error here escapes into the sender's thread


class FragileRegistry(chat_server.Registry):
    def relay(self, sender, line):
        send_to_each_without_catching(self.everyone_but(sender),
                                      sender.address.encode() + b" says: " + line + b"\n")


if __name__ == "__main__":
    chat_server.main(FragileRegistry)
