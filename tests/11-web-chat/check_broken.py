#!/usr/bin/env python3
"""A broken example fails the tests of its mistake, and only those.

    check_broken.py GRADE PROGRAM MUTATION [GRADER ARGS...]

Runs the whole suite (GRADE --program PROGRAM; without the browser tests
when the mutation lists none of them) and compares the tests that failed
with the mutation file's "# fails: TEST NAME" lines. With the grader's
--points FILE --expect-score-at-most PERCENT among the GRADER ARGS (a core
mistake), the example must also score at most PERCENT of the points. A test the
mutation expects to fail may also be skipped (a browser test where there is
no Chromium): a check that could not be made is not held against the
example, nor counted for it. Exit 0 when they agree, 1 (saying how they
differ) when not.
"""
import json
import pathlib
import subprocess
import sys
import tempfile


def main():
    grade, program, mutation, *extra = sys.argv[1:]
    expected = {line[len("# fails: "):].strip() for line in pathlib.Path(mutation).read_text().splitlines()
                if line.startswith("# fails: ")}
    # An example whose mistake fails no browser test is graded without the
    # browser (two Chromium starts, most of the time of a run): a page sees
    # the same bytes the grader's own client has checked.
    if not any("Chromium" in name for name in expected):
        extra = [*extra, "-tse=in a real browser"]
    scored = "--expect-score-at-most" in extra
    if scored:
        extra = ["--expect-failure", *extra]
    # The grader's own record of each test (results.json), not its report:
    # the report's wording may change (grouped failures, another language).
    with tempfile.TemporaryDirectory() as folder:
        record = pathlib.Path(folder) / "results.json"
        run = subprocess.run([grade, "--program", program, "--results", str(record), *extra], capture_output=True,
                             text=True)
        tests = json.loads(record.read_text())["tests"] if record.exists() else []
    results = {}
    for test in tests:
        skipped = test.get("extra_data", {}).get("skipped", False)
        results[test["name"]] = "skip" if skipped else "pass" if test["status"] == "passed" else "fail"
    if not tests:
        print(f"{pathlib.Path(mutation).name}: the grader recorded no test (exit status {run.returncode})")
        print("--- the grader's last lines:\n" + "\n".join((run.stdout + run.stderr).splitlines()[-5:]))
        return 1
    failed = {name for name, result in results.items() if result == "fail"}
    skipped = {name for name, result in results.items() if result.startswith("skip")}
    problems = [f"  it should fail, but passed: {name}" for name in sorted(expected - failed - skipped)]
    problems += [f"  it failed a test of another feature: {name}" for name in sorted(failed - expected)]
    problems += [f"  no test of this name ran: {name}" for name in sorted(expected - set(results))]
    score_line = next((line for line in run.stdout.splitlines() if " points (" in line), "")
    if scored and not skipped & expected and run.returncode != 0:
        problems.append("  " + (score_line or "the grader did not say its score: exit status " + str(run.returncode)))
    if problems:
        only_the_score = len(problems) == 1 and scored and score_line and score_line in problems[0]
        what = "scores more than a program with its mistake may" if only_the_score else "not exactly its own tests"
        print(f"{pathlib.Path(mutation).name}: {what}\n" + "\n".join(problems))
        print("--- the grader's last lines:\n" + "\n".join(run.stdout.splitlines()[-3:]))
        return 1
    print(f"{pathlib.Path(mutation).name}: fails its {len(expected)} tests"
          + (f" ({len(skipped & expected)} of them skipped here)" if skipped & expected else "") + ", and only those")
    if scored:
        print(score_line if not skipped & expected else
              "its score is not checked here: some of its tests were skipped (not checked on this machine)")
    return 0


sys.exit(main())
