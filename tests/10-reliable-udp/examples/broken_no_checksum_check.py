#!/usr/bin/env python3
"""Broken on purpose: trusts every datagram, whatever its checksum says. A
datagram damaged on the way is taken as it came: the receiver writes its
damaged bytes, the sender believes a damaged ACK's number. The grader fails
it on the checksum tests and through a network that corrupts datagrams."""

import sys

import reliable_udp

reliable_udp.checksum_is_right = lambda data: True

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
