#!/usr/bin/env python3
"""The points files against the suites and the handouts.

Each lab of labs.txt has grading/points/FOLDER.txt, read by the grader
(--points) as rules, one a line:

    POINTS VISIBILITY TEST-NAME-PATTERN     ('*' matches anything; the last
                                             rule that matches a test wins)

and, for people, grouped in parts: a line "# part: NAME" starts a part,
and the rules after it are its tests. This checks, for every lab:
  - every rule matches at least one of the suite's tests (a renamed test
    would otherwise fall back to 1 point unseen);
  - every test is matched by a rule of some part;
  - the handout's "Handing it in" (README.md) and its Spanish twin
    (README.es.md, "Cómo se entrega") list each part's points, in the
    points file's order ("- PART: **N**"), and say "out of TOTAL" ("sobre
    TOTAL").
That a program with one core mistake scores at most 80 % is checked by
grading it (--expect-score-at-most 80, tests/NN-*/meson.build).

  check_points.py ROOT BUILD                 check every lab
  check_points.py ROOT BUILD --show          and print each lab's parts
  check_points.py ROOT BUILD --results DIR   and the score of each DIR/*.json,
                                             graded with another weighting
"""

import argparse
import fnmatch
import json
import pathlib
import re
import subprocess
import sys

SECTION = {"README.md": "## Handing it in", "README.es.md": "## Cómo se entrega"}


def read_rules(path):
    """[(points, pattern, part)] in the file's order."""
    rules, part = [], None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        marker = re.match(r"#\s*part:\s*(.+?)\s*$", line)
        if marker:
            part = marker.group(1)
            continue
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split(None, 2)
        if len(words) < 3:
            raise SystemExit(f"{path}:{number}: expected POINTS VISIBILITY PATTERN")
        rules.append((float(words[0]), words[2].strip(), part, number))
    return rules


def matches(pattern, name):
    # The grader's matching: '*' matches anything, every other character itself.
    return fnmatch.fnmatchcase(name, pattern.replace("[", "[[]").replace("?", "[?]"))


def suite_tests(build, folder):
    grade = pathlib.Path(build) / "tests" / folder / "grade"
    out = subprocess.run([str(grade), "--program", "/nonexistent", "--list-test-cases"],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line and not line.startswith(("[doctest]", "====="))]


def handout_points(path, heading):
    """The points of each part the section lists ("- PART: **N**"), and
    the text of the section; None if there is no such section."""
    lines = path.read_text().splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        return None, ""
    numbers, section = [], []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        section.append(line)
        item = re.match(r"- .*: \*\*(\d+(?:\.\d+)?)\*\*\s*$", line)
        if item:
            numbers.append(float(item.group(1)))
    return numbers, " ".join(section)


def number(value):
    return f"{value:g}"


def check_lab(root, build, folder, show, results_dir):
    problems = []
    points_file = root / "grading" / "points" / f"{folder}.txt"
    if not points_file.exists():
        return [f"{points_file} is missing"]
    rules = read_rules(points_file)
    tests = suite_tests(build, folder)
    for points, pattern, part, line in rules:
        if not any(matches(pattern, test) for test in tests):
            problems.append(f"{points_file.name}:{line}: '{pattern}' matches none of the suite's tests")
    parts = {}  # part -> [points, [tests]]
    weight = {}
    for test in tests:
        found = None
        for rule in rules:
            if matches(rule[1], test):
                found = rule
        if found is None or found[2] is None:
            problems.append(f"{points_file.name}: the test '{test}' is in no part")
            continue
        weight[test] = found[0]
        parts.setdefault(found[2], [0.0, []])
        parts[found[2]][0] += found[0]
        parts[found[2]][1].append(test)
    order = []
    for _, _, part, _ in rules:
        if part is not None and part not in order and part in parts:
            order.append(part)
    totals = [parts[part][0] for part in order]
    total = sum(totals)
    if show:
        print(f"lab {folder}: {number(total)} points")
        for part in order:
            print(f"  {number(parts[part][0]):>5}  {part}  ({len(parts[part][1])} tests)")
    for (readme, heading), out_of in zip(SECTION.items(), ("out of", "sobre")):
        handout = root / "labs" / folder / readme
        found, text = handout_points(handout, heading)
        if found is None:
            problems.append(f"{handout}: no section '{heading}'")
            continue
        if found != totals:
            problems.append(f"{handout}: '{heading}' lists parts worth {', '.join(map(number, found)) or 'nothing'}; "
                            f"the points file's parts are worth {', '.join(map(number, totals))}")
        if f"{out_of} {number(total)}" not in text:
            problems.append(f"{handout}: '{heading}' should say the points are {out_of} {number(total)}")
    if results_dir:
        for path in sorted(pathlib.Path(results_dir).glob(f"{folder[:2]}_*.json")):
            try:
                results = json.loads(path.read_text())
            except ValueError:
                continue  # being written
            score = sum(weight.get(t["name"], 1) for t in results["tests"] if t["status"] == "passed")
            most = sum(weight.get(t["name"], 1) for t in results["tests"])
            print(f"  {100 * score / most:5.1f} %  {path.stem}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root")
    parser.add_argument("build")
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--results")
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    problems = []
    for line in (root / "labs.txt").read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        problems += check_lab(root, args.build, words[1], args.show or args.results, args.results)
    for problem in problems:
        print("FAIL: " + problem)
    print("1 passed, 0 failed" if not problems else "0 passed, 1 failed")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
