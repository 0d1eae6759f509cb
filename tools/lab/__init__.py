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
"""
