#!/usr/bin/env python3
"""The first run of a blank starter is one clear message (issue 19 §3).

    grouped_report.py GRADE STARTER

Grades the untouched starter (in English) and checks the report: failures
with the same cause are shown once in full, the others one line each
("stopped at the same point as ..."), a closing "and N more tests stopped at
the same point" per cause, each hint once; and results.json still has every
test, each with its own full report.
"""

import collections
import json
import os
import re
import subprocess
import sys
import tempfile


def main() -> int:
    grade, starter = sys.argv[1:3]
    problems = []
    with tempfile.TemporaryDirectory() as work:
        results_path = os.path.join(work, "results.json")
        env = dict(os.environ, LAB_LANG="en")
        run = subprocess.run([grade, "--program", starter, "--results", results_path],
                             capture_output=True, text=True, env=env)  # meson test times it
        output = run.stdout
        results = json.load(open(results_path))
    lines = output.splitlines()
    if run.returncode != 1:
        problems.append(f"the grader exited with {run.returncode}, not 1 (a starter fails)")
    failed = [line for line in lines if line.startswith("[FAIL] ")]
    one_line = [line for line in failed if ": stopped at the same point as '" in line]
    in_full = len(failed) - len(one_line)
    rules = sum(1 for line in lines if line == "=" * 79)
    more = [int(n) for n in re.findall(r"^and (\d+) more tests? stopped at the same point as '", output, re.M)]
    hints = collections.Counter(line for line in lines if line.startswith("hint: "))
    if len(failed) < 10:
        problems.append(f"only {len(failed)} tests failed: is this the untouched starter?")
    if rules != in_full:
        problems.append(f"{rules} full reports for {in_full} failures shown in full")
    if sum(more) != len(one_line) or not more:
        problems.append(f"the closing 'and N more tests stopped at the same point' lines count {sum(more)}, "
                        f"but {len(one_line)} failures were shown in one line")
    if max(more, default=0) < len(failed) // 2:
        problems.append("no cause groups most of the failures (the blank starter never listens)")
    if not hints:
        problems.append("no hint at all")
    for hint, count in hints.items():
        if count > 1:
            problems.append(f"a hint appears {count} times: {hint}")
    if len(lines) > 3 * len(failed) + 40:
        problems.append(f"{len(lines)} lines for {len(failed)} failures: not short")
    tests = results["tests"]
    not_passed = [t for t in tests if t["status"] != "passed"]
    if len(not_passed) != len(failed):
        problems.append(f"results.json has {len(not_passed)} failed tests, the report {len(failed)}")
    for test in not_passed:
        if "what happened (seconds since the test started):" not in test["output"]:
            problems.append(f"results.json: {test['name']!r} lacks its own full report")
    if problems:
        print(output)
        for problem in problems:
            print("problem:", problem)
        print("0 passed, 1 failed")
        return 1
    print(f"{len(failed)} failures: {in_full} in full, {len(one_line)} in one line each "
          f"({', '.join(map(str, more))} more at the same point); {len(lines)} lines; every hint once; "
          f"results.json: {len(not_passed)} reports")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
