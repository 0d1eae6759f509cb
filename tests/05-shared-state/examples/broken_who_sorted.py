#!/usr/bin/env python3
"""Mistake: the registry is kept sorted by address (like a std::map or std::set keyed
by address), so "/who" is in address order, not in the order clients connected.

Client ports mostly go up as clients connect, so this looks right most of the
time: the grader connects one client from a port above all the others.
"""
import shared_server


class SortedByAddress(shared_server.Registry):
    def addresses(self):
        return sorted(super().addresses())


if __name__ == "__main__":
    shared_server.main(registry=SortedByAddress)
