#!/usr/bin/env python3
"""Broken on purpose: lines are relayed with their control bytes, so anyone
can send ESC sequences (colours, cursor moves, clearing the screen) or a
bell to everyone else's terminal. The grader must fail it."""

import robust_chat


class Room(robust_chat.Room):
    def chat(self, client_id, line):
        if line:
            name = self.clients[client_id][0]
            self.tell_everyone_but(client_id, name.encode() + b" says: " + line + b"\n")


class Server(robust_chat.Server):
    room_class = Room


if __name__ == "__main__":
    robust_chat.main(Server)
