#!/usr/bin/env python3
"""Keeps each handout and its Spanish version in step.

For README.md, common/README.md and every labs/*/README.md (and any other labs/*/NAME.md, such
as a lab's APPENDIX.md), NAME.es.md must exist beside it,
link to it (and be linked from it), and have:
  - the same sections: the same headings, level by level, in the same order,
    with the same `code` in them;
  - the same code blocks, in the same order and language: C++ and Python
    identical but for comments; other blocks (commands, sessions, diagrams)
    with the same commands, the same quoted strings and the same calls;
  - in each section, the same `inline code` (commands, messages, names), the
    same number of table rows, and the same links.
The words around them are free: the Spanish is written, not translated.

  check_translations.py ROOT                  check every handout under ROOT
  check_translations.py ROOT --english OTHER  take the English from another tree
  check_translations.py ROOT --add-links      first add the link line to English handouts without it
"""

import argparse
import collections
import pathlib
import re
import sys

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"\]\(([^)\s]+)\)")
COMMAND = re.compile(
    r"^(\$ |\./lab\b|nc\b|printf\b|\(printf\b|for\s+\w+\s+in\b|cat\b|timeout\b|watch\b|ss\b|od\b|strace\b|echo\b|"
    r"kill\b|ulimit\b|python3\b|ls\b|seq\b|grep\b|meson\b|ninja\b|git\b|LAB_LANG=)")
# A program's output in a session: the same in both languages.
OUTPUT = re.compile(r"^(listening on |\d+: |\* \S)")
# A quoted phrase in a diagram ("I am done"): words, translated with the rest.
PROSE = re.compile(r'"[A-Za-z][A-Za-z\',.!? ]*( [A-Za-z\',.!?]+){2,}"')
CALL = re.compile(r"[A-Za-z_][\w:.]*\([^()]*\)")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
COMMENT = {"cpp": re.compile(r"//.*$"), "c": re.compile(r"//.*$"), "python": re.compile(r"#.*$"),
           "sh": re.compile(r"(^|\s)#.*$"), "bash": re.compile(r"(^|\s)#.*$")}
# In a block without a language: "<- the echo", "# a comment", or prose after a gap.
NOTE = re.compile(r"(\s<-|\s#\s|^#\s|\s\.\.\.\s).*$")


class Section:
    def __init__(self, level, title):
        self.level, self.title = level, title
        self.inline = set()
        self.text = []
        self.table_rows = 0
        self.links = collections.Counter()


class Handout:
    def __init__(self, path):
        self.path = path
        self.sections = [Section(0, "(before the first heading)")]
        self.blocks = []  # (language, text, section title)
        lines = path.read_text().split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            fence = FENCE.match(line)
            if fence:
                marker, language = fence.group(1), fence.group(2)
                body = []
                i += 1
                while i < len(lines) and not lines[i].startswith(marker):
                    body.append(lines[i])
                    i += 1
                self.blocks.append((language, body, self.sections[-1].title))
                i += 1
                continue
            heading = HEADING.match(line)
            if heading:
                self.sections.append(Section(len(heading.group(1)), heading.group(2)))
            section = self.sections[-1]
            if line.lstrip().startswith("|") and not re.match(r"^\s*\|[\s|:-]+\|\s*$", line):
                section.table_rows += 1
            section.text.append(line)
            for link in LINK.finditer(line):
                target = link.group(1)
                if not target.startswith("#"):
                    section.links[normal_link(target)] += 1
            i += 1
        for section in self.sections:
            # a `code span` may run over a line break
            for code in INLINE_CODE.finditer(" ".join(line.strip() for line in section.text)):
                section.inline.add(code.group(2).strip())


def normal_link(target):
    """A Spanish handout may link to the Spanish version of a page."""
    return re.sub(r"\.es\.md(?=$|#)", ".md", target)


def heading_code(title):
    return [m.group(2) for m in INLINE_CODE.finditer(title)]


def block_form(language, body):
    """What must be the same in both versions of a code block."""
    if language in COMMENT:
        comment = COMMENT[language]
        return [comment.sub("", line).rstrip() for line in body if comment.sub("", line).strip()]
    form = []
    for line in body:
        text = NOTE.sub("", line).rstrip()
        stripped = text.strip()
        if COMMAND.match(stripped):
            # a command, up to the explanation that may follow it after a gap
            form.append("command: " + re.split(r"\s{2,}", stripped)[0])
            continue
        if OUTPUT.match(stripped):
            form.append("output: " + re.split(r"\s{2,}", stripped)[0])
            continue
        form += ["string: " + q for q in QUOTED.findall(text) if not PROSE.fullmatch(q)]
        form += ["call: " + c for c in CALL.findall(QUOTED.sub('""', text))]
    return form


def compare(english_path, spanish_path):
    problems = []
    if not spanish_path.exists():
        return [f"{english_path}: no Spanish version ({spanish_path.name} beside it)"]
    english, spanish = Handout(english_path), Handout(spanish_path)
    if not any(spanish_path.name in s.links for s in english.sections) and \
            not re.search(r"\]\(" + re.escape(spanish_path.name) + r"\)", english_path.read_text()):
        problems.append(f"{english_path}: no link to the Spanish version ({spanish_path.name})")
    if not re.search(r"\]\((\./)?" + re.escape(english_path.name) + r"\)", spanish_path.read_text()):
        problems.append(f"{spanish_path}: no link to the English version ({english_path.name})")

    en_levels = [(s.level, heading_code(s.title)) for s in english.sections]
    es_levels = [(s.level, heading_code(s.title)) for s in spanish.sections]
    if en_levels != es_levels:
        for n, (en, es) in enumerate(zip(english.sections, spanish.sections)):
            if (en.level, heading_code(en.title)) != (es.level, heading_code(es.title)):
                problems.append(f"{spanish_path}: section {n}: {'#' * es.level} {es.title!r} stands where the English has "
                                f"{'#' * en.level} {en.title!r}")
                break
        else:
            problems.append(f"{spanish_path}: {len(spanish.sections) - 1} sections, the English has "
                            f"{len(english.sections) - 1}")
        return problems  # the rest is compared section by section

    for en, es in zip(english.sections, spanish.sections):
        where = f"{spanish_path}: section {'#' * es.level} {es.title!r}"
        # The link between the two versions is the one link they do not share.
        en_links = +(en.links - collections.Counter({spanish_path.name: 99, english_path.name: 99}))
        es_links = +(es.links - collections.Counter({english_path.name: 99, spanish_path.name: 99}))
        for code in sorted(en.inline - es.inline):
            problems.append(f"{where}: `{code}` is in the English, not in the Spanish")
        for code in sorted(es.inline - en.inline):
            problems.append(f"{where}: `{code}` is in the Spanish, not in the English")
        if en.table_rows != es.table_rows:
            problems.append(f"{where}: {es.table_rows} table rows, the English has {en.table_rows}")
        if set(en_links) != set(es_links):
            problems.append(f"{where}: links {sorted(es_links)}, the English has {sorted(en_links)}")

    if len(english.blocks) != len(spanish.blocks):
        problems.append(f"{spanish_path}: {len(spanish.blocks)} code blocks, the English has {len(english.blocks)}")
    for n, ((en_lang, en_body, title), (es_lang, es_body, _)) in enumerate(zip(english.blocks, spanish.blocks), 1):
        where = f"{spanish_path}: code block {n} (in {title!r})"
        if en_lang != es_lang:
            problems.append(f"{where}: language {es_lang!r}, the English has {en_lang!r}")
            continue
        en_form, es_form = block_form(en_lang, en_body), block_form(es_lang, es_body)
        if en_form != es_form:
            missing = [x for x in en_form if x not in es_form]
            extra = [x for x in es_form if x not in en_form]
            detail = "; ".join([f"English only: {x}" for x in missing[:3]] + [f"Spanish only: {x}" for x in extra[:3]])
            problems.append(f"{where}: differs from the English ({detail or 'the same parts, in another order'})")
    return problems


# The line that links an English handout to its Spanish version, added
# under its title by --add-links.
ENGLISH_LINK = "[Versión en español](README.es.md)"
TOP_ENGLISH_LINK = ("[Versión en español](README.es.md) · [Glossary · Glosario](GLOSSARY.md) · "
                    "grader hints in Spanish: `LAB_LANG=es`")


def add_link(english_path, top):
    text = english_path.read_text()
    spanish = spanish_name(english_path)
    if re.search(r"\]\(" + re.escape(spanish) + r"\)", text):
        return False
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if line.startswith("# "):
            lines[n + 1:n + 1] = ["", TOP_ENGLISH_LINK if top else ENGLISH_LINK.replace("README.es.md", spanish)]
            english_path.write_text("\n".join(lines))
            return True
    return False


def handouts(root):
    yield root / "README.md"
    yield root / "common/README.md"  # the library's promises, read from lab 01 on
    for page in sorted(root.glob("labs/*/*.md")):
        if not page.name.endswith(".es.md"):
            yield page


def spanish_name(english_path):
    return english_path.name[: -len(".md")] + ".es.md"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=pathlib.Path)
    parser.add_argument("--english", type=pathlib.Path, help="read the English handouts from this tree")
    parser.add_argument("--add-links", action="store_true",
                        help="add the line that links each English handout to its Spanish version, then check")
    options = parser.parse_args()
    if options.add_links:
        for english_path in handouts(options.english or options.root):
            if add_link(english_path, english_path.parent == (options.english or options.root)):
                print(f"added the Spanish link to {english_path}")
    english_root = options.english or options.root
    problems, checked = [], 0
    for english_path in handouts(english_root):
        spanish_path = options.root / english_path.relative_to(english_root).with_name(spanish_name(english_path))
        found = compare(english_path, spanish_path)
        checked += 1
        print(f"{'ok  ' if not found else 'FAIL'} {english_path.relative_to(english_root)}")
        problems += found
    for spanish_path in sorted(options.root.glob("labs/*/*.es.md")):
        english_name = spanish_path.name[: -len(".es.md")] + ".md"
        if not (english_root / spanish_path.relative_to(options.root)).with_name(english_name).exists():
            problems.append(f"{spanish_path}: a Spanish handout with no English one beside it")
    for problem in problems:
        print("  " + problem)
    print(f"{checked} handouts checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
