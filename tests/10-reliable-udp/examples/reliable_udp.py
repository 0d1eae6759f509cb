#!/usr/bin/env python3
"""reliable-udp in Python: lab 10's program, written from the contract alone,
so that the grader is seen to grade any language (--cmd).

    python3 reliable_udp.py receive [--host HOST] [--port PORT]
    python3 reliable_udp.py send --to HOST:PORT [--window N]

The same ideas as the C++ reference, in the same order: the header and its
checksum; the receiver's buffer and cumulative ACKs; the sender's window, a
timer per datagram that follows the round trip, fast retransmit; the FIN and
the receiver's linger. The broken_*.py examples beside it each change one
small piece of it (they import it), so the pieces are small functions;
timer_only.py leaves out fast retransmit, and still passes the timer's tests.
"""

import argparse
import select
import socket
import struct
import sys
import time

DATA, ACK, FIN = 1, 2, 3
HEADER_SIZE = 9
MAX_PAYLOAD = 1200
ORDER = "!"  # network byte order: big-endian

# ------------------------------------------------------------------ header --


def checksum(data):
    """The Internet checksum (RFC 1071) of data: a ones' complement sum of
    16-bit big-endian words (an odd last byte padded with zero), complemented."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def encode(kind, number, payload=b""):
    header = struct.pack(ORDER + "BIHH", kind, number, len(payload), 0)
    return struct.pack(ORDER + "BIHH", kind, number, len(payload), checksum(header + payload)) + payload


def checksum_is_right(data):
    stored = struct.unpack(ORDER + "H", data[7:9])[0]
    return checksum(data[:7] + b"\0\0" + data[9:]) == stored


def decode(data):
    """(kind, number, payload), or None for bytes that are not a datagram."""
    if len(data) < HEADER_SIZE:
        return None
    kind, number, length, _ = struct.unpack(ORDER + "BIHH", data[:HEADER_SIZE])
    if len(data) != HEADER_SIZE + length:
        return None
    if kind == DATA:
        if not 1 <= length <= MAX_PAYLOAD:
            return None
    elif kind in (ACK, FIN):
        if length != 0:
            return None
    else:
        return None
    if not checksum_is_right(data):
        return None
    return kind, number, data[HEADER_SIZE:]


# ---------------------------------------------------------------- receiver --


class Receiver:
    MAX_AHEAD = 1024  # DATA this far past the one expected, or further, is not kept
    LINGER = 2.0      # seconds a complete transfer's FIN is still answered

    def __init__(self, sock, output):
        self.sock = sock
        self.output = output
        self.expected = 0  # the next DATA to write
        self.waiting = {}  # DATA that came early, by number
        self.fin = None    # the FIN's number, once it has come

    def complete(self):
        return self.fin is not None and self.expected == self.fin

    def keep(self, number):
        """Whether a DATA not written yet is kept until its turn."""
        return number - self.expected < self.MAX_AHEAD

    def on_data(self, number, payload):
        if number < self.expected or not self.keep(number) or (self.fin is not None and number >= self.fin):
            return
        self.waiting.setdefault(number, payload)
        wrote = False
        while self.expected in self.waiting:
            self.output.write(self.waiting.pop(self.expected))
            self.expected += 1
            wrote = True
        if wrote:
            self.output.flush()

    def on_fin(self, number):
        if self.fin is None and number >= self.expected:
            self.fin = number

    def ack_number(self, kind, number):
        """The number the ACK of this datagram carries: the next one expected."""
        return self.fin + 1 if self.complete() else self.expected

    def run(self):
        sender = None
        done_at = None
        while True:
            wait = None if done_at is None else done_at + self.LINGER - time.monotonic()
            if wait is not None and wait <= 0:
                return 0
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                continue
            data, address = self.sock.recvfrom(65536)
            datagram = decode(data)
            if datagram is None or datagram[0] == ACK:
                continue
            if sender is None:
                sender = address
            if address != sender:
                continue
            kind, number, payload = datagram
            if kind == DATA:
                self.on_data(number, payload)
            else:
                self.on_fin(number)
            if self.complete() and done_at is None:
                self.output.flush()
                done_at = time.monotonic()
            self.sock.sendto(encode(ACK, self.ack_number(kind, number)), address)


# ------------------------------------------------------------------ sender --


class RoundTrip:
    """The retransmission timeout, following the round trip (RFC 6298)."""

    INITIAL, MARGIN, MAXIMUM = 1.0, 0.1, 2.0

    def __init__(self):
        self.smoothed = None
        self.variation = 0.0
        self.measured_timeout = self.INITIAL
        self.backed_off = 0

    def timeout(self):
        return min(self.MAXIMUM, self.measured_timeout * 2 ** self.backed_off)

    def measured(self, round_trip):
        if self.smoothed is None:
            self.smoothed, self.variation = round_trip, round_trip / 2
        else:
            self.variation = 0.75 * self.variation + 0.25 * abs(self.smoothed - round_trip)
            self.smoothed = 0.875 * self.smoothed + 0.125 * round_trip
        self.measured_timeout = min(self.MAXIMUM, self.smoothed + max(self.MARGIN, 4 * self.variation))

    def back_off(self):
        self.backed_off += 1

    def reset_back_off(self):
        self.backed_off = 0


class InFlight:
    def __init__(self, kind, data):
        self.kind = kind
        self.data = data
        self.sent_at = 0.0
        self.deadline = 0.0
        self.sent_again = False


class Sender:
    GIVE_UP_AFTER = 10.0
    FAST_RETRANSMIT = True

    def __init__(self, sock, receiver, window, source):
        self.sock = sock
        self.receiver = receiver
        self.window = window
        self.source = source
        self.in_flight = []  # numbers base, base + 1, ...; the FIN last, once sent
        self.base = 0
        self.next = 0
        self.input_ended = False
        self.round_trip = RoundTrip()
        self.last_measured = 0.0
        self.last_progress = 0.0
        self.last_heard = 0.0
        self.duplicates = 0
        self.recovering_until = None

    def read_payload(self):
        payload = b""
        while len(payload) < MAX_PAYLOAD:
            chunk = self.source.read(MAX_PAYLOAD - len(payload))
            if not chunk:
                break
            payload += chunk
        return payload

    def room(self):
        """How many more DATA may go: the window, less those in flight."""
        return self.window - len(self.in_flight)

    def transmit(self, datagram):
        datagram.sent_at = time.monotonic()
        datagram.deadline = datagram.sent_at + self.round_trip.timeout()
        try:
            self.sock.sendto(datagram.data, self.receiver)
        except (BlockingIOError, ConnectionRefusedError, OSError):
            pass  # as if the network had lost it

    def resend(self, datagram):
        datagram.sent_again = True
        self.transmit(datagram)

    def fill_window(self):
        while not self.input_ended and self.room() > 0:
            payload = self.read_payload()
            self.input_ended = not payload
            kind = FIN if self.input_ended else DATA
            datagram = InFlight(kind, encode(kind, self.next, payload))
            self.in_flight.append(datagram)
            self.transmit(datagram)
            self.next += 1

    def done(self):
        return self.input_ended and not self.in_flight

    def on_ack(self, number):
        now = time.monotonic()
        self.last_heard = now
        if self.round_trip.smoothed is None and self.base == 0 and not self.in_flight[0].sent_again:
            self.round_trip.measured(now - self.in_flight[0].sent_at)
            self.last_measured = now
        if number == self.base:
            self.duplicates += 1
            if self.duplicates == 3 and self.FAST_RETRANSMIT:
                self.recovering_until = self.next
                self.resend(self.in_flight[0])
            return
        if number < self.base or number > self.next:
            return
        acknowledged = self.in_flight[: number - self.base]
        if not any(d.sent_again for d in acknowledged) and now - self.last_measured >= (self.round_trip.smoothed or 0):
            self.round_trip.measured(now - acknowledged[-1].sent_at)
            self.last_measured = now
        del self.in_flight[: number - self.base]
        self.base = number
        self.last_progress = now
        self.duplicates = 0
        self.round_trip.reset_back_off()
        if self.recovering_until is not None and self.base < self.recovering_until and self.FAST_RETRANSMIT:
            self.resend(self.in_flight[0])
        else:
            self.recovering_until = None

    def resend_late(self):
        now = time.monotonic()
        round_trip = self.round_trip.smoothed if self.round_trip.smoothed is not None else self.round_trip.INITIAL
        silence = False
        for datagram in self.in_flight:
            if datagram.deadline > now:
                continue
            if self.last_heard > datagram.sent_at + round_trip:
                self.resend(datagram)  # ACKs came after its own was due: it was lost
            else:
                silence = True  # nothing at all has come back since it went
        if silence:
            # Not a word back since: probe with the oldest alone, and back off.
            self.round_trip.back_off()
            oldest = self.in_flight[0]
            if oldest.deadline <= now:
                self.resend(oldest)
            for datagram in self.in_flight:
                datagram.deadline = max(datagram.deadline, oldest.deadline)

    def run(self):
        self.last_progress = self.last_heard = time.monotonic()
        self.fill_window()
        while not self.done():
            now = time.monotonic()
            give_up = self.last_progress + self.GIVE_UP_AFTER
            next_timeout = min(d.deadline for d in self.in_flight)
            ready, _, _ = select.select([self.sock], [], [], max(0.0, min(next_timeout, give_up) - now))
            if ready:
                try:
                    data, address = self.sock.recvfrom(65536)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                datagram = decode(data)
                if datagram is not None and datagram[0] == ACK and address[:2] == self.receiver[:2]:
                    self.on_ack(datagram[1])
            elif time.monotonic() >= give_up:
                print("reliable-udp: nothing acknowledged by %s for 10 seconds; giving up" % format_address(self.receiver),
                      file=sys.stderr)
                return 1
            else:
                self.resend_late()
            self.fill_window()
        return 0


# -------------------------------------------------------------------- main --


def format_address(address):
    host, port = address[0], address[1]
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def port_number(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError("bad port '%s' (0 to 65535)" % text)
    return int(text)


def window_size(text):
    if not text.isdigit() or not 1 <= int(text) <= 1024:
        raise argparse.ArgumentTypeError("bad window '%s' (1 to 1024)" % text)
    return int(text)


def host_and_port(text):
    host, colon, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        host = ""
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError("bad address '%s' (HOST:PORT, or [IPv6]:PORT)" % text)
    return host, int(port)


def main(arguments):
    parser = argparse.ArgumentParser(prog="reliable-udp")
    roles = parser.add_subparsers(dest="role", required=True)
    receive = roles.add_parser("receive")
    receive.add_argument("--host", default="127.0.0.1")
    receive.add_argument("--port", type=port_number, default=8001)
    send = roles.add_parser("send")
    send.add_argument("--to", type=host_and_port, required=True)
    send.add_argument("--window", type=window_size, default=32)
    options = parser.parse_args(arguments)

    if options.role == "receive":
        where = format_address((options.host, options.port))
        try:
            family, kind, protocol, _, address = socket.getaddrinfo(
                options.host, options.port, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE)[0]
            sock = socket.socket(family, kind, protocol)
            sock.bind(address)
        except (OSError, socket.gaierror) as error:
            print("reliable-udp: cannot listen on %s: %s" % (where, error.strerror or error), file=sys.stderr)
            return 1
        print("listening on " + format_address(sock.getsockname()), flush=True)
        return Receiver(sock, sys.stdout.buffer).run()

    host, port = options.to
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    except socket.gaierror as error:
        print("reliable-udp: cannot send to %s: %s" % (format_address((host, port)), error.strerror), file=sys.stderr)
        return 1
    sock = socket.socket(family, kind, protocol)
    return Sender(sock, address, options.window, sys.stdin.buffer).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
