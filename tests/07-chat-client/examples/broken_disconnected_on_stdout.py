#!/usr/bin/env python3
"""Broken on purpose: "* disconnected" is printed on standard output, among
the server's lines, instead of on standard error. The grader must fail it."""

import os
import sys
import threading

import chat_client

arguments = chat_client.parse_arguments()
sock = chat_client.connect(arguments.host, arguments.port)
input_ended = threading.Event()
threading.Thread(target=chat_client.send_what_is_typed, args=(sock, input_ended), daemon=True).start()
chat_client.print_what_arrives(sock)
if not input_ended.is_set():
    print("* disconnected", flush=True)  # standard output
os._exit(0)
