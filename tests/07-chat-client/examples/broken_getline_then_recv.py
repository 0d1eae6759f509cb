#!/usr/bin/env python3
"""Broken on purpose: the single-threaded loop of the classic first try.

It waits for a line from the keyboard, sends it, then waits for the network.
While the user types nothing, nothing the server sends is printed: the
conversation freezes. (In C++: std::getline, then recv.) The grader must
fail it.
"""

import sys

from chat_client import connect, parse_arguments

arguments = parse_arguments()
sock = connect(arguments.host, arguments.port)
for line in sys.stdin.buffer:
    sock.sendall(line)
    data = sock.recv(65536)  # waits for the server only after each typed line
    if not data:
        print("* disconnected", file=sys.stderr)
        sys.exit(0)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
