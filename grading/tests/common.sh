# Shared by the checks of grading/tests/ (sourced): a scratch folder, the
# count of problems, and the submissions they grade (lab 01).
#   ROOT BUILD: the project and its build folder (the checks' arguments).
set -uo pipefail
ROOT="$1"
BUILD="$2"
failures=0
problem() { echo "FAIL: $*"; failures=$((failures + 1)); }
work="$(mktemp -d "${TMPDIR:-/tmp}/netlabs-grading-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# submission KIND FOLDER: a lab 01 submission of that kind in FOLDER.
#   reference      the reference solution's C++ (full marks)
#   python         the example Python echo server (full marks)
#   broken         a Python server that echoes only its first read (some tests fail)
#   no-compile     C++ that does not compile (0, the compiler's messages)
#   never-listens  a program that exits at once (0)
submission() {
    mkdir -p "$2"
    case "$1" in
        reference) cp "$ROOT/solutions/01-echo-server/echo_server.cpp" "$2/" ;;
        python) cp "$ROOT/tests/01-echo-server/examples/echo_server.py" "$2/"
                echo "python3 echo_server.py --port {port}" >"$2/command.txt" ;;
        broken) cp "$ROOT/tests/01-echo-server/examples/echo_server.py" \
                   "$ROOT/tests/01-echo-server/examples/broken_echoes_once.py" "$2/"
                echo "python3 broken_echoes_once.py --port {port}" >"$2/command.txt" ;;
        no-compile) sed 's/return 0;/return 0  \/\/ the semicolon forgotten/' \
                        "$ROOT/solutions/01-echo-server/echo_server.cpp" >"$2/echo_server.cpp" ;;
        never-listens) echo "true" >"$2/command.txt" ;;
    esac
}

# score_of FILE: "STATUS SCORE MAX_SCORE" of a summary.json or results.json.
score_of() {
    python3 -c 'import json, sys
results = json.load(open(sys.argv[1]))
maximum = results.get("max_score", sum(test["max_score"] for test in results.get("tests", [])))
print(results.get("status", "-"), "%g" % results["score"], "%g" % maximum)' "$1" 2>/dev/null ||
        echo "unreadable $1"
}

# no_sandbox_here: true (0) where grading/sandbox refuses to run (no user
# namespaces), after checking that it then says why, exit status 2.
no_sandbox_here() {
    local probe="$work/probe"
    submission never-listens "$probe/submission"
    "$ROOT/grading/sandbox" --lab 01 --submission "$probe/submission" --out "$probe/out" --copy --no-build \
        --build "$BUILD" -- "-tc=(no test has this name)" >/dev/null 2>"$probe/why"
    local status=$?
    if grep -q "refusing to run untrusted code" "$probe/why"; then
        [[ "$status" == 2 ]] || problem "a refusal must exit with status 2, not $status"
        echo "no sandbox here: $(cat "$probe/why")"
        return 0
    fi
    return 1
}

# Comparisons of scores (points may have fractions): lt A B, eq A B.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
eq() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'; }

finish() {
    if [[ "$failures" == 0 ]]; then echo "1 passed, 0 failed"; exit 0; fi
    echo "0 passed, 1 failed"
    exit 1
}
