#!/usr/bin/env python3
"""./lab batch NN DIR [--jobs N]: grade every submission folder in DIR.

DIR holds one folder per student, named after the student. Each is graded
confined (grading/sandbox --copy), --jobs at a time (default: one per
core), each in a sandbox with a grading user of its own. Writes:

    DIR/grades.csv            student,score,max_score,passed,failed,skipped,seconds,status
    DIR/reports/STUDENT.txt   what the grader printed (or the compiler)
    DIR/reports/STUDENT.json  Gradescope's results.json for that student

status is one of: graded, build failed, timed out, error. While it runs, a
progress line goes to standard error, with an estimate of the time left; at
the end, where a submission's time went. The grader is built and checked
once, before the first submission.

--shard K/N grades only every Nth student from the Kth (1 <= K <= N): N
machines (a GitHub Actions matrix) grade a class of any size, and their
grades.csv files are put together (docs/instructors.md, section 4).
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = os.path.join(HERE, "sandbox")
FIELDS = ["student", "score", "max_score", "passed", "failed", "skipped", "seconds", "status"]
PHASES = ["prepare", "build", "grade"]


def duration(seconds):
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


class Progress:
    """One line on standard error: [#####.....] 12/300  3 below full marks
    41 s  about 17 min left."""

    def __init__(self, total, jobs):
        self.total, self.jobs, self.done, self.not_full = total, jobs, 0, 0
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.tty = sys.stderr.isatty()
        self.show()

    def finished(self, full_marks):
        with self.lock:
            self.done += 1
            self.not_full += 0 if full_marks else 1
            self.show()

    def show(self):
        width = 30
        filled = width * self.done // max(self.total, 1)
        elapsed = time.monotonic() - self.started
        eta = ""
        if self.done:
            # What is left, at the pace so far (the pace of --jobs at once).
            eta = f"  about {duration(elapsed / self.done * (self.total - self.done))} left"
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                f"  {self.not_full} below full marks  {duration(elapsed)}{eta}")
        if self.tty:
            sys.stderr.write("\r" + line + "\033[K")
        elif self.done == self.total or self.done % 10 == 0 or self.done in (1, 3):
            sys.stderr.write(line + "\n")  # a log, not a terminal: a line now and then
        sys.stderr.flush()

    def close(self):
        if self.tty:
            sys.stderr.write("\n")


def sandbox_options(args):
    options = ["--timeout", str(args.timeout)]
    if args.build:
        options += ["--build", args.build]
    if args.unconfined:
        options.append("--unconfined")
    return options


def grade(student, folder, args, reports):
    """Grades one student's folder in a sandbox of its own (its own OUT,
    its own grading user: the sandbox's process id), and copies what it
    wrote to DIR/reports/. Nothing here is written by two jobs."""
    started = time.monotonic()
    out = tempfile.mkdtemp(prefix="netlabs-batch-")
    try:
        command = [SANDBOX, "--lab", args.lab, "--submission", folder, "--out", out, "--copy",
                   "--no-build"] + sandbox_options(args)
        run = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
                             env={**os.environ, "GRADER_PYTHON": sys.executable})
        seconds = time.monotonic() - started
        try:
            with open(os.path.join(out, "summary.json"), encoding="utf-8") as file:
                summary = json.load(file)
            shutil.copy(os.path.join(out, "report.txt"), os.path.join(reports, student + ".txt"))
            shutil.copy(os.path.join(out, "results.json"), os.path.join(reports, student + ".json"))
        except (OSError, ValueError):
            summary = {"status": "error", "score": 0, "max_score": 0, "passed": 0, "failed": 0, "skipped": 0}
            with open(os.path.join(reports, student + ".txt"), "w", encoding="utf-8") as file:
                file.write("grading/sandbox failed:\n" + run.stderr.decode("utf-8", "replace"))
        summary["seconds"] = round(seconds, 1)
        summary["student"] = student
        return summary
    finally:
        shutil.rmtree(out, ignore_errors=True)


def number(value):
    return int(value) if float(value).is_integer() else value


def check_first(args):
    """Builds and checks the grader once, and that grading can be done here
    (a sandbox, or --unconfined), before any job: grades a one-line
    submission that starts nothing, with no test selected."""
    scratch = tempfile.mkdtemp(prefix="netlabs-batch-check-")
    try:
        os.makedirs(os.path.join(scratch, "submission"))
        with open(os.path.join(scratch, "submission", "command.txt"), "w", encoding="utf-8") as file:
            file.write("true\n")
        first = [SANDBOX, "--lab", args.lab, "--submission", os.path.join(scratch, "submission"),
                 "--out", os.path.join(scratch, "out"), "--copy"] + sandbox_options(args) + \
                ["--", "-tc=(no test has this name)"]
        check = subprocess.run(first, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if check.returncode == 2:
        sys.stderr.write(check.stderr.decode("utf-8", "replace"))
        sys.exit(2)


def where_time_went(rows, total, jobs):
    """The time per submission, and where it went (the sandbox's phases)."""
    graded = [row for row in rows if "phases" in row]
    line = f"{total / len(rows):.1f} s a submission ({jobs} at a time; each took {sum(r['seconds'] for r in rows) / len(rows):.1f} s"
    if graded:
        means = {phase: sum(row["phases"].get(phase, 0) for row in graded) / len(graded) for phase in PHASES}
        rest = sum(row["seconds"] for row in graded) / len(graded) - sum(means.values())
        line += (f": preparing {means['prepare']:.1f} s, building {means['build']:.1f} s, grading "
                 f"{means['grade']:.1f} s, writing results {max(rest, 0):.1f} s")
    return line + ")"


def main():
    parser = argparse.ArgumentParser(prog="./lab batch", description=__doc__.splitlines()[0])
    parser.add_argument("lab")
    parser.add_argument("folder")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    parser.add_argument("--jobs", type=int, default=cores,
                        help=f"submissions graded at once (default: the cores, {cores})")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per submission (default 600)")
    parser.add_argument("--shard", default="1/1", help="K/N: only every Nth student from the Kth")
    parser.add_argument("--build", default="")
    parser.add_argument("--unconfined", action="store_true")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs needs a positive number")
    try:
        shard, shards = (int(part) for part in args.shard.split("/"))
        if not 1 <= shard <= shards:
            raise ValueError
    except ValueError:
        parser.error("--shard takes K/N, with 1 <= K <= N (e.g. 2/8)")
    folder = os.path.abspath(args.folder)
    if not os.path.isdir(folder):
        parser.error(f"no folder {args.folder}")
    students = sorted(name for name in os.listdir(folder)
                      if os.path.isdir(os.path.join(folder, name)) and not name.startswith(".")
                      and name != "reports")[shard - 1::shards]
    if not students:
        parser.error(f"{args.folder} holds no submission folders (one per student)"
                     + (f" in shard {args.shard}" if shards > 1 else ""))
    reports = os.path.join(folder, "reports")
    os.makedirs(reports, exist_ok=True)
    check_first(args)

    print(f"grading {len(students)} submissions of lab {args.lab}, {args.jobs} at a time", file=sys.stderr)
    progress = Progress(len(students), args.jobs)
    rows = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(grade, student, os.path.join(folder, student), args, reports)
                   for student in students]
        for future in as_completed(futures):
            row = future.result()
            rows.append(row)
            progress.finished(row["status"] == "graded" and row["failed"] == 0 and row.get("skipped", 0) == 0)
    progress.close()

    csv_name = "grades.csv" if shards == 1 else f"grades-{shard}-of-{shards}.csv"
    csv_path = os.path.join(folder, csv_name)
    with tempfile.NamedTemporaryFile("w", dir=folder, prefix=csv_name + ".", suffix=".new", delete=False,
                                     newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in sorted(rows, key=lambda row: row["student"]):
            writer.writerow({**row, "skipped": row.get("skipped", 0), "score": number(row["score"]),
                             "max_score": number(row["max_score"])})
    os.chmod(file.name, 0o644)
    os.replace(file.name, csv_path)
    total = time.monotonic() - started
    statuses = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    skipped = sum(row.get("skipped", 0) for row in rows)
    print(f"wrote {csv_path}: {len(rows)} students ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}) "
          f"in {duration(total)}; reports in {reports}/")
    if skipped:
        print(f"warning: {skipped} tests could not be checked on this machine (skipped, worth 0 of 0: "
              "see the reports, and install what they name)")
    print(where_time_went(rows, total, args.jobs))


if __name__ == "__main__":
    main()
