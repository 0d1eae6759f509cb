#!/usr/bin/env python3
"""Lab 08's robust chat server in Python: the grader grades any language.

    ./lab grade 08 --cmd "python3 tests/08-robust-chat/examples/robust_chat.py --port {port}"

The same design as the C++ solution: a Room that is the protocol alone
(names, commands, notices; it never touches a socket), an Outbox per client
(a queue drained by that client's own writer thread: one send for
everything queued), a reader thread per client, flow control (while a
client that reads has more than a high-water mark waiting, the readers
hand the room no lines; a client whose socket took nothing for a second is
stalled: it holds nobody, and past --max-queue it is dropped), and signals
turned into a file descriptor the accept loop waits on
(signal.set_wakeup_fd).
The broken_*.py files beside it each import this one and get one thing
wrong; `./lab check` makes sure the grader catches every one.
"""

import argparse
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

MAX_LINE = 4096
PROGRAM = "robust-chat"
STALL_SECONDS = 1  # a socket that took nothing for this long: the client has stopped reading


def port_number(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"bad port '{text}' (0 to 65535)")
    return int(text)


def positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def parse_arguments():
    # argparse prints the usage on standard error and exits with 2 on bad input.
    parser = argparse.ArgumentParser(prog=PROGRAM)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port_number, default=8001)
    parser.add_argument("--max-clients", type=positive, default=1000)
    parser.add_argument("--max-queue", type=positive, default=1024 * 1024)
    return parser.parse_args()


def address_text(address):
    host, port = address[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"{PROGRAM}: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    print(f"listening on {address_text(listener.getsockname())}", flush=True)
    return listener


class LineTooLong(Exception):
    pass


def lines(sock, max_line=MAX_LINE):
    """The lines of a connection, without '\\n' and one '\\r' before it; a last
    line without '\\n' at the end. LineTooLong as soon as more than max_line
    bytes have come without a '\\n' (a '\\r' counts)."""
    pending = b""
    while True:
        data = sock.recv(65536)
        if not data:
            if pending:
                yield pending
            return
        pending += data
        *whole, pending = pending.split(b"\n")
        for line in whole:
            if len(line) > max_line:
                raise LineTooLong()
            yield line[:-1] if line.endswith(b"\r") else line
        if len(pending) > max_line:
            raise LineTooLong()


def without_control_bytes(text):
    return bytes(b for b in text if not ((b < 0x20 and b != 0x09) or b == 0x7F))


def is_valid_name(name):
    return 1 <= len(name) <= 20 and all(
        chr(b).isascii() and (chr(b).isalnum() or chr(b) in "_-") for b in name)


class Flow:
    """Backpressure: how many clients that read are behind. While any is,
    readers hand the room no lines (wait_until_free)."""

    def __init__(self, max_queue):
        self.high_water = min(64 * 1024, max_queue // 2)
        self.low_water = self.high_water // 2
        self.behind = 0
        self.cond = threading.Condition()

    def held(self):
        return self.behind > 0

    def wait_until_free(self):
        with self.cond:
            while self.behind:
                self.cond.wait()

    def change(self, delta):
        with self.cond:
            self.behind += delta
            if not self.behind:
                self.cond.notify_all()


class Outbox:
    """One client's pending output and its writer thread."""

    def __init__(self, sock, address, max_queue, flow):
        self.sock = sock
        self.address = address
        self.max_queue = max_queue
        self.flow = flow
        self.queue = bytearray()
        self.cond = threading.Condition()
        self.finishing = False
        self.aborted = False
        self.stalled = False
        self.behind = False
        # The writer's send gives up after a second without taking a byte.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", STALL_SECONDS, 0))

    def update_flow(self):
        """Under self.cond: behind while reading, in the room, and over the high water."""
        limit = self.flow.low_water if self.behind else self.flow.high_water
        behind = not (self.finishing or self.aborted or self.stalled) and len(self.queue) > limit
        if behind != self.behind:
            self.behind = behind
            self.flow.change(1 if behind else -1)

    def deliver(self, data):
        with self.cond:
            if self.finishing or self.aborted:
                return True
            if self.stalled and len(self.queue) + len(data) > self.max_queue:
                return False  # it stopped reading, and is past --max-queue
            self.queue += data
            self.update_flow()
            self.cond.notify()
            return True

    def finish(self):
        with self.cond:
            self.finishing = True
            self.update_flow()
            self.cond.notify()

    def abort(self):
        with self.cond:
            self.aborted = True
            self.update_flow()
            self.cond.notify()
        try:  # reset on close: free the kernel's buffers for a client that does not read
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.end_connection()

    def end_connection(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes our reader's recv and a blocked send
        except OSError:
            pass

    def write_until_done(self):
        drop = False
        try:
            while not drop:
                with self.cond:
                    while not (self.aborted or self.finishing or self.queue):
                        self.cond.wait()
                    if self.aborted or not self.queue:
                        break
                    batch = bytes(self.queue)  # everything queued: one send (batching)
                sent = 0
                while sent < len(batch) and not drop:
                    try:
                        count = self.sock.send(batch[sent:])
                    except BlockingIOError:  # SO_SNDTIMEO: nothing taken for a second
                        count = 0
                    sent += count
                    with self.cond:
                        if self.aborted:
                            break
                        self.stalled = count == 0
                        drop = self.stalled and len(self.queue) > self.max_queue
                        del self.queue[:count]
                        self.update_flow()
        except OSError:
            pass  # the client is gone: its reader sees it too
        if drop:
            self.abort()
        with self.cond:
            self.aborted = True  # nothing more is written: it holds nobody
            self.update_flow()
        self.end_connection()


class Room:
    """The protocol alone: who is here, under which name, and who hears what.
    Not thread-safe by itself: callers hold room.lock."""

    def __init__(self, max_clients, flow):
        self.lock = threading.Lock()
        self.flow = flow
        self.max_clients = max_clients
        self.clients = {}  # id -> [name, outbox], in the order they joined
        self.next_id = 1
        self.overflowing = []

    def full(self):
        return len(self.clients) >= self.max_clients

    def join(self, address, outbox):
        client_id = self.next_id
        self.next_id += 1
        self.clients[client_id] = [address, outbox]
        self.tell_everyone_but(client_id, f"* {address} joined\n".encode())
        self.drop_the_overflowing()
        return client_id

    def handle_line(self, client_id, line):
        """False: read nothing more from this client."""
        if client_id not in self.clients:
            return False
        if line == b"/quit":
            self.remove(client_id)
        elif line == b"/who":
            self.tell(client_id, self.who())
        elif line == b"/nick" or line.startswith(b"/nick "):
            self.rename(client_id, line[6:])
        elif line.startswith(b"/"):
            self.unknown_command(client_id, line)
        else:
            self.chat(client_id, line)
        self.drop_the_overflowing()
        return client_id in self.clients

    def unknown_command(self, client_id, line):
        self.tell(client_id, b"! unknown command: " + without_control_bytes(line) + b"\n")

    def chat(self, client_id, line):
        text = without_control_bytes(line)
        if text:
            name = self.clients[client_id][0]
            self.tell_everyone_but(client_id, name.encode() + b" says: " + text + b"\n")

    def rename(self, client_id, name):
        if not is_valid_name(name):
            return self.tell(client_id, b"! invalid name\n")
        name = name.decode()
        if self.name_taken(client_id, name):
            return self.tell(client_id, b"! name taken\n")
        old = self.clients[client_id][0]
        self.clients[client_id][0] = name
        self.tell_everyone_but(client_id, f"* {old} is now {name}\n".encode())
        self.tell(client_id, f"* you are now {name}\n".encode())

    def name_taken(self, client_id, name):
        return any(other != client_id and entry[0] == name for other, entry in self.clients.items())

    def who(self):
        return ("* online: " + " ".join(entry[0] for entry in self.clients.values()) + "\n").encode()

    def line_too_long(self, client_id):
        self.tell(client_id, b"! line too long\n")
        self.leave(client_id)

    def leave(self, client_id):
        if client_id in self.clients:
            self.remove(client_id)
            self.drop_the_overflowing()

    def shut_down(self):
        for name, outbox in self.clients.values():
            outbox.deliver(b"* server shutting down\n")
            outbox.finish()
        self.clients.clear()

    def tell(self, client_id, data):
        if client_id in self.clients and not self.clients[client_id][1].deliver(data):
            self.overflowing.append(client_id)

    def tell_everyone_but(self, client_id, data):
        for other, (name, outbox) in self.clients.items():
            if other != client_id and not outbox.deliver(data):
                self.overflowing.append(other)

    def remove(self, client_id):
        name, outbox = self.clients.pop(client_id)
        outbox.finish()
        self.tell_everyone_but(client_id, f"* {name} left\n".encode())

    def drop_the_overflowing(self):
        while self.overflowing:
            client_id = self.overflowing.pop()
            if client_id in self.clients:
                name, outbox = self.clients.pop(client_id)
                outbox.abort()
                self.tell_everyone_but(client_id, f"* {name} left\n".encode())


def read_lines(room, client_id, sock):
    for line in lines(sock):
        room.flow.wait_until_free()  # someone who reads is behind: hand the room nothing
        with room.lock:
            if not room.handle_line(client_id, line):
                return


def serve_client(room, client_id, outbox, writer):
    try:
        read_lines(room, client_id, outbox.sock)
    except LineTooLong:
        with room.lock:
            room.line_too_long(client_id)
    except OSError:
        pass  # a reset: the client left without a goodbye
    with room.lock:
        room.leave(client_id)
    writer.join()  # only then is nobody using the socket
    outbox.sock.close()


def turn_away(sock):
    try:
        sock.send(b"! server full\n", socket.MSG_DONTWAIT)
    except OSError:
        pass
    sock.close()


class Server:
    """The accept loop and the shutdown: who drives the room."""

    outbox_class = Outbox
    room_class = Room
    flush_seconds = 1.0

    def __init__(self, arguments):
        self.arguments = arguments
        self.flow = Flow(arguments.max_queue)
        self.room = self.room_class(arguments.max_clients, self.flow)
        self.threads = []
        self.outboxes = []

    def stop_signals(self):
        """A pipe that becomes readable when SIGINT or SIGTERM arrives."""
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        signal.set_wakeup_fd(write_end)
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: None)  # the wakeup fd does the work
        return read_end

    def run(self):
        stop = self.stop_signals()
        listener = listen(self.arguments.host, self.arguments.port)
        while True:
            ready, _, _ = select.select([listener, stop], [], [])
            if stop in ready:
                break
            sock, address = listener.accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.accept(sock, address_text(address))
        self.shut_down()

    def accept(self, sock, address):
        with self.room.lock:
            if self.room.full():
                return turn_away(sock)
            outbox = self.outbox_class(sock, address, self.arguments.max_queue, self.flow)
            client_id = self.room.join(address, outbox)
        self.start(outbox, client_id)

    def start(self, outbox, client_id):
        writer = threading.Thread(target=outbox.write_until_done)
        reader = threading.Thread(target=serve_client, args=(self.room, client_id, outbox, writer))
        writer.start()
        reader.start()
        self.threads = [thread for thread in self.threads if thread.is_alive()] + [reader, writer]
        self.outboxes = [box for box in self.outboxes if not box.sock._closed] + [outbox]

    def shut_down(self):
        with self.room.lock:
            self.room.shut_down()
        deadline = time.monotonic() + self.flush_seconds
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for outbox in self.outboxes:  # those that stopped reading: cut off now
            outbox.abort()
        for thread in self.threads:
            thread.join()


def main(server_class=Server):
    server_class(parse_arguments()).run()
    sys.exit(0)


if __name__ == "__main__":
    main()
