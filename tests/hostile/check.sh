#!/usr/bin/env bash
# Grades the hostile submissions of this folder as lab 01 submissions, each
# confined by grading/sandbox, and checks what the sandbox promises:
#  - each is graded on its echo alone: the same score as an honest server
#    in the same language;
#  - nothing leaks: a secret file outside the sandbox, /etc/shadow, the
#    files of another submission, and a token in the grading host's
#    environment appear nowhere: not in what grading prints, nor in
#    results.json, junit.xml, report.txt, summary.json, nor in a batch's
#    grades.csv and reports (a submission prints its environment and every
#    /proc/*/environ it can read); graded unconfined, a submission's own
#    environment holds none of the host's;
#  - nothing is left behind: no process of the grading user, no file they
#    wrote anywhere outside their scratch folder;
#  - nothing is changed: the project's files and the grader's binary are
#    byte for byte the same.
#
#   tests/hostile/check.sh ROOT BUILD
# Exit 0: every promise held; 1: one did not (said why); 77 (skipped): no
# sandbox here, after checking that grading then refuses to run.
set -uo pipefail
ROOT="$1"
BUILD="$2"
HERE="$ROOT/tests/hostile"
SLOT=$$  # a grading user of its own (no other live process has our PID: no other sandbox has this slot)
UID_OF_SLOT=$(( ${GRADER_UID_BASE:-2000000000} + SLOT ))
failures=0
problem() { echo "FAIL: $*"; failures=$((failures + 1)); }

work="$(mktemp -d /tmp/netlabs-hostile-check.XXXXXX)"
trap 'rm -rf "$work" /tmp/netlabs-hostile-secret.txt' EXIT
submissions="$work/class"
mkdir -p "$submissions"

# A C++ submission: the reference echo server, with something appended.
cpp_submission() {
    mkdir -p "$submissions/$1"
    cat "$ROOT/solutions/01-echo-server/echo_server.cpp" "${@:2}" >"$submissions/$1/echo_server.cpp"
}
# A Python submission: the example echo server, and a main script.
python_submission() {
    mkdir -p "$submissions/$1"
    cp "$ROOT/tests/01-echo-server/examples/echo_server.py" "$submissions/$1/"
    [[ -n "${2:-}" ]] && cp "$HERE/$2.py" "$HERE/reads_secret_loot.py" "$submissions/$1/"
    echo "python3 ${2:-echo_server}.py ${3:+$3 }--port {port}" >"$submissions/$1/command.txt"
}
cpp_submission honest-cpp
cpp_submission fork-bomb "$HERE/fork_bomb.cpp"
python_submission honest-python
for hostile in daemon writes_outside reads_secret leaks_when_failing overwrites_grader fills_disk prints_environment; do
    python_submission "${hostile//_/-}" "$hostile"
done

# The sandbox's memory limit (a cgroup, where the machine allows one) is
# checked with a daemon that eats 768 MiB, under a limit of 384 MiB.
python_submission eats-memory eats_memory

# Without a sandbox, grading must refuse, and say why.
refusal="$("$ROOT/grading/sandbox" --lab 01 --submission "$submissions/honest-python" --out "$work/refused" \
    --build "$BUILD" --no-build --slot "$SLOT" --copy 2>&1 >/dev/null)"
refusal_status=$?
if [[ "$refusal" == *"refusing to run untrusted code"* ]]; then
    [[ "$refusal_status" == 2 ]] || problem "a refusal must exit with status 2, not $refusal_status"
    echo "no sandbox here, and grading refuses, saying: $refusal"
    [[ "$failures" == 0 ]] && exit 77 || exit 1
fi

# Secrets: a file outside, and one in another student's folder.
secret="secret-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "$secret" >/tmp/netlabs-hostile-secret.txt
chmod 644 /tmp/netlabs-hostile-secret.txt  # readable by anyone on this machine: the sandbox must hide it
echo "$secret" >"$submissions/honest-python/secret.txt"
shadow_line="$(head -n 1 /etc/shadow 2>/dev/null)"  # root's line, if we can read it
# A token in the environment of whoever grades (an instructor's shell, a CI
# job's secrets): everything below runs with it.
token="token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export NETLABS_HOSTILE_TOKEN="$token"

# What must not change: every file of the project but the build folders, and the grader.
fingerprint() {
    (cd "$ROOT" && find . -path ./build -prune -o -path "./build-*" -prune -o -path "./.git" -prune -o \
        -path "./subprojects/*" -prune -o -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum
    sha256sum "$BUILD/tests/01-echo-server/grade" "$BUILD/tests/harness/libshort-sends.so"
}
before="$(fingerprint)"

declare -A score
for folder in "$submissions"/honest-* $(ls -d "$submissions"/* | grep -v /honest-); do  # honest first: they set the bar
    name="$(basename "$folder")"
    start=$(date +%s.%N)
    if [[ "$name" == eats-memory ]]; then
        # Only where memory is bounded: elsewhere it would really eat 2 GiB.
        [[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["memory_limit"])' \
              "$work/out/honest-python/summary.json" 2>/dev/null)" =~ ^[0-9]+$ ]] || {
            echo "eats-memory          skipped: no memory cgroup here, memory is not bounded as a whole"; continue; }
        memory_limit=$((384 << 20))
    else
        memory_limit="${GRADER_MEMORY_BYTES:-3221225472}"
    fi
    GRADER_MEMORY_BYTES="$memory_limit" "$ROOT/grading/sandbox" --lab 01 --submission "$folder" \
        --out "$work/out/$name" --build "$BUILD" \
        --no-build --slot "$SLOT" --copy --timeout 300 >"$work/$name.stdout" 2>"$work/$name.stderr"
    summary="$(cat "$work/out/$name/summary.json" 2>/dev/null)"
    score[$name]="$(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(s["status"], s["score"], s["max_score"])' "$summary" 2>/dev/null)"
    printf '%-20s %-22s %5.1f s\n' "$name" "${score[$name]:-no summary}" "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')"
    python3 "$ROOT/grading/results.py" validate "$work/out/$name/results.json" >/dev/null ||
        problem "$name: invalid results.json"
done

# Graded on the echo alone.
for name in fork-bomb; do
    [[ "${score[$name]}" == "${score[honest-cpp]}" ]] || problem "$name: '${score[$name]}', but an honest C++ echo gets '${score[honest-cpp]}'"
done
if [[ -n "${score[eats-memory]:-}" ]]; then
    [[ "${score[eats-memory]}" == "${score[honest-python]}" ]] ||
        problem "eats-memory: '${score[eats-memory]}', but an honest Python echo gets '${score[honest-python]}'"
    grep -q "memory limit, 384 MiB, was reached" "$work/out/eats-memory/report.txt" ||
        problem "eats-memory: the report should say the memory limit was reached"
fi
for name in daemon writes-outside reads-secret overwrites-grader fills-disk; do
    [[ "${score[$name]}" == "${score[honest-python]}" ]] || problem "$name: '${score[$name]}', but an honest Python echo gets '${score[honest-python]}'"
done
# This one fails the exit tests on purpose, so that its standard error (what
# it read) is shown in the report: the check below sees that it was shown.
read -r status points maximum <<<"${score[leaks-when-failing]}"
[[ "$status" == graded && "$points" -lt "$maximum" && "$points" -gt 0 ]] ||
    problem "leaks-when-failing: '${score[leaks-when-failing]}', expected graded with some tests failed"
grep -q "/etc/shadow: Permission denied" "$work/out/leaks-when-failing/report.txt" ||
    problem "leaks-when-failing: its standard error should be in the report, saying /etc/shadow could not be read"
read -r status points maximum <<<"${score[prints-environment]}"
[[ "$status" == graded && "$points" -lt "$maximum" && "$points" -gt 0 ]] ||
    problem "prints-environment: '${score[prints-environment]}', expected graded with some tests failed"
grep -q "entries of environment seen" "$work/out/prints-environment/report.txt" ||
    problem "prints-environment: its standard error should be in the report, with what it found"
# Every test passed, and the same tests in both languages (the maximum score
# does not depend on how the program is started).
read -r status points maximum <<<"${score[honest-cpp]}"
[[ "$status" == graded && "$points" == "$maximum" && "$maximum" -gt 0 ]] ||
    problem "the honest C++ echo server gets '${score[honest-cpp]}'"
[[ "${score[honest-python]}" == "${score[honest-cpp]}" ]] ||
    problem "the honest Python echo server gets '${score[honest-python]}', the honest C++ one '${score[honest-cpp]}'"

# Two of them in a batch, as ./lab batch grades a class.
mkdir -p "$work/batch"
cp -r "$submissions/prints-environment" "$submissions/honest-cpp" "$work/batch/"
python3 "$ROOT/grading/batch.py" 01 "$work/batch" \
    --jobs 2 --build "$BUILD" >"$work/batch.stdout" 2>"$work/batch.stderr" || problem "the batch failed: $(cat "$work/batch.stderr")"
grep -q '^prints-environment,.*,graded$' "$work/batch/grades.csv" &&
    grep -q '^honest-cpp,.*,graded$' "$work/batch/grades.csv" ||
    problem "the batch's grades.csv: $(cat "$work/batch/grades.csv" 2>/dev/null)"
# Unconfined (trusted code only), a submission still starts from a clean
# environment: its own holds nothing of the caller's (what it could read
# of other processes', as the same user, is not promised: section 8 of
# docs/instructors.md).
python_submission own-environment prints_environment --own-only
"$ROOT/grading/sandbox" --lab 01 --submission "$submissions/own-environment" --out "$work/out/own-environment" \
    --build "$BUILD" --no-build --slot "$SLOT" --copy --unconfined --timeout 300 \
    >"$work/own-environment.stdout" 2>"$work/own-environment.stderr"
grep -q "entries of environment seen" "$work/out/own-environment/report.txt" ||
    problem "own-environment (unconfined): its environment should be in the report"

# Nothing leaked.
leaks="$(grep -roF "$token" "$work/out" "$work/batch" "$work"/*.stdout "$work"/*.stderr 2>/dev/null | wc -l)"
echo "the grading host's token appears $leaks times in what grading printed and wrote"
if [[ "$leaks" != 0 ]]; then
    problem "the grading host's environment reached a submission: its token is in $(grep -rlF "$token" "$work/out" "$work/batch" "$work"/*.stdout "$work"/*.stderr | tr '\n' ' ')"
fi
if grep -rlF "$secret" "$work/out" >/dev/null; then problem "the secret appears in: $(grep -rlF "$secret" "$work/out" | tr '\n' ' ')"; fi
if [[ -n "$shadow_line" ]] && grep -rqF "$shadow_line" "$work/out"; then
    problem "a line of /etc/shadow appears in the results"
fi

# Nothing left behind: no process of the grading user (a zombie is not a
# process left running: the sandbox's init, once ended, waits to be reaped
# by this machine's init), no file outside.
# (As root, the sandbox runs as a user of its own, so this finds exactly
# its processes; otherwise it runs as us, and only the PID namespace holds.)
[[ "$(id -u)" == 0 ]] || echo "not root: the check for processes left behind is skipped"
for status_file in /proc/[0-9]*/status; do
    [[ "$(id -u)" == 0 ]] || break
    if awk -v uid="$UID_OF_SLOT" '$1 == "Uid:" && $2 == uid { found = 1 } $1 == "State:" && $2 == "Z" { zombie = 1 }
                                  END { exit !(found && !zombie) }' "$status_file" 2>/dev/null; then
        problem "a process of the grading user is still alive: $(tr '\0' ' ' <"${status_file%/status}/cmdline")"
    fi
done
left="$(find /tmp /var/tmp /dev/shm "$ROOT" "$BUILD" /root /home /etc /usr/local -maxdepth 6 \
    \( -name 'netlabs-hostile-was-here' -o -name 'netlabs-hostile-fill-*' \) 2>/dev/null | head -5)"
[[ -z "$left" ]] || problem "files written outside the sandbox: $left"
for forged in /autograder/results/results.json /tmp/results.json; do
    [[ ! -f "$forged" ]] || ! grep -q '"score": 1000' "$forged" || problem "a forged results file: $forged"
done

# Nothing changed.
after="$(fingerprint)"
[[ "$before" == "$after" ]] || problem "the project or the grader changed while the hostile submissions were graded"

if [[ "$failures" == 0 ]]; then
    echo "every hostile submission was graded on its echo alone; nothing leaked, nothing was left, nothing changed"
    echo "1 passed, 0 failed"
    exit 0
fi
echo "0 passed, 1 failed"
exit 1
