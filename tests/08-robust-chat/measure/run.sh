#!/bin/bash
# The measurements quoted in labs/08-robust-chat/README.md. Loopback only,
# a few seconds each. Usage (after `meson setup build`):
#   tests/08-robust-chat/measure/run.sh [BUILD_DIR]
set -euo pipefail
build="${1:-build}"
# Not in the default build: built here, by name.
ninja -C "$build" tests/08-robust-chat/measure-chat solutions/06-broadcast-chat/chat-server \
    solutions/08-robust-chat/robust-chat tests/08-robust-chat/unbatched-robust-chat \
    tests/08-robust-chat/nagle-robust-chat >/dev/null
measure="$build/tests/08-robust-chat/measure-chat"
lab06="$build/solutions/06-broadcast-chat/chat-server"
lab08="$build/solutions/08-robust-chat/robust-chat"
unbatched="$build/tests/08-robust-chat/unbatched-robust-chat"
nagle="$build/tests/08-robust-chat/nagle-robust-chat"

# Runs a server on a free port, runs the measurement against it, stops it.
with_server() {
    local server="$1"; shift
    local out; out="$(mktemp)"
    "$server" --port 0 >"$out" 2>/dev/null &
    local pid=$!
    for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
    local port; port="$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$out" | head -1)"
    "$measure" "$1" "$port" "${@:2}" || true
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    rm -f "$out"
}

echo "== head-of-line blocking: lab 06 (chat-server)"
with_server "$lab06" stall
echo "== the same with lab 08 (robust-chat, default --max-queue 1 MiB)"
with_server "$lab08" stall
for receivers in 10 50; do
    echo "== fan-out, $receivers receivers x 2000 lines of 60 bytes"
    echo "lab 06:";                 with_server "$lab06" fanout "$receivers" 2000
    echo "lab 08, one send() per line:"; with_server "$unbatched" fanout "$receivers" 2000
    echo "lab 08 (batched):";       with_server "$lab08" fanout "$receivers" 2000
done
echo "== latency (TCP_NODELAY on, as in the reference)"
with_server "$lab08" latency 400
echo "== latency with Nagle's algorithm left on"
with_server "$nagle" latency 400
