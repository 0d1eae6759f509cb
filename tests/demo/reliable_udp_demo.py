#!/usr/bin/env python3
"""./lab demo 10: a file sent with lab 10's reliable-udp through a visibly
bad network, and arriving identical.

    reliable_udp_demo.py PROGRAM [FILE] [--quick] [--seed N]

PROGRAM is a reliable-udp (the reference, or yours). The network (the relay
of bench/lossy_relay.py) loses, repeats, reorders and corrupts datagrams,
20 ms each way; a line counts, while it happens, what it did and what the
sender had to send again. At the end both ends' SHA-256 are shown. Without
FILE, 1 MiB of random bytes. --quick: 64 KiB, no pauses (for ./lab check);
the exit status is 0 only if the file arrived identical.
"""

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from lossy_relay import LossyRelay  # noqa: E402


def thousands(n):
    return "{:,}".format(n)


def main():
    parser = argparse.ArgumentParser(prog="reliable_udp_demo.py")
    parser.add_argument("program")
    parser.add_argument("file", nargs="?")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    tty = sys.stdout.isatty() and not options.quick
    seed = options.seed if options.seed is not None else random.randrange(1_000_000)

    with tempfile.TemporaryDirectory() as scratch:
        path = options.file
        if path is None:
            path = os.path.join(scratch, "input.bin")
            with open(path, "wb") as out:
                out.write(random.Random(seed).randbytes((64 if options.quick else 1024) * 1024))
        with open(path, "rb") as source:
            data = source.read()
        sent_hash = hashlib.sha256(data).hexdigest()
        print("sending %s (%s bytes)\n  SHA-256 %s" % (options.file or "1 MiB of random bytes" if not options.quick
                                                     else "64 KiB of random bytes", thousands(len(data)), sent_hash))

        receiver = subprocess.Popen([options.program, "receive", "--port", "0"], stdout=subprocess.PIPE)
        line = receiver.stdout.readline().decode().strip()
        host, port = line.rsplit(" ", 1)[-1].rsplit(":", 1)
        received = hashlib.sha256()
        got = [0]

        def read_output():
            while True:
                chunk = receiver.stdout.read1(65536)
                if not chunk:
                    return
                received.update(chunk)
                got[0] += len(chunk)

        reader = threading.Thread(target=read_output, daemon=True)
        reader.start()

        relay = LossyRelay((host, int(port)), loss=0.10, repeat=0.05, reorder=0.10, corrupt=0.03, delay=0.020, seed=seed)
        print("the receiver: %s\nthe network (seed %d): loses 10 %%, repeats 5 %%, reorders 10 %%, corrupts 3 %% of "
              "datagrams, 20 ms each way" % (line, seed))
        started = time.monotonic()
        with open(path, "rb") as source:
            sender = subprocess.Popen([options.program, "send", "--to", relay.address], stdin=source)

        def status():
            c = relay.counts
            return ("%5.1f s  network: %s datagrams, %s dropped, %s repeated, %s held back, %s corrupted | sender: %s DATA, "
                    "%s sent again | received %s of %s bytes" %
                    (time.monotonic() - started, thousands(c["datagrams"]), c["dropped"], c["repeated"], c["held back"],
                     c["corrupted"], thousands(c["DATA"]), c["DATA again"], thousands(got[0]), thousands(len(data))))

        shown = time.monotonic()
        while sender.poll() is None:
            time.sleep(0.05)  # the display's pace, not a wait for an event
            if tty:
                print("\r\033[K" + status(), end="", flush=True)
            elif time.monotonic() - shown >= 1.0:
                print(status(), flush=True)
                shown = time.monotonic()
        took = time.monotonic() - started
        print(("\r\033[K" if tty else "") + status())
        print("the sender exited with status %d after %.2f s (%.0f KB/s)" % (sender.returncode, took, len(data) / took / 1000))
        print("the receiver lingers 2 s (answering a FIN sent again, if its ACK was lost), then exits...", flush=True)
        try:
            receiver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            receiver.kill()
        reader.join(timeout=5)
        relay.stop()
        identical = received.hexdigest() == sent_hash and got[0] == len(data)
        print("received %s bytes\n  SHA-256 %s  %s" % (thousands(got[0]), received.hexdigest(),
                                                   "identical" if identical else "DIFFERENT"))
        return 0 if identical and sender.returncode == 0 and receiver.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
