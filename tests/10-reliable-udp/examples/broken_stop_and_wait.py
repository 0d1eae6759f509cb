#!/usr/bin/env python3
"""Broken on purpose: stop-and-wait. The sender sends one DATA, and waits
for its ACK before the next, whatever --window says: a round trip per
datagram, 874 of them for 1 MiB (about 17 s at 10 ms each way)."""

import sys

import reliable_udp

reliable_udp.Sender.room = lambda self: 1 - len(self.in_flight)

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
