#!/usr/bin/env python3
"""Mistake: letting a client's reset end the server with an error."""
import echo_server

if __name__ == "__main__":
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    echo_server.announce(listener)
    client, _ = listener.accept()
    echo_server.echo(client)  # ConnectionResetError escapes: exit status 1
