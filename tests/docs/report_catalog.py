#!/usr/bin/env python3
"""The suites' own failure sentences against the Spanish catalogs.

A report leads with the sentence a suite gives grader::fail (its "what"):
under LAB_LANG=es it is looked up, line by line, in the catalogs
(tests/harness/hints.es.txt, reports.es.txt, names.es.txt), the first entry
that matches winning, and each part a {} took is looked up again. This
script does the same lookup on every sentence the sources give fail() or
fail_without_stopping() as a literal, or build with '+' and fmt::format
from literals (each part that is not a literal stands for a value the
program reports, and is left alone; each branch of a '? :' is a sentence of
its own), and on the faults the web client notes ("the server " + fault).

It reports a sentence with no Spanish entry, and one whose entry leaves a
part of its literal text in English (an earlier, more general entry that
matched it: specific entries go before the general ones). It does not see
sentences made elsewhere (a helper's return value, a variable filled over
several statements): run a failing example with LAB_LANG=es for those.

  report_catalog.py ROOT                  every suite (tests/NN-*/) and the harness
  report_catalog.py ROOT --labs 10 11     only these labs' folders (and the harness files they use)
  report_catalog.py ROOT --report-only    print, but exit 0
"""

import argparse
import itertools
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from hint_catalog import read_catalog, split_arguments, tokens  # noqa: E402

# The calls whose first argument is the report's own sentence.
FAIL_CALLS = {"fail", "fail_without_stopping"}
# Calls whose first argument is a fault, reported as "the server " + fault.
FAULT_CALLS = {("faults_", "push_back"): "the server "}
# A value the sentence reports (a number, a name, quoted bytes): never translated here.
VALUE = "\u00a7"
MAX_ALTERNATIVES = 32
# What an exit status's describe() says.
EXIT_DESCRIPTIONS = ["exited with status " + VALUE, "was killed by " + VALUE + " (signal " + VALUE + ")"]
# Who a value at the start of a sentence may be (a test's actors): tried in
# turn when the sentence starts with a value.
ACTORS = ["your sender", "your receiver", "the reference sender", "the reference receiver", "the server",
          "the program", "the client", "the grader", "alice"]
# The grader's clients: names, not English.
NAMES = re.compile(r"\b(alice|bob|carol|dave|erin|eve|frank|grace|visitor|slow|stranger)\b")
# The harness files each lab's sentences come from, besides its own folder.
LAB_HARNESS = {"11": ["tests/harness/web_client.cpp", "tests/harness/browser.cpp"]}


def split_top(expression, separator):
    parts, current, depth = [], [], 0
    for token in expression:
        kind, value, _ = token
        if kind == "punct" and value in "([{":
            depth += 1
        elif kind == "punct" and value in ")]}":
            depth -= 1
        if depth == 0 and kind == "punct" and value == separator:
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    return parts


def format_with(pattern, arguments):
    """fmt::format's pattern with each {...} replaced by the next argument's text."""
    out, next_argument, i = "", 0, 0
    while i < len(pattern):
        if pattern.startswith("{{", i) or pattern.startswith("}}", i):
            out += pattern[i]
            i += 2
        elif pattern[i] == "{":
            end = pattern.index("}", i)
            out += arguments[next_argument] if next_argument < len(arguments) else VALUE
            next_argument += 1
            i = end + 1
        else:
            out += pattern[i]
            i += 1
    return out


def texts_of(expression):
    """The sentences an expression can make (VALUE for what is not a literal)."""
    # a ? b : c, at the top level: two sentences
    depth = 0
    for i, (kind, value, _) in enumerate(expression):
        if kind == "punct" and value in "([{":
            depth += 1
        elif kind == "punct" and value in ")]}":
            depth -= 1
        elif depth == 0 and kind == "punct" and value == "?":
            rest = expression[i + 1:]
            inner = 0
            for j, (k2, v2, _) in enumerate(rest):
                if k2 == "punct" and v2 in "([{?":
                    inner += 1
                elif k2 == "punct" and v2 in ")]}":
                    inner -= 1
                elif k2 == "punct" and v2 == ":" and inner == 0:
                    return (texts_of(rest[:j]) + texts_of(rest[j + 1:]))[:MAX_ALTERNATIVES]
                elif k2 == "punct" and v2 == ":" and inner > 0:
                    inner -= 1  # the ':' of a nested '?'
            break
    alternatives = [""]
    for term in split_top(expression, "+"):
        choices = term_texts(term)
        alternatives = [a + c for a, c in itertools.product(alternatives, choices)][:MAX_ALTERNATIVES]
    return alternatives


def term_texts(term):
    if not term:
        return [VALUE]
    if all(kind == "str" for kind, _, _ in term):
        return ["".join(value for _, value, _ in term)]
    values = [value for _, value, _ in term]
    # fmt::format(PATTERN, ARGS...)
    if values[:4] == ["fmt", "::", "format", "("] and values[-1] == ")":
        args, _ = split_arguments(term, 3)
        patterns = texts_of(args[0])
        argument_texts = [texts_of(arg) for arg in args[1:]]
        results = []
        for pattern in patterns:
            for combination in itertools.product(*argument_texts):
                results.append(format_with(pattern, list(combination)))
                if len(results) >= MAX_ALTERNATIVES:
                    return results
        return results
    # std::string(X), std::string_view(X)
    if values[:3] in (["std", "::", "string"], ["std", "::", "string_view"]) and len(values) > 3 and values[3] == "(" \
            and values[-1] == ")":
        args, end = split_arguments(term, 3)
        if end == len(term) and len(args) == 1:
            return texts_of(args[0]) if args[0] else [""]
    # STATUS.describe(), STATUS->describe()
    if len(values) >= 5 and values[-3:] == ["describe", "(", ")"] and values[-4] in (".", "->") and \
            re.search(r"status|exit", " ".join(values[:-4]), re.I):
        return list(EXIT_DESCRIPTIONS)
    # (X)
    if values[0] == "(" and values[-1] == ")":
        args, end = split_arguments(term, 0)
        if end == len(term) and len(args) == 1:
            return texts_of(args[0])
    return [VALUE]


LOCALS = {}  # name -> (its line, its texts)
LOCAL_REACH = 12  # lines: a local this near a use is taken to be the one used


def sentences_in(path):
    """[(sentence, line)]: what the file gives fail(), and its faults."""
    toks = list(tokens(path.read_text(errors="replace")))
    found = []
    LOCALS.clear()
    for i, (kind, value, line) in enumerate(toks):
        # std::string NAME = EXPRESSION; (the latest one before a use stands for it)
        if kind == "id" and value == "string" and i >= 2 and toks[i - 1][1] == "::" and toks[i - 2][1] == "std" and \
                i + 2 < len(toks) and toks[i + 1][0] == "id" and toks[i + 2][1] == "=":
            end = i + 3
            while end < len(toks) and toks[end][1] != ";":
                end += 1
            expression = toks[i + 3:end]
            if any(k == "str" for k, _, _ in expression):
                LOCALS[toks[i + 1][1]] = (line, texts_of(expression))
            else:
                LOCALS.pop(toks[i + 1][1], None)
        if kind != "id" or i + 1 >= len(toks) or toks[i + 1][1] != "(":
            continue
        if value in FAIL_CALLS and not (i > 0 and toks[i - 1][1] in ("void", "auto")):
            prefix = ""
        elif i >= 2 and toks[i - 1][1] in (".", "->") and (toks[i - 2][1], value) in FAULT_CALLS:
            prefix = FAULT_CALLS[(toks[i - 2][1], value)]
        else:
            continue
        args, _ = split_arguments(toks, i + 1)
        if not args or not any(k == "str" for k, _, _ in args[0]):
            continue
        expression = args[0]
        texts = texts_of(expression)
        # a sentence begun in a local just before: "what + ", nor any answer before""
        first = expression[0]
        if first[0] == "id" and first[1] in LOCALS and 0 <= first[2] - LOCALS[first[1]][0] <= LOCAL_REACH and \
                (len(expression) == 1 or expression[1][1] == "+"):
            rest = texts_of(expression[2:]) if len(expression) > 2 else [""]
            texts = [a + b for a in LOCALS[first[1]][1] for b in rest][:MAX_ALTERNATIVES]
        for text in texts:
            found.append((prefix + text, line))
    return found


class Catalog:
    def __init__(self, entries):
        self.exact = {}
        self.patterns = []
        for english, spanish in entries:
            if "{}" in english:
                pieces = english.split("{}")
                regex = re.escape(pieces[0]) + "".join("(.+?)" + re.escape(p) for p in pieces[1:-1])
                regex += "(.+)" + re.escape(pieces[-1])
                self.patterns.append((re.compile(regex, re.S), english))
            else:
                self.exact.setdefault(english, spanish)

    def lookup(self, line):
        """(the entry that translates the line, the parts its {} took), or None."""
        if line in self.exact:
            return line, []
        for regex, english in self.patterns:
            # the harness takes the first place each fixed piece occurs, as a lazy regex does
            m = regex.fullmatch(line)
            if m and all(m.groups()):
                return english, list(m.groups())
        return None


def english_left(text):
    """The words of a part that a student would read in English: not values, not quoted protocol text."""
    text = text.replace(VALUE, " ")
    text = re.sub(r"\S*/\S*", " ", text)  # a path, a URL
    text = NAMES.sub(" ", text)
    text = re.sub(r'"[^"]*"|\'[^\']*\'', " ", text)
    return re.findall(r"\b[a-z][a-z']+\b", text)


def problems_of(line, catalog, depth=0):
    """What stays English when the harness translates this line."""
    line = line.strip(" \t")
    if line.replace(VALUE, "").strip() in ACTORS:
        return []  # who, and what the program did (a value): said elsewhere
    if depth == 0 and line.startswith(VALUE):
        # the value is someone: the sentence is right if it is right for one of them
        tries = [problems_of(actor + line[len(VALUE):], catalog, 1) for actor in ACTORS]
        if any(not left for left in tries):
            return []
    if not english_left(line):
        return []
    found = catalog.lookup(line)
    if found is None:
        return [line]
    english, parts = found
    left = []
    for part in parts:
        if english_left(part):
            left += problems_of(part, catalog, depth + 1)
    return left


def sources(root, labs):
    if labs:
        folders = [folder for lab in labs for folder in sorted(root.glob(f"tests/{lab}-*"))]
        files = [path for folder in folders for path in sorted(folder.glob("*.[ch]pp"))]
        files += [root / name for lab in labs for name in LAB_HARNESS.get(lab, [])]
        return files
    files = sorted(root.glob("tests/[0-9]*/*.[ch]pp")) + sorted(root.glob("tests/harness/**/*.cpp"))
    return [path for path in files
            if not path.name.startswith("language.") and not {"selftest", "shim"} & set(path.parts)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=pathlib.Path)
    parser.add_argument("--labs", nargs="*", default=[])
    parser.add_argument("--report-only", action="store_true")
    options = parser.parse_args()
    entries, problems = [], []
    for name in ("hints.es.txt", "reports.es.txt", "names.es.txt"):
        found, malformed = read_catalog(options.root / "tests/harness" / name)
        entries += found
        problems += malformed
        # two {} side by side: the first would take one character, the second the rest
        problems += [f"tests/harness/{name}: {english!r}: two {{}} side by side cannot be told apart"
                     for english, _ in found if "{}{}" in english]
    catalog = Catalog(entries)
    checked, untranslated = 0, []
    for path in sources(options.root, options.labs):
        for text, line in sentences_in(path):
            for part in text.split("\n"):
                if not english_left(part):
                    continue
                checked += 1
                for left in problems_of(part, catalog):
                    where = f"{path.relative_to(options.root)}:{line}"
                    what = "no Spanish for" if left == part.strip(" \t") else f"stays English in {part.strip()!r}:"
                    untranslated.append(f"{where}: {what} {left!r}")
    for problem in problems:
        print(problem)
    for problem in dict.fromkeys(untranslated):
        print(problem)
    print(f"the suites' own sentences in Spanish: {checked} lines checked, {len(set(untranslated))} with English left")
    if options.report_only:
        return 0
    return 1 if problems or untranslated else 0


if __name__ == "__main__":
    sys.exit(main())
