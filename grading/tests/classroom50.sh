#!/usr/bin/env bash
# grading/classroom50/autograder.py as Classroom 50 runs it: in a student's
# checkout, with Classroom 50's variables: result.json has the schema
# classroom50/result/v1, the score and a line per test; release-body.md and
# $GITHUB_OUTPUT's summary have the score; the checkout is graded as it was
# pushed (its .git left out). The reference gets full marks, a broken
# server less.
#   grading/tests/classroom50.sh ROOT BUILD
# Exit 77 (skipped) where no sandbox can run, once grading says why.
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
no_sandbox_here && { [[ "$failures" == 0 ]] && exit 77 || exit 1; }

autograde() {  # autograde KIND: runs the autograder in a checkout of that kind
    local checkout="$work/$1"
    submission "$1" "$checkout"
    mkdir -p "$checkout/.git"
    : >"$work/$1.output"
    (cd "$checkout" && env NETLABS_DIR="$ROOT" NETLABS_BUILD="$BUILD" NETLABS_LAB=01 CLASSROOM=netlabs-2026 \
        ASSIGNMENT=lab-01 SUBMISSION_TAG=submit/20260601T143311Z-0123abc USERNAME=alice \
        COMMIT_URL=https://github.example/c/0123abc RELEASE_URL=https://github.example/r/1 \
        GITHUB_OUTPUT="$work/$1.output" python3 "$ROOT/grading/classroom50/autograder.py") >"$work/$1.log" 2>&1
    local status=$?
    [[ "$status" == 0 ]] || problem "the autograder on $1: exit status $status: $(tail -20 "$work/$1.log")"
}

check_result() {  # check_result KIND FULL|LESS
    python3 - "$work/$1/result.json" "$2" <<'PYTHON' || problem "$1: result.json (above)"
import json, sys
result = json.load(open(sys.argv[1]))
ok = True
def check(condition, what):
    global ok
    if not condition:
        print("  " + what)
        ok = False
check(result["schema"] == "classroom50/result/v1", "the schema")
for key, value in (("classroom", "netlabs-2026"), ("assignment", "lab-01"),
                   ("submission", "submit/20260601T143311Z-0123abc"), ("commit", "https://github.example/c/0123abc"),
                   ("release", "https://github.example/r/1"), ("review", "https://github.example/c/0123abc")):
    check(result.get(key) == value, f"{key}: {result.get(key)!r}")
check(len(result["datetime"]) == 20 and result["datetime"].endswith("Z"), f"datetime {result['datetime']!r}")
tests = result["tests"]
check(all(isinstance(result[key], int) for key in ("score", "max-score")), "whole points")
check(len(tests) > 0 and all(set(test) == {"test-name", "passed", "score", "max-score"} for test in tests), "tests' keys")
check(result["max-score"] == sum(test["max-score"] for test in tests) > 0, "max-score is the tests' sum")
check(result["score"] == sum(test["score"] for test in tests), "score is the tests' sum")
if sys.argv[2] == "FULL":
    check(result["score"] == result["max-score"] and all(test["passed"] for test in tests), f"full marks: {result['score']}")
else:
    check(0 < result["score"] < result["max-score"], f"less than full marks: {result['score']} of {result['max-score']}")
sys.exit(0 if ok else 1)
PYTHON
    grep -q "points" "$work/$1/release-body.md" 2>/dev/null || problem "$1: no release-body.md with the score"
    grep -q "^summary=Lab 01: [0-9.]* / [0-9.]* points$" "$work/$1.output" || problem "$1: no summary in GITHUB_OUTPUT"
}

autograde reference
check_result reference FULL
autograde broken
check_result broken LESS
echo "reference: $(sed -n 's/^summary=//p' "$work/reference.output"); broken: $(sed -n 's/^summary=//p' "$work/broken.output")"
finish
