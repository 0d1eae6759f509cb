#!/usr/bin/env python3
"""Broken on purpose: when the server closes first, it says "* disconnected"
but then waits for the keyboard thread to finish, which waits for a line the
user may never type: the program does not end. (In C++: returning from main,
whose std::jthread joins the keyboard thread, still in getline.) The grader
must fail it."""

import sys
import threading

import chat_client

arguments = chat_client.parse_arguments()
sock = chat_client.connect(arguments.host, arguments.port)
input_ended = threading.Event()
keyboard = threading.Thread(target=chat_client.send_what_is_typed, args=(sock, input_ended))
keyboard.start()
chat_client.print_what_arrives(sock)
if not input_ended.is_set():
    print("* disconnected", file=sys.stderr, flush=True)
keyboard.join()  # waits for the end of the input
