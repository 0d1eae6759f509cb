"""./lab bench: the load generator (bench/netbench) against the reference
chat servers, ncat --broker, and any server of yours (bench/README.md).

Its results go under the build folder; only --save writes the committed
ones, bench/results/ (the README quotes them)."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from . import build, deps, labs
from .build import BUILD
from .commands import exit_status
from .labs import ROOT
from .messages import die, say, text, usage_error

USAGE = ("./lab bench [NN...] [--cmd \"COMMAND --port {{port}}\"]... [--clients 10,100,1000] "
         "[--ncat|--no-ncat] [--save]")


@dataclass(frozen=True)
class Server:
    """A reference server the bench measures: its lab, how many clients, how it is started."""
    lab: str
    clients: str                  # netbench's --clients
    options: str = "--port {port}"
    bench_options: tuple = ()     # more netbench options for this server


SERVERS = [
    Server("06", "10,100,500,1000", bench_options=("--no-storm",)),  # no flow control to show: not in the paste storm
    Server("08", "10,100,500,1000"),
    Server("09", "10,100,500,1000,10000", "--port {port} --max-clients 10000", ("--connect-window", "1000")),
]

# Without --max-conns ncat takes 100 clients; it relays raw bytes (no
# --chat), so nobody has to read its own notices. At 10,000 clients it shows
# what select() does past FD_SETSIZE.
NCAT = ["--name", "ncat --broker", "--raw", "--clients", "10,100,500,1000,10000",
        "--cmd", "ncat --broker --listen --max-conns 10000 127.0.0.1 {port}"]

DEFAULT_CLIENTS = "10,100,500,1000"  # for --cmd servers
SAVED = ROOT / "bench/results"       # committed; written only with --save
UNSAVED = f"{BUILD}/bench-results"


def bench(args, extra: list[str]) -> int:
    if [labs.find(name).id for name in args.labs] == ["10"]:
        return reliable_udp_bench(args)
    chat_labs = {server.lab: server for server in SERVERS}
    for command in args.cmd:
        if "{port}" not in command:
            usage_error(text(USAGE), text("--cmd needs {{port}} in the command: --cmd \"COMMAND --port {{port}}\""))
    if args.clients is not None and not re.fullmatch(r"[0-9]+(,[0-9]+)*", args.clients):
        usage_error(text(USAGE), text("--clients takes a list of numbers: --clients 10,100,1000"))
    wanted = []
    for name in args.labs:
        lab = labs.find(name)
        if lab.id not in chat_labs:
            die("lab {id} is not a chat server: ./lab bench measures labs {labs}", status=2, id=lab.id,
                labs=", ".join(chat_labs))
        wanted.append(lab)
    if not wanted:
        wanted = [lab for lab in labs.all_labs() if lab.id in chat_labs]

    deps.ensure(more=["ncat"] if args.ncat == "install" else [])
    build.configure(BUILD)
    targets, bench_args = ["bench/netbench"], []
    for lab in wanted:
        server = chat_labs[lab.id]
        targets.append(lab.path("solutions"))
        bench_args += ["--name", f"{lab.id} {lab.program}", "--clients", server.clients, *server.bench_options,
                       "--cmd", f"{BUILD}/{lab.path('solutions')} {server.options}"]
    if args.ncat != "no" and deps.have("ncat"):
        bench_args += NCAT
    elif args.ncat == "auto":
        say("ncat is not installed: no comparison with it (./lab bench --ncat installs it)")
    for n, command in enumerate(args.cmd, start=1):
        bench_args += ["--name", "yours" if n == 1 else f"yours{n}", "--clients", args.clients or DEFAULT_CLIENTS,
                       "--cmd", command]
    build.build(BUILD, targets)
    out = str(SAVED) if args.save else UNSAVED
    say("measuring on loopback; this ends within 8 minutes")
    # The bench keeps to its own budget (480 s); the timeout is a backstop.
    status = exit_status(subprocess.run(["timeout", "--kill-after=10", "510", f"{BUILD}/bench/netbench",
                                         "--out", out, *bench_args]).returncode)
    if status == 0 and not args.save:
        say("the results are in {dir} (bench/results/, the committed ones, change only with --save)",
            dir=build.shown_name(out) + "/")
    return status


def reliable_udp_bench(args) -> int:
    """./lab bench 10: lab 10's goodput against loss and delay, bench/udp_bench.py
    (the reference, --window 1, and --cmd "COMMAND": the role goes after it)."""
    deps.ensure()
    build.configure(BUILD)
    program = "solutions/10-reliable-udp/reliable-udp"
    build.build(BUILD, [program])
    command = ["python3", str(ROOT / "bench/udp_bench.py"), "--reference", f"{BUILD}/{program}",
               "--out", str(SAVED) if args.save else UNSAVED]
    for yours in args.cmd[:1]:
        command += ["--cmd", yours]
    return exit_status(subprocess.run(command).returncode)
