#!/usr/bin/env bash
# Checks ./lab demo 08 (tests/demo/slow_client_demo.py) with the reference
# servers, without its pauses: it exits 0 within 60 s, lab 06 freezes behind
# the client that does not read, and lab 08 drops that client while the
# others get everything, then shuts down cleanly on SIGINT.
# Only what cannot depend on the machine's speed is checked: lab 06 can
# never deliver the whole paste (it is larger than what the kernel buffers
# for bob); lab 08 always delivers all of it, and always drops bob.
#   check_demo.sh PATH_TO_slow_client_demo.py PATH_TO_lab06_chat-server PATH_TO_lab08_robust-chat
set -uo pipefail
demo="$1"
lab06="$2"
lab08="$3"
output="$(LAB_DEMO_NO_PAUSES=1 timeout 60 python3 "$demo" "$lab06" "$lab08" 2>&1)"
status=$?
fail() {
    printf 'demo check failed: %s\n--- the demo printed:\n%s\n' "$1" "$output"
    exit 1
}
[[ $status -eq 0 ]] || fail "the demo exited with status $status (124: it ran for more than 60 s)"
lab06_part="$(sed -n '/^== 1\./,/^== 2\./p' <<<"$output")"
lab08_part="$(sed -n '/^== 2\./,$p' <<<"$output")"
[[ -n "$lab06_part" && -n "$lab08_part" ]] || fail "the demo did not show both servers (== 1. and == 2.)"
has() { grep -Eq -- "$2" <<<"$1"; }
has "$lab06_part" 'carol <- [0-9.:]* \[alice\] says: hi all' || fail "lab 06: carol did not get alice's 'hi all'"
has "$lab06_part" 'lab 06 is stuck: carol has got [0-9,]+ of [0-9,]+ lines' || fail "lab 06 was not shown stuck"
if has "$lab06_part" 'carol has got all'; then fail "lab 06 delivered the whole paste: bob's buffers cannot hold it"; fi
has "$lab06_part" 'lab 06: killed by SIGINT' || fail "lab 06 was not shown killed by SIGINT"
for expected in \
    'carol <- alice says: hi all' \
    'carol <- \* bob left' \
    'carol has got all [0-9,]+ lines, in order' \
    ' [0-9,]+ bytes, then: (Connection reset by peer|the server closed the connection)' \
    'carol <- alice says: is bob gone\?' \
    'carol <- \* [0-9.:]* joined' \
    'alice <- \* server shutting down, then the connection is closed by the server' \
    'carol <- \* server shutting down, then the connection is closed by the server' \
    'dave  <- \* server shutting down, then the connection is closed by the server' \
    'lab 08: exit status 0,'; do
    has "$lab08_part" "$expected" || fail "lab 08: no line matching /$expected/"
done
if has "$lab08_part" 'carol left|alice left'; then fail "lab 08 dropped a client that reads"; fi
echo "the demo ran: lab 06 froze behind bob; lab 08 dropped bob, the others got everything, and it stopped on SIGINT"
