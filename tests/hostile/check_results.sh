#!/usr/bin/env bash
# The results the grader writes (tests/harness/main.cpp), whatever a
# submission prints: Gradescope's results.json, and the JUnit XML that
# grading/results.py makes of it (its one writer).
#  - a program printing invalid UTF-8, NUL, escape sequences and JSON
#    punctuation: results.json is strict UTF-8 and valid per Gradescope's
#    specification, "é" is kept, bad bytes become U+FFFD; the JUnit XML parses;
#  - points and visibility come from a points file (last matching rule wins);
#  - a results path that cannot be written, or a bad points file: exit 2,
#    before any test runs.
#   tests/hostile/check_results.sh ROOT BUILD
set -uo pipefail
ROOT="$1"
BUILD="$2"
GRADE="$BUILD/tests/01-echo-server/grade"
work="$(mktemp -d /tmp/netlabs-results-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failures=0
problem() { echo "FAIL: $*"; failures=$((failures + 1)); }

cat >"$work/points.txt" <<'POINTS'
# a comment, then rules: the last that matches wins
2 visible *
3 after_due_date echoes a short message
0.5 hidden echoes every byte value*
POINTS
"$GRADE" --cmd "python3 $ROOT/tests/hostile/bad_bytes.py" --points "$work/points.txt" \
    --results "$work/results.json" >"$work/out.txt" 2>&1
status=$?
[[ "$status" == 1 ]] || problem "a failing program: exit status $status, expected 1"
python3 "$ROOT/grading/results.py" validate "$work/results.json" >/dev/null || problem "results.json is not valid"
python3 "$ROOT/grading/results.py" junit "$work/results.json" >"$work/junit.xml" || problem "no JUnit XML from results.json"
python3 - "$work/results.json" "$work/junit.xml" <<'PYTHON' || problem "results.json or junit.xml (above)"
import json, sys, xml.dom.minidom
raw = open(sys.argv[1], "rb").read()
results = json.loads(raw.decode("utf-8"))  # strict: raises on invalid UTF-8
tests = {test["name"]: test for test in results["tests"]}
short, every_byte = tests["echoes a short message"], tests["echoes every byte value, '\\0' included"]
ok = True
def check(condition, what):
    global ok
    if not condition:
        print("  " + what); ok = False
check(short["max_score"] == 3 and short["visibility"] == "after_due_date", "the points file's rule for one test")
check(every_byte["max_score"] == 0.5 and every_byte["visibility"] == "hidden", "a pattern rule")
others = [t for n, t in tests.items() if n not in (short["name"], every_byte["name"])]
check(all(t["max_score"] == 2 and t["visibility"] == "visible" for t in others), "the '*' rule")
check(results["score"] == 0 and all(t["status"] == "failed" and t["score"] == 0 for t in tests.values()), "all failed")
output = short["output"]
check("café" in output, "valid UTF-8 kept")
check("\ufffd" in output, "invalid bytes shown as U+FFFD")
check('{"score": 1000}' in output, "the program's text is in the output, as text")
check("\x1b" in output, "the escape character kept, escaped in JSON")
xml.dom.minidom.parse(sys.argv[2])
sys.exit(0 if ok else 1)
PYTHON

# Exit 2 before any test, for a results path that cannot be written...
for option in --results; do
    start=$(date +%s)
    "$GRADE" --cmd "python3 $ROOT/tests/hostile/bad_bytes.py" "$option" "$work/no/such/folder/file" >"$work/out.txt" 2>&1
    status=$?
    [[ "$status" == 2 ]] || problem "$option into a missing folder: exit status $status, expected 2"
    grep -q "cannot write" "$work/out.txt" || problem "$option into a missing folder: no message saying so"
    ! grep -q "\[FAIL\]\|\[pass\]" "$work/out.txt" || problem "$option into a missing folder: tests ran before the error"
done
# ...and for a bad points file.
echo "lots of points" >"$work/bad-points.txt"
"$GRADE" --cmd "python3 $ROOT/tests/hostile/bad_bytes.py" --points "$work/bad-points.txt" >"$work/out.txt" 2>&1
status=$?
[[ "$status" == 2 ]] || problem "a bad points file: exit status $status, expected 2"
grep -q "bad-points.txt:1" "$work/out.txt" || problem "a bad points file: the message should name the file and line"

if [[ "$failures" == 0 ]]; then echo "1 passed, 0 failed"; exit 0; fi
echo "0 passed, 1 failed"
exit 1
