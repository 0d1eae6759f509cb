#!/usr/bin/env python3
"""Broken on purpose: the receiver exits as soon as the transfer is complete.
If its ACK of the FIN is lost, the sender sends the FIN again, and nobody
answers: the sender cannot know the transfer is over (TCP's TIME_WAIT is
this linger)."""

import sys

import reliable_udp

reliable_udp.Receiver.LINGER = 0.0

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
