#!/usr/bin/env python3
"""Mistake: a pool of 8 threads, each serving a client until it leaves.

The ninth client to connect waits until one of the first eight has gone.
"""
from concurrent.futures import ThreadPoolExecutor

import threaded_server

pool = ThreadPoolExecutor(max_workers=8)

if __name__ == "__main__":
    threaded_server.main(start=lambda serve, client: pool.submit(serve, client))
