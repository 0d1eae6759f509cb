#!/usr/bin/env python3
"""grading/results.py on results made for the purpose, one of each kind of
test (passed, failed with bytes that XML cannot hold, skipped):
  - validate accepts them, and refuses a skipped test worth points or
    shown as passed, and an extra_data that is not an object;
  - junit: XML that parses, with <failure>, <skipped message=REASON>, and
    counts that keep the three apart;
  - summary.json (finish), Classroom's reporter input, the Markdown summary
    and `unable` count them the same way;
  - check-grader, run by many processes at once on one build folder (as by
    ./lab batch --jobs N), never fails and leaves no temporary file; it reads
    ninja 1.12's log (the time a command started) as well as older ones.

    grading/tests/results_test.py ROOT
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

ROOT = sys.argv[1]
RESULTS_PY = os.path.join(ROOT, "grading", "results.py")
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: " + what)


def results_py(*args, stdin=None):
    run = subprocess.run([sys.executable, RESULTS_PY, *args], input=stdin, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    return run.returncode, run.stdout.decode("utf-8"), run.stderr.decode("utf-8")


REASON = "nc (netcat) is not on the PATH"
SAMPLE = {
    "score": 2, "execution_time": 1.5, "output": "1 test could not be checked on this machine: " + REASON,
    "tests": [
        {"name": "echoes <a> & \"b\"", "score": 2, "max_score": 2, "status": "passed", "output": "",
         "visibility": "visible", "execution_time": 0.5},
        {"name": "exits with 0", "score": 0, "max_score": 3, "status": "failed",
         "output": "expected 0, got 3 \x00\x1b[31m ]]> caf\u00e9", "visibility": "visible", "execution_time": 0.5},
        {"name": "relays to nc", "score": 0, "max_score": 0, "status": "failed",
         "output": "skipped (not checked on this machine, not the program's fault): " + REASON,
         "visibility": "visible", "execution_time": 0.0, "extra_data": {"skipped": True}},
    ],
}

work = tempfile.mkdtemp(prefix="netlabs-results-test.")
try:
    path = os.path.join(work, "results.json")
    with open(path, "w", encoding="utf-8") as file:
        json.dump(SAMPLE, file)

    # validate: strict
    code, out, err = results_py("validate", path)
    check(code == 0 and "1 passed, 1 failed, 1 skipped" in out, f"validate: {code} {out} {err}")
    for what, change in (("a skipped test worth points", lambda r: r["tests"][2].update(max_score=1)),
                         ("a skipped test shown as passed", lambda r: r["tests"][2].update(status="passed")),
                         ("extra_data that is not an object", lambda r: r["tests"][0].update(extra_data=[1])),
                         ("skipped that is not true or false", lambda r: r["tests"][2].update(extra_data={"skipped": 1})),
                         ("a status Gradescope does not know", lambda r: r["tests"][1].update(status="skipped")),
                         ("a lone surrogate", lambda r: r["tests"][1].update(output="\ud800"))):
        bad = json.loads(json.dumps(SAMPLE))
        change(bad)
        bad_path = os.path.join(work, "bad.json")
        with open(bad_path, "w", encoding="utf-8") as file:
            json.dump(bad, file)
        code, out, err = results_py("validate", bad_path)
        check(code == 2, f"validate accepts {what}")

    # junit
    code, xml_text, err = results_py("junit", path, "--suite", "grade 06-broadcast-chat")
    check(code == 0, f"junit: {err}")
    try:
        root = ElementTree.fromstring(xml_text.encode("utf-8"))
        suite = root.find("testsuite")
        check(suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("skipped") == "1"
              and suite.get("errors") == "0" and root.get("skipped") == "1", f"junit's counts: {suite.attrib}")
        cases = {case.get("name"): case for case in suite.findall("testcase")}
        check(set(cases) == {test["name"] for test in SAMPLE["tests"]}, f"junit's test names: {list(cases)}")
        passed, failed, skipped = (cases[test["name"]] for test in SAMPLE["tests"])
        check(len(passed) == 0, "a passed test has neither failure nor skipped")
        failure = failed.find("failure")
        check(failure is not None and "expected 0, got 3" in failure.text and "\ufffd" in failure.text
              and "café" in failure.text and "]]>" in failure.text, "the failure's output, cleaned for XML")
        element = skipped.find("skipped")
        check(element is not None and element.get("message") == REASON and skipped.find("failure") is None,
              f"<skipped message=REASON>: {ElementTree.tostring(skipped)}")
        check(REASON in (suite.findtext("system-out") or ""), "the top-level output in <system-out>")
    except ElementTree.ParseError as error:
        check(False, f"junit does not parse: {error}")

    # finish: summary.json counts
    private, out_dir = os.path.join(work, "private"), os.path.join(work, "out")
    os.makedirs(private)
    os.makedirs(out_dir)
    shutil.copy(path, os.path.join(private, "results.json"))
    with open(os.path.join(private, "report.txt"), "w", encoding="utf-8") as file:
        file.write("1 passed, 1 failed, 1 skipped\n")
    code, out, err = results_py("finish", "--private", private, "--out", out_dir, "--outcome", "graded",
                                "--seconds", "2.0", "--timeout", "600", "--exit-status", "1", "--lab",
                                "06-broadcast-chat", "--grader", "/nonexistent",
                                "--phases", '{"prepare": 0.5, "build": 0, "grade": 1.5}')
    check(code == 1, f"finish with a failed and a skipped test: exit status {code}: {err}")
    summary = json.load(open(os.path.join(out_dir, "summary.json"), encoding="utf-8"))
    check((summary["passed"], summary["failed"], summary["skipped"], summary["score"], summary["max_score"])
          == (1, 1, 1, 2, 5) and summary["phases"]["grade"] == 1.5, f"summary.json: {summary}")
    check(ElementTree.parse(os.path.join(out_dir, "junit.xml")).getroot().get("skipped") == "1", "OUT/junit.xml")

    # Classroom's reporter
    code, out, err = results_py("classroom", path)
    given = json.loads(base64.b64decode(out))
    check([test["status"] for test in given["tests"]] == ["pass", "fail", "error"] and given["status"] == "fail"
          and given["max_score"] == 5, f"classroom: {given}")
    only_skipped = json.loads(json.dumps(SAMPLE))
    del only_skipped["tests"][1]
    with open(os.path.join(work, "skipped.json"), "w", encoding="utf-8") as file:
        json.dump(only_skipped, file)
    code, out, err = results_py("classroom", os.path.join(work, "skipped.json"))
    check(json.loads(base64.b64decode(out))["status"] == "error", "classroom: a skipped test is never a pass")

    # Markdown
    code, out, err = results_py("markdown", path, "--title", "Lab 06")
    check(out.startswith("## Lab 06: 2 / 5 points") and "1 passed, 1 failed, 1 skipped" in out
          and "skipped" in out and REASON in out, f"markdown: {out[:400]}")

    # unable
    code, out, err = results_py("unable", "--why", "-", "--out", os.path.join(work, "unable"),
                                stdin=b"bubblewrap cannot create namespaces here")
    check(code == 0, f"unable: {err}")
    code, out, err = results_py("validate", os.path.join(work, "unable", "results.json"))
    unable = json.load(open(os.path.join(work, "unable", "results.json"), encoding="utf-8"))
    check(code == 0 and unable["score"] == 0 and "bubblewrap cannot create namespaces" in unable["output"],
          f"unable: {unable}")
    check(json.load(open(os.path.join(work, "unable", "summary.json")))["status"] == "error", "unable: status error")

    # check-grader, many at once
    build = os.path.join(work, "build")
    os.makedirs(build)
    targets = []
    with open(os.path.join(build, ".ninja_log"), "w", encoding="utf-8") as log:
        log.write("# ninja log v5\n")
        for number in range(3):
            name = f"target{number}"
            with open(os.path.join(build, name), "wb") as file:
                file.write(os.urandom(1 << 16))
            log.write(f"0\t1\t{os.stat(os.path.join(build, name)).st_mtime_ns}\t{name}\t0\n")
            targets.append(name)

    def one(_):
        return results_py("check-grader", build, *targets)[0]

    for round_number in range(3):
        if os.path.exists(os.path.join(build, "grader-sums.json")):
            os.remove(os.path.join(build, "grader-sums.json"))  # each round: every process finds it to write
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(one, range(12)))
        check(codes == [0] * 12, f"check-grader, 12 at once: exit statuses {codes}")
    left = [name for name in os.listdir(build) if name.endswith(".new")]
    check(not left, f"check-grader left temporary files: {left}")
    check(set(json.load(open(os.path.join(build, "grader-sums.json")))) == set(targets), "check-grader's record")

    # ninja 1.12's log (v6) records when the command started: the output's
    # mtime lies within the command's run. A file changed later is deleted.
    build6 = os.path.join(work, "build6")
    os.makedirs(build6)
    with open(os.path.join(build6, "grade"), "wb") as file:
        file.write(b"a grader")
    mtime = os.stat(os.path.join(build6, "grade")).st_mtime_ns
    with open(os.path.join(build6, ".ninja_log"), "w", encoding="utf-8") as log:
        log.write(f"# ninja log v6\n100\t2600\t{mtime - 2_000_000_000}\tgrade\t0\n")
    check(results_py("check-grader", build6, "grade")[0] == 0, "check-grader: ninja 1.12's log, a file it built")
    os.utime(os.path.join(build6, "grade"), ns=(mtime + 60_000_000_000, mtime + 60_000_000_000))
    check(results_py("check-grader", build6, "grade")[0] == 10 and not os.path.exists(os.path.join(build6, "grade")),
          "check-grader: ninja 1.12's log, a file changed a minute later is refused and deleted")
finally:
    shutil.rmtree(work, ignore_errors=True)
print("1 passed, 0 failed" if not failures else "0 passed, 1 failed")
sys.exit(1 if failures else 0)
