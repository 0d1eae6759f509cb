#!/usr/bin/env bash
# The Gradescope autograder as Gradescope's Ubuntu 22.04 image would run it,
# whose Meson (0.61) is older than the project needs: `./lab gradescope 01`'s
# zip, unpacked in a folder shaped like /autograder, with a `meson` first on
# the PATH that says it is 0.56 and fails whatever it is asked:
#  - setup.sh with a compiler that does not exist fails, saying the command
#    that failed and what it printed;
#  - setup.sh then builds the grader with the zip's own Meson (meson.pyz);
#  - run_autograder gives the reference full marks, a broken example less,
#    a program that does not compile 0 with the compiler's messages, each a
#    valid results.json.
#   grading/tests/gradescope.sh ROOT BUILD
# Exit 77 (skipped) where no sandbox can run, once grading says why.
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
no_sandbox_here && { [[ "$failures" == 0 ]] && exit 77 || exit 1; }

ag="$work/autograder"
mkdir -p "$ag/source" "$ag/results" "$work/bin"
(cd "$work" && "$ROOT/grading/gradescope/make-zip.sh" 01 "$work/gradescope-01.zip") >"$work/zip.log" 2>&1 ||
    { cat "$work/zip.log"; problem "make-zip.sh failed"; finish; }
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$work/gradescope-01.zip" "$ag/source"
chmod +x "$ag/source/setup.sh" "$ag/source/run_autograder" "$ag/source/grading/sandbox"
for name in setup.sh run_autograder meson.pyz gradescope-config.sh grading/sandbox grading/points/01-echo-server.txt; do
    [[ -f "$ag/source/$name" ]] || problem "the zip has no $name"
done

# The image's Meson: too old for the project, and never to be used.
cat >"$work/bin/meson" <<'MESON'
#!/bin/sh
[ "$1" = --version ] && { echo 0.56.2; exit 0; }
echo "the image's meson 0.56.2 was run ($*): it is too old for this project" >&2
exit 1
MESON
chmod +x "$work/bin/meson"
export PATH="$work/bin:$PATH" AUTOGRADER="$ag" SKIP_APT=1

# A step that fails says which, and what it printed.
CXX=/nonexistent/c++ bash "$ag/source/setup.sh" >"$work/setup-fails.log" 2>&1
status=$?
[[ "$status" != 0 ]] || problem "setup.sh with a compiler that does not exist: exit status 0"
grep -q "FAILED (exit status [0-9]*): python3 .*meson.pyz setup" "$work/setup-fails.log" ||
    problem "setup.sh with a compiler that does not exist: the failed command is not named: $(cat "$work/setup-fails.log")"
grep -q "nonexistent/c++" "$work/setup-fails.log" ||
    problem "setup.sh with a compiler that does not exist: Meson's own messages are not shown"

# The real thing.
started=$(date +%s)
if ! bash "$ag/source/setup.sh" >"$work/setup.log" 2>&1; then
    problem "setup.sh failed: $(cat "$work/setup.log")"
    finish
fi
echo "setup.sh: $(($(date +%s) - started)) s"
grep -q "using the zip's Meson" "$work/setup.log" || problem "setup.sh did not use the zip's Meson: $(cat "$work/setup.log")"
grep -q "the sandbox (bubblewrap) works here" "$work/setup.log" || problem "setup.sh did not say that the sandbox works"

grade() {  # grade KIND: run_autograder on a submission of that kind; prints "STATUS SCORE MAX"
    rm -rf "$ag/submission" "$ag/results/results.json"
    submission "$1" "$ag/submission"
    bash "$ag/source/run_autograder" >"$work/$1.log" 2>&1 || problem "run_autograder on $1: exit status $?"
    python3 "$ag/source/grading/results.py" validate "$ag/results/results.json" >/dev/null ||
        problem "run_autograder on $1: invalid results.json"
    cp "$ag/results/results.json" "$work/$1.json"
    score_of "$work/$1.json"
}
read -r _ score maximum <<<"$(grade reference)"
echo "reference: $score of $maximum"
lt 0 "$maximum" && eq "$score" "$maximum" || problem "the reference gets $score of $maximum: $(cat "$work/reference.log")"
full="$maximum"
read -r _ score maximum <<<"$(grade broken)"
echo "broken (echoes once): $score of $maximum"
eq "$maximum" "$full" && lt "$score" "$maximum" && lt 0 "$score" || problem "the broken example gets $score of $maximum"
read -r _ score maximum <<<"$(grade no-compile)"
echo "does not compile: $score of $maximum"
eq "$maximum" "$full" && eq "$score" 0 || problem "a program that does not compile gets $score of $maximum"
python3 -c 'import json, sys
output = json.load(open(sys.argv[1]))["output"]
sys.exit(0 if "did not build" in output and "error:" in output and "echo_server.cpp" in output else 1)' \
    "$work/no-compile.json" || problem "a program that does not compile: the compiler's messages are not in the output"
finish
