#!/bin/bash
# Runs inside the sandbox (grading/sandbox starts it), as the grading user
# (or, with --unconfined, outside it, on a private copy of the same files):
# copies the submission to the scratch folder (when asked), builds a C++
# submission with the lab's own compile commands, then becomes the grader
# (exec: the grader is then the only process of the sandbox but its init,
# which lets it end whatever a test started when the test ends).
#
# Its arguments are the grader's. Descriptor 3 is the pipe the grader
# writes results.json to; nothing else gets it. Descriptor 4 is where this
# script says how long the build took ("build SECONDS"); it is closed before
# anything of the submission's runs.
# Exit status 3: the build failed (its messages on standard output).
set -u
mkdir -p "$HOME"

if [[ -n "${GRADE_COPY:-}" ]]; then
    # The submission's own folder is a copy in scratch: it may write there,
    # and everything it writes is thrown away with the sandbox.
    cp -r "${GRADE_SUBMISSION:-/submission}" "$GRADE_WORKDIR" 2>/dev/null || mkdir -p "$GRADE_WORKDIR"
fi

build_started="$EPOCHREALTIME"
# (bash's own arithmetic has no fractions: the seconds as text, by awk.)
say_build_time() {
    awk -v a="$build_started" -v b="$EPOCHREALTIME" 'BEGIN { printf "build %.2f\n", b - a }' >&4 2>/dev/null
    exec 4>&-
}
if [[ "$GRADE_KIND" == cpp ]]; then
    cd "$GRADE_BUILD" || exit 2
    log="${TMPDIR:-/tmp}/build.log"
    while IFS= read -r command_line; do
        output="$(sed -n 's/.* -o \([^ ]*\) .*/\1/p' <<<"$command_line ")"
        [[ -n "$output" ]] && mkdir -p "$(dirname "$output")"
        if ! bash -c "$command_line" >>"$log" 2>&1 3>&- 4>&-; then
            # The compiler's messages name files by the lab's paths: show
            # them by the names the student knows.
            sed -e "s|\.\./labs/$GRADE_LAB/||g" -e "s|$GRADE_BUILD/||g" "$log" | head -c 65536
            say_build_time
            exit 3
        fi
    done <"${GRADE_CONTROL:-/grading}/build-commands.sh"
fi
say_build_time

cd "$GRADE_WORKDIR" || exit 2
exec "$GRADE_GRADER" "$@"
