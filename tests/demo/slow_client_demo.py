#!/usr/bin/env python3
"""./lab demo 08: one client stops reading, on lab 06 and on lab 08.

    slow_client_demo.py PATH_TO_lab06_chat-server PATH_TO_lab08_robust-chat

The same scene twice. alice and carol read everything; bob connects with a
small receive buffer and then never reads (a laptop whose lid was closed).
alice pastes a long log. On lab 06 the whole room freezes behind bob
(head-of-line blocking); on lab 08 the others wait for bob a second (a
slow reader is waited for: flow control), then go on without him, and he
is dropped once more than --max-queue bytes wait for him. Then
lab 08 is stopped with SIGINT (what Ctrl-C sends): everyone hears
"* server shutting down" and it exits with status 0.

Loopback only. It starts both servers itself, on free ports, and kills
only those (by PID) when it ends or is interrupted. Every wait has a
deadline: it ends by itself, in about 15 s (within a minute even if a
server never answers).
The pauses between steps are only there for a human to read along;
LAB_DEMO_NO_PAUSES=1 leaves them out (the check in the lab 08 suite does).
"""

import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

PAUSES = os.environ.get("LAB_DEMO_NO_PAUSES", "") not in ("1", "yes", "true")
START = time.monotonic()
LINE_BYTES = 1000  # each line of the paste, its "\n" included
MAX_QUEUE = 100_000  # lab 08's --max-queue in this demo (the default is 1 MiB)
BOB_RECEIVE_BUFFER = 4096
# alice pastes no faster than carol reads: never more than this many lines
# ahead of her. So carol's queue in lab 08 never holds more than twice that
# (the lines carol has not got yet, and at most as many that the server's
# writer has sent but not yet counted as sent: it may be preempted between
# send() and consume()), about 61 KB, well under MAX_QUEUE: only bob, who
# reads nothing, can be dropped.
PASTE_AHEAD = 30


def elapsed(at=None):
    return (time.monotonic() if at is None else at) - START


def show(text, at=None):
    """A step of the demo, with the time it happened."""
    print(f"{elapsed(at):5.1f} s  {text}", flush=True)


def explain(text):
    """What to notice, under the step it explains."""
    for line in text.strip().split("\n"):
        print(f"         {line.strip()}", flush=True)


def heading(text):
    print(f"\n== {text}\n", flush=True)


def pause(seconds=1.0):
    if PAUSES:
        time.sleep(seconds)


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def count(number):
    return f"{number:,}"


def kernel_send_buffer_limit():
    """The most Linux lets a socket's send buffer grow to (tcp_wmem's third number)."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as limits:
            return int(limits.read().split()[2])
    except (OSError, ValueError, IndexError):
        return 4 * 1024 * 1024


# ------------------------------------------------------------------ clients --

class Network:
    """One thread that does every client's reading and sending (selectors),
    and records what happened, with the time. The script waits on
    `changed` for what it expects, always with a deadline."""

    def __init__(self):
        self.changed = threading.Condition()
        self.clients = []
        self.selector = selectors.DefaultSelector()
        self.wake_reader, self.wake_writer = socket.socketpair()
        self.wake_reader.setblocking(False)
        self.selector.register(self.wake_reader, selectors.EVENT_READ, None)
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def wake(self):
        try:
            self.wake_writer.send(b"x")
        except OSError:
            pass

    def add(self, client):
        with self.changed:
            self.clients.append(client)
        self.wake()

    def run(self):
        while not self.stopping:
            with self.changed:
                for client in list(self.clients):
                    client.update_interest(self.selector)
                    if client.discarded:
                        client.sock.close()
                        self.clients.remove(client)
            for key, events in self.selector.select(timeout=1.0):
                if key.data is None:
                    try:
                        self.wake_reader.recv(4096)
                    except BlockingIOError:
                        pass
                    continue
                with self.changed:
                    if events & selectors.EVENT_READ:
                        key.data.on_readable()
                    if events & selectors.EVENT_WRITE:
                        key.data.on_writable()
                    self.changed.notify_all()

    def wait_until(self, condition, seconds):
        """True once condition() holds, False if `seconds` passed first."""
        with self.changed:
            return self.changed.wait_for(condition, timeout=seconds)

    def stop(self):
        self.stopping = True
        self.wake()
        self.thread.join(timeout=2)
        with self.changed:
            for client in self.clients:
                client.sock.close()
            self.clients.clear()


class Client:
    """A chat client on loopback. It reads everything unless reads=False
    (bob). Lines are kept with the time they arrived; the paste's lines are
    only counted, and checked to come in order."""

    def __init__(self, network, name, port, reads=True, receive_buffer=None):
        self.network = network
        self.name = name
        self.reads = reads
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            # Before connect(), so that the window TCP offers stays small too.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.address = "%s:%d" % self.sock.getsockname()[:2]
        self.connected_at = time.monotonic()
        self.sock.connect(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.registered = None  # the events the selector watches for us
        self.pending = b""  # received, not yet a whole line
        self.lines = []  # (time, text), the paste's lines left out
        self.paste_lines = 0
        self.paste_in_order = True
        self.last_paste_at = None
        self.closed_at = None
        self.closed_how = ""
        self.outbox = bytearray()
        self.sent_bytes = 0
        self.sending_failed = False
        # alice's paste goes out at most PASTE_AHEAD lines ahead of what carol
        # has received: (carol, alice's sent_bytes when the paste began).
        self.paced_by = None
        self.discarded = False  # closed by the network thread, which owns the socket
        network.add(self)

    # Called by the network thread, under network.changed.
    def update_interest(self, selector):
        if self.closed_at is not None or self.discarded:
            wanted = 0
        else:
            wanted = (selectors.EVENT_READ if self.reads else 0) | (
                selectors.EVENT_WRITE if self.outbox and not self.sending_failed and self.may_send() > 0 else 0)
        if wanted == (self.registered or 0):
            return
        if self.registered:
            selector.unregister(self.sock)
        if wanted:
            selector.register(self.sock, wanted, self)
        self.registered = wanted or None

    def on_readable(self):
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError as error:
            self.closed_at, self.closed_how = time.monotonic(), f"reset ({error.strerror})"
            return
        if not data:
            self.closed_at, self.closed_how = time.monotonic(), "closed by the server"
            return
        now = time.monotonic()
        *lines, self.pending = (self.pending + data).split(b"\n")
        for line in lines:
            text = line.decode(errors="replace")
            marker = text.find(" says: log line ")
            if marker >= 0:
                number = int(text[marker + len(" says: log line "):].split(" ", 1)[0])
                self.paste_in_order &= number == self.paste_lines + 1
                self.paste_lines += 1
                self.last_paste_at = now
            else:
                self.lines.append((now, text))

    def may_send(self):
        if self.paced_by is None:
            return 1 << 16
        reader, sent_before = self.paced_by
        return sent_before + (reader.paste_lines + PASTE_AHEAD) * LINE_BYTES - self.sent_bytes

    def on_writable(self):
        try:
            sent = self.sock.send(self.outbox[:min(1 << 16, self.may_send())])
        except BlockingIOError:
            return
        except OSError:
            self.sending_failed = True
            return
        del self.outbox[:sent]
        self.sent_bytes += sent

    # Called by the script.
    def send(self, text):
        """Queues text for the network thread to send; the time it was queued."""
        with self.network.changed:
            queued_at = time.monotonic()
            self.outbox += text
        self.network.wake()
        return queued_at

    def say(self, line):
        show(f"{self.name:<5} -> {line}")
        return self.send(line.encode() + b"\n")

    def first_line(self, predicate, after=0.0):
        """(time, text) of the first line received after `after` that matches, or None."""
        for at, text in self.lines:
            if at >= after and predicate(text):
                return at, text
        return None

    def close(self):
        with self.network.changed:
            self.discarded = True
        self.network.wake()


def paste(lines):
    """The log alice pastes: numbered lines of LINE_BYTES bytes each."""
    chunks = []
    for number in range(1, lines + 1):
        text = f"log line {number} "
        chunks.append(text.encode() + b"." * (LINE_BYTES - 1 - len(text)) + b"\n")
    return b"".join(chunks)


# ------------------------------------------------------------------ servers --

class Server:
    """A chat server this demo started, on a free port, in a session of its
    own (so that a Ctrl-C in the terminal reaches the demo, which stops it)."""

    def __init__(self, argv):
        self.process = subprocess.Popen(argv + ["--port", "0"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        start_new_session=True)
        STARTED.append(self)
        self.listening = ""
        self.error = b""
        self.ready = threading.Event()
        threading.Thread(target=self.read_stdout, daemon=True).start()
        threading.Thread(target=self.read_stderr, daemon=True).start()
        if not self.ready.wait(timeout=10) or not self.listening:
            raise SystemExit(f"demo: {argv[0]} did not start:\n{self.error.decode(errors='replace')}")
        self.port = int(self.listening.rsplit(":", 1)[1])

    def read_stdout(self):
        for line in self.process.stdout:  # read to the end, so that it never blocks writing
            if not self.listening and line.startswith(b"listening on "):
                self.listening = line.decode().strip()
                self.ready.set()
        self.ready.set()

    def read_stderr(self):
        self.error = self.process.stderr.read()

    def signal(self, number):
        if self.process.poll() is None:
            os.kill(self.process.pid, number)

    def wait(self, seconds):
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


STARTED = []  # every server this demo started, stopped at the end whatever happens


def exit_status(status):
    if status is None:
        return "still running"
    if status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"exit status {status}"


# ------------------------------------------------------------------- scenes --

def join_the_room(network, port, names_first=False):
    """alice, bob (who never reads) and carol connect, in this order, each
    once the one before is in the room (alice has heard them join)."""
    alice = Client(network, "alice", port)
    show(f"alice connects from {alice.address}; she reads everything")
    clients = [alice]
    for name, reads in (("bob", False), ("carol", True)):
        if reads:
            client = Client(network, name, port)
            show(f"{name:<5} connects from {client.address}; she reads everything")
        else:
            client = Client(network, name, port, reads=False, receive_buffer=BOB_RECEIVE_BUFFER)
            show(f"{name:<5} connects from {client.address} with a {BOB_RECEIVE_BUFFER // 1024} KiB receive buffer, "
                 "and will never read")
            explain("(a phone in a tunnel, a laptop whose lid was closed, a client with a bug)")
        clients.append(client)
        joined = f"* {client.address} joined"
        if not network.wait_until(lambda: alice.first_line(lambda text: text == joined), 5):
            raise SystemExit(f"demo: alice did not hear {name} join within 5 s")
    alice, bob, carol = clients
    if names_first:
        for client in clients:
            client.say(f"/nick {client.name}")
        # carol knows everyone's name once she has heard the others' "is now".
        named = lambda name: carol.first_line(lambda text: text.endswith(f" is now {name}"))
        if not network.wait_until(lambda: named("alice") and named("bob"), 5):
            raise SystemExit("demo: carol did not hear alice and bob take their names within 5 s")
        explain("(lab 08 has names: from now on the server says \"bob\", not his address)")
    else:
        explain("(lab 06 has no names: the server calls each client by its address;\n"
                " the demo adds the name in [brackets])")
    pause()
    return alice, bob, carol


def say_hi(network, alice, carol, line, everyone):
    sent_at = alice.say(line)
    heard = network.wait_until(lambda: carol.first_line(lambda text: text.endswith(" says: " + line), sent_at), 5)
    if heard:
        at, text = carol.first_line(lambda text: text.endswith(" says: " + line), sent_at)
        show(f"carol <- {with_names(text, everyone)}   (after {ms(at - sent_at)})", at)
    else:
        show(f"carol has not got \"{line}\" 5 s later")
    return heard


def read_what_is_left(client, seconds):
    """Reads a client that never read (bob) until its connection ends, for
    at most `seconds`: (bytes received, how it ended)."""
    received, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        client.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = client.sock.recv(1 << 16)
        except socket.timeout:
            break
        except OSError as error:
            return received, f"{error.strerror} (the server reset the connection)"
        if not data:
            return received, "the server closed the connection"
        received += len(data)
    return received, f"the connection is still open, {seconds} s later"


def with_names(text, clients):
    for client in clients:
        text = text.replace(client.address, f"{client.address} [{client.name}]")
    return text


def start_paste(alice, carol, lines):
    show(f"alice pastes a long log: {count(lines)} lines of {count(LINE_BYTES)} bytes "
         f"({lines * LINE_BYTES / 1e6:.1f} MB), as fast as carol reads them")
    explain("(more than the kernel is willing to buffer for a client that does not read)")
    with alice.network.changed:
        alice.paced_by = (carol, alice.sent_bytes)
    return alice.send(paste(lines))


def progress(alice, bob, carol, lines):
    show(f"  carol has got {count(carol.paste_lines):>5} of the {count(lines)} lines;  "
         f"bob has read nothing in {elapsed() - elapsed(bob.connected_at):.1f} s")


def lab06_scene(network, program, lines):
    heading("1. Lab 06's chat server: the thread that reads a client writes to every other client itself")
    server = Server([program])
    show(f"lab 06: {server.listening}")
    alice, bob, carol = join_the_room(network, server.port)
    everyone = [alice, bob, carol]
    say_hi(network, alice, carol, "hi all", everyone)
    explain("all is well while everyone reads")
    pause()

    start_paste(alice, carol, lines)
    # Every half second, how far the paste got; stuck once nothing has
    # moved for a whole second (it never moves again: see below).
    deadline = time.monotonic() + 8
    last, still_since = None, time.monotonic()
    while time.monotonic() < deadline:
        network.wait_until(lambda: carol.paste_lines == lines, 0.5)
        progress(alice, bob, carol, lines)
        now = carol.paste_lines
        if now != last:
            last, still_since = now, time.monotonic()
        if carol.paste_lines == lines or time.monotonic() - still_since >= 1.0:
            break
    stuck = carol.paste_lines < lines
    if stuck:
        show(f"lab 06 is stuck: carol has got {count(carol.paste_lines)} of {count(lines)} lines, "
             f"and nothing moved for {time.monotonic() - still_since:.1f} s")
        explain(f"""
            Why: alice's thread relays each line to bob, then to carol (in the order they joined).
            bob's buffers are full (about {carol.paste_lines * LINE_BYTES / 1e6:.1f} MB: his 4 KiB, and what the kernel keeps
            for him on the server's side), so its send() to bob waits for bob: for ever.
            carol gets nothing more, and nobody reads alice's lines any more either.
            This is head-of-line blocking: everyone waits behind the one who does not read.""")
    pause(1.5)

    dave = Client(network, "dave", server.port)
    everyone.append(dave)
    show(f"dave  connects from {dave.address}: does the room hear \"* {dave.address} joined\"?")
    joined = lambda client: client.first_line(lambda text: text == f"* {dave.address} joined")
    network.wait_until(lambda: joined(alice) and joined(carol), 2)
    for client in (alice, carol):
        heard = joined(client)
        if heard:
            show(f"{client.name:<5} <- {with_names(heard[1], everyone)}   "
                 f"(after {ms(heard[0] - dave.connected_at)})", heard[0])
        else:
            show(f"{client.name:<5} has heard nothing, {elapsed() - elapsed(dave.connected_at):.1f} s later")
    if joined(alice) and not joined(carol):
        explain("""
            The accept loop tells everyone in turn: alice, then bob... and waits on bob too.
            carol, after bob in the list, never hears of dave.""")
    pause(1.5)

    show("Ctrl-C to lab 06 (SIGINT)")
    server.signal(signal.SIGINT)
    status = server.wait(3)
    network.wait_until(lambda: alice.closed_at is not None, 2)
    show(f"lab 06: {exit_status(status)}; alice's connection: "
         f"{alice.closed_how or 'still open'}, with no word from the server")
    explain("lab 06 has no plan for a signal: it dies where it stands, in the middle of everything")
    if alice.closed_how.startswith("reset"):
        explain("(a reset, not a close: the kernel threw away the lines of alice's that lab 06 never read)")
    for client in everyone:
        client.close()
    server.stop()
    pause()
    return stuck


def lab08_scene(network, program, lines):
    heading(f"2. Lab 08 (robust-chat --max-queue {MAX_QUEUE}): an output queue and a writer thread per client")
    server = Server([program, "--max-queue", str(MAX_QUEUE)])
    show(f"lab 08: {server.listening}")
    alice, bob, carol = join_the_room(network, server.port, names_first=True)
    everyone = [alice, bob, carol]
    say_hi(network, alice, carol, "hi all", everyone)
    pause()

    pasted_at = start_paste(alice, carol, lines)
    bob_left = lambda: carol.first_line(lambda text: text == "* bob left")
    dropped_after = None  # how many of the paste's lines carol had when she heard bob leave
    all_there = lambda: carol.paste_lines == lines and bob_left()
    deadline = time.monotonic() + 10
    while True:
        network.wait_until(lambda: (bob_left() and dropped_after is None) or all_there(),
                           max(0.0, min(0.5, deadline - time.monotonic())))
        if bob_left() and dropped_after is None:
            with network.changed:
                at, _ = bob_left()
                dropped_after = carol.paste_lines
            show("carol <- * bob left", at)
            explain(f"""
                bob is dropped: he has taken nothing for a second, and his queue would have held
                more than {count(MAX_QUEUE)} bytes. About {dropped_after * LINE_BYTES / 1e6:.1f} MB of the paste had gone his way
                by then: most of it is what the kernel buffers for him, the rest waited in his queue.
                He is told nothing (he does not read); his connection is reset.""")
        if all_there() or time.monotonic() >= deadline:
            break
        if carol.paste_lines == lines and time.monotonic() - carol.last_paste_at > 2:
            break  # everything is there but bob is still in: no need to watch longer
        progress(alice, bob, carol, lines)
    carol_got_all = carol.paste_lines == lines and carol.paste_in_order
    if carol.paste_lines == lines:
        show(f"carol has got all {count(lines)} lines, {'in order' if carol.paste_in_order else 'NOT IN ORDER'}, "
             f"{ms(carol.last_paste_at - pasted_at)} after alice began; bob has read nothing in "
             f"{elapsed() - elapsed(bob.connected_at):.1f} s")
    else:
        show(f"carol has got {count(carol.paste_lines)} of {count(lines)} lines, 10 s after alice began")
    if carol_got_all and dropped_after is not None:
        explain("The others waited for bob one second at most (a reader that is behind holds the room while it\n"
                "reads), then went on without him: relaying a line only appends it to each receiver's queue.")
    elif not carol_got_all:
        explain("carol is held up too: this server makes the others wait for bob, like lab 06.")
    else:
        explain("bob was never dropped: this server keeps everything for him, however much.")
    pause(1.5)

    show("bob reads at last:")
    received, how = read_what_is_left(bob, 2)
    show(f"  {count(received)} bytes, then: {how}")
    if "reset" in how:
        explain("""
            only what his small receive buffer held (Linux doubles the 4 KiB asked for, for its own
            bookkeeping); the reset told his kernel to drop the connection. He can reconnect.""")
    pause()

    say_hi(network, alice, carol, "is bob gone?", everyone)
    dave = Client(network, "dave", server.port)
    show(f"dave  connects from {dave.address}")
    joined = network.wait_until(lambda: carol.first_line(lambda text: text == f"* {dave.address} joined"), 5)
    if joined:
        at, text = carol.first_line(lambda text: text == f"* {dave.address} joined")
        show(f"carol <- {text}   (after {ms(at - dave.connected_at)})", at)
    else:
        show("carol has not heard dave join, 5 s later")
    if dropped_after is not None:
        explain("the room goes on as if bob had never been there")
    pause(1.5)

    heading("3. Lab 08 stops when asked: Ctrl-C (SIGINT)")
    notice = "* server shutting down"
    signalled_at = time.monotonic()
    show("Ctrl-C to lab 08 (SIGINT)")
    server.signal(signal.SIGINT)
    status = server.wait(5)
    stopped_at = time.monotonic()
    listeners = (alice, carol, dave)
    network.wait_until(lambda: all(client.closed_at is not None for client in listeners), 2)
    for client in listeners:
        heard = client.first_line(lambda text: text == notice, signalled_at)
        show(f"{client.name:<5} <- {heard[1] if heard else '(nothing)'}, then the connection is "
             f"{client.closed_how or 'still open'}", heard[0] if heard else None)
    show(f"lab 08: {exit_status(status)}, {ms(stopped_at - signalled_at)} after the signal")
    explain("""
        The server waits for the signal like for a client (a signalfd in its poll()), tells everyone,
        lets each writer send what is queued (1 s at most), joins every thread, and returns from main.""")
    for client in (alice, bob, carol, dave):
        client.close()
    server.stop()
    return carol_got_all and dropped_after is not None


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: slow_client_demo.py PATH_TO_lab06_chat-server PATH_TO_lab08_robust-chat")
    lab06, lab08 = sys.argv[1:]
    # More than the kernel will ever buffer for bob, so that lab 06 is
    # certain to stall before carol has it all: the send buffer's limit on
    # the server's side, and a megabyte more.
    lines = (kernel_send_buffer_limit() + (1 << 20)) // LINE_BYTES
    print("One client stops reading. The same scene on lab 06, then on lab 08.")
    print("(-> a client sends, <- a client receives; times from the start of the demo)")
    network = Network()
    try:
        lab06_froze = lab06_scene(network, lab06, lines)
        lab08_dropped_bob = lab08_scene(network, lab08, lines)
    finally:
        network.stop()
    if lab06_froze and lab08_dropped_bob:
        print("\nWhat to notice: on lab 06 one client that stopped reading froze everyone;"
              "\non lab 08 it cost the others nothing, and it was the one to go.")
    else:
        print("\nThis run did not show what it should (see above): are these the reference servers?")


def stop_what_we_started():
    for server in STARTED:
        server.stop()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Ctrl-C stops the demo, even where the shell that started it ignores
    # SIGINT (a background job): and as a caught signal, not an ignored one,
    # it is back to its default in the servers, which must hear it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        main()
    except KeyboardInterrupt:
        print("\ndemo: interrupted; stopping the servers it started", file=sys.stderr)
        sys.exit(130)
    finally:
        stop_what_we_started()
