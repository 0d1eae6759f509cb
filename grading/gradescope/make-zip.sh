#!/usr/bin/env bash
# ./lab gradescope NN: writes a Gradescope autograder zip for lab NN:
# setup.sh and run_autograder at its top (Gradescope's layout), the project's
# sources (not its builds), the lab's points file, and gradescope-config.sh.
#
#   grading/gradescope/make-zip.sh LAB_ID OUTPUT.zip
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LAB="$1"
ZIP="$2"
python3 - "$ROOT" "$HERE" "$LAB" "$ZIP" <<'PYTHON'
import os, sys, zipfile
root, here, lab, target = sys.argv[1:]
skip_dirs = {".git", "node_modules", "html", "__pycache__"}
def wanted(relative):
    top = relative.split(os.sep)[0]
    return not (top.startswith("build") or top.endswith(".zip") or top.startswith("gradescope-"))
config = """# Read by run_autograder. Seconds a submission may take in all:
TIMEOUT=600
# Gradescope's containers may forbid the user namespaces the sandbox needs.
# no: such a submission gets score 0 and a message saying why.
# yes: grade it unconfined (each submission has a fresh container; see
#      docs/instructors.md for what the sandbox would have added).
ALLOW_UNCONFINED=no
"""
with zipfile.ZipFile(target + ".new", "w", zipfile.ZIP_DEFLATED) as archive:
    for name in ("setup.sh", "run_autograder"):
        info = zipfile.ZipInfo(name)
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, open(os.path.join(here, name), "rb").read())
    archive.writestr("gradescope-lab.txt", lab + "\n")
    archive.writestr("gradescope-config.sh", config)
    for directory, subdirectories, files in os.walk(root):
        relative_dir = os.path.relpath(directory, root)
        subdirectories[:] = sorted(d for d in subdirectories if d not in skip_dirs
                                   and wanted(os.path.normpath(os.path.join(relative_dir, d))))
        for name in sorted(files):
            relative = os.path.normpath(os.path.join(relative_dir, name))
            if not wanted(relative):
                continue
            path = os.path.join(directory, name)
            if os.path.islink(path):
                # A file one lab shares with another (tests/starters/README.md)
                # goes in as the file it names, if that is one of the project's.
                linked = os.path.realpath(path)
                if not (linked.startswith(os.path.realpath(root) + os.sep) and os.path.isfile(linked)):
                    continue
            archive.write(path, relative)
os.replace(target + ".new", target)
PYTHON
echo "wrote $ZIP: upload it as the autograder of lab $LAB (Gradescope: Configure Autograder, Ubuntu 22.04)"
