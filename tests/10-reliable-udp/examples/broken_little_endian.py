#!/usr/bin/env python3
"""Broken on purpose: the header's numbers go little-endian (the byte order
of x86 and most ARM machines), as copying a struct would send them. Two
copies of it understand each other; nobody else does: the contract's
numbers are big-endian (network byte order)."""

import sys

import reliable_udp

reliable_udp.ORDER = "<"

if __name__ == "__main__":
    sys.exit(reliable_udp.main(sys.argv[1:]))
