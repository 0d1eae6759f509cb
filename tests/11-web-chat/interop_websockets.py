#!/usr/bin/env python3
"""The reference web chat against a WebSocket client nobody here wrote:
Debian's python3-websockets (https://websockets.readthedocs.io), with its
defaults (it offers permessage-deflate, which the server must decline by
saying nothing of it), next to a plain chat client on the chat port.

    interop_websockets.py PROGRAM

Exit 0 if every step worked, 1 (saying which step) if not, 77 (skipped,
for Meson) if the websockets package is not installed.
"""

import asyncio
import signal
import socket
import subprocess
import sys

try:
    import websockets
except ImportError:
    print("skipped: python3-websockets is not installed (Debian: apt-get install python3-websockets)")
    sys.exit(77)

TIMEOUT = 10  # seconds for any one step; a correct server takes milliseconds


class Plain:
    """A chat client on the chat port, as nc is."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buffer = b""
        self.address = "%s:%d" % self.sock.getsockname()[:2]

    def line(self):
        while b"\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError("the chat port closed; waiting for a line after %r" % self.buffer)
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def expect(self, wanted, step):
        got = self.line()
        if got != wanted:
            raise AssertionError(f"{step}: the chat client expected {wanted!r}, got {got!r}")

    def send(self, text):
        self.sock.sendall(text.encode() + b"\n")


def address(ws):
    host, port = ws.local_address[:2]
    return f"{host}:{port}"


async def expect(ws, wanted, step):
    got = await asyncio.wait_for(ws.recv(), TIMEOUT)
    if got != wanted:
        raise AssertionError(f"{step}: the WebSocket client expected {wanted!r}, got {got!r}")


async def expect_closed_with(ws, code, step):
    try:
        extra = await asyncio.wait_for(ws.recv(), TIMEOUT)
        raise AssertionError(f"{step}: expected the server to close with {code}, but received {extra!r}")
    except websockets.ConnectionClosed:
        pass
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
    if ws.close_code != code:
        raise AssertionError(f"{step}: expected close code {code}, got {ws.close_code} ({ws.close_reason!r})")


async def main(program):
    server = subprocess.Popen([program, "--port", "0", "--web-port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        chat_port = int(server.stdout.readline().rsplit(":", 1)[1])
        web_line = server.stdout.readline().strip()
        uri = web_line.removeprefix("web on http://").rstrip("/")
        uri = "ws://" + uri + "/chat"
        alice = Plain(chat_port)

        step = "join: a websockets client is a member, named by its address"
        async with websockets.connect(uri, open_timeout=TIMEOUT) as bob:
            alice.expect(f"* {address(bob)} joined", step)
            step = "a message from websockets reaches the chat client"
            await bob.send("hello from websockets")
            alice.expect(f"{address(bob)} says: hello from websockets", step)
            step = "a line from the chat client reaches websockets"
            alice.send("hello back")
            await expect(bob, f"{alice.address} says: hello back", step)

            step = "ping and pong"
            pong = await bob.ping(b"are you there")
            await asyncio.wait_for(pong, TIMEOUT)

            step = "a fragmented message is one line"
            await bob.send(["frag", "ment", "ed \u00e9\u20ac"])
            alice.expect(f"{address(bob)} says: fragmented \u00e9\u20ac", step)

            step = "a long line (16-bit lengths both ways)"
            await bob.send("x" * 4096)
            alice.expect(f"{address(bob)} says: " + "x" * 4096, step)
            alice.send("y" * 3000)
            await expect(bob, f"{alice.address} says: " + "y" * 3000, step)

            step = "/nick and /who from websockets"
            await bob.send("/nick bob")
            await expect(bob, "* you are now bob", step)
            alice.expect(f"* {address(bob)} is now bob", step)

            step = "a close with code 3000 is answered with 3000"
            await bob.close(code=3000, reason="bye")
            if bob.close_code != 3000:
                raise AssertionError(f"{step}: the server answered with {bob.close_code}")
            alice.expect("* bob left", step)

        step = "a message over 4,096 bytes: 1009"
        async with websockets.connect(uri, open_timeout=TIMEOUT) as carol:
            alice.expect(f"* {address(carol)} joined", step)
            await carol.send("z" * 4097)
            await expect_closed_with(carol, 1009, step)
            alice.expect(f"* {address(carol)} left", step)

        step = "shutdown: '* server shutting down', then 1001"
        async with websockets.connect(uri, open_timeout=TIMEOUT) as dave:
            alice.expect(f"* {address(dave)} joined", step)
            server.send_signal(signal.SIGTERM)
            await expect(dave, "* server shutting down", step)
            await expect_closed_with(dave, 1001, step)
        if server.wait(TIMEOUT) != 0:
            raise AssertionError(f"{step}: the server exited with {server.returncode}")
        print("python3-websockets " + websockets.version.version + ": every step passed")
        return 0
    except (AssertionError, OSError, asyncio.TimeoutError, websockets.WebSocketException) as error:
        print(f"FAILED at step '{step}': {type(error).__name__}: {error}")
        return 1
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
