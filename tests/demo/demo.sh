#!/usr/bin/env bash
# ./lab demo: the finished chat server (lab 06) and three scripted clients,
# alice, bob and carol, talking for a few seconds. Each line shows who sent
# (->) or received (<-) what, as that client saw it; then each client's whole
# view of the conversation.
#
#   tests/demo/demo.sh PATH_TO_chat-server
#
# It starts everything itself, on a free port, and stops everything it
# started when it ends (or is interrupted).
set -euo pipefail

server_program="${1:?usage: demo.sh PATH_TO_chat-server}"
scratch="$(mktemp -d)"
server_pid=""

stop_everything() {
    local status=$?
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
    exit "$status"
}
trap stop_everything EXIT
trap 'exit 130' INT TERM

# The server picks a free port (--port 0) and says which on its first line.
: >"$scratch/server.out"  # there before the loop below reads it
"$server_program" --port 0 >"$scratch/server.out" 2>"$scratch/server.err" &
server_pid=$!
port=""
for _ in $(seq 50); do  # up to 5 s
    port="$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$scratch/server.out")"
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$port" ]]; then
    echo "demo: the chat server did not start:" >&2
    cat "$scratch/server.err" >&2
    exit 1
fi
echo "chat server: $(head -n 1 "$scratch/server.out")"
echo "(the demo adds each client's name in [brackets] after its address; the server sends the address alone)"
echo

# The clients are scripted in Python (sockets and a thread each, to read),
# so that the timing and the labels are easy to follow.
timeout 20 python3 - "$port" <<'PYTHON'
import socket
import sys
import threading
import time

port = int(sys.argv[1])
start = time.monotonic()
print_lock = threading.Lock()
seen = {}  # name -> what that client saw, in order
names = {}  # address -> name


def with_names(text):
    for address, name in names.items():
        text = text.replace(address, f"{address} [{name}]")
    return text


def show(name, arrow, text):
    text = with_names(text)
    with print_lock:
        print(f"{time.monotonic() - start:5.1f} s  {name:<5} {arrow} {text}", flush=True)
        seen.setdefault(name, []).append(f"{arrow} {text}")


class ScriptedClient:
    def __init__(self, name):
        self.name = name
        # Bound before connecting, so its address (the one the others will
        # read in "* ADDR joined") is known before anyone can hear of it.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        host, client_port = self.sock.getsockname()[:2]
        self.address = f"{host}:{client_port}"
        names[self.address] = name
        show(name, "  ", f"connects from {self.address}")
        self.sock.connect(("127.0.0.1", port))
        self.reader = threading.Thread(target=self.read_until_closed)
        self.reader.start()

    def read_until_closed(self):
        pending = b""
        while True:
            data = self.sock.recv(4096)
            if not data:
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                show(self.name, "<-", line.decode(errors="replace"))
        show(self.name, "  ", "sees the server close the connection")

    def say(self, line):
        show(self.name, "->", line)
        self.sock.sendall(line.encode() + b"\n")

    def leave(self):
        show(self.name, "  ", "leaves (closes its sending side)")
        self.sock.shutdown(socket.SHUT_WR)
        self.reader.join(timeout=5)
        self.sock.close()


def pause():
    time.sleep(0.6)


alice = ScriptedClient("alice")
pause()
bob = ScriptedClient("bob")
pause()
carol = ScriptedClient("carol")
pause()
alice.say("hi everyone")
pause()
bob.say("hello alice!")
pause()
carol.say("/who")
pause()
carol.say("hi both, I'm new here")
pause()
bob.say("got to go, bye")
bob.leave()
pause()
alice.say("bye bob")
pause()
carol.say("/who")
pause()
alice.leave()
carol.leave()

print()
print("The same conversation, as each client saw it (-> sent, <- received):")
for client in (alice, bob, carol):
    print(f"\n  {client.name}")
    for event in seen[client.name]:
        print(f"    {event}")
PYTHON
