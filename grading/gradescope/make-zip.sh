#!/usr/bin/env bash
# ./lab gradescope NN: writes a Gradescope autograder zip for lab NN:
# setup.sh and run_autograder at its top (Gradescope's layout), the project's
# sources (not its builds), the lab's points file, gradescope-config.sh, and
# meson.pyz: the Meson this machine has, as one file that Python runs (a
# zipapp, made the way Meson's own packaging/create_zipapp.py makes it), for
# images whose Meson is older than the project needs (Ubuntu 22.04's 0.61):
# nothing is downloaded at grading time.
#
#   grading/gradescope/make-zip.sh LAB_ID OUTPUT.zip
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LAB="$1"
ZIP="$2"

# Meson's own package, found with the Python that runs this machine's meson
# (its first line), or the first python3.
meson_program="$(command -v meson)" || { echo "make-zip: meson is not installed here" >&2; exit 2; }
interpreter="$(head -n 1 "$meson_program" | sed -n 's/^#! *\([^ ]*python[^ ]*\).*/\1/p')"
mesonbuild=""
for python in "$interpreter" python3; do
    [[ -n "$python" ]] || continue
    mesonbuild="$("$python" -c 'import mesonbuild, os; print(os.path.dirname(mesonbuild.__file__))' 2>/dev/null)" && break
done
[[ -d "$mesonbuild" ]] || { echo "make-zip: cannot find the mesonbuild package of $meson_program" >&2; exit 2; }
meson_version="$(meson --version)"

python3 - "$ROOT" "$HERE" "$LAB" "$ZIP" "$mesonbuild" "$meson_version" <<'PYTHON'
import io, os, sys, zipfile
root, here, lab, target, mesonbuild, meson_version = sys.argv[1:]
skip_dirs = {".git", "node_modules", "html", "__pycache__"}
def wanted(relative):
    top = relative.split(os.sep)[0]
    return not (top.startswith("build") or top.endswith(".zip") or top.startswith("gradescope-"))
config = """# Read by run_autograder. Seconds a submission may take in all:
TIMEOUT=600
# Gradescope's containers may forbid the user namespaces the sandbox needs
# (setup.sh says, at the end of its output, whether they work there).
# no: such a submission gets score 0 and a message saying why.
# yes: grade it unconfined (each submission has a fresh container; see
#      docs/instructors.md for what the sandbox would have added).
ALLOW_UNCONFINED=no
"""

def meson_zipapp():
    """mesonbuild/ and a __main__.py that runs it: `python3 meson.pyz setup ...`."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as app:
        app.writestr("__main__.py", "import sys\nfrom mesonbuild import mesonmain\nsys.exit(mesonmain.main())\n")
        parent = os.path.dirname(mesonbuild)
        for directory, subdirectories, files in os.walk(mesonbuild):
            subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
            for name in sorted(files):
                if not name.endswith((".pyc", ".pyo")):
                    path = os.path.join(directory, name)
                    app.write(path, os.path.relpath(path, parent))
    return b"#!/usr/bin/env python3\n" + data.getvalue()

with zipfile.ZipFile(target + ".new", "w", zipfile.ZIP_DEFLATED) as archive:
    def executable(name, data):
        info = zipfile.ZipInfo(name)
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    for name in ("setup.sh", "run_autograder"):
        executable(name, open(os.path.join(here, name), "rb").read())
    executable("meson.pyz", meson_zipapp())
    archive.writestr("meson-version.txt", meson_version + "\n")
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
            if name == ".git":  # a worktree's .git is a file
                continue
            if os.path.islink(path):
                # A file one lab shares with another (tests/starters/README.md)
                # goes in as the file it names, if that is one of the project's.
                linked = os.path.realpath(path)
                if not (linked.startswith(os.path.realpath(root) + os.sep) and os.path.isfile(linked)):
                    continue
            archive.write(path, relative)
os.replace(target + ".new", target)
PYTHON
echo "wrote $ZIP (with Meson $meson_version as meson.pyz): upload it as the autograder of lab $LAB"
echo "(Gradescope: Configure Autograder, base image Ubuntu 22.04 or 24.04; docs/instructors.md, section 5)"
