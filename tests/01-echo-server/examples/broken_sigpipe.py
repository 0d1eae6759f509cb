#!/usr/bin/env python3
"""Mistake: the C default for SIGPIPE. Writing to a connection the client has
already left kills the server (Python ignores SIGPIPE by default; a C
program does not, unless it sends with MSG_NOSIGNAL)."""
import signal

import echo_server

if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    echo_server.main()
