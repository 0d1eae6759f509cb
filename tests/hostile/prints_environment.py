"""Hostile lab 01 submission: echoes correctly, and prints every entry of
environment it can find: its own, and every /proc/*/environ it can read
(each process's and each thread's, the sandbox's first process included).
It prints them on standard output after the `listening on` line and on
standard error, those that look secret (TOKEN, SECRET, KEY, PASSWORD...)
last, where a failing test's report shows them; then it exits with status
3 instead of 0, so that the tests of the exit fail and their reports show
what it printed. Whatever the grading host had in its environment would be
in front of the student, if the sandbox had passed it on.

    python3 prints_environment.py [--own-only] --port PORT
--own-only: only its own environment (graded unconfined, every process of
the caller's is readable: there only its own environment is promised)."""

import glob
import os
import re
import sys

import echo_server

own_only = "--own-only" in sys.argv
if own_only:
    sys.argv.remove("--own-only")
LOOKS_SECRET = re.compile(r"TOKEN|SECRET|KEY|PASS|AUTH|CRED", re.IGNORECASE)


def everything():
    entries = {f"{key}={value}" for key, value in os.environ.items()}
    processes = 1
    if not own_only:
        for path in set(glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/task/[0-9]*/environ")
                        + ["/proc/self/environ", "/proc/1/environ"]):
            try:
                with open(path, "rb") as file:
                    found = file.read().decode("utf-8", "replace").split("\0")
            except OSError:
                continue
            processes += 1
            entries.update(entry.replace("\n", " ") for entry in found if entry)
    lines = sorted(entries, key=lambda entry: (bool(LOOKS_SECRET.search(entry.split("=")[0])), entry))
    return "\n".join(lines + [f"({len(entries)} entries of environment seen, in {processes} environments)"])


def main():
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    echo_server.announce(listener)
    text = everything()
    print(text, flush=True)
    print(text, file=sys.stderr, flush=True)
    echo_server.serve(listener)
    print(everything(), file=sys.stderr, flush=True)
    sys.exit(3)


main()
