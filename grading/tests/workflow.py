#!/usr/bin/env python3
"""The GitHub Actions workflow (.github/classroom/grade-lab.yml), as far as
it can be run without GitHub: its YAML parses and has the shape GitHub
Classroom's reporter expects, and its `run:` steps, run here as GitHub runs
them (bash -eo pipefail, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, a `sudo`
and a `gh` that only say what they were asked), do what the workflow says:

  - a submission graded in the sandbox: the job summary has the score and a
    line per test, the commit status the score, the reporter's input
    (GRADE_RESULTS, base64 JSON) the same points;
  - the sandbox cannot start (a bubblewrap that fails as where user
    namespaces are forbidden): score 0 of the lab's maximum, and why, in
    the summary, the status and the reporter's input;
  - the grader could not be checked out: still a summary and a reporter's
    input, saying so.

    grading/tests/workflow.py ROOT BUILD
Exit 77 (skipped) where no sandbox can run."""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # this python3 has none: the system's may (Debian's python3-yaml)
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("FAIL: reading the workflow needs PyYAML: apt-get install python3-yaml")
    sys.exit(1)

ROOT, BUILD = (os.path.realpath(path) for path in sys.argv[1:3])
WORKFLOW = os.path.join(ROOT, ".github", "classroom", "grade-lab.yml")
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: " + what)
    return condition


def finish():
    print("1 passed, 0 failed" if not failures else "0 passed, 1 failed")
    sys.exit(1 if failures else 0)


workflow = yaml.safe_load(open(WORKFLOW, encoding="utf-8"))
# --- the shape ---------------------------------------------------------------
check(workflow.get("name") == "Autograding Tests", "the workflow's name is Classroom's: Autograding Tests")
on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
check(isinstance(on, list) and "push" in on, "it runs on push")
jobs = workflow.get("jobs", {})
check(list(jobs) == ["run-autograding-tests"], f"one job, Classroom's run-autograding-tests: {list(jobs)}")
job = jobs.get("run-autograding-tests", {})
check("name" not in job, "the job keeps its id as its name (Classroom looks for it)")
check(workflow.get("permissions", {}).get("statuses") == "write", "permission to set a commit status")
check(workflow.get("permissions", {}).get("checks") == "write", "permission for the reporter's check notices")
steps = job.get("steps", [])
by_id = {step.get("id"): step for step in steps if step.get("id")}
grade_step = by_id.get("grade", {})
reporters = [step for step in steps if "autograding-grading-reporter" in step.get("uses", "")]
check(len(reporters) == 1, "one reporter step")
reporter = reporters[0] if reporters else {}
runners = [runner.strip() for runner in str(reporter.get("with", {}).get("runners", "")).split(",") if runner.strip()]
check(runners == ["grade"], f"the reporter's runners: {runners}")
for runner in runners:
    variable = runner.upper() + "_RESULTS"
    check(re.fullmatch(r"\$\{\{\s*steps\.grade\.outputs\.result\s*\}\}", reporter.get("env", {}).get(variable, "")),
          f"the reporter reads {variable} from the grading step's output `result`")
for step in steps[steps.index(grade_step) if grade_step in steps else 0:]:
    check("always()" in str(step.get("if", "")), f"step '{step.get('name')}' runs even when an earlier one failed")
check(any("upload-artifact" in step.get("uses", "") and step.get("with", {}).get("path") == "results/"
          for step in steps), "the results are kept as an artifact")
run_steps = [step for step in steps if "run" in step]
check(len(run_steps) == 3, f"three run steps (install, grade, status): {[step.get('name') for step in run_steps]}")
if failures:
    finish()

# --- the run steps -----------------------------------------------------------
work = tempfile.mkdtemp(prefix="netlabs-workflow-check.")
fake_bin = os.path.join(work, "bin")
os.makedirs(fake_bin)
for name in ("sudo", "gh"):
    with open(os.path.join(fake_bin, name), "w", encoding="utf-8") as file:
        file.write(f'#!/bin/sh\nprintf "%s\\n" "$*" >>"{work}/{name}.log"\n')
    os.chmod(os.path.join(fake_bin, name), 0o755)


def expression(text, outputs):
    """A step's env value with its ${{ }} worked out as GitHub would."""
    def value(match):
        name = match.group(1).strip()
        if name.startswith("steps.grade.outputs."):
            return outputs.get(name.rsplit(".", 1)[1], "")
        return {"github.token": "fake-token", "env.LAB": workflow["env"]["LAB"]}.get(name, "")
    return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))


def run_step(step, workspace, outputs, extra_path=""):
    """Runs one `run:` step in `workspace` as GitHub's runner would."""
    for name in ("output", "summary"):
        open(os.path.join(workspace, name), "a").close()
    env = {"PATH": extra_path + fake_bin + ":" + os.environ["PATH"], "HOME": workspace, "LANG": "C.UTF-8",
           "GITHUB_OUTPUT": os.path.join(workspace, "output"), "GITHUB_STEP_SUMMARY": os.path.join(workspace, "summary"),
           "GITHUB_REPOSITORY": "student/lab", "GITHUB_SHA": "0123abcd", "GITHUB_SERVER_URL": "https://github.example",
           "GITHUB_RUN_ID": "42", "LAB_BUILD_DIR": BUILD}
    env.update({key: str(value) for key, value in workflow["env"].items()})
    env.update({key: expression(value, outputs) for key, value in step.get("env", {}).items()})
    script = os.path.join(workspace, "step.sh")
    with open(script, "w", encoding="utf-8") as file:
        file.write(step["run"])
    run = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=workspace, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    return run.returncode, run.stdout.decode("utf-8", "replace")


def outputs_of(workspace):
    """GITHUB_OUTPUT's name=value lines."""
    outputs = {}
    for line in open(os.path.join(workspace, "output"), encoding="utf-8"):
        name, _, value = line.rstrip("\n").partition("=")
        outputs[name] = value
    return outputs


def workspace_with(kind, netlabs=True):
    workspace = tempfile.mkdtemp(dir=work)
    submission = os.path.join(workspace, "submission")
    os.makedirs(os.path.join(submission, ".git"))
    if kind == "reference":
        shutil.copy(os.path.join(ROOT, "solutions", "01-echo-server", "echo_server.cpp"), submission)
    if netlabs:
        os.symlink(ROOT, os.path.join(workspace, "netlabs"))
    return workspace


def reporter_input(outputs):
    """What the reporter decodes from GRADE_RESULTS."""
    encoded = expression(reporter["env"]["GRADE_RESULTS"], outputs)
    return json.loads(base64.b64decode(encoded).decode("utf-8"))


install, grade, status_step = run_steps
try:
    # The install step, with a sudo that only says what it was asked.
    workspace = workspace_with("reference")
    code, printed = run_step(install, workspace, {})
    check(code == 0, f"the install step: exit status {code}: {printed}")
    asked = open(os.path.join(work, "sudo.log"), encoding="utf-8").read() if os.path.exists(
        os.path.join(work, "sudo.log")) else ""
    check("bubblewrap" in asked and "netcat-openbsd" in asked and "meson" in asked,
          f"the install step installs bubblewrap, netcat and meson: {asked}")

    # Is there a sandbox here at all?
    probe = subprocess.run([os.path.join(ROOT, "grading", "sandbox"), "--lab", "01", "--submission", workspace,
                            "--out", os.path.join(work, "probe"), "--copy", "--no-build", "--build", BUILD,
                            "--cmd", "true", "--", "-tc=(no test has this name)"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if b"refusing to run untrusted code" in probe.stderr:
        print("no sandbox here: " + probe.stderr.decode("utf-8", "replace"))
        sys.exit(77)

    # 1. A submission, graded.
    code, printed = run_step(grade, workspace, {})
    check(code == 0, f"the grading step: exit status {code}: {printed}")
    outputs = outputs_of(workspace)
    results = json.load(open(os.path.join(workspace, "results", "results.json"), encoding="utf-8"))
    maximum = sum(test["max_score"] for test in results["tests"])
    check(maximum > 0 and results["score"] == maximum, f"the reference: {results['score']} of {maximum}")
    check(not os.path.exists(os.path.join(workspace, "submission", ".git")), "the submission's .git is not graded")
    check(outputs.get("score") == f"{maximum:g}" and outputs.get("max_score") == f"{maximum:g}"
          and outputs.get("passed") == "yes" and outputs.get("status") == "0", f"the step's outputs: {outputs}")
    summary = open(os.path.join(workspace, "summary"), encoding="utf-8").read()
    check(f"Lab 01: {maximum:g} / {maximum:g} points" in summary, f"the summary's score: {summary[:300]}")
    check(all(test["name"].replace("|", "\\|") in summary for test in results["tests"]), "every test in the summary")
    given = reporter_input(outputs)
    check(given.get("version") == 1 and given.get("status") == "pass" and given.get("max_score") == maximum
          and sum(test["score"] for test in given["tests"]) == maximum
          and len(given["tests"]) == len(results["tests"]), f"the reporter's input: {str(given)[:300]}")
    code, printed = run_step(status_step, workspace, outputs)
    asked = open(os.path.join(work, "gh.log"), encoding="utf-8").read()
    check(code == 0 and "statuses/0123abcd" in asked and "state=success" in asked
          and f"description={maximum:g} / {maximum:g} points" in asked, f"the commit status: {asked}")
    os.remove(os.path.join(work, "gh.log"))

    # 2. The sandbox cannot start: bubblewrap fails as where user namespaces are forbidden.
    workspace = workspace_with("reference")
    broken_bin = os.path.join(workspace, "broken-bin")
    os.makedirs(broken_bin)
    with open(os.path.join(broken_bin, "bwrap"), "w", encoding="utf-8") as file:
        file.write("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    os.chmod(os.path.join(broken_bin, "bwrap"), 0o755)
    code, printed = run_step(grade, workspace, {}, extra_path=broken_bin + ":")
    check(code == 0, f"the grading step without a sandbox: exit status {code}: {printed}")
    outputs = outputs_of(workspace)
    check(outputs.get("score") == "0" and outputs.get("max_score") == f"{maximum:g}" and outputs.get("passed") == "no"
          and outputs.get("status") == "2", f"without a sandbox, the step's outputs: {outputs}")
    summary = open(os.path.join(workspace, "summary"), encoding="utf-8").read()
    check(f"0 / {maximum:g} points" in summary and "could not be graded" in summary
          and "Permission denied" in summary, f"without a sandbox, the summary says why: {summary[:600]}")
    given = reporter_input(outputs)
    check(given.get("status") == "fail" and given.get("max_score") == maximum
          and sum(test["score"] for test in given["tests"]) == 0, f"without a sandbox, the reporter's input: {str(given)[:300]}")
    code, printed = run_step(status_step, workspace, outputs)
    asked = open(os.path.join(work, "gh.log"), encoding="utf-8").read()
    check("state=error" in asked and f"description=0 / {maximum:g} points" in asked,
          f"without a sandbox, the commit status: {asked}")

    # 3. The grader could not be checked out.
    workspace = workspace_with("reference", netlabs=False)
    code, printed = run_step(grade, workspace, {})
    check(code == 0, f"the grading step without the grader: exit status {code}: {printed}")
    outputs = outputs_of(workspace)
    summary = open(os.path.join(workspace, "summary"), encoding="utf-8").read()
    check("could not be checked out" in summary and outputs.get("score") == "0",
          f"without the grader, the summary says why: {summary[:300]} {outputs}")
    check(reporter_input(outputs).get("status") == "error", "without the grader, the reporter's input is an error")
finally:
    shutil.rmtree(work, ignore_errors=True)
finish()
