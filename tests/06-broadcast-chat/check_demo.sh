#!/usr/bin/env bash
# Checks ./lab demo (tests/demo/demo.sh) with the reference chat server:
# it exits 0, within 15 s, and the conversation shows what it should.
#   check_demo.sh PATH_TO_demo.sh PATH_TO_chat-server
set -uo pipefail
demo="$1"
server="$2"
output="$(timeout 15 "$demo" "$server" 2>&1)"
status=$?
fail() {
    printf 'demo check failed: %s\n--- the demo printed:\n%s\n' "$1" "$output"
    exit 1
}
[[ $status -eq 0 ]] || fail "demo.sh exited with status $status (124: it ran for more than 15 s)"
for expected in \
    'alice <- \* [0-9.:]* \[bob\] joined' \
    'bob   <- [0-9.:]* \[alice\] says: hi everyone' \
    'carol <- [0-9.:]* \[alice\] says: hi everyone' \
    'carol <- \* online: [0-9.:]* \[alice\] [0-9.:]* \[bob\] [0-9.:]* \[carol\]' \
    'alice <- \* [0-9.:]* \[bob\] left' \
    'carol <- \* online: [0-9.:]* \[alice\] [0-9.:]* \[carol\]$' \
    'as each client saw it'; do
    grep -Eq -- "$expected" <<<"$output" || fail "no line matching /$expected/"
done
if grep -Eq 'alice <- [0-9.:]* \[alice\] says' <<<"$output"; then fail "alice heard her own line"; fi
echo "the demo ran and showed the conversation"
