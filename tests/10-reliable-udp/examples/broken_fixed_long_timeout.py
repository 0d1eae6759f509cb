#!/usr/bin/env python3
"""Broken on purpose: a fixed timeout of one second, whatever the round trip,
and no fast retransmit: every loss stalls the transfer for a second, on a
link whose round trip is 20 ms."""

import sys

import reliable_udp

reliable_udp.RoundTrip.timeout = lambda self: 1.0
reliable_udp.Sender.FAST_RETRANSMIT = False

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
