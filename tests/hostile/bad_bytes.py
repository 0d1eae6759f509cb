"""Hostile lab 01 submission: prints, on standard error, bytes that would
break a results file written carelessly (invalid UTF-8, escape sequences,
quotes that close the JSON string, a NUL), then exits with status 1
without listening: every test fails and shows this output."""

import sys

sys.stderr.buffer.write(b'caf\xc3\xa9 \xff\xfe\xc0\xaf\xed\xa0\x80 \x1b[2J "}]}, {"score": 1000} </failure> \x00\n')
sys.stderr.flush()
sys.exit(1)
