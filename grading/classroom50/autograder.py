#!/usr/bin/env python3
"""A Classroom 50 autograder for one netlabs lab.

Classroom 50 runs it in the student's checkout (the current folder) for
each submission. It grades that checkout in netlabs' sandbox, exactly as
`./lab batch` and Gradescope do, and writes what Classroom 50 reads:

    ./result.json        the score and each test (schema classroom50/result/v1)
    ./release-body.md    the score, each test's result, and why a test failed
    summary=...          a line in $GITHUB_OUTPUT

Set it up (docs/instructors.md, section 7):
  1. copy this file to <classroom>/autograders/<assignment>/autograder.py in
     the classroom's config repository, and set LAB, NETLABS_REPOSITORY and
     NETLABS_REF below;
  2. give the assignment the runtime in runtime.json (beside this file):
     Ubuntu's packages grading needs.

Where netlabs comes from: $NETLABS_DIR if set, else a `netlabs/` folder
beside this file (the assignment's own copy), else a shallow clone of
NETLABS_REPOSITORY at NETLABS_REF (a tag: everyone graded by the same
grader). Its grader is built in its `build/` ($NETLABS_BUILD to use another).

Exit status 0 when the submission was graded (passing or not: the score is
in result.json); 1 when it could not be (no sandbox, the grader did not
build): Classroom 50 then reports an error, and this prints why.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

LAB = os.environ.get("NETLABS_LAB", "01")
NETLABS_REPOSITORY = os.environ.get("NETLABS_REPOSITORY", "your-org/netlabs")
NETLABS_REF = os.environ.get("NETLABS_REF", "main")
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = "classroom50/result/v1"


def say(message):
    print(f"netlabs autograder: {message}", file=sys.stderr, flush=True)


def netlabs_folder(scratch):
    """A netlabs checkout: $NETLABS_DIR, ./netlabs beside this file, or a clone."""
    for candidate in (os.environ.get("NETLABS_DIR", ""), os.path.join(HERE, "netlabs")):
        if candidate and os.path.isfile(os.path.join(candidate, "grading", "sandbox")):
            return os.path.realpath(candidate)
    folder = os.path.join(scratch, "netlabs")
    url = f"https://github.com/{NETLABS_REPOSITORY}.git"
    say(f"cloning {url} at {NETLABS_REF}")
    clone = subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", NETLABS_REF, url, folder],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if clone.returncode != 0:
        raise RuntimeError(f"could not clone {url} at {NETLABS_REF}:\n" + clone.stdout.decode("utf-8", "replace"))
    return folder


def allow_user_namespaces():
    """Ubuntu 24.04 (ubuntu-latest) lets a program make an unprivileged user
    namespace only if its AppArmor profile allows it, and bubblewrap has
    none: on a runner thrown away after the job, lift that restriction."""
    path = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
    try:
        with open(path, encoding="ascii") as file:
            restricted = file.read().strip() == "1"
    except OSError:
        return
    if restricted:
        command = ["sysctl", "-w", "kernel.apparmor_restrict_unprivileged_userns=0"]
        if os.geteuid() != 0:
            command = ["sudo", "-n"] + command
        say("lifting Ubuntu's AppArmor restriction on user namespaces (the sandbox needs them): " + " ".join(command))
        subprocess.run(command, stdout=subprocess.DEVNULL, check=False)


def whole(number):
    """Classroom 50 counts points in whole numbers."""
    return int(round(number))


def main():
    checkout = os.getcwd()
    scratch = tempfile.mkdtemp(prefix="netlabs-classroom50-")
    try:
        try:
            netlabs = netlabs_folder(scratch)
        except RuntimeError as error:
            say(str(error))
            return 1
        # The submission: the checkout as the student pushed it, without git's
        # own files (copied before anything is written here).
        submission = os.path.join(scratch, "submission")
        shutil.copytree(checkout, submission, symlinks=True,
                        ignore=shutil.ignore_patterns(".git", "result.json", "release-body.md"))
        allow_user_namespaces()
        out = os.path.join(scratch, "out")
        command = [os.path.join(netlabs, "grading", "sandbox"), "--lab", LAB, "--submission", submission,
                   "--out", out, "--copy"]
        if os.environ.get("NETLABS_BUILD"):
            command += ["--build", os.environ["NETLABS_BUILD"]]
        results_py = os.path.join(netlabs, "grading", "results.py")
        graded = subprocess.run(command, stderr=subprocess.PIPE, check=False)  # its report: the job's log
        why = graded.stderr.decode("utf-8", "replace")
        sys.stderr.write(why)
        if not os.path.isfile(os.path.join(out, "results.json")):
            subprocess.run([sys.executable, results_py, "unable", "--why", "-", "--out", out],
                           input=graded.stderr, check=False)
        with open(os.path.join(out, "results.json"), encoding="utf-8") as file:
            results = json.load(file)
        tests = results.get("tests", [])
        maximum = sum(test["max_score"] for test in tests)
        skipped = lambda test: (test.get("extra_data") or {}).get("skipped") is True
        result = {
            "schema": SCHEMA,
            "classroom": os.environ.get("CLASSROOM", ""),
            "assignment": os.environ.get("ASSIGNMENT", ""),
            "submission": os.environ.get("SUBMISSION_TAG", ""),
            "commit": os.environ.get("COMMIT_URL", ""),
            "release": os.environ.get("RELEASE_URL", ""),
            "review": os.environ.get("REVIEW_URL") or os.environ.get("COMMIT_URL", ""),
            "datetime": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "score": whole(results["score"]),
            "max-score": whole(maximum),
            "tests": [{"test-name": test["name"], "passed": test["status"] == "passed" and not skipped(test),
                       "score": whole(test["score"]), "max-score": whole(test["max_score"])} for test in tests],
        }
        with open(os.path.join(checkout, "result.json"), "w", encoding="utf-8") as file:
            json.dump(result, file, indent=2, ensure_ascii=False)
            file.write("\n")
        body = subprocess.run([sys.executable, results_py, "markdown", os.path.join(out, "results.json"),
                               "--title", f"Lab {LAB}"], stdout=subprocess.PIPE, check=False).stdout
        with open(os.path.join(checkout, "release-body.md"), "wb") as file:
            file.write(body)
        summary = f"Lab {LAB}: {results['score']:g} / {maximum:g} points"
        if os.environ.get("GITHUB_OUTPUT"):
            with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as file:
                file.write(f"summary={summary}\n")
        print(summary)
        if graded.returncode == 2:
            say("this submission could not be graded (above): not the student's fault")
            return 1
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
