"""The commands for students and instructors, one function each:
test, run, status, demo, grade, batch, gradescope, slides.

Each takes the parsed arguments (cli.py says which) and the arguments
passed through to another program, and returns ./lab's exit status, or
replaces ./lab with the program it runs (run_instead)."""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import build, deps, labs
from .build import BUILD, SHIM
from .labs import ROOT
from .messages import Exit, die, say, text, usage_error


def run_instead(argv: list[str]):
    """Replaces ./lab with the program (its exit status is ./lab's)."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvp(argv[0], argv)
    except OSError as error:
        die("cannot run {program}: {reason}", status=2, program=argv[0], reason=error.strerror)


def exit_status(returncode: int) -> int:
    """A child's status as a shell gives it: 128 + N when killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


# ---------------------------------------------------------------- students --

def test(args, extra: list[str]) -> int:
    """./lab test NN [--solution] [--tsan|--asan] [GRADER ARGS]: build and grade."""
    lab = labs.find(args.lab)
    tree = "solutions" if args.solution else "labs"
    deps.ensure()
    if args.sanitizer == "tsan" and not lab.threaded:
        say("note: lab {id}'s program runs one thread: ThreadSanitizer has no race to find in it", id=lab.id)
    folder = build.folder_for(args.sanitizer)
    build.build(folder, [lab.path(tree), f"tests/{lab.folder}/grade", SHIM])
    if args.sanitizer:
        say("grading {folder} ({program}) built with {sanitizer}", folder=f"{tree}/{lab.folder}",
            program=lab.program, sanitizer=args.sanitizer)
    else:
        say("grading {folder} ({program})", folder=f"{tree}/{lab.folder}", program=lab.program)
    run_instead([*build.tsan_wrapper(folder), f"{folder}/tests/{lab.folder}/grade",
                 "--program", f"{folder}/{lab.path(tree)}", *extra])


def run(args, extra: list[str]) -> int:
    """./lab run NN [--solution] [ARGS]: build the lab's program and run it with ARGS."""
    lab = labs.find(args.lab)
    program_args = list(args.args)
    solution = args.solution
    if program_args[:1] == ["--solution"]:
        solution, program_args = True, program_args[1:]
    tree = "solutions" if solution else "labs"
    deps.ensure()
    build.configure(BUILD)
    build.build(BUILD, [lab.path(tree)])
    run_instead([f"{BUILD}/{lab.path(tree)}", *program_args])


def status(args, extra: list[str]) -> int:
    """./lab status: every lab of the student's, with the grader's last line."""
    deps.ensure()
    build.configure(BUILD)
    print(f"{text('lab'):<4} {text('folder'):<24} {text('your program')}", flush=True)
    for lab in labs.all_labs():
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                build.build(BUILD, [lab.path("labs"), f"tests/{lab.folder}/grade", SHIM])
        except Exit:
            summary = text("does not build")
        else:
            # A failing suite exits with 1: that is a result to show, not an error.
            graded = subprocess.run([f"{BUILD}/tests/{lab.folder}/grade", "--program", f"{BUILD}/{lab.path('labs')}"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            lines = graded.stdout.decode(errors="replace").splitlines()
            summary = lines[-1] if lines else ""
        print(f"{lab.id:<4} {lab.folder:<24} {summary}", flush=True)
    return 0


@dataclass(frozen=True)
class Demo:
    """./lab demo ID: what it shows, the file it comes with, what it builds, what it runs."""
    summary: str         # for ./lab help (English; its Spanish in messages.py)
    needs: str           # a file of the lab it comes with
    missing: str         # said when that file is not there
    targets: list[str]   # built first (in build/)
    command: list[str]   # {root}: the project, {build}: the build folder


DEMOS = {
    "06": Demo("the finished chat server and a few clients, talking",
               "tests/demo/demo.sh", "the demo comes with lab 06 (the chat server)",
               ["solutions/06-broadcast-chat/chat-server"],
               ["{root}/tests/demo/demo.sh", "{build}/solutions/06-broadcast-chat/chat-server"]),
    "08": Demo("a client stops reading: lab 06 freezes, lab 08 drops it; then Ctrl-C",
               "tests/demo/slow_client_demo.py", "this demo comes with lab 08 (robust-chat)",
               ["solutions/06-broadcast-chat/chat-server", "solutions/08-robust-chat/robust-chat"],
               ["python3", "{root}/tests/demo/slow_client_demo.py",
                "{build}/solutions/06-broadcast-chat/chat-server", "{build}/solutions/08-robust-chat/robust-chat"]),
    "10": Demo("a file sent with lab 10's reliable-udp through a visibly bad network, arriving identical",
               "tests/demo/reliable_udp_demo.py", "this demo comes with lab 10 (reliable-udp)",
               ["solutions/10-reliable-udp/reliable-udp"],
               ["python3", "{root}/tests/demo/reliable_udp_demo.py", "{build}/solutions/10-reliable-udp/reliable-udp"]),
}
DEFAULT_DEMO = "06"


def demo_help_lines() -> list[tuple[str, str]]:
    return [("./lab demo" + ("" if id == DEFAULT_DEMO else " " + id), demo.summary) for id, demo in DEMOS.items()]


def demo_usage() -> str:
    return text("./lab demo [{demos}]", demos="|".join(DEMOS))


def demo(args, extra: list[str]) -> int:
    """./lab demo [ID]: one of DEMOS."""
    wanted = args.id or DEFAULT_DEMO
    lab = labs.lookup(wanted)
    shown = DEMOS.get(lab.id if lab else wanted)
    if shown is None:
        usage_error(demo_usage())
    if not (ROOT / shown.needs).exists():
        die(shown.missing)
    deps.ensure()
    build.configure(BUILD)
    build.build(BUILD, shown.targets)
    run_instead([part.format(root=ROOT, build=BUILD) for part in shown.command])


# ------------------------------------------------------------- instructors --

def grade(args, extra: list[str]) -> int:
    """./lab grade NN --cmd "COMMAND": grading/sandbox, confined by default
    (bubblewrap), refused where there is no sandbox unless --unconfined."""
    lab = labs.find(args.lab)
    if args.cmd is None:
        usage_error(text(GRADE_USAGE), text("grade needs --cmd \"COMMAND\" (the program to grade)"))
    # A results file that cannot be written is an error now, not after the tests.
    for file in (args.results, args.junit):
        if file:
            try:
                open(file, "a").close()
            except OSError:
                die("cannot write {file}", status=2, file=file)
    deps.ensure()
    build.configure(BUILD)
    # grading/sandbox builds the grader, and rebuilds it if it was changed.
    with tempfile.TemporaryDirectory() as out:
        status = exit_status(subprocess.run(
            [str(ROOT / "grading/sandbox"), "--lab", lab.id, "--submission", os.getcwd(), "--out", out,
             "--cmd", args.cmd, "--build", BUILD, *(["--unconfined"] if args.unconfined else []), "--", *extra]
        ).returncode)
        if status <= 1:
            for file, made in ((args.results, "results.json"), (args.junit, "junit.xml")):
                if file:
                    try:
                        shutil.copyfile(Path(out) / made, file)
                    except OSError:
                        say("cannot write {file}", file=file)
                        status = 2
    return status


GRADE_USAGE = "./lab grade NN --cmd \"COMMAND\" [--results FILE] [--junit FILE] [--unconfined]"


def batch(args, extra: list[str]) -> int:
    """./lab batch NN DIR: grading/batch.py grades every folder in DIR."""
    lab = labs.find(args.lab)
    deps.ensure()
    build.configure(BUILD)
    options = []
    if args.jobs is not None:
        options += ["--jobs", str(args.jobs)]
    if args.timeout is not None:
        options += ["--timeout", str(args.timeout)]
    if args.unconfined:
        options.append("--unconfined")
    run_instead(["python3", str(ROOT / "grading/batch.py"), lab.id, args.folder, *options, *extra, "--build", BUILD])


def gradescope(args, extra: list[str]) -> int:
    """./lab gradescope NN: gradescope-NN.zip in the current folder."""
    lab = labs.find(args.lab)
    run_instead([str(ROOT / "grading/gradescope/make-zip.sh"), lab.id, f"{os.getcwd()}/gradescope-{lab.id}.zip"])


# ------------------------------------------------------------- maintainers --

def slides_dependencies() -> None:
    """Node.js, npm and Chromium: for this command only, and only what is
    missing (a Node.js from elsewhere brings its own npm)."""
    chromium = os.environ.get("LAB_CHROMIUM") or "/usr/bin/chromium"
    missing = [package for package, there in (("nodejs", deps.have("node")), ("npm", deps.have("npm")),
                                              ("chromium", os.access(chromium, os.X_OK))) if not there]
    if not missing:
        return
    if not deps.have("apt-get"):
        die("./lab slides needs Node.js 18 or newer, npm and Chromium (LAB_CHROMIUM=PATH names another "
            "Chromium or Chrome)")
    deps.ensure(packages=missing)


def slides(args, extra: list[str]) -> int:
    """./lab slides [--check | --html]: tools/render.mjs renders (or checks) the decks."""
    slides_dependencies()
    folder = ROOT / "slides"
    installed = folder / "node_modules/.package-lock.json"
    # npm ci again only when the lock file changed since the last install.
    if not installed.exists() or (folder / "package-lock.json").stat().st_mtime > installed.stat().st_mtime:
        say("installing Marp and puppeteer-core (slides/package-lock.json)")
        if subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=folder).returncode != 0:
            die("npm ci failed in slides/")
    mode = {"check": ["--check"], "html": ["--no-pdf"]}.get(args.mode, [])
    # Marp's own progress lines are noise here; errors and the check's report are not.
    render = subprocess.Popen(["node", str(folder / "tools/render.mjs"), *mode], stderr=subprocess.PIPE)
    for line in render.stderr:
        if not line.startswith(b"[  INFO ]"):
            sys.stderr.buffer.write(line)
            sys.stderr.flush()
    return exit_status(render.wait())
