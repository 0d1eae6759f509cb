#!/usr/bin/env python3
"""A failing program graded with LAB_LANG=es reads in Spanish (issue 19 §4).

    spanish_report.py GRADE CATALOG [GRADER ARGUMENTS...]

CATALOG is tests/harness/reports.es.txt: its "en:" lines are the grader's
English framing ("hint:", "what happened", "the server", "expected ... but",
"passed, failed", ...). Their words, less those its Spanish uses as well
(socket, SIGPIPE, 'listening on HOST:PORT'), are the English framing words.
The grader is run on the failing program with LAB_LANG=es; outside what is
quoted (bytes sent and received, in "..." or '...') and paths, its output
must hold none of them, and it must fail, with a hint ("pista:").
"""

import os
import re
import subprocess
import sys

WORD = re.compile(r"[A-Za-z]{3,}")
WIRE_NAMES = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][A-Za-z]+)+|\bLAB_\w+|\b[A-Z][a-z]+(?=: \w)")


def catalog_sides(path):
    """The "en:" and "es:" texts of a catalog (continuation lines joined)."""
    sides = {"en": [], "es": []}
    current = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith(("en:", "es:")):
            current = sides[line[:2]]
            current.append(line[3:].strip())
        elif line.startswith((" ", "\t")) and current is not None and line.strip():
            current[-1] += " " + line.strip()
        else:
            current = None
    return sides


def without_quotes_and_paths(text):
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', " ", text)   # bytes, as the grader quotes them
    text = re.sub(r"'[^'\n]*'", " ", text)              # 'listening on HOST:PORT', a test's own words
    return " ".join(word for word in text.split() if "/" not in word and "=" not in word)


def main() -> int:
    grade, catalog = sys.argv[1:3]
    sides = catalog_sides(catalog)
    english = {w.lower() for text in sides["en"] for w in WORD.findall(text.replace("{}", " "))}
    # Names the Spanish keeps as they are on the wire or in the shell (a
    # header such as Sec-WebSocket-Accept or "Connection: Upgrade",
    # LAB_CHROMIUM) say nothing about an English word of the same letters.
    spanish = {w.lower() for text in sides["es"]
               for w in WORD.findall(WIRE_NAMES.sub(" ", text.replace("{}", " ")))}
    framing = english - spanish
    if len(framing) < 50:
        print(f"only {len(framing)} English framing words in {catalog}: is it the catalog?")
        print("0 passed, 1 failed")
        return 1
    env = {name: value for name, value in os.environ.items() if name not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    env["LAB_LANG"] = "es"
    run = subprocess.run([grade, *sys.argv[3:]], capture_output=True, text=True, env=env)  # meson test times it
    output = run.stdout + run.stderr
    problems = []
    if run.returncode != 1:
        problems.append(f"the grader exited with {run.returncode}, not 1 (the program is a failing one)")
    if "[FALLO]" not in output or "pista:" not in output:
        problems.append("no '[FALLO]' with a 'pista:' in the report")
    for number, line in enumerate(output.splitlines(), 1):
        found = sorted({w for w in WORD.findall(without_quotes_and_paths(line)) if w.lower() in framing})
        if found:
            problems.append(f"line {number}: English {', '.join(found)}: {line.strip()}")
    if problems:
        print(output)
        for problem in problems:
            print("problem:", problem)
        print("0 passed, 1 failed")
        return 1
    print(f"{len(output.splitlines())} lines in Spanish; none of the {len(framing)} English framing words of "
          f"{catalog.rsplit('/', 1)[-1]} outside quotes")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
