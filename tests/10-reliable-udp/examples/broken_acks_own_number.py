#!/usr/bin/env python3
"""Broken on purpose: the receiver acknowledges the datagram that came (its
own number, plus one), not the next one it expects. After DATA 0 and DATA 2
it says ACK 3, which tells the sender that 1 arrived too: a lost DATA is
then never sent again. Right while nothing is lost or reordered."""

import sys

import reliable_udp

reliable_udp.Receiver.ack_number = lambda self, kind, number: number + 1

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
