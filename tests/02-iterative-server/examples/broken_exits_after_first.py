#!/usr/bin/env python3
"""Mistake: lab 01's server. It serves one client, then exits."""
import iterative_server

if __name__ == "__main__":
    arguments = iterative_server.parse_arguments()
    listener = iterative_server.listen(arguments.host, arguments.port)
    client, _ = listener.accept()
    iterative_server.serve_client(client)
