#!/usr/bin/env python3
"""Broken on purpose: no signal handling. SIGTERM kills the server on the
spot (and SIGINT raises KeyboardInterrupt in whatever the main thread is
doing): clients are cut off mid-conversation, nobody is told, and the exit
status says "killed". The grader must fail it."""

import robust_chat


class Server(robust_chat.Server):
    def stop_signals(self):
        read_end, _ = robust_chat.os.pipe()  # never written to
        return read_end


if __name__ == "__main__":
    robust_chat.main(Server)
