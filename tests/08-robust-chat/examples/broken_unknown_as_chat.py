#!/usr/bin/env python3
"""Broken on purpose: lab 06's habit. A line that is not exactly a command
is chat, so "/WHO" or "/nick" mistyped as "/nik bob" goes to everyone
instead of "! unknown command: LINE" to the asker. The grader must fail it."""

import robust_chat


class Room(robust_chat.Room):
    def unknown_command(self, client_id, line):
        self.chat(client_id, line)


class Server(robust_chat.Server):
    room_class = Room


if __name__ == "__main__":
    robust_chat.main(Server)
