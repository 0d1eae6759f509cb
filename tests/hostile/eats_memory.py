"""Hostile lab 01 submission: a correct echo server that, the first time it
starts in a sandbox, leaves a daemon (double fork, setsid: outside the
process group the grader watches) that fills memory, 32 MiB at a time, up
to 768 MiB, and only then goes on. The sandbox's memory limit (check.sh
sets 384 MiB) must stop the daemon; the echo is graded as usual.

The server waits until the daemon has been stopped (or has eaten it all),
so that the limit is reached before grading goes on, however fast or slow
the machine."""

import os
import time

import echo_server

MARK = "/tmp/netlabs-hostile-ate"  # the sandbox's scratch: once per grading


def eat(report):
    meals = []
    for _ in range(24):
        meals.append(b"\x01" * (32 << 20))  # written, not just reserved
    os.write(report, b"ate it all\n")
    time.sleep(60)


if not os.path.exists(MARK):
    open(MARK, "w").close()
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        os.close(read_end)
        os.setsid()
        if os.fork() == 0:
            eat(write_end)
        os._exit(0)
    os.close(write_end)
    os.wait()
    os.read(read_end, 100)  # "ate it all", or nothing: the daemon was killed
    os.close(read_end)
echo_server.main()
