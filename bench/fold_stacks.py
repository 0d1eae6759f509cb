#!/usr/bin/env python3
"""Where a program's time goes, from `perf record -g`: its call stacks,
folded, and the functions that cost most.

    perf script -i FILE.data | python3 bench/fold_stacks.py [--top N] [--folded OUT] [--svg OUT.svg]

Reads `perf script` output (one sample: a header line, then one frame per
line, innermost first, then a blank line). Prints

  - self: the functions the samples were in (where the CPU was), and
  - total: the functions on the stack (where the time was spent, callees
    included),

each with its share of the samples; --folded writes one line per distinct
stack, "outer;...;inner COUNT" (the format flame graph tools read), and
--svg draws a flame graph of it (plain SVG: wider is more time; the stack
grows upwards; hover for names). No FlameGraph scripts needed.
"""

import argparse
import collections
import html
import re
import sys

FRAME = re.compile(r"^\s+[0-9a-f]+\s+(?P<symbol>.+?)\s+\((?P<object>[^)]*)\)\s*$")


def read_samples(lines):
    """Yields each sample's stack, outermost first."""
    stack = []
    in_sample = False
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield list(reversed(stack))
            stack, in_sample = [], False
            continue
        if not line[0].isspace():  # a sample's header: "comm pid time: period event:"
            if stack:
                yield list(reversed(stack))
            stack, in_sample = [], True
            continue
        match = FRAME.match(line)
        if in_sample and match:
            symbol = match.group("symbol")
            symbol = re.sub(r"\+0x[0-9a-f]+$", "", symbol)
            if symbol == "[unknown]":
                symbol = "[" + match.group("object").rsplit("/", 1)[-1] + "]"
            stack.append(symbol)
    if stack:
        yield list(reversed(stack))


def short(symbol, width=90):
    symbol = re.sub(r"\(anonymous namespace\)::", "", symbol)
    symbol = re.sub(r"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string", symbol)
    return symbol if len(symbol) <= width else symbol[: width - 3] + "..."


def flame_svg(folded, total, width=1200, row=16):
    """A flame graph: one rectangle per function on a path, as wide as its share."""
    root = {"children": {}, "count": 0}
    for stack, count in folded.items():
        node = root
        node["count"] += count
        for frame in stack.split(";"):
            node = node["children"].setdefault(frame, {"children": {}, "count": 0})
            node["count"] += count
    depth = 0
    rects = []

    def walk(node, name, x, level):
        nonlocal depth
        w = node["count"] / total * width
        if w < 0.5:
            return
        depth = max(depth, level)
        rects.append((x, level, w, name, node["count"]))
        child_x = x
        for child_name, child in sorted(node["children"].items()):
            walk(child, child_name, child_x, level + 1)
            child_x += child["count"] / total * width

    child_x = 0.0
    for name, child in sorted(root["children"].items()):
        walk(child, name, child_x, 0)
        child_x += child["count"] / total * width
    height = (depth + 2) * row
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="11">']
    for x, level, w, name, count in rects:
        y = height - (level + 1) * row
        hue = 20 + (hash(name) % 40)
        label = html.escape(short(name, max(0, int(w / 7))))
        title = html.escape(f"{name}: {count} samples, {100 * count / total:.1f} %")
        out.append(f'<g><title>{title}</title><rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 1}" '
                   f'fill="hsl({hue},90%,60%)"/>'
                   + (f'<text x="{x + 2:.1f}" y="{y + row - 4}">{label}</text>' if w > 30 else "") + "</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=15, help="functions to list (default 15)")
    parser.add_argument("--folded", help="write the folded stacks here")
    parser.add_argument("--svg", help="write a flame graph here")
    options = parser.parse_args()

    folded = collections.Counter()
    self_count = collections.Counter()
    total_count = collections.Counter()
    samples = 0
    for stack in read_samples(sys.stdin):
        samples += 1
        folded[";".join(stack)] += 1
        self_count[stack[-1]] += 1
        for frame in set(stack):
            total_count[frame] += 1
    if samples == 0:
        sys.exit("fold_stacks.py: no samples on standard input (perf script -i FILE.data | ...)")
    print(f"{samples} samples")
    for title, counter in (("self (where the CPU was)", self_count), ("total (callees included)", total_count)):
        print(f"\n{title}:")
        for symbol, count in counter.most_common(options.top):
            print(f"  {100 * count / samples:5.1f} %  {short(symbol)}")
    if options.folded:
        with open(options.folded, "w") as out:
            for stack, count in folded.most_common():
                out.write(f"{stack} {count}\n")
    if options.svg:
        with open(options.svg, "w") as out:
            out.write(flame_svg(folded, samples))


if __name__ == "__main__":
    main()
