#!/usr/bin/env python3
"""Correct, but for one feature: no fast retransmit. Its timeout follows the
round trip (RFC 6298, as the handout has it), so a lost DATA is sent again
within a few round trips, however busy the machine: the timer's tests pass
(and the 10 % loss speed test may not: fast retransmit is what makes it)."""

import sys

import reliable_udp

reliable_udp.Sender.FAST_RETRANSMIT = False

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
