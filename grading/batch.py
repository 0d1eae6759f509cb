#!/usr/bin/env python3
"""./lab batch NN DIR [--jobs N]: grade every submission folder in DIR.

DIR holds one folder per student, named after the student. Each is graded
confined (grading/sandbox --copy), --jobs at a time, each job with a
grading user of its own. Writes:

    DIR/grades.csv            student,score,max_score,passed,failed,seconds,status
    DIR/reports/STUDENT.txt   what the grader printed (or the compiler)
    DIR/reports/STUDENT.json  Gradescope's results.json for that student

status is one of: graded, build failed, timed out, error. A progress bar
goes to standard error while it runs. The grader is built and checked once,
before the first submission.
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
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = os.path.join(HERE, "sandbox")
FIELDS = ["student", "score", "max_score", "passed", "failed", "seconds", "status"]


class Progress:
    """One line on standard error: [#####.....] 12/300  3 failed  ETA 41 min."""

    def __init__(self, total):
        self.total, self.done, self.not_full = total, 0, 0
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
            left = elapsed / self.done * (self.total - self.done)
            eta = f"  about {left / 60:.0f} min left" if left >= 90 else f"  about {left:.0f} s left"
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                f"  {self.not_full} below full marks  {elapsed:.0f} s{eta}")
        if self.tty:
            sys.stderr.write("\r" + line + "\033[K")
        elif self.done == self.total or self.done % 10 == 0:
            sys.stderr.write(line + "\n")  # a log, not a terminal: a line now and then
        sys.stderr.flush()

    def close(self):
        if self.tty:
            sys.stderr.write("\n")


def grade(student, folder, args, slots, reports):
    slot = slots.pop()
    out = tempfile.mkdtemp(prefix=f"netlabs-batch-{slot}-")
    try:
        started = time.monotonic()
        command = [SANDBOX, "--lab", args.lab, "--submission", folder, "--out", out, "--copy",
                   "--slot", str(slot), "--timeout", str(args.timeout), "--no-build"]
        if args.build:
            command += ["--build", args.build]
        if args.unconfined:
            command.append("--unconfined")
        run = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        seconds = time.monotonic() - started
        try:
            with open(os.path.join(out, "summary.json"), encoding="utf-8") as file:
                summary = json.load(file)
            shutil.copy(os.path.join(out, "report.txt"), os.path.join(reports, student + ".txt"))
            shutil.copy(os.path.join(out, "results.json"), os.path.join(reports, student + ".json"))
        except (OSError, ValueError):
            summary = {"status": "error", "score": 0, "max_score": 0, "passed": 0, "failed": 0}
            with open(os.path.join(reports, student + ".txt"), "w", encoding="utf-8") as file:
                file.write("grading/sandbox failed:\n" + run.stderr.decode("utf-8", "replace"))
        summary["seconds"] = round(seconds, 1)
        summary["student"] = student
        return summary
    finally:
        shutil.rmtree(out, ignore_errors=True)
        slots.append(slot)


def number(value):
    return int(value) if float(value).is_integer() else value


def main():
    parser = argparse.ArgumentParser(prog="./lab batch", description=__doc__.splitlines()[0])
    parser.add_argument("lab")
    parser.add_argument("folder")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--timeout", type=int, default=600, help="seconds per submission (default 600)")
    parser.add_argument("--build", default="")
    parser.add_argument("--unconfined", action="store_true")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs needs a positive number")
    folder = os.path.abspath(args.folder)
    if not os.path.isdir(folder):
        parser.error(f"no folder {args.folder}")
    students = sorted(name for name in os.listdir(folder)
                      if os.path.isdir(os.path.join(folder, name)) and not name.startswith(".")
                      and name != "reports")
    if not students:
        parser.error(f"{args.folder} holds no submission folders (one per student)")
    reports = os.path.join(folder, "reports")
    os.makedirs(reports, exist_ok=True)

    # Build and check the grader once, and that the sandbox works, before
    # any job: a run that selects no test (the jobs then use --no-build).
    scratch = tempfile.mkdtemp(prefix="netlabs-batch-check-")
    first = [SANDBOX, "--lab", args.lab, "--submission", os.path.join(folder, students[0]), "--out", scratch,
             "--copy"] + (["--build", args.build] if args.build else []) + \
            (["--unconfined"] if args.unconfined else []) + ["--", "-tc=(no test has this name)"]
    check = subprocess.run(first, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    shutil.rmtree(scratch, ignore_errors=True)
    if check.returncode == 2:
        sys.stderr.write(check.stderr.decode("utf-8", "replace"))
        sys.exit(2)

    print(f"grading {len(students)} submissions of lab {args.lab}, {args.jobs} at a time", file=sys.stderr)
    progress = Progress(len(students))
    slots = list(range(args.jobs))
    rows = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(grade, student, os.path.join(folder, student), args, slots, reports)
                   for student in students]
        for future in futures:
            row = future.result()
            rows.append(row)
            progress.finished(row["status"] == "graded" and row["failed"] == 0)
    progress.close()

    csv_path = os.path.join(folder, "grades.csv")
    with open(csv_path + ".new", "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in sorted(rows, key=lambda row: row["student"]):
            writer.writerow({**row, "score": number(row["score"]), "max_score": number(row["max_score"])})
    os.replace(csv_path + ".new", csv_path)
    total = time.monotonic() - started
    statuses = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    print(f"wrote {csv_path}: {len(rows)} students ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}) "
          f"in {total:.0f} s, {total / len(rows):.1f} s a submission; reports in {reports}/")


if __name__ == "__main__":
    main()
