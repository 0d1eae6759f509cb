"""A bad network between a UDP sender and a UDP receiver (lab 10), for
`./lab demo 10` and `./lab bench 10`.

The sender sends to relay.address; the relay sends on to the receiver from a
socket of its own, and the receiver's replies go back the same way. On the
way it drops, repeats, holds back (so later datagrams overtake: reordering),
corrupts and delays datagrams, at random from a seed, and counts what it did.
(The grader's own network, tests/harness/lossy_network.cpp, does the same
in C++, with a timeline for its failure reports.)
"""

import heapq
import random
import select
import socket
import threading
import time

DATA, ACK, FIN = 1, 2, 3


class LossyRelay:
    def __init__(self, receiver, loss=0.0, repeat=0.0, reorder=0.0, corrupt=0.0, delay=0.0, seed=1):
        self.receiver = receiver
        self.loss, self.repeat, self.reorder, self.corrupt, self.delay = loss, repeat, reorder, corrupt, delay
        self.random = random.Random(seed)
        self.sender_side = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sender_side.bind(("127.0.0.1", 0))
        self.receiver_side = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.receiver_side.bind(("127.0.0.1", 0))
        for side in (self.sender_side, self.receiver_side):
            side.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            side.setblocking(False)
        self.sender = None
        self.pending = []  # (due, order, socket, bytes, address)
        self.order = 0
        self.lock = threading.Lock()
        self.counts = {"datagrams": 0, "dropped": 0, "repeated": 0, "held back": 0, "corrupted": 0,
                       "DATA": 0, "DATA again": 0, "ACK": 0, "FIN": 0}
        self.seen = set()
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "%s:%d" % self.sender_side.getsockname()

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.sender_side.close()
        self.receiver_side.close()

    def count(self, data, forward):
        with self.lock:
            self.counts["datagrams"] += 1
            kind = data[0] if data else 0
            number = int.from_bytes(data[1:5], "big") if len(data) >= 5 else 0
            name = {DATA: "DATA", ACK: "ACK", FIN: "FIN"}.get(kind)
            if name and forward == (kind != ACK):
                self.counts[name] += 1
                if kind == DATA:
                    if number in self.seen:
                        self.counts["DATA again"] += 1
                    self.seen.add(number)

    def note(self, what):
        with self.lock:
            self.counts[what] += 1

    def schedule(self, delay, side, data, address):
        self.order += 1
        heapq.heappush(self.pending, (time.monotonic() + delay, self.order, side, data, address))

    def arrived(self, data, forward):
        self.count(data, forward)
        side, address = (self.receiver_side, self.receiver) if forward else (self.sender_side, self.sender)
        if address is None or self.random.random() < self.loss:
            self.note("dropped")
            return
        delay = self.delay
        if self.random.random() < self.reorder:
            delay += self.random.uniform(0.002, 0.010)
            self.note("held back")
        first = data
        if data and self.random.random() < self.corrupt:
            at = self.random.randrange(len(data))
            first = data[:at] + bytes([data[at] ^ (1 << self.random.randrange(8))]) + data[at + 1:]
            self.note("corrupted")
        self.schedule(delay, side, first, address)
        if self.random.random() < self.repeat:
            self.schedule(delay + self.random.uniform(0, 0.005), side, data, address)
            self.note("repeated")

    def run(self):
        while not self.stopping:
            wait = 0.05
            if self.pending:
                wait = max(0.0, min(wait, self.pending[0][0] - time.monotonic()))
            ready, _, _ = select.select([self.sender_side, self.receiver_side], [], [], wait)
            for side in ready:
                while True:
                    try:
                        data, address = side.recvfrom(65536)
                    except (BlockingIOError, ConnectionRefusedError):
                        break
                    if side is self.sender_side:
                        if self.sender is None:
                            self.sender = address
                        if address == self.sender:
                            self.arrived(data, True)
                    elif address == self.receiver:
                        self.arrived(data, False)
            now = time.monotonic()
            while self.pending and self.pending[0][0] <= now:
                _, _, side, data, address = heapq.heappop(self.pending)
                try:
                    side.sendto(data, address)
                except OSError:
                    pass
