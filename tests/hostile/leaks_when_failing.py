"""Hostile lab 01 submission: echoes correctly, then prints every secret it
could read on standard error and exits with status 3 instead of 0. The
tests of the exit fail, and a failing test's report shows the program's
standard error: the secrets would be in front of the student, if the
sandbox had let it read any."""

import sys

import echo_server
import reads_secret_loot

secrets = reads_secret_loot.loot()


def main():
    arguments = echo_server.parse_arguments()
    listener = echo_server.listen(arguments.host, arguments.port)
    echo_server.announce(listener)
    echo_server.serve(listener)
    print(secrets, file=sys.stderr, flush=True)
    sys.exit(3)


main()
