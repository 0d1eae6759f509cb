"""Hostile lab 01 submission: a correct echo server that, the first time it
starts in a sandbox, leaves a daemon (double fork, setsid: outside the
process group the grader watches) that fills memory, 64 MiB at a time, up
to 2 GiB. The sandbox's memory limit must stop it; the echo is graded."""

import os
import time

import echo_server

MARK = "/tmp/netlabs-hostile-ate"  # the sandbox's scratch: once per grading


def eat():
    meals = []
    for _ in range(32):
        meals.append(b"\x01" * (64 << 20))  # written, not just reserved
    time.sleep(60)


if not os.path.exists(MARK):
    open(MARK, "w").close()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            eat()
        os._exit(0)
    os.wait()
echo_server.main()
