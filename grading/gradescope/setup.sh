#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder is uploaded (base
# image Ubuntu 22.04 or 24.04): it installs what grading needs and builds the
# lab's grader. The zip was unpacked in $AUTOGRADER/source (Gradescope:
# /autograder). SKIP_APT=1: the packages are there already (a try-out).
#
# Any step that fails prints the command and everything it said, and the
# script exits non-zero: Gradescope shows it when the autograder is built.
# Where the image's Meson is older than the project needs (Ubuntu 22.04:
# 0.61), the Meson that made the zip (meson.pyz, beside this script) is
# used: nothing is downloaded but the image's own packages.
set -uo pipefail
AUTOGRADER="${AUTOGRADER:-/autograder}"
SOURCE="$AUTOGRADER/source"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# run WHAT COMMAND...: runs it, quietly; if it fails, shows it and stops.
run() {
    local what="$1"
    shift
    echo "setup.sh: $what"
    local status=0
    "$@" >"$log" 2>&1 || status=$?
    if [[ "$status" != 0 ]]; then
        echo "setup.sh: FAILED (exit status $status): $*"
        echo "---- what it printed ----"
        tail -c 200000 "$log"
        echo "-------------------------"
        exit 1
    fi
}

[[ -f "$SOURCE/gradescope-lab.txt" ]] || { echo "setup.sh: no $SOURCE/gradescope-lab.txt: is the zip unpacked in $SOURCE?"; exit 1; }
LAB="$(cat "$SOURCE/gradescope-lab.txt")"
cd "$SOURCE" || exit 1

if [[ -z "${SKIP_APT:-}" ]]; then
    export DEBIAN_FRONTEND=noninteractive
    run "apt-get update" apt-get update
    # Ubuntu 22.04's g++ is 11, 24.04's 13: the labs build with both (C++20).
    # netcat-openbsd: lab 06's tests drive a client with nc. libssl-dev,
    # nlohmann-json3-dev: lab 11 (every lab's build configures it).
    run "installing the compiler, Meson, bubblewrap and netcat" \
        apt-get install -y --no-install-recommends g++ meson ninja-build pkg-config cmake python3 \
        libfmt-dev doctest-dev bubblewrap util-linux netcat-openbsd libssl-dev nlohmann-json3-dev
fi

# The Meson the project needs (meson.build: meson_version), the image's if
# it is new enough, else the zip's.
needed="$(sed -n "s/.*meson_version: *'>= *\([0-9.]*\)'.*/\1/p" meson.build | head -n 1)"
newer_or_same() {  # newer_or_same VERSION MINIMUM
    python3 -c 'import sys
version = lambda text: [int(part) for part in text.split(".")[:3] if part.isdigit()]
sys.exit(0 if version(sys.argv[1]) >= version(sys.argv[2]) else 1)' "$1" "$2"
}
meson=(meson)
image_meson="$(meson --version 2>/dev/null || echo none)"
if [[ "$image_meson" == none ]] || ! newer_or_same "$image_meson" "${needed:-0}"; then
    [[ -f "$SOURCE/meson.pyz" ]] || { echo "setup.sh: this image's Meson is $image_meson, the project needs $needed or newer, and the zip has no meson.pyz"; exit 1; }
    meson=(python3 "$SOURCE/meson.pyz")
    zip_meson="$("${meson[@]}" --version 2>&1)" || { echo "setup.sh: FAILED: python3 meson.pyz --version"; echo "$zip_meson"; exit 1; }
    echo "setup.sh: this image's Meson is $image_meson, the project needs $needed or newer: using the zip's Meson $zip_meson"
else
    echo "setup.sh: Meson $image_meson (the project needs $needed or newer)"
fi

dir="$(awk -v id="$LAB" '$1 == id { print $2 }' labs.txt)"
[[ -n "$dir" ]] || { echo "setup.sh: no lab '$LAB' in labs.txt"; exit 1; }
targets=("tests/$dir/grade" tests/harness/libshort-sends.so common/libnet.a)
rm -rf "$SOURCE/build"
run "meson setup build (compiler: ${CXX:-the default c++})" \
    "${meson[@]}" setup "$SOURCE/build" "$SOURCE" --buildtype=debugoptimized
run "building lab $LAB's grader" ninja -C build "${targets[@]}"
# Record what was built: run_autograder refuses a grader that changed since.
run "recording the grader's checksums" python3 grading/results.py check-grader build "${targets[@]}"
compiler="$(ninja -C build -t commands common/libnet.a 2>/dev/null | awk 'NR == 1 { print $1 }')"
compiler="$compiler: $("$compiler" --version 2>/dev/null | head -n 1)"
echo "setup.sh: lab $LAB's grader is built (compiler: ${compiler:-unknown})"

# Can the sandbox run here? Grades a submission that starts nothing, with
# no test selected. (Gradescope may run submissions in containers of
# another kind than this one: run_autograder says so again, each time.)
probe="$(mktemp -d)"
mkdir "$probe/submission"
echo true >"$probe/submission/command.txt"
status=0
bash grading/sandbox --lab "$LAB" --submission "$probe/submission" --out "$probe/out" --copy --no-build \
    --build "$SOURCE/build" -- "-tc=(no test has this name)" >/dev/null 2>"$probe/why" || status=$?
if [[ "$status" == 0 || "$status" == 1 ]]; then  # (1: no test ran, as asked)
    echo "setup.sh: the sandbox (bubblewrap) works here"
elif grep -q "refusing to run untrusted code" "$probe/why"; then
    echo "setup.sh: WARNING: the sandbox cannot run here:"
    sed 's/^/    /' "$probe/why"
    echo "setup.sh: with ALLOW_UNCONFINED=no (gradescope-config.sh) every submission will get 0 and this reason;"
    echo "setup.sh: docs/instructors.md, section 5, says what to choose"
else
    echo "setup.sh: FAILED (exit status $status): a trial grading in the sandbox:"
    cat "$probe/why" "$probe/out/report.txt" 2>/dev/null
    rm -rf "$probe"
    exit 1
fi
rm -rf "$probe"
exit 0
