#!/usr/bin/env python3
"""The trusted side of grading, run outside the sandbox (grading/sandbox).

    results.py check-grader BUILD TARGET...   is the grader the one ninja built?
    results.py finish ...                     write OUT/ once the sandbox is gone
    results.py validate FILE                  is FILE a valid Gradescope results.json?
    results.py junit FILE [--suite NAME]      FILE as JUnit XML (the one writer of it)
    results.py classroom FILE                 FILE in GitHub Classroom's reporter format, base64
    results.py markdown FILE                  FILE as a GitHub job summary (Markdown)
    results.py unable --why FILE --out OUT    OUT/ for a submission that could not be
                                              graded at all: score 0, and why

A skipped test (the grader could not check it on this machine) is, in
results.json, worth 0 of 0 points, status "failed", with
"extra_data": {"skipped": true}: never a pass. Every file written here
counts it apart: summary.json's "skipped", JUnit's <skipped>, Classroom's
"error".

Nothing here runs submitted code: `finish` reads what the grader wrote to a
private pipe and, when there is nothing to read (the build failed, the time
ran out, the grader was stopped), asks the grader, outside the sandbox, for
the list of tests (--not-run: it runs none), so that every result has one
line per test with its points.
"""

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile

VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}
REPORT_LIMIT = 64 * 1024


def fail(message):
    print(f"results: {message}", file=sys.stderr)
    sys.exit(2)


# ------------------------------------------------------------ check-grader --

def ninja_log_mtimes(build):
    """When ninja says it built each output: (earliest, latest) mtime in ns.

    Log v5 (ninja up to 1.11) records the output's own mtime: both are it.
    Log v6 (ninja 1.12: Debian 13) records the time its command started, so
    the output's mtime lies between that and the command's end (the log's
    start and end, in ms), and a second of the file system's rounding."""
    mtimes = {}
    try:
        with open(os.path.join(build, ".ninja_log"), encoding="utf-8", errors="replace") as log:
            version = 5
            for line in log:
                if line.startswith("# ninja log v"):
                    version = int(line.strip().rsplit("v", 1)[1] or 5)
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) == 5 and all(field.isdigit() for field in fields[:3]):
                    start, end, mtime = (int(field) for field in fields[:3])
                    if version >= 6:
                        mtimes[fields[3]] = (mtime, mtime + (end - start) * 1_000_000 + 1_000_000_000)
                    else:
                        mtimes[fields[3]] = (mtime, mtime)
    except (OSError, ValueError):
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

    A file ninja built has the mtime ninja logged (or, with ninja 1.12, one
    within its command's run); its sum is recorded beside the build the
    first time it is seen with that mtime. A file replaced later has a later
    mtime; one replaced with its mtime forged has another sum."""
    logged = ninja_log_mtimes(build)
    record_path = os.path.join(build, "grader-sums.json")
    # Several sandboxes check the same build at once (./lab batch --jobs N,
    # tests beside each other): the record is read, changed and replaced
    # under a lock, through a temporary file of this process's own.
    with open(record_path + ".lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(record_path, encoding="utf-8") as file:
                record = json.load(file)
        except (OSError, ValueError):
            record = {}
        before = json.dumps(record, sort_keys=True)
        changed = []
        for target in targets:
            path = os.path.join(build, target)
            mtime = os.stat(path).st_mtime_ns
            earliest, latest = logged.get(target, (None, None))
            if earliest is None or not earliest <= mtime <= latest:
                changed.append(target)
                continue
            digest = sha256(path)
            seen = record.get(target)
            if seen and seen[0] == mtime and seen[1] != digest:
                changed.append(target)
            else:
                record[target] = [mtime, digest]
        if json.dumps(record, sort_keys=True) != before:
            write_atomically(record_path, json.dumps(record, indent=1))
    if changed:
        for target in changed:
            os.remove(os.path.join(build, target))
        print("changed since ninja built them: " + ", ".join(changed), file=sys.stderr)
        sys.exit(10)


# ---------------------------------------------------------------- validate --

def is_skipped(test):
    """A test the grader could not check on this machine (never a pass)."""
    extra = test.get("extra_data")
    return isinstance(extra, dict) and extra.get("skipped") is True


def counts(tests):
    """passed, failed, skipped: each test is exactly one of them."""
    skipped = sum(1 for test in tests if is_skipped(test))
    passed = sum(1 for test in tests if test["status"] == "passed" and not is_skipped(test))
    return passed, len(tests) - passed - skipped, skipped


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
            extra = test.get("extra_data", {})
            if not isinstance(extra, dict):
                found.append(f"test {number}: extra_data is not an object")
            elif "skipped" in extra and not isinstance(extra["skipped"], bool):
                found.append(f"test {number}: extra_data.skipped is not true or false")
            elif is_skipped(test) and (test.get("status") != "failed" or test.get("score") != 0
                                       or test.get("max_score") != 0):
                found.append(f"test {number}: a skipped test must be failed and worth 0 of 0 points")
    for key in ("output",):
        if key in results and not isinstance(results[key], str):
            found.append(f"{key} is not a string")
    try:
        json.dumps(results, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        found.append("text that is not Unicode (a lone surrogate escape)")
    return found


def load_results(path):
    try:
        with open(path, "rb") as file:
            data = file.read()
        results = json.loads(data.decode("utf-8"))  # strict: invalid UTF-8 is an error
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return None if problems(results) else results


# ------------------------------------------------------- reading, writing --

def write_atomically(path, text):
    """Writes `path` whole or not at all, through a temporary file of this
    process's own beside it (two writers never share one)."""
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path) or ".",
                                             prefix=os.path.basename(path) + ".", suffix=".new")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


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
    try:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        pass  # no grader (it did not build): no list of tests
    results = load_results(path)
    if results is None:  # the grader itself is broken: still a valid file
        results = {"score": 0, "tests": []}
    return results


# ------------------------------------------------------------------- junit --

def xml_text(text):
    """`text` with what XML 1.0 cannot hold (control characters, lone
    surrogates, U+FFFE and U+FFFF) shown as U+FFFD."""
    return "".join(c if c in "\t\n\r" or 0x20 <= ord(c) < 0xD800 or 0xE000 <= ord(c) <= 0xFFFD
                   or ord(c) >= 0x10000 else "\ufffd" for c in text)


def skip_reason(test):
    """Why a skipped test was skipped: the first line of its output, without
    the prefix every skipped test's output has."""
    lines = test["output"].strip().splitlines()
    line = lines[0] if lines else "skipped"
    return line.split("): ", 1)[1] if line.startswith("skipped (") and "): " in line else line


def junit_for(results, suite):
    """JUnit XML for `results` (a valid results.json): a <testcase> for each
    test, with <failure> and its output, or <skipped> and its reason."""
    from xml.etree import ElementTree
    tests = results.get("tests", [])
    _, failed, skipped = counts(tests)
    seconds = results.get("execution_time", sum(test["execution_time"] for test in tests))
    numbers = {"tests": str(len(tests)), "failures": str(failed), "errors": "0", "skipped": str(skipped),
               "time": f"{seconds:.3f}"}
    root = ElementTree.Element("testsuites", numbers)
    suite_element = ElementTree.SubElement(root, "testsuite", {"name": xml_text(suite), **numbers})
    for test in tests:
        case = ElementTree.SubElement(suite_element, "testcase", {
            "classname": xml_text(suite), "name": xml_text(test["name"]),
            "time": f"{test['execution_time']:.3f}"})
        if is_skipped(test):
            element = ElementTree.SubElement(case, "skipped", {"message": xml_text(skip_reason(test))})
            element.text = xml_text(test["output"])
        elif test["status"] != "passed":
            element = ElementTree.SubElement(case, "failure", {"message": "failed"})
            element.text = xml_text(test["output"])
    if results.get("output"):
        ElementTree.SubElement(suite_element, "system-out").text = xml_text(results["output"])
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


# ------------------------------------------------------------------ finish --

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
    elif outcome == "not graded":
        results = not_run_results(args, "not run: this submission could not be graded (see above)", private)
        results["output"] = unable_text(args.reason)
        report = results["output"] + "\n"
    tests = results.get("tests", [])
    results["score"] = round(sum(test["score"] for test in tests), 6)
    if outcome != "graded" or "execution_time" not in results:
        results["execution_time"] = float(args.seconds)
    if problems(results):  # cannot happen: but a results file is never invalid
        fail("invalid results: " + "; ".join(problems(results)))
    passed, failed, skipped = counts(tests)
    summary = {
        "status": outcome if outcome in ("graded", "build failed", "timed out") else "error",
        "score": results["score"],
        "max_score": round(sum(test["max_score"] for test in tests), 6),
        "passed": passed,
        "failed": failed,
        "skipped": skipped,
        "seconds": float(args.seconds),
        "memory_limit": int(args.memory_limit) if args.memory_limit else None,
    }
    if args.phases:
        summary["phases"] = json.loads(args.phases)
    write_outputs(out, results, report, summary, f"grade {args.lab}")
    sys.stdout.write(report if report.endswith("\n") or not report else report + "\n")
    if outcome != "graded":
        print(f"{count_line(passed, failed, skipped)} ({outcome})")
    if outcome == "not graded":
        sys.exit(2)
    sys.exit(0 if outcome == "graded" and failed == 0 and skipped == 0 and tests else 1)


def count_line(passed, failed, skipped):
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


def write_outputs(out, results, report, summary, suite):
    """OUT/: results.json, junit.xml (from it), report.txt, summary.json."""
    write_atomically(os.path.join(out, "results.json"), json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    write_atomically(os.path.join(out, "junit.xml"), junit_for(results, suite))
    write_atomically(os.path.join(out, "report.txt"), report)
    write_atomically(os.path.join(out, "summary.json"), json.dumps(summary) + "\n")


def unable_text(reason):
    return ("This submission could not be graded: " + (reason.strip() or "(no reason given)") +
            "\n\nThis is not the program's fault: the grading machine could not grade it. "
            "Tell your instructor.")


def unable(args):
    """OUT/ for a submission that could not be graded at all (when
    grading/sandbox did not get as far as writing OUT/ itself): no test,
    score 0, and why."""
    reason = sys.stdin.read() if args.why == "-" else text_of(args.why)
    results = {"score": 0, "execution_time": 0.0, "output": unable_text(reason), "tests": []}
    summary = {"status": "error", "score": 0, "max_score": 0, "passed": 0, "failed": 0, "skipped": 0,
               "seconds": 0.0, "memory_limit": None}
    os.makedirs(args.out, exist_ok=True)
    write_outputs(args.out, results, results["output"] + "\n", summary, "grade")


# ----------------------------------------------------------------- github --

def classroom(path):
    """results.json as GitHub Classroom's autograding-grading-reporter reads
    it (the `result` output of its graders: base64 of this JSON). A skipped
    test is an "error" (it could not be run), worth 0 of 0."""
    import base64
    results = load_results(path)
    if results is None:
        fail(f"{path} is not a valid results.json")
    tests = [{"name": test["name"],
              "status": "error" if is_skipped(test) else "pass" if test["status"] == "passed" else "fail",
              "score": test["score"], "message": test["output"], "line_no": 0, "filename": "",
              "test_code": "", "execution_time": f"{test['execution_time']:.2f}s"}
             for test in results.get("tests", [])]
    statuses = {test["status"] for test in tests}
    status = "fail" if "fail" in statuses or not tests else "error" if "error" in statuses else "pass"
    converted = {"version": 1, "status": status,
                 "max_score": sum(test["max_score"] for test in results.get("tests", [])), "tests": tests}
    print(base64.b64encode(json.dumps(converted).encode("utf-8")).decode("ascii"))


def fenced(text, limit):
    """`text` in a Markdown code block that nothing in it can close."""
    fence = "~~~~" if "~~~~" not in text else "`" * (max(len(run) for run in text.split("\n")) + 4)
    return [fence + "text", text[:limit].rstrip("\n") + ("\n[... cut]" if len(text) > limit else ""), fence]


def markdown(path, title):
    """results.json as Markdown, for a GitHub job summary: the score, the
    grader's word, a line per test, then each failed test's report."""
    results = load_results(path)
    if results is None:
        fail(f"{path} is not a valid results.json")
    tests = results.get("tests", [])
    passed, failed, skipped = counts(tests)
    maximum = sum(test["max_score"] for test in tests)
    lines = [f"## {html_escape(title)}: {results['score']:g} / {maximum:g} points", "",
             f"{count_line(passed, failed, skipped)}.", ""]
    if results.get("output"):
        lines += ["<details open><summary>What the grader said</summary>", ""]
        lines += fenced(results["output"], 32768) + ["", "</details>", ""]
    if tests:
        lines += ["| result | test | points |", "| --- | --- | ---: |"]
        for test in tests:
            mark = "⏭️ skipped" if is_skipped(test) else "✅ passed" if test["status"] == "passed" else "❌ failed"
            name = html_escape(test["name"]).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {mark} | {name} | {test['score']:g} / {test['max_score']:g} |")
        lines.append("")
        for test in tests:
            if test["status"] != "passed" and test["output"].strip():
                lines += [f"<details><summary>{html_escape(test['name'])}</summary>", ""]
                lines += fenced(test["output"], 16384) + ["", "</details>", ""]
    text = "\n".join(lines) + "\n"
    # GitHub takes at most 1 MiB of summary a step.
    sys.stdout.write(text if len(text.encode("utf-8")) < 1000000 else "\n".join(lines[:4]) +
                     "\n(the report is too long for a job summary: see the artifact)\n")


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    parser = argparse.ArgumentParser(prog="results.py")
    commands = parser.add_subparsers(dest="what", required=True)
    check = commands.add_parser("check-grader")
    check.add_argument("build")
    check.add_argument("targets", nargs="+")
    commands.add_parser("validate").add_argument("file")
    commands.add_parser("classroom").add_argument("file")
    junit = commands.add_parser("junit")
    junit.add_argument("file")
    junit.add_argument("--suite", default="grade")
    summary = commands.add_parser("markdown")
    summary.add_argument("file")
    summary.add_argument("--title", default="Grade")
    cannot = commands.add_parser("unable")
    cannot.add_argument("--why", required=True, help="a file with the reason, or - for standard input")
    cannot.add_argument("--out", required=True)
    done = commands.add_parser("finish")
    for option in ("private", "out", "outcome", "seconds", "timeout", "exit-status", "lab", "grader"):
        done.add_argument("--" + option, required=True)
    for option in ("points", "memory-limit", "command", "reason", "phases"):
        done.add_argument("--" + option, default="")
    args = parser.parse_args()
    if args.what == "classroom":
        classroom(args.file)
    elif args.what == "markdown":
        markdown(args.file, args.title)
    elif args.what == "junit":
        results = load_results(args.file)
        if results is None:
            fail(f"{args.file} is not a valid results.json")
        sys.stdout.write(junit_for(results, args.suite))
    elif args.what == "unable":
        unable(args)
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
        tests = results.get("tests", [])
        print(f"{args.file}: valid ({len(tests)} tests: {count_line(*counts(tests))}; score {results.get('score')})")
    else:
        finish(args)


if __name__ == "__main__":
    main()
