#!/usr/bin/env bash
# ./lab batch at more jobs than cores: six lab 01 submissions, --jobs 4 on
# a machine of fewer cores, every sandbox checking the same grader at once.
# Every student gets a row with a status and the lab's maximum score (never
# "error", never a maximum of 0): the reference and a Python server full
# marks, a broken server less, a program that does not compile 0 with
# status "build failed", one that never listens 0; a report each; and the
# run ends saying the time per submission. --shard K/N grades its share.
#   grading/tests/batch.sh ROOT BUILD
# Exit 77 (skipped) where no sandbox can run, once grading says why.
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
no_sandbox_here && { [[ "$failures" == 0 ]] && exit 77 || exit 1; }

class="$work/class"
submission reference "$class/alice"
submission no-compile "$class/ben"
submission python "$class/carol"
submission broken "$class/dan"
submission never-listens "$class/erin"
submission reference "$class/frank"
started=$(date +%s)
python3 "$ROOT/grading/batch.py" 01 "$class" --jobs 4 --build "$BUILD" >"$work/batch.out" 2>"$work/batch.err"
status=$?
echo "6 submissions, --jobs 4 on $(nproc) cores: $(($(date +%s) - started)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work/batch.out"
[[ "$status" == 0 ]] || problem "batch.py exit status $status: $(cat "$work/batch.err")"

python3 - "$class/grades.csv" <<'PYTHON' || problem "grades.csv (above)"
import csv, sys
rows = {row["student"]: row for row in csv.DictReader(open(sys.argv[1], newline=""))}
ok = True
def check(condition, what):
    global ok
    if not condition:
        print("  " + what)
        ok = False
check(sorted(rows) == ["alice", "ben", "carol", "dan", "erin", "frank"], f"the students: {sorted(rows)}")
full = float(rows.get("alice", {}).get("max_score", 0) or 0)
check(full > 0, "a maximum score of 0")
for name, row in rows.items():
    check(row["status"] in ("graded", "build failed"), f"{name}: status {row['status']!r}")
    check(float(row["max_score"]) == full, f"{name}: maximum {row['max_score']}, not {full:g}")
    check(int(row["passed"]) + int(row["failed"]) + int(row["skipped"]) > 0, f"{name}: no test counted")
for name in ("alice", "carol", "frank"):
    check(float(rows[name]["score"]) == full, f"{name}: {rows[name]['score']} of {full:g}, not full marks")
check(0 < float(rows["dan"]["score"]) < full, f"dan (broken): {rows['dan']['score']} of {full:g}")
check(rows["ben"]["status"] == "build failed" and float(rows["ben"]["score"]) == 0, f"ben (does not compile): {rows['ben']}")
check(rows["erin"]["status"] == "graded" and float(rows["erin"]["score"]) == 0, f"erin (never listens): {rows['erin']}")
if not ok:
    print(open(sys.argv[1]).read())
sys.exit(0 if ok else 1)
PYTHON
for name in alice ben carol dan erin frank; do
    [[ -s "$class/reports/$name.txt" && -s "$class/reports/$name.json" ]] || problem "no report for $name"
done
grep -q "did not build\|error:" "$class/reports/ben.txt" || problem "ben's report should have the compiler's messages"
grep -q "s a submission" "$work/batch.out" || problem "the batch should end with the time per submission"

# A shard: the second of three grades the second student alone.
shard="$work/shard"
for name in a b c; do submission never-listens "$shard/$name"; done
python3 "$ROOT/grading/batch.py" 01 "$shard" --shard 2/3 --build "$BUILD" >"$work/shard.out" 2>&1 ||
    problem "batch.py --shard 2/3: $(cat "$work/shard.out")"
[[ "$(cut -d, -f1 "$shard/grades-2-of-3.csv" 2>/dev/null | tr '\n' ' ')" == "student b " ]] ||
    problem "--shard 2/3 should grade b alone: $(cat "$shard/grades-2-of-3.csv" 2>/dev/null)"
finish
