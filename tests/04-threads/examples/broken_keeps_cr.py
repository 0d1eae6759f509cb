#!/usr/bin/env python3
"""Mistake: a line ending "\\r\\n" keeps its '\\r' (telnet's lines come back
with it). Everything else is right: the grader must fail the '\\r' rule's
tests, and only those."""
import threaded_server


class KeepsCrReader(threaded_server.LineReader):
    def read_line(self):
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[:newline + 1]
                return line
            if self.closed:
                if not self.buffer:
                    return None
                line = bytes(self.buffer)
                self.buffer.clear()
                return line
            data = self.client.recv(65536)
            self.closed = not data
            self.buffer += data


def serve_keeping_cr(client):
    threaded_server.serve_client(client, make_reader=KeepsCrReader)


if __name__ == "__main__":
    threaded_server.main(serve=serve_keeping_cr)
