#!/usr/bin/env python3
"""Broken on purpose: --max-clients is accepted and ignored. Every client is
let in, and each costs two threads and a descriptor: a crowd can exhaust
the server. The grader must fail it."""

import robust_chat


class Room(robust_chat.Room):
    def full(self):
        return False


class Server(robust_chat.Server):
    room_class = Room


if __name__ == "__main__":
    robust_chat.main(Server)
