"""./lab in Python: build, run and grade the labs (`./lab help`).

    cli.py        the command line: argparse subcommands, COMMANDS
    commands.py   test, run, status, demo (DEMOS), grade, batch, gradescope, slides
    check.py      check: the suites, their counts, the slowest grading per lab
    bench.py      bench: the chat servers it measures (SERVERS), --save
    build.py      build folders: meson setup once, ninja, ensure_writable, tsan_wrapper
    progress.py   ninja's progress line
    deps.py       what the labs need: apt-get (debian-packages.txt), or what to ask for
    labs.py       labs.txt
    messages.py   every line ./lab prints, in English and Spanish (LAB_LANG=es)

To add a command: a function (it takes the parsed arguments and the ones
passed through, and returns the exit status), a row in cli.COMMANDS with its
usage line and arguments, and the Spanish of every new message in
messages.SPANISH (tests/lab fails on a message without one). A demo is a
row in commands.DEMOS; a reference server for the bench, a row in
bench.SERVERS.
"""
