#!/usr/bin/env python3
"""Mistake: send() without MSG_NOSIGNAL. Python ignores SIGPIPE; C does not:
putting its default action back makes this server die of SIGPIPE as a C
server does when it sends to a client that has gone."""
import signal

import iterative_server

if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    arguments = iterative_server.parse_arguments()
    iterative_server.serve_forever(iterative_server.listen(arguments.host, arguments.port))
