#!/usr/bin/env python3
"""Broken on purpose: a client over --max-clients is joined first and then
thrown out, so everyone hears "* ADDR joined" and "* ADDR left" for a client
that was never really there. The grader must fail it."""

import robust_chat


class Server(robust_chat.Server):
    def accept(self, sock, address):
        with self.room.lock:
            if self.room.full():
                outbox = self.outbox_class(sock, address, self.arguments.max_queue)
                client_id = self.room.join(address, outbox)
                outbox.deliver(b"! server full\n")
                self.room.leave(client_id)
                self.start(outbox, client_id)
                return
        super().accept(sock, address)


if __name__ == "__main__":
    robust_chat.main(Server)
