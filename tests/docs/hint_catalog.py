#!/usr/bin/env python3
"""The Spanish hints' catalog against the suites' hints.

Collects the hints the grader can print (string literals given as hints in
tests/*/grade.cpp, tests/*/*.hpp and tests/harness/*.cpp; parts that vary
become {}), reads tests/harness/hints.es.txt, and reports how many have a
Spanish translation. A hint without one is shown in English, so a missing
translation is not an error; a malformed catalog is.

  hint_catalog.py ROOT                     report coverage; fail on a malformed catalog
  hint_catalog.py ROOT --min-coverage 0.9  ... and fail below 90 %
  hint_catalog.py ROOT --missing           print catalog entries to translate
  hint_catalog.py ROOT --sources A B       collect the hints from other trees too
"""

import argparse
import pathlib
import re
import sys

# Which argument of a harness call is its hint.
HINT_ARGUMENT = {
    "expect_bytes": 1, "expect_line": 1, "expect_echo": 1, "next_line": 0, "next_bytes": 0,
    "expect_silence": 0, "expect_closed": 0, "expect_running": 0, "expect_keeps_running": 1,
    "expect_exit": 1, "wait_until_read": 1, "fail": 1, "fail_without_stopping": 1,
    "fail_expecting": 1, "expect_status": 2,
}
# Calls whose sentences are not hints: what a test sends, transcript notes.
NOT_HINTS = {"if", "while", "for", "switch", "CHECK_MESSAGE", "REQUIRE_MESSAGE", "WARN_MESSAGE", "TEST_CASE", "TEST_SUITE", "SUBCASE", "add", "send",
             "send_line", "send_slowly", "says"}
DEFINITION = re.compile(r"\b(\w+)\s*\(((?:[^()]|\([^()]*\))*)\)\s*(?:const\s*)?\{")


def hint_parameters(texts):
    """A suite's own helpers: which of their parameters are hints (by name)."""
    found = {}
    for text in texts:
        for m in DEFINITION.finditer(text):
            params, depth, current = [], 0, ""
            for ch in m.group(2):
                depth += ch in "(<{"
                depth -= ch in ")>}"
                if ch == "," and depth == 0:
                    params.append(current)
                    current = ""
                else:
                    current += ch
            params.append(current)
            names = [re.findall(r"(\w+)\s*(?:=.*)?$", p.strip()) for p in params]
            indices = [i for i, n in enumerate(names) if n and re.search(r"hint|^if_", n[0])]
            if indices:
                found[m.group(1)] = indices
    return found
# Functions whose returned strings are hints (a suite's diagnosis helpers).
HINT_FUNCTION = re.compile(r"hint|diagnos|explain|advice|why", re.I)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "\"": "\"", "'": "'", "0": "\0"}

TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<raw>(?:u8|u|U|L)?R"(?P<delim>[^(\s]*)\((?P<rawbody>.*?)\)(?P=delim)")
  | (?P<str>(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<id>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<num>\d[\w.']*)
  | (?P<punct>::|->|==|!=|<=|>=|&&|\|\||<<|>>|\+=|[-+*/%=<>!&|^~?:;,.(){}\[\]\#])
  | (?P<space>\s+)
""", re.S | re.X)


def unescape(body):
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "x":
                m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
                out.append(chr(int(m.group(0), 16)))
                i += 2 + len(m.group(0))
                continue
            out.append(ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def tokens(text):
    line = 1
    for m in TOKEN.finditer(text):
        kind = m.lastgroup if m.lastgroup not in ("delim", "rawbody") else "raw"
        value = m.group(0)
        if kind == "raw":
            yield ("str", m.group("rawbody"), line)
        elif kind == "str":
            yield ("str", unescape(value[value.index('"') + 1:-1]), line)
        elif kind not in ("comment", "space"):
            yield (kind, value, line)
        line += value.count("\n")


def pattern_of(expression):
    """The text of an expression made of string literals: '{}' for the rest."""
    if not any(kind == "str" for kind, _, _ in expression):
        return []
    # a ? b : c gives two hints
    depth, question = 0, None
    for i, (kind, value, _) in enumerate(expression):
        if value in "([{" and kind == "punct":
            depth += 1
        elif value in ")]}" and kind == "punct":
            depth -= 1
        elif depth == 0 and value == "?" and question is None:
            question = i
        elif depth == 0 and value == ":" and question is not None:
            return pattern_of(expression[question + 1:i]) + pattern_of(expression[i + 1:])
    text, pending = "", False
    for kind, value, _ in expression:
        if kind == "str":
            if pending and not text.endswith("{}"):
                text += "{}"
            pending = False
            text += value
        elif not (kind == "punct" and value in ("+", "(", ")", "::")) and value not in ("std", "string", "string_view"):
            pending = True
    if pending and not text.endswith("{}"):
        text += "{}"
    return [text]


def split_arguments(toks, start):
    """Arguments of the call whose '(' is toks[start]; and the index after ')'."""
    args, current, depth, i = [], [], 0, start + 1
    while i < len(toks):
        kind, value, _ = toks[i]
        if kind == "punct" and value in "([{":
            depth += 1
        elif kind == "punct" and value in ")]}":
            if depth == 0:
                args.append(current)
                return args, i + 1
            depth -= 1
        if kind == "punct" and value == "," and depth == 0:
            args.append(current)
            current = []
        else:
            current.append(toks[i])
        i += 1
    return args, i


def hints_in(path, helpers=True, known=None):
    toks = list(tokens(path.read_text(errors="replace")))
    known = known or {}
    found = []   # (text, line)
    scope = []   # names of the functions we are in
    for i, (kind, value, line) in enumerate(toks):
        if kind == "punct" and value == "{":
            name = None
            j = i - 1
            while j >= 0 and toks[j][1] in ("const", "noexcept", "override", "mutable") or (j >= 0 and toks[j][0] == "id" and toks[j - 1][1] == "->"):
                j -= 2 if toks[j - 1][1] == "->" else 1
            if j >= 0 and toks[j][1] == ")":
                depth, k = 0, j
                while k >= 0:
                    if toks[k][1] == ")":
                        depth += 1
                    elif toks[k][1] == "(":
                        depth -= 1
                        if depth == 0:
                            break
                    k -= 1
                if k > 0 and toks[k - 1][0] == "id" and toks[k - 1][1] not in ("if", "for", "while", "switch", "catch"):
                    name = toks[k - 1][1]
            scope.append(name or (scope[-1] if scope else None))
        elif kind == "punct" and value == "}":
            if scope:
                scope.pop()
        elif kind == "id" and i + 1 < len(toks) and toks[i + 1][1] == "(":
            args, _ = split_arguments(toks, i + 1)
            if value in HINT_ARGUMENT:
                index = HINT_ARGUMENT[value]
                if index < len(args):
                    found += [(text, line) for text in pattern_of(args[index])]
            elif value in known:
                for index in known[value]:
                    if index < len(args):
                        found += [(text, line) for text in pattern_of(args[index])]
            elif helpers and value not in NOT_HINTS:
                # a suite's own helper: a long sentence given to it, not first, is taken for a hint
                # an expect_... helper takes its hint last, after what it expects
                for arg in (args[-1:] if value.startswith("expect") and len(args) > 1 else args[1:]):
                    for text in pattern_of(arg):
                        if len(text.split()) >= 6:
                            found.append((text, line))
        elif kind == "id" and "hint" in value.lower() and i + 1 < len(toks) and toks[i + 1][1] in ("=", "+="):
            end = i + 2
            while end < len(toks) and toks[end][1] != ";":
                end += 1
            found += [(text, line) for text in pattern_of(toks[i + 2:end])]
        elif kind == "id" and value == "return" and scope and scope[-1] and HINT_FUNCTION.search(scope[-1]):
            end = i + 1
            while end < len(toks) and toks[end][1] != ";":
                end += 1
            found += [(text, line) for text in pattern_of(toks[i + 1:end])]
    return found


def collect(roots):
    hints = {}
    for root in roots:
        files = sorted(root.glob("tests/*/grade.cpp")) + sorted(root.glob("tests/*/*.hpp")) + \
            sorted(root.glob("tests/harness/**/*.cpp")) + sorted(root.glob("tests/harness/**/*.hpp"))
        files = [path for path in dict.fromkeys(files)
                 if not path.name.startswith("language.") and not {"selftest", "shim"} & set(path.parts)]
        # the suites' own helpers, wherever they are defined: which parameters are hints
        known = hint_parameters(path.read_text(errors="replace") for path in files)
        for name in HINT_ARGUMENT:
            known.pop(name, None)
        for path in files:
            for text, line in hints_in(path, helpers="harness" not in path.parts, known=known):
                for part in text.split("\n"):
                    part = part.strip()
                    if len(part.split()) >= 3 and part not in hints:
                        hints[part] = f"{path.relative_to(root)}:{line}"
    return hints


def read_catalog(path):
    """[(english, spanish, line)] and a list of problems."""
    text = path.read_text()
    problems = []
    if not text.startswith('R"catalog(') or not text.rstrip().endswith(')catalog"'):
        problems.append(f'{path}: must be raw string literals, R"catalog( ... )catalog", ... )catalog"')
    # One literal per part: the delimiters stand on lines of their own, and
    # a compiler need not take a literal longer than 64 KiB.
    size = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line in ('R"catalog(', ')catalog",', ')catalog"'):
            if line != 'R"catalog(' and size > 65535:
                problems.append(f"{path}:{number}: a literal of {size} bytes ends here: split it (64 KiB at most)")
            size = 0
        elif ')catalog"' in line:
            problems.append(f"{path}:{number}: ')catalog\"' would end the literal here")
        else:
            size += len(line.encode()) + 1
    entries, english, spanish, current, start = [], None, None, None, 0

    def flush():
        nonlocal english, spanish, current
        if english is not None:
            entries.append((english, spanish, start))
        elif spanish is not None:
            problems.append(f"{path}:{start}: 'es:' without an 'en:' before it")
        english = spanish = current = None

    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("en:"):
            flush()
            english, current, start = line[3:].strip(), "en", number
        elif line.startswith("es:"):
            if english is None:
                start = number
            spanish, current = line[3:].strip(), "es"
        elif line[:1] in (" ", "\t") and line.strip() and current:
            if current == "en":
                english += " " + line.strip()
            else:
                spanish += " " + line.strip()
        elif not line.strip() or line.startswith("#"):
            if current == "es":
                flush()
        elif line in ('R"catalog(', ')catalog",', ')catalog"'):
            if current == "es":
                flush()
        else:
            problems.append(f"{path}:{number}: a line that is not 'en:', 'es:', a continuation or a comment")
    flush()
    seen = set()
    for english, spanish, line in entries:
        if not spanish:
            problems.append(f"{path}:{line}: no Spanish for {english!r}")
            continue
        if english in seen:
            problems.append(f"{path}:{line}: {english!r} twice")
        seen.add(english)
        holes = english.count("{}")
        numbered = [int(n) for n in re.findall(r"\{([1-9])\}", spanish)]
        if spanish.count("{}") + len(numbered) != holes and not (numbered and max(numbered) <= holes and spanish.count("{}") == 0):
            problems.append(f"{path}:{line}: {holes} {{}} in the English but not the same in the Spanish")
    return [(e, s) for e, s, _ in entries if s], problems


def covered(hint, catalog):
    for english, _ in catalog:
        if "{}" not in english:
            if english == hint:
                return True
        elif re.fullmatch("(.+)".join(re.escape(p) for p in english.split("{}")), hint, re.S):
            return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=pathlib.Path)
    parser.add_argument("--sources", type=pathlib.Path, nargs="*", default=[])
    parser.add_argument("--min-coverage", type=float, default=0.0)
    parser.add_argument("--missing", action="store_true")
    options = parser.parse_args()
    catalog, problems = read_catalog(options.root / "tests/harness/hints.es.txt")
    hints = collect([options.root] + options.sources)
    missing = {hint: where for hint, where in hints.items() if not covered(hint, catalog)}
    if options.missing:
        for hint, where in sorted(missing.items(), key=lambda item: item[1]):
            print(f"# {where}\nen: {hint}\nes:\n")
        return 0
    for problem in problems:
        print(problem)
    share = 1 - len(missing) / len(hints) if hints else 1.0
    stale = [english for english, _ in catalog if not any(covered(hint, [(english, "")]) for hint in hints)]
    print(f"Spanish hints: {len(hints) - len(missing)} of {len(hints)} hints translated ({share:.0%}); "
          f"{len(catalog)} catalog entries, {len(stale)} of them for hints no suite prints now")
    for hint, where in sorted(missing.items(), key=lambda item: item[1])[:20]:
        print(f"  not translated ({where}): {hint}")
    if len(missing) > 20:
        print(f"  ... and {len(missing) - 20} more (--missing lists them all)")
    if share < options.min_coverage:
        print(f"coverage {share:.0%} is below {options.min_coverage:.0%}")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
