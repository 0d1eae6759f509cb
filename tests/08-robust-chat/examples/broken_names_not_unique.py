#!/usr/bin/env python3
"""Broken on purpose: /nick never checks whether another client already has
the name. Two clients called alice: nobody can tell who says what, and
anyone can pose as anyone. The grader must fail it."""

import robust_chat


class Room(robust_chat.Room):
    def name_taken(self, client_id, name):
        return False


class Server(robust_chat.Server):
    room_class = Room


if __name__ == "__main__":
    robust_chat.main(Server)
