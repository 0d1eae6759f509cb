#!/usr/bin/env python3
"""Broken on purpose: the receiver keeps only the DATA it expects next, and
drops any that comes early (Go-Back-N's receiver). The transfer still
completes, since the sender sends again whatever is not acknowledged, but
every datagram after a loss is sent twice; the contract keeps them."""

import sys

import reliable_udp

reliable_udp.Receiver.keep = lambda self, number: number == self.expected

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
