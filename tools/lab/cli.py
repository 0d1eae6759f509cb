"""./lab's command line: one argparse subcommand per command.

COMMANDS says, for each command, the function that does it (it returns the
exit status: 0 ok, 1 failures, 2 usage or cannot be done), its usage line,
its arguments, and whether arguments it does not know go through to the
program it runs (the grader's -tc="name*", --time-scale, ...)."""
from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import dataclass
from typing import Callable

from . import bench, check, commands, messages
from .messages import Exit, text, usage_error


class Parser(argparse.ArgumentParser):
    """argparse, with ./lab's errors: what is wrong, the command's usage, exit 2."""

    def __init__(self, *args, lab_usage: str = "", **kwargs):
        super().__init__(*args, add_help=False, allow_abbrev=False, **kwargs)
        self.lab_usage = lab_usage

    def error(self, message: str):
        usage_error(text(self.lab_usage), message)


def lab_argument(parser):
    parser.add_argument("lab", metavar="NN")


def sanitizer_arguments(parser):
    parser.add_argument("--tsan", dest="sanitizer", action="store_const", const="tsan")
    parser.add_argument("--asan", dest="sanitizer", action="store_const", const="asan")


def test_arguments(parser):
    lab_argument(parser)
    parser.add_argument("--solution", action="store_true")
    sanitizer_arguments(parser)


def run_arguments(parser):
    parser.add_argument("--solution", action="store_true")
    lab_argument(parser)
    parser.add_argument("args", nargs=argparse.REMAINDER)


def grade_arguments(parser):
    lab_argument(parser)
    parser.add_argument("--cmd")
    parser.add_argument("--results")
    parser.add_argument("--junit")
    parser.add_argument("--unconfined", action="store_true")


def batch_arguments(parser):
    lab_argument(parser)
    parser.add_argument("folder", metavar=text("DIR"))
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--timeout", type=int)
    parser.add_argument("--unconfined", action="store_true")


def check_arguments(parser):
    sanitizer_arguments(parser)
    parser.add_argument("--languages", action="store_true")


def slides_arguments(parser):
    parser.add_argument("--check", dest="mode", action="store_const", const="check")
    parser.add_argument("--html", dest="mode", action="store_const", const="html")


def demo_arguments(parser):
    parser.add_argument("id", nargs="?")


def bench_arguments(parser):
    parser.add_argument("labs", nargs="*")
    parser.add_argument("--cmd", action="append", default=[])
    parser.add_argument("--clients")
    parser.add_argument("--ncat", dest="ncat", action="store_const", const="install", default="auto")
    parser.add_argument("--no-ncat", dest="ncat", action="store_const", const="no")
    parser.add_argument("--save", action="store_true")


@dataclass(frozen=True)
class Command:
    run: Callable
    usage: str                     # English; its Spanish in messages.py
    arguments: Callable = lambda parser: None
    passes_through: bool = False   # unknown arguments go to the program it runs


COMMANDS = {
    "test": Command(commands.test, "./lab test NN [--solution] [--tsan|--asan] [-tc=\"name*\"]",
                    test_arguments, passes_through=True),
    "run": Command(commands.run, "./lab run NN [--solution] [ARGS]", run_arguments),
    "status": Command(commands.status, "./lab status"),
    "demo": Command(commands.demo, "./lab demo [{demos}]", demo_arguments),
    "bench": Command(bench.bench, bench.USAGE, bench_arguments),
    "grade": Command(commands.grade, commands.GRADE_USAGE, grade_arguments, passes_through=True),
    "batch": Command(commands.batch, "./lab batch NN DIR [--jobs N] [--timeout SECONDS]", batch_arguments,
                     passes_through=True),  # grading/batch.py checks its other options
    "gradescope": Command(commands.gradescope, "./lab gradescope NN", lab_argument),
    "check": Command(check.check, "./lab check [--asan] [--languages]", check_arguments),
    "slides": Command(commands.slides, "./lab slides [--check | --html]", slides_arguments),
}
HELP = ("help", "-h", "--help")


def usage_text() -> str:
    return messages.usage(commands.demo_help_lines())


def parsers() -> tuple[Parser, dict[str, Parser]]:
    """The top parser, and each command's."""
    top = Parser(prog="./lab", lab_usage="./lab COMMAND [ARGS]")
    subcommands = top.add_subparsers(dest="command", parser_class=Parser)
    each = {}
    for name, command in COMMANDS.items():
        usage = command.usage.replace("{demos}", "|".join(commands.DEMOS))
        each[name] = subcommands.add_parser(name, prog="./lab " + name, lab_usage=usage)
        command.arguments(each[name])
    return top, each


def default_signals() -> None:
    """Python ignores SIGPIPE (and SIGXFSZ), and a program it execs keeps
    ignoring them: a student's server that would die of SIGPIPE must die of
    it under ./lab test and ./lab run too. ./lab itself, writing into a
    closed pipe (./lab status | head -1), ends quietly as a shell script does."""
    for name in ("SIGPIPE", "SIGXFSZ"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def main(argv: list[str]) -> int:
    default_signals()
    # argparse's own messages ("unrecognized arguments: ...") in the user's language
    argparse._ = messages.gettext
    try:
        if not argv or argv[0] in HELP:
            sys.stdout.write(usage_text())
            return 0
        if argv[0] not in COMMANDS:
            sys.stderr.write(usage_text())
            messages.die("unknown command '{command}'", status=2, command=argv[0])
        command = COMMANDS[argv[0]]
        top, each = parsers()
        if argv[1:2] in (["-h"], ["--help"]):  # ./lab test -h (after the lab id, -h is the grader's)
            print(text("usage: {usage}", usage=text(each[argv[0]].lab_usage)))
            return 0
        args, extra = top.parse_known_args(argv)
        if extra and not command.passes_through:
            each[argv[0]].error(messages.gettext("unrecognized arguments: %s") % " ".join(extra))
        return command.run(args, extra) or 0
    except Exit as stop:
        return stop.status
    except KeyboardInterrupt:
        return 130
