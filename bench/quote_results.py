#!/usr/bin/env python3
"""Writes the figures of one saved bench run, bench/results/bench.md (what
`./lab bench --save` last wrote), into the documents that quote it:

- every table whose header row starts with "| load | server " (or, older,
  "| server ") is replaced by the saved table;
- every figure in the prose is a marker, `<!--bench:KEY-->FIGURE<!--/bench-->`
  (invisible once rendered), whose FIGURE is written anew from the table:

      measured                        "2026-12-06 03:49 UTC, Linux ..., 2 cores, load average 19.3 at the start"
      ratio LOAD SERVER CLIENTS       SERVER's delivered/s over ncat's, same load and clients ("1.74")
      COLUMN LOAD SERVER CLIENTS      one cell: rate (delivered/s, in millions), lost, garbled, rss,
                                      p50, p99, setup, threads, nsline (CPU ns/line), benchcpu (bench
                                      CPU %: the bench's own thread); CLIENTS "all":
                                      the sum of the column over every number of clients

  LOAD is windowed, storm or paced; SERVER 06, 08, 09 or ncat; CLIENTS the
  first number of the clients column (10, 100, 500, 1000, 10000). In a
  Spanish document (NAME.es.md) figures are written the Spanish way
  (1,74; 1.003).

The prose around the markers (what the numbers mean) is written by hand, in
English or in Spanish: after a new run, read it again (a ratio that crossed
1.0 may need a word changed). Run from anywhere:

    ./lab bench --save && python3 bench/quote_results.py [FILE.md ...]
    python3 bench/quote_results.py --check      exit 1 if a document differs from what the saved run gives

With no files: README.md, README.es.md and the appendices of labs 08 and 09."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT = ["README.md", "README.es.md", "labs/08-robust-chat/APPENDIX.md", "labs/08-robust-chat/APPENDIX.es.md",
           "labs/09-event-loop/APPENDIX.md", "labs/09-event-loop/APPENDIX.es.md"]
MARKER = re.compile(r"<!--bench:([^>]*?)-->(.*?)<!--/bench-->", re.S)
LOADS = {"windowed": "windowed", "storm": "paste storm", "paced": "paced"}
COLUMNS = {  # KEY -> (the table's column, decimals; None: a whole number)
    "rate": ("delivered/s", 2), "lost": ("lost", None), "garbled": ("garbled", None), "rss": ("RSS MiB", 0),
    "p50": ("p50 ms", 2), "p99": ("p99 ms", 1), "setup": ("setup s", 1), "threads": ("threads", None),
    "nsline": ("CPU ns/line", None), "benchcpu": ("bench CPU %", None),
}


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


def number(cell):
    return float(str(cell).replace(",", ""))


class Run:
    """The saved run: its first line and its table, as rows of named cells."""

    def __init__(self, lines):
        spans = table_of(lines)
        if not spans:
            sys.exit("bench/results/bench.md has no table: run ./lab bench --save first")
        start, end = spans[0]
        self.table = lines[start:end]
        self.measured = re.sub(r"^Measured (.*?)(?: \(`[^)]*`\))?\.\s*$", r"\1", lines[0])
        header = [cell.strip() for cell in self.table[0].strip("|").split("|")]
        self.rows = [dict(zip(header, (cell.strip() for cell in row.strip("|").split("|")))) for row in self.table[2:]]

    @staticmethod
    def name(row):
        return "ncat" if row["server"].startswith("ncat") else row["server"][:2]

    def row(self, load, server, clients):
        for row in self.rows:
            count = re.match(r"[\d,]+", row["clients"])
            if (row["load"] == LOADS.get(load) and self.name(row) == server and count
                    and number(count.group(0)) == number(clients)):
                return row
        raise KeyError(f"no row for {load} {server} {clients}")

    def figure(self, key):
        """(value, decimals) for a marker's key, or the text for 'measured'."""
        words = key.split()
        if words == ["measured"]:
            return self.measured, None
        if len(words) != 4:
            raise KeyError(f"'{key}': expected KIND LOAD SERVER CLIENTS")
        kind, load, server, clients = words
        if kind == "ratio":
            mine, ncat = self.row(load, server, clients), self.row(load, "ncat", clients)
            return number(mine["delivered/s"]) / number(ncat["delivered/s"]), 2
        if kind not in COLUMNS:
            raise KeyError(f"'{kind}' is none of ratio, {', '.join(COLUMNS)}")
        column, decimals = COLUMNS[kind]
        if clients == "all":  # lost or garbled: the sum over every number of clients
            rows = [row for row in self.rows if row["load"] == LOADS.get(load) and self.name(row) == server]
            if not rows:
                raise KeyError(f"no rows for {load} {server}")
            return sum(number(row[column]) for row in rows), decimals
        value = number(self.row(load, server, clients)[column])
        return (value / 1e6, decimals) if kind == "rate" else (value, decimals)


def written(value, decimals, spanish):
    if isinstance(value, str):
        if spanish:  # "2026-12-06 03:49 UTC, Linux X, 2 cores, load average 19.3 at the start"
            found = re.match(r"(\S+) (\S+) UTC, (.*), (\d+) cores, load average ([\d.]+) at the start", value)
            if found:
                day, time, system, cores, load = found.groups()
                return (f"el {day} a las {time} UTC, {system}, {cores} núcleos, carga media de "
                        f"{load.replace('.', ',')} al empezar")
        return value
    text = f"{value:,.0f}" if decimals is None else f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if spanish else text


def quote(path, run):
    """The document's text with the run's table and figures; problems found."""
    text = path.read_text()
    spanish = path.name.endswith(".es.md")
    problems = []

    def replace(found):
        try:
            value, decimals = run.figure(found.group(1).strip())
        except KeyError as error:
            problems.append(f"{path.name}: {error}")
            return found.group(0)
        return f"<!--bench:{found.group(1)}-->{written(value, decimals, spanish)}<!--/bench-->"

    lines = MARKER.sub(replace, text).splitlines()
    for start, end in reversed(table_of(lines)):
        lines[start:end] = run.table
    return "\n".join(lines) + "\n", problems


def main():
    args = sys.argv[1:]
    check = "--check" in args
    names = [arg for arg in args if arg != "--check"] or DEFAULT
    run = Run((ROOT / "bench/results/bench.md").read_text().splitlines())
    problems, differ = [], []
    for name in names:
        path = pathlib.Path(name) if pathlib.Path(name).is_absolute() else ROOT / name
        new, found = quote(path, run)
        problems += found
        markers = len(MARKER.findall(new))
        if check:
            if new != path.read_text():
                differ.append(name)
            continue
        path.write_text(new)
        print(f"{name}: {len(table_of(new.splitlines()))} table(s), {markers} figure(s) written")
    for problem in problems:
        print("FAIL: " + problem)
    for name in differ:
        print(f"FAIL: {name} does not quote bench/results/bench.md: python3 bench/quote_results.py")
    sys.exit(1 if problems or differ else 0)


if __name__ == "__main__":
    main()
