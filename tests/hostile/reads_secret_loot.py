"""What a hostile submission would like to read: used by reads_secret.py
and leaks_when_failing.py."""

import glob

CANDIDATES = ["/etc/shadow", "/etc/gshadow", "/root/.bash_history", "/root/.ssh/id_rsa",
              "/tmp/netlabs-hostile-secret.txt", "../*/secret.txt", "/home/*/*", "/work/*",
              "/autograder/source/*", "/proc/1/environ"]


def loot():
    found = []
    for pattern in CANDIDATES:
        for path in glob.glob(pattern):
            try:
                with open(path, errors="replace") as file:
                    found.append(f"{path}: {file.read(4096)}")
            except OSError as error:
                found.append(f"{path}: {error.strerror}")
    return "\n".join(found)
