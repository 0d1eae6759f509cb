"""./lab check: build everything, run the `check` suite (common/, the grader,
every solution must pass, every starter and broken example must fail), then
the `sanitize` suite in a ThreadSanitizer (or --asan) build; the counts and
the slowest grading per lab."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from . import build, deps
from .build import BUILD
from .messages import die, say, text

# Every grading (a solution, a starter, an example: "06 starter fails") is
# meant to take at most 20 s on 2 cores, passing or failing: the slowest per
# lab is shown, and one over that is marked. It is a target, not a gate: the
# time depends on how busy the machine is, and a gate that depends on the
# machine's speed is a flaky gate. Sanitizer builds run slower by design.
# LAB_MAX_GRADING_SECONDS=N sets the target.
GRADING = re.compile(r"(\d\d) .* (passes|fails)$")


def summarize(testlog_lines: list[str], timed: bool):
    """From meson's testlog.json: (passed, failed, {lab: (seconds, test)}),
    the slowest grading per lab when `timed`."""
    passed = failed = 0
    slowest: dict[str, tuple[float, str]] = {}
    for line in testlog_lines:
        if not line.strip():
            continue
        test = json.loads(line)
        result = test["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result != "SKIP":
            failed += 1
        name = test["name"].split(" / ", 1)[-1]  # "netlabs:check+lab06 / 06 starter fails"
        lab = GRADING.match(name)
        if timed and lab and result != "SKIP":
            seconds = float(test.get("duration") or 0)
            if seconds > slowest.get(lab.group(1), (-1.0, ""))[0]:
                slowest[lab.group(1)] = (seconds, name)
    return passed, failed, slowest


def slowest_table(slowest: dict[str, tuple[float, str]], limit: float) -> str:
    if not slowest:
        return ""
    lines = [text("slowest grading per lab (target: at most {limit} s each):", limit=f"{limit:.0f}")]
    for lab, (seconds, name) in sorted(slowest.items()):
        mark = "  " + text("over the target") if seconds > limit else ""
        lines.append(f"  {lab}  {seconds:5.1f} s  {name}{mark}")
    return "\n".join(lines) + "\n"


def run_suite(folder: str, suite: str) -> tuple[int, int]:
    """Runs one Meson test suite (meson prints a line per test with its wall
    time, and builds what the suite's tests need first); (passed, failed)."""
    log = Path(folder) / "meson-logs/testlog.json"
    log.unlink(missing_ok=True)  # a log left by an earlier run is not this run's
    subprocess.run([*build.tsan_wrapper(folder), "meson", "test", "-C", folder, "--suite", suite,
                    "--print-errorlogs"])
    if not log.is_file():
        die("meson test wrote no log in {dir} (see above)", dir=folder)
    passed, failed, slowest = summarize(log.read_text().splitlines(), timed=suite == "check")
    sys.stderr.write(slowest_table(slowest, float(os.environ.get("LAB_MAX_GRADING_SECONDS") or 20)))
    sys.stderr.flush()
    return passed, failed


def seconds_since(start: float) -> str:
    return f"{time.monotonic() - start:.1f}"


def check(args, extra: list[str]) -> int:
    """./lab check [--asan|--tsan] [--languages]"""
    sanitizer = args.sanitizer or "tsan"
    deps.ensure(more=(deps.LANGUAGE_PACKAGES if args.languages else []) + deps.BROWSER_PACKAGES + deps.INTEROP_PACKAGES)
    start = time.monotonic()
    build.configure(BUILD)
    if deps.installed_now:
        build.reconfigure(BUILD)
    build.build(BUILD)
    say("build: {seconds} s", seconds=seconds_since(start))
    passed, failed = run_suite(BUILD, "check")

    start = time.monotonic()
    folder = build.folder_for(sanitizer)
    say("now with {sanitizer} (building what its suites need, then grading)", sanitizer=sanitizer)
    more_passed, more_failed = run_suite(folder, "sanitize")
    passed, failed = passed + more_passed, failed + more_failed
    say("{sanitizer} build and tests: {seconds} s", sanitizer=sanitizer, seconds=seconds_since(start))

    print()
    if failed == 0:
        print(text("everything passed: every solution passes its suite, every starter fails it"))
    else:
        print(text("{failed} failed: see the log above (meson-logs/testlog.txt in the build folders has everything)",
                   failed=failed))
    print(text("{passed} passed, {failed} failed", passed=passed, failed=failed))
    return 0 if failed == 0 else 1
