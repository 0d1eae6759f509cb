#!/usr/bin/env python3
"""Mistake: printing the listening line without flushing it. On a terminal
it shows at once; on a pipe it waits in a buffer."""
import echo_server

if __name__ == "__main__":
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    print("listening on 127.0.0.1:%d" % listener.getsockname()[1])  # no flush
    echo_server.serve(listener)
