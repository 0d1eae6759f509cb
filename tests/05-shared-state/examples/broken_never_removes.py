#!/usr/bin/env python3
"""Mistake: clients are added to the registry and never removed, so "/who" lists ghosts."""
import shared_server


class NeverForgets(shared_server.Registry):
    def remove(self, client_id):
        pass


if __name__ == "__main__":
    shared_server.main(registry=NeverForgets)
