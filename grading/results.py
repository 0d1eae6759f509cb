#!/usr/bin/env python3
"""The trusted side of grading, run outside the sandbox (grading/sandbox).

    results.py check-grader BUILD TARGET...   is the grader the one ninja built?
    results.py finish ...                     write OUT/ once the sandbox is gone
    results.py validate FILE                  is FILE a valid Gradescope results.json?
    results.py classroom FILE                 FILE in GitHub Classroom's reporter format, base64

Nothing here runs submitted code: `finish` reads what the grader wrote to a
private pipe and, when there is nothing to read (the build failed, the time
ran out, the grader was stopped), asks the grader, outside the sandbox, for
the list of tests (--not-run: it runs none), so that every result has one
line per test with its points.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys

VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}
REPORT_LIMIT = 64 * 1024


def fail(message):
    print(f"results: {message}", file=sys.stderr)
    sys.exit(2)


# ------------------------------------------------------------ check-grader --

def ninja_log_mtimes(build):
    """The mtime ninja recorded for each output when it last built it."""
    mtimes = {}
    try:
        with open(os.path.join(build, ".ninja_log"), encoding="utf-8", errors="replace") as log:
            for line in log:
                fields = line.rstrip("\n").split("\t")
                if len(fields) == 5 and fields[2].isdigit():
                    mtimes[fields[3]] = int(fields[2])
    except OSError:
        pass
    return mtimes


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_grader(build, targets):
    """Exit 0 if every target is what ninja built; else delete the changed
    ones, name them, and exit 10 (the caller rebuilds them).

    A file ninja built has the mtime ninja logged; its sum is recorded
    beside the build the first time it is seen with that mtime. A file
    replaced later has another mtime; one replaced with its mtime forged
    has another sum."""
    logged = ninja_log_mtimes(build)
    record_path = os.path.join(build, "grader-sums.json")
    try:
        with open(record_path, encoding="utf-8") as file:
            record = json.load(file)
    except (OSError, ValueError):
        record = {}
    changed = []
    for target in targets:
        path = os.path.join(build, target)
        mtime = os.stat(path).st_mtime_ns
        if logged.get(target) != mtime:
            changed.append(target)
            continue
        digest = sha256(path)
        seen = record.get(target)
        if seen and seen[0] == mtime and seen[1] != digest:
            changed.append(target)
        else:
            record[target] = [mtime, digest]
    with open(record_path + ".new", "w", encoding="utf-8") as file:
        json.dump(record, file, indent=1)
    os.replace(record_path + ".new", record_path)
    if changed:
        for target in changed:
            os.remove(os.path.join(build, target))
        print("changed since ninja built them: " + ", ".join(changed), file=sys.stderr)
        sys.exit(10)


# ---------------------------------------------------------------- validate --

def problems(results):
    """What makes `results` invalid per Gradescope's specification."""
    found = []
    if not isinstance(results, dict):
        return ["not a JSON object"]
    tests = results.get("tests")
    if "score" not in results and tests is None:
        found.append("neither score nor tests")
    if "score" in results and not isinstance(results["score"], (int, float)):
        found.append("score is not a number")
    if tests is not None:
        if not isinstance(tests, list):
            return found + ["tests is not a list"]
        for number, test in enumerate(tests, 1):
            if not isinstance(test, dict):
                found.append(f"test {number} is not an object")
                continue
            for key, kind in (("name", str), ("score", (int, float)), ("max_score", (int, float)),
                              ("status", str), ("output", str), ("visibility", str),
                              ("execution_time", (int, float))):
                if not isinstance(test.get(key), kind):
                    found.append(f"test {number}: {key} missing or of the wrong type")
            if test.get("status") not in ("passed", "failed"):
                found.append(f"test {number}: status {test.get('status')!r}")
            if test.get("visibility") not in VISIBILITIES:
                found.append(f"test {number}: visibility {test.get('visibility')!r}")
    for key in ("output",):
        if key in results and not isinstance(results[key], str):
            found.append(f"{key} is not a string")
    return found


def load_results(path):
    try:
        with open(path, "rb") as file:
            data = file.read()
        results = json.loads(data.decode("utf-8"))  # strict: invalid UTF-8 is an error
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return None if problems(results) else results


# ------------------------------------------------------------------ finish --

def text_of(path, limit=REPORT_LIMIT):
    try:
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except OSError:
        return ""
    text = data[:limit].decode("utf-8", errors="replace")
    if len(data) > limit:
        text += "\n[... cut]\n"
    return text


def not_run_results(args, reason, private):
    """Every test failed for `reason`, from the grader itself, run outside
    the sandbox with --not-run: it lists the tests, runs none."""
    path = os.path.join(private, "not-run.json")
    command = [args.grader, "--not-run", reason, "--results", path]
    command += ["--cmd", args.command] if args.command else ["--program", "/nonexistent"]
    if args.points:
        command += ["--points", args.points]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=60)
    results = load_results(path)
    if results is None:  # the grader itself is broken: still a valid file
        results = {"score": 0, "tests": []}
    return results


def junit_for(results, suite):
    from xml.sax.saxutils import escape, quoteattr
    tests = results.get("tests", [])
    failures = sum(1 for test in tests if test["status"] != "passed")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>",
             f'  <testsuite name={quoteattr(suite)} tests="{len(tests)}" failures="{failures}" errors="0">']
    for test in tests:
        head = f'    <testcase classname={quoteattr(suite)} name={quoteattr(test["name"])} time="{test["execution_time"]}"'
        if test["status"] == "passed":
            lines.append(head + "/>")
        else:
            clean = "".join(c if c in "\t\n" or ord(c) >= 0x20 else "\ufffd" for c in test["output"])
            lines += [head + ">", f'      <failure message="failed">{escape(clean)}</failure>', "    </testcase>"]
    lines += ["  </testsuite>", "</testsuites>", ""]
    return "\n".join(lines)


def write_atomically(path, text):
    with open(path + ".new", "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(path + ".new", path)


def finish(args):
    private, out = args.private, args.out
    report = text_of(os.path.join(private, "report.txt"))
    outcome = args.outcome
    results = load_results(os.path.join(private, "results.json")) if outcome == "graded" else None
    if outcome == "graded" and results is None:
        outcome = "grader stopped"
    if outcome == "build failed":
        results = not_run_results(args, "not run: the program did not build (the compiler's messages are above)",
                                  private)
        results["output"] = "The program did not build. The compiler said:\n\n" + report
    elif outcome == "timed out":
        results = not_run_results(args, f"not run to the end: grading took more than {args.timeout} s", private)
        results["output"] = (f"Grading was stopped after {args.timeout} s. What the grader had printed:\n\n"
                             + report)
    elif outcome == "grader stopped":
        results = not_run_results(args, "the grader was stopped before it could finish", private)
        results["output"] = (f"The grader was stopped (exit status {args.exit_status}) before it wrote its "
                             "results: did the program kill other processes? What it had printed:\n\n" + report)
    tests = results.get("tests", [])
    results["score"] = round(sum(test["score"] for test in tests), 6)
    if outcome != "graded" or "execution_time" not in results:
        results["execution_time"] = float(args.seconds)
    if problems(results):  # cannot happen: but a results file is never invalid
        fail("invalid results: " + "; ".join(problems(results)))
    passed = sum(1 for test in tests if test["status"] == "passed")
    summary = {
        "status": outcome if outcome != "grader stopped" else "error",
        "score": results["score"],
        "max_score": round(sum(test["max_score"] for test in tests), 6),
        "passed": passed,
        "failed": len(tests) - passed,
        "seconds": float(args.seconds),
        "memory_limit": int(args.memory_limit) if args.memory_limit else None,
    }
    write_atomically(os.path.join(out, "results.json"), json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    junit = text_of(os.path.join(private, "junit.xml"), 1 << 30) if outcome == "graded" else ""
    write_atomically(os.path.join(out, "junit.xml"), junit or junit_for(results, f"grade {args.lab}"))
    write_atomically(os.path.join(out, "report.txt"), report)
    write_atomically(os.path.join(out, "summary.json"), json.dumps(summary) + "\n")
    sys.stdout.write(report if report.endswith("\n") or not report else report + "\n")
    if outcome != "graded":
        print(f"{summary['passed']} passed, {summary['failed']} failed ({outcome})")
    sys.exit(0 if outcome == "graded" and summary["failed"] == 0 and tests else 1)


# --------------------------------------------------------------- classroom --

def classroom(path):
    """results.json as GitHub Classroom's autograding-grading-reporter reads
    it (the `result` output of its graders: base64 of this JSON)."""
    import base64
    results = load_results(path)
    if results is None:
        fail(f"{path} is not a valid results.json")
    tests = [{"name": test["name"], "status": "pass" if test["status"] == "passed" else "fail",
              "score": test["score"], "message": test["output"], "line_no": 0, "filename": "",
              "test_code": "", "execution_time": f"{test['execution_time']:.2f}s"}
             for test in results.get("tests", [])]
    failed = any(test["status"] != "pass" for test in tests) or not tests
    converted = {"version": 1, "status": "fail" if failed else "pass",
                 "max_score": sum(test["max_score"] for test in results.get("tests", [])), "tests": tests}
    print(base64.b64encode(json.dumps(converted).encode("utf-8")).decode("ascii"))


def main():
    parser = argparse.ArgumentParser(prog="results.py")
    commands = parser.add_subparsers(dest="what", required=True)
    check = commands.add_parser("check-grader")
    check.add_argument("build")
    check.add_argument("targets", nargs="+")
    validate = commands.add_parser("validate")
    validate.add_argument("file")
    commands.add_parser("classroom").add_argument("file")
    done = commands.add_parser("finish")
    for option in ("private", "out", "outcome", "seconds", "timeout", "exit-status", "lab", "grader"):
        done.add_argument("--" + option, required=True)
    done.add_argument("--points", default="")
    done.add_argument("--memory-limit", default="")
    done.add_argument("--command", default="")
    args = parser.parse_args()
    if args.what == "classroom":
        classroom(args.file)
    elif args.what == "check-grader":
        check_grader(args.build, args.targets)
    elif args.what == "validate":
        try:
            with open(args.file, "rb") as file:
                results = json.loads(file.read().decode("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as error:
            fail(f"{args.file}: {error}")
        found = problems(results)
        if found:
            fail(f"{args.file}: " + "; ".join(found))
        print(f"{args.file}: valid ({len(results.get('tests', []))} tests, score {results.get('score')})")
    else:
        finish(args)


if __name__ == "__main__":
    main()
