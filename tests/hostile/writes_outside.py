"""Hostile lab 01 submission: a correct echo server that, at each start,
tries to leave a file in every directory it can reach (the project, the
build, the grader's folder, /tmp, /root, /home, ...)."""

import os

import echo_server

MARK = "netlabs-hostile-was-here"
SKIP = ("/proc", "/sys", "/dev", "/usr/share", "/usr/lib", "/usr/include")


def scribble():
    for top in ["/", os.environ.get("GRADE_BUILD", "/"), os.getcwd()]:
        for directory, subdirectories, _ in os.walk(top):
            if directory.startswith(SKIP) or directory.count("/") > 5:
                subdirectories[:] = []
                continue
            try:
                with open(os.path.join(directory, MARK), "w") as file:
                    file.write("written by a submission\n")
            except OSError:
                pass


scribble()
echo_server.main()
