#!/usr/bin/env python3
"""Broken on purpose: the line limit is checked only once a whole line has
arrived. A client that sends megabytes without a '\\n' is buffered without
end, and is told nothing until its '\\n' comes (it may never come). The
grader must fail it."""

import robust_chat


def lines(sock, max_line=robust_chat.MAX_LINE):
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
                raise robust_chat.LineTooLong()
            yield line[:-1] if line.endswith(b"\r") else line
        # THE MISTAKE: nothing checks `pending`, the line still arriving.


robust_chat.lines = lines

if __name__ == "__main__":
    robust_chat.main()
