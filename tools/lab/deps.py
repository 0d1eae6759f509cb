"""What the labs need installed: apt-get on Debian and Ubuntu (as root, or
with sudo; without either, the one command to ask an administrator for), the
Homebrew command on macOS, a list elsewhere."""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from .messages import die, say

# Shared with the shell shim ./lab, which names them before Python is there.
PACKAGES_FILE = Path(__file__).with_name("debian-packages.txt")

# Correct servers in other languages (tests/*/examples/) are graded where
# their toolchains are installed; ./lab check --languages installs them.
LANGUAGE_PACKAGES = ["golang-go", "nodejs"]
# Lab 11's browser tests open its page in headless Chromium; ./lab check has
# a WebSocket client nobody here wrote chat with its reference. Installed
# only for the commands that use them.
BROWSER_PACKAGES = ["chromium"]
INTEROP_PACKAGES = ["python3-websockets"]

installed_now = False  # did this run install anything? (then meson must look again)


def debian_packages() -> list[str]:
    return [line.strip() for line in PACKAGES_FILE.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def missing_debian_packages(packages: list[str]) -> list[str]:
    query = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Status}\n", *packages],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    installed = {line.split("\t")[0] for line in query.stdout.splitlines()
                 if line.endswith("install ok installed")}
    return [package for package in packages if package not in installed]


def have(*tools: str) -> bool:
    return all(shutil.which(tool) for tool in tools)


def ensure(more: list[str] = (), packages: list[str] | None = None) -> None:
    """Installs what every command needs (or `packages` alone), and `more`."""
    global installed_now
    if platform.system() == "Darwin":
        if have("meson", "ninja"):
            return
        die("install the tools first:  brew install meson ninja fmt doctest python3\n"
            "     (the grader reads /proc, so grading needs Linux: a Debian or Ubuntu VM or container)")
    if not have("apt-get", "dpkg-query"):
        if have("meson", "ninja"):
            return
        die("this is not Debian or Ubuntu: install g++ 12 or newer, Meson, Ninja, CMake, fmt and doctest")
    wanted = list(debian_packages() if packages is None else packages) + list(more)
    missing = missing_debian_packages(wanted)
    if not missing:
        return
    names = " ".join(missing)
    command = "apt-get install -y --no-install-recommends " + names
    sudo = []
    if os.geteuid() != 0:
        if not have("sudo"):
            die("these packages are missing: {packages}\n"
                "     and installing them needs root. Ask an administrator to run:\n"
                "         {command}\n"
                "     (then run ./lab again; nothing else needs root)", packages=names, command=command)
        sudo = ["sudo"]
    say("installing what the labs need: {packages}", packages=names)
    os.environ["DEBIAN_FRONTEND"] = "noninteractive"
    if subprocess.run([*sudo, "apt-get", "update", "-qq"]).returncode != 0:
        die("apt-get update failed; the command to run as root is:\n         apt-get update && {command}",
            command=command)
    install = subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if install.returncode != 0:
        sys.stderr.buffer.write(install.stdout)
        sys.stderr.flush()
        die("apt-get install failed (above); the command to run as root is:\n         {command}", command=command)
    installed_now = True
    say("installed: {packages}", packages=names)


def ensure_if_possible(packages: list[str], without: str) -> None:
    """Installs `packages` where it can; where it cannot (no root, no sudo),
    says `without` and goes on: what needs them is skipped, never passed."""
    try:
        ensure(packages=packages)
    except SystemExit:
        say(without)
