#!/usr/bin/env python3
"""Mistake: "/who" lists everyone but the asker ("who else is here?")."""
import shared_server


def who_else(shared, client_id):
    with shared.registry.lock:
        others = [address for entry_id, address in shared.registry.entries if entry_id != client_id]
    return "* online: " + " ".join(others)


if __name__ == "__main__":
    shared_server.who = who_else
    shared_server.main()
