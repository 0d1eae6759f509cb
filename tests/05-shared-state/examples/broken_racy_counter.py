#!/usr/bin/env python3
"""Mistake: the counter is read and written back without a lock.

`count += 1` is a read, an add and a write. Here the read and the write are
spelled out, and time.sleep(0) between them lets another thread run exactly
where the GIL might switch anyway: two threads read 41, both write 42, and
number 42 is handed out twice.
"""
import time

import shared_server


class RacyCounter(shared_server.Counter):
    def next(self):
        seen = self.value
        time.sleep(0)  # another thread may run here, and read the same value
        self.value = seen + 1
        return seen + 1


if __name__ == "__main__":
    shared_server.main(counter=RacyCounter)
