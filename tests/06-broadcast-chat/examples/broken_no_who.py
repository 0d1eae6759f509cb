#!/usr/bin/env python3
"""Broken on purpose: '/who' is not a command here, it is relayed like any
other line. Everything else is right. The grader must fail the tests of
'/who', and only those."""

import chat_server


class NoWho(chat_server.Registry):
    def who(self):
        raise NotImplementedError


def serve_client(registry, member):
    try:
        for line in chat_server.lines(member.sock):
            if line:
                registry.relay(member, line)
    except OSError:
        pass
    registry.remove(member)
    member.close()


if __name__ == "__main__":
    chat_server.serve_client = serve_client
    chat_server.main()
