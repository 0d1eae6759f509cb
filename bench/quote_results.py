#!/usr/bin/env python3
"""Copies the table of bench/results/bench.md (what `./lab bench --save` last wrote)
into the documents that quote it, in place of the table they have: every
table whose header row starts with "| load | server " (or, older, "| server "). The line above each table
that says when it was measured, and the prose around it, are written by hand
(they are in English or in Spanish, and say what the numbers mean).

    python3 bench/quote_results.py [FILE.md ...]

With no files: README.md, README.es.md and the appendices of labs 08 and 09."""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT = ["README.md", "README.es.md", "labs/08-robust-chat/APPENDIX.md", "labs/08-robust-chat/APPENDIX.es.md",
           "labs/09-event-loop/APPENDIX.md", "labs/09-event-loop/APPENDIX.es.md"]


def table_of(lines):
    """(start, end) of each bench table in lines."""
    spans, i = [], 0
    while i < len(lines):
        if lines[i].startswith("| server ") or lines[i].startswith("| load "):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def main():
    results = (ROOT / "bench/results/bench.md").read_text().splitlines()
    spans = table_of(results)
    if not spans:
        sys.exit("bench/results/bench.md has no table: run ./lab bench --save first")
    table = results[spans[0][0]:spans[0][1]]
    for name in sys.argv[1:] or DEFAULT:
        path = ROOT / name if not pathlib.Path(name).is_absolute() else pathlib.Path(name)
        lines = path.read_text().splitlines()
        found = table_of(lines)
        for start, end in reversed(found):
            lines[start:end] = table
        path.write_text("\n".join(lines) + "\n")
        print(f"{name}: {len(found)} table(s) replaced" if found else f"{name}: no bench table found")


if __name__ == "__main__":
    main()
