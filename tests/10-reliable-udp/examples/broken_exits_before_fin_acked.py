#!/usr/bin/env python3
"""Broken on purpose: the sender exits (status 0) as soon as every DATA is
acknowledged and the FIN is sent, without waiting for the FIN's ACK. If the
FIN is lost, the receiver never learns the transfer is over."""

import sys

import reliable_udp

reliable_udp.Sender.done = lambda self: self.input_ended and all(d.kind == reliable_udp.FIN for d in self.in_flight)

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
