#!/usr/bin/env python3
"""Broken on purpose: "/quit" only raises a flag, looked at once every line
of the read it came in has been handled. Lines sent after "/quit" in the
same packet are relayed. The grader must fail it."""

import robust_chat


def read_lines(room, client_id, sock):
    pending = b""
    quitting = False
    while not quitting:
        data = sock.recv(65536)
        if not data:
            if pending:
                with room.lock:
                    room.handle_line(client_id, pending)
            return
        pending += data
        *whole, pending = pending.split(b"\n")
        with room.lock:
            for line in whole:
                if len(line) > robust_chat.MAX_LINE:
                    raise robust_chat.LineTooLong()
                line = line[:-1] if line.endswith(b"\r") else line
                if line == b"/quit":
                    quitting = True  # THE MISTAKE: the rest of this read is still handled
                else:
                    room.handle_line(client_id, line)
        if len(pending) > robust_chat.MAX_LINE:
            raise robust_chat.LineTooLong()
    # serve_client then has the client leave the room.


robust_chat.read_lines = read_lines

if __name__ == "__main__":
    robust_chat.main()
