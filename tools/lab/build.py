"""Build folders: set up with Meson once, built with Ninja showing its
progress, and the compiler's messages shown only when they matter."""
from __future__ import annotations

import os
import platform
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from .labs import ROOT
from .messages import die, say
from .progress import Progress

BUILD = os.environ.get("LAB_BUILD_DIR") or str(ROOT / "build")
TSAN_BUILD = os.environ.get("LAB_TSAN_BUILD_DIR") or str(ROOT / "build-tsan")
ASAN_BUILD = os.environ.get("LAB_ASAN_BUILD_DIR") or str(ROOT / "build-asan")
SANITIZER_BUILDS = {  # --tsan, --asan: the folder and Meson's options
    "tsan": (TSAN_BUILD, ["-Db_sanitize=thread"]),
    "asan": (ASAN_BUILD, ["-Db_sanitize=address,undefined"]),
}
SHIM = "tests/harness/libshort-sends.so"  # preloaded by tests that make send() short


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def first_not_writable(folder: str) -> str | None:
    """The folder itself, or the first file or folder in it, that we cannot write to."""
    if not os.access(folder, os.W_OK):
        return folder
    for parent, folders, files in os.walk(folder):
        for name in folders + files:
            path = os.path.join(parent, name)
            if not os.path.islink(path) and not os.access(path, os.W_OK):
                return path
    return None


def ensure_writable(folder: str) -> None:
    """A build folder made by another user (root, with sudo) cannot be written
    to: the compiler's "Permission denied" would look like the student's fault."""
    me = user_name(os.geteuid())
    if not os.path.exists(folder):
        parent = os.path.dirname(os.path.abspath(folder))
        if os.access(parent, os.W_OK):
            return
        die("cannot create the build folder {dir}: you ({user}) cannot write to {parent}",
            dir=folder, user=me, parent=parent)
    blocked = first_not_writable(folder)
    if blocked is None:
        return
    die("the build folder {dir} was made by {owner} (with sudo, or as root?),\n"
        "     and you ({user}) cannot write to {blocked}. This is not a problem with your code.\n"
        "     Remove the folder, and ./lab builds it again as you:\n"
        "         sudo rm -rf {dir}\n"
        "     (or give it back: sudo chown -R {user} {dir})",
        dir=folder, owner=user_name(os.stat(blocked).st_uid), user=me, blocked=blocked)


def configure(folder: str, options: list[str] = ()) -> None:
    """Sets up a build folder once (Meson's messages only if it fails)."""
    ensure_writable(folder)
    if os.path.isfile(os.path.join(folder, "build.ninja")):
        return
    if options:
        say("configuring {folder} {options}", folder=os.path.basename(folder), options=" ".join(options))
    else:
        say("configuring {folder}", folder=os.path.basename(folder))
    setup = subprocess.run(["meson", "setup", folder, str(ROOT), *options],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if setup.returncode != 0:
        sys.stderr.write(setup.stdout.decode(errors="replace"))
        die("meson setup failed (log above)")


def reconfigure(folder: str) -> None:
    """Toolchains installed after a folder was set up are found only by setting it up again."""
    subprocess.run(["meson", "setup", "--reconfigure", folder, str(ROOT)], stdout=subprocess.DEVNULL, check=False)


def shown_name(folder: str) -> str:
    """build, or the folder's path when it is not inside the project."""
    root = str(ROOT) + "/"
    return folder[len(root):] if folder.startswith(root) else folder


def warnings_of(lines: list[str]) -> list[str]:
    """Each compiler warning with the 5 lines after it (grep -A5), groups apart by "--"."""
    shown, last = [], -1
    for index, line in enumerate(lines):
        if "warning:" not in line:
            continue
        start = max(index, last + 1)
        if shown and start > last + 1:
            shown.append("--\n")
        shown.extend(lines[start:index + 6])
        last = min(index + 5, len(lines) - 1)
    return shown


def build(folder: str, targets: list[str] = ()) -> None:
    """Compiles, showing progress; shows the compiler's messages only on
    failure (and its warnings, which are mistakes too)."""
    ensure_writable(folder)
    ninja = subprocess.Popen(["ninja", "-C", folder, *targets], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    progress = Progress(shown_name(folder), sys.stderr, sys.stderr.isatty())
    lines = []
    for raw in ninja.stdout:
        line = raw.decode(errors="replace")
        lines.append(line)
        progress.feed(line)
    status = ninja.wait()
    progress.finish()
    if status != 0:
        sys.stderr.write("".join(line for line in lines if not line.startswith(("[", "ninja: "))))
        if any("Permission denied" in line for line in lines):
            ensure_writable(folder)
        die("the build failed (compiler messages above)")
    sys.stderr.write("".join(warnings_of(lines)))
    sys.stderr.flush()


def folder_for(sanitizer: str | None) -> str:
    """The build folder for a sanitizer ("tsan", "asan") or none, set up."""
    if sanitizer:
        folder, options = SANITIZER_BUILDS[sanitizer]
        configure(folder, options)
        return folder
    configure(BUILD)
    return BUILD


def tsan_wrapper(folder: str) -> list[str]:
    """gcc 12's ThreadSanitizer cannot map its shadow memory when address-space
    randomisation uses more than 28 bits (newer kernels): run it without."""
    try:
        bits = int(Path("/proc/sys/vm/mmap_rnd_bits").read_text())
    except (OSError, ValueError):
        bits = 28
    if folder == TSAN_BUILD and bits > 28 and shutil.which("setarch"):
        return ["setarch", platform.machine(), "-R"]
    return []

