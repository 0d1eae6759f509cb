#!/usr/bin/env python3
"""./lab bench 10: lab 10's goodput against loss and delay.

    udp_bench.py --reference PROGRAM [--cmd "COMMAND"] [--out DIR] [--bytes N] [--seed N]

Sends N bytes (1 MiB) with reliable-udp through the bad network of
lossy_relay.py, losing 0, 1, 10 and 30 % of datagrams each way, with 1 ms
and 10 ms each way: the reference (window 32), the reference with
--window 1 (stop-and-wait), and yours (--cmd "COMMAND": the grader's form,
the role and its options go after it). Goodput is the input's size over the
time from the sender's start to its exit; every run is checked (the bytes
that arrived are the bytes sent). A run that takes more than 25 s is stopped:
its goodput is then what arrived by then, marked with "<".

Writes DIR/udp.md (the table) and DIR/udp.svg (the chart), and prints the
table. It ends within 5 minutes.
"""

import argparse
import hashlib
import math
import os
import platform
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lossy_relay import LossyRelay  # noqa: E402

LOSSES = [0.0, 0.01, 0.10, 0.30]
DELAYS = [0.001, 0.010]
CAP = 25.0  # seconds a run may take: stop-and-wait, 10 ms each way, no loss, ends in about 19 s


def command(program, role_words):
    kind, value = program
    if kind == "path":
        return [value] + role_words
    return ["/bin/sh", "-c", "exec " + value + " " + " ".join(shlex.quote(w) for w in role_words)]


def one_run(program, send_options, data, loss, delay, seed):
    """Seconds from the sender's start to its exit (None if stopped), bytes arrived, correct, DATA sent again."""
    receiver = subprocess.Popen(command(program, ["receive", "--port", "0"]), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
    line = receiver.stdout.readline().decode().strip()
    if not line.startswith("listening on "):
        receiver.kill()
        return None, 0, False, 0
    host, port = line[len("listening on "):].rsplit(":", 1)
    received = hashlib.sha256()
    got = [0]

    def read_output():
        while True:
            chunk = receiver.stdout.read1(65536)
            if not chunk:
                return
            received.update(chunk)
            got[0] += len(chunk)

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    relay = LossyRelay((host.strip("[]"), int(port)), loss=loss, delay=delay, seed=seed)
    with tempfile.TemporaryFile() as source:
        source.write(data)
        source.seek(0)
        started = time.monotonic()
        sender = subprocess.Popen(command(program, ["send", "--to", relay.address] + send_options), stdin=source,
                                  stderr=subprocess.DEVNULL)
        try:
            sender.wait(timeout=CAP)
            took = time.monotonic() - started
        except subprocess.TimeoutExpired:
            sender.kill()
            sender.wait()
            took = None
    arrived = got[0]
    again = relay.counts["DATA again"]
    receiver.kill()
    receiver.wait()
    reader.join(timeout=5)
    relay.stop()
    correct = took is not None and sender.returncode == 0 and received.hexdigest() == hashlib.sha256(data).hexdigest()
    return took, arrived, correct, again


def chart(results, programs, title, caption):
    """Goodput against loss, one panel per delay, one line per program: plain SVG, log scale."""
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
    width, panel_width, panel_height, left, top = 1000, 400, 280, 80, 70
    height = top + panel_height + 62 + 16 * len(programs) + 44
    values = [r["goodput"] for r in results if r["goodput"] > 0]
    low = 10 ** math.floor(math.log10(min(values)))
    high = 10 ** math.ceil(math.log10(max(values)))
    if high <= low:
        high = low * 10
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>' % (left, escape(title))]
    for p, delay in enumerate(DELAYS):
        x0 = left + p * (panel_width + 80)

        def x_of(i):
            return x0 + panel_width * (i + 0.5) / len(LOSSES)

        def y_of(v):
            return top + panel_height - panel_height * (math.log10(v) - math.log10(low)) / (math.log10(high) - math.log10(low))

        svg.append('<text x="%d" y="%d" font-weight="bold">%g ms each way</text>' % (x0, top - 12, delay * 1000))
        svg.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (x0, top, panel_width, panel_height))
        decade = low
        while decade <= high * 1.0001:
            y = y_of(decade)
            svg.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>' % (x0, y, x0 + panel_width, y))
            svg.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (x0 - 6, y + 4, short(decade)))
            decade *= 10
        for i, loss in enumerate(LOSSES):
            svg.append('<text x="%.1f" y="%d" text-anchor="middle">%g %%</text>' % (x_of(i), top + panel_height + 18, loss * 100))
        svg.append('<text x="%.1f" y="%d" text-anchor="middle">datagrams lost, each way</text>' % (x0 + panel_width / 2, top + panel_height + 38))
        if p == 0:
            svg.append('<text x="%d" y="%d" transform="rotate(-90 %d %d)" text-anchor="middle">goodput, KB/s (log)</text>'
                       % (x0 - 55, top + panel_height // 2, x0 - 55, top + panel_height // 2))
        for k, name in enumerate(programs):
            points = [(x_of(i), y_of(r["goodput"]), r["stopped"]) for i, loss in enumerate(LOSSES)
                      for r in results if r["program"] == name and r["delay"] == delay and r["loss"] == loss and r["goodput"] > 0]
            colour = colours[k % len(colours)]
            if len(points) > 1:
                svg.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                           % (colour, " ".join("%.1f,%.1f" % (x, y) for x, y, _ in points)))
            for x, y, stopped in points:
                svg.append('<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>' % (x, y, "white" if stopped else colour) +
                           ('<circle cx="%.1f" cy="%.1f" r="4" fill="none" stroke="%s" stroke-width="2"/>' % (x, y, colour) if stopped else ""))
    for k, name in enumerate(programs):
        y = top + panel_height + 62 + 16 * k
        svg.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>' % (left, y - 4, left + 24, y - 4, colours[k % len(colours)]))
        svg.append('<text x="%d" y="%d">%s</text>' % (left + 30, y, escape(name)))
    below = top + panel_height + 62 + 16 * len(programs) + 8
    svg.append('<text x="%d" y="%d" fill="#555">an open circle: stopped after %d s (what had arrived by then)</text>'
               % (left, below, CAP))
    svg.append('<text x="%d" y="%d" fill="#555">%s</text>' % (left, below + 16, escape(caption)))
    svg.append("</svg>")
    return "\n".join(svg) + "\n"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short(value):
    return "%gk" % (value / 1000) if value >= 1000 else "%g" % value


def main():
    parser = argparse.ArgumentParser(prog="udp_bench.py")
    parser.add_argument("--reference", required=True)
    parser.add_argument("--cmd")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    parser.add_argument("--bytes", type=int, default=1 << 20)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    data = random.Random(options.seed).randbytes(options.bytes)
    programs = [("reference, window 32", ("path", options.reference), []),
                ("reference, --window 1 (stop-and-wait)", ("path", options.reference), ["--window", "1"])]
    if options.cmd:
        programs.append(("yours", ("cmd", options.cmd), []))
    load = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = []
    print("lab 10: %s bytes through a network that loses 0, 1, 10 and 30 %% each way, 1 and 10 ms each way "
          "(each run stopped after %d s)" % ("{:,}".format(options.bytes), CAP), flush=True)
    for name, program, send_options in programs:
        for delay in DELAYS:
            for loss in LOSSES:
                took, arrived, correct, again = one_run(program, send_options, data, loss, delay, options.seed)
                stopped = took is None
                goodput = (arrived / CAP if stopped else options.bytes / took) / 1000
                results.append({"program": name, "delay": delay, "loss": loss, "took": took, "goodput": goodput,
                                "stopped": stopped, "correct": correct, "again": again})
                print("  %-38s %4g ms  %4g %%  %s  %9.0f KB/s  %5d DATA sent again%s" %
                      (name, delay * 1000, loss * 100, ">%4.0f s" % CAP if stopped else "%6.2f s" % took, goodput, again,
                       "" if correct or stopped else "  WRONG: the bytes that arrived differ"), flush=True)
    header = ["program", "each way"] + ["%g %% lost" % (l * 100) for l in LOSSES]
    rows = []
    for name, _, _ in programs:
        for delay in DELAYS:
            cells = []
            for loss in LOSSES:
                r = next(r for r in results if r["program"] == name and r["delay"] == delay and r["loss"] == loss)
                text = ("< %.0f KB/s (stopped)" % r["goodput"]) if r["stopped"] else "%.0f KB/s, %.2f s" % (r["goodput"], r["took"])
                if not r["correct"] and not r["stopped"]:
                    text += ", WRONG"
                cells.append(text)
            rows.append([name, "%g ms" % (delay * 1000)] + cells)
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header))]
    table = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |\n"
    table += "| " + " | ".join("-" * w for w in widths) + " |\n"
    for row in rows:
        table += "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |\n"
    when = "Measured %s, Linux %s, %d cores, load average %.1f at the start (`./lab bench 10`, %s bytes, seed %d)." % (
        started, platform.release(), os.cpu_count(), load, "{:,}".format(options.bytes), options.seed)
    os.makedirs(options.out, exist_ok=True)
    with open(os.path.join(options.out, "udp.md"), "w") as out:
        out.write(when + "\n\n" + table)
    with open(os.path.join(options.out, "udp.svg"), "w") as out:
        out.write(chart(results, [p[0] for p in programs], "lab 10: goodput through a lossy network (%s bytes)" % "{:,}".format(options.bytes),
                        when.split(" (")[0]))
    print("\n" + when + "\n\n" + table)
    print("written: %s and %s" % (os.path.join(options.out, "udp.md"), os.path.join(options.out, "udp.svg")))
    return 0 if all(r["correct"] or r["stopped"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
