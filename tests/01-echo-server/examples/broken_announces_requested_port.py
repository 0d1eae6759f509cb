#!/usr/bin/env python3
"""Mistake: announcing the port that was asked for, not the one bound. With
--port 0 the system picks the port, and only getsockname() can tell which."""
import echo_server

if __name__ == "__main__":
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    print(f"listening on {arguments.host}:{arguments.port}", flush=True)  # not getsockname()
    echo_server.serve(listener)
