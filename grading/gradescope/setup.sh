#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu 22.04 image, when the
# autograder is uploaded: it installs what grading needs and builds the
# grader. The zip was unpacked in $AUTOGRADER/source (Gradescope: /autograder).
set -euo pipefail
AUTOGRADER="${AUTOGRADER:-/autograder}"
SOURCE="$AUTOGRADER/source"
LAB="$(cat "$SOURCE/gradescope-lab.txt")"

if [[ -z "${SKIP_APT:-}" ]]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Ubuntu 22.04's g++ is 11: the labs build with it (C++20).
    apt-get install -y -qq --no-install-recommends g++ meson ninja-build pkg-config cmake python3 \
        libfmt-dev doctest-dev bubblewrap util-linux libssl-dev nlohmann-json3-dev >/dev/null
fi

cd "$SOURCE"
meson setup "$SOURCE/build" "$SOURCE" --buildtype=debugoptimized >/dev/null
dir="$(awk -v id="$LAB" '$1 == id { print $2 }' labs.txt)"
ninja -C build "tests/$dir/grade" tests/harness/libshort-sends.so common/libnet.a
# Record what was built: run_autograder refuses a grader that changed since.
python3 grading/results.py check-grader build "tests/$dir/grade" tests/harness/libshort-sends.so common/libnet.a
echo "lab $LAB's grader is built"
