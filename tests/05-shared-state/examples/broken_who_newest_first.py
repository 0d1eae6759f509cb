#!/usr/bin/env python3
"""Mistake: new clients are put at the front of the list, so "/who" is newest first."""
import shared_server


class NewestFirst(shared_server.Registry):
    def add(self, address):
        with self.lock:
            client_id = self.next_id
            self.next_id += 1
            self.entries.insert(0, (client_id, address))
            return client_id


if __name__ == "__main__":
    shared_server.main(registry=NewestFirst)
