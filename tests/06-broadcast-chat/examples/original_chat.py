#!/usr/bin/env python3
"""The original course's chat server: the design lab 06 fixes.

Its three defects are kept as they were:
  - one global list of clients, changed and read by every thread, no lock;
  - each recv(1024) taken as one whole message;
  - every error swallowed (a bare `except: pass`).
What is new is only what the grader needs to talk to it at all: our
start-up rules (--host, --port, the `listening on` line), our message
formats ("says:" where the original said "dice:"), the join and leave
notices and /who, each written in the original's style. So when it fails,
it fails for its design.

    ./lab grade 06 --cmd "python3 tests/06-broadcast-chat/examples/original_chat.py --port {port}"
"""

import socket
import threading

from chat_server import address_text, listen, parse_arguments

clients = []  # every connected client's socket, shared by all threads


def handle(conn, addr):
    name = address_text(addr)
    while True:
        try:
            message = conn.recv(1024)  # one recv() = one message?
            if not message:
                break
            if message.strip() == b"/who":
                conn.send(("* online: " + " ".join(address_text(c.getpeername()) for c in clients) + "\n").encode())
                continue
            for client in clients:  # other threads append and remove meanwhile
                if client is not conn:
                    client.send(name.encode() + b" says: " + message)
        except:  # noqa: E722 -- as in the original
            pass
    clients.remove(conn)
    try:
        for client in clients:
            client.send(f"* {name} left\n".encode())
    except:  # noqa: E722
        pass
    conn.close()


def main():
    arguments = parse_arguments()
    server = listen(arguments.host, arguments.port)
    while True:
        conn, addr = server.accept()
        try:
            for client in clients:
                client.send(f"* {address_text(addr)} joined\n".encode())
        except:  # noqa: E722
            pass
        clients.append(conn)
        threading.Thread(target=handle, args=(conn, addr)).start()


if __name__ == "__main__":
    main()
