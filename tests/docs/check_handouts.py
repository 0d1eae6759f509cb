#!/usr/bin/env python3
"""Checks what a newcomer trips on in a lab's handout and starter.

For every lab of labs.txt:
  - every section a starter, a solution or a handout names exists: a quoted
    title after README.md, "the handout" or a word such as see, above,
    below, under, "trap of" (Spanish: ver, más arriba, más abajo, la guía,
    ...) must begin a heading of the handout it names (README.md, or any
    .md page of the lab in the same language), or a bold title that opens
    a paragraph or a list item there ("- **A number that is reused.** ...");
  - every link of a handout to a file of the project leads to one, and a
    link to #a-section to a heading of that page;
  - the handout's core, README.md and README.es.md, is at most 350 lines
    (measurements and extras go to an appendix page, APPENDIX.md).

  check_handouts.py ROOT
Exit status 0 when all is well, 1 otherwise (each problem: FILE:LINE).
"""

import pathlib
import re
import sys

MAX_CORE_LINES = 350

SOURCE_SUFFIXES = {".c", ".cc", ".cpp", ".h", ".hh", ".hpp", ".py", ".js", ".go", ".rs", ".build"}
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```+|~~~+)")
QUOTE = r'(?:"[^"\n]{2,120}"|“[^”\n]{2,120}”|«[^»\n]{2,120}»)'
QUOTES = rf"(?P<quotes>{QUOTE}(?:\s*(?:,|\band\b|\bor\b|\by\b|\bo\b|/)(?:\s+(?:of|de|del)\b)?\s*{QUOTE})*)"
# What names a section in a comment: the handout, by either name.
SOURCE_REFERENCE = re.compile(
    rf"(?:README(?:\.es)?\.md|\bhandout(?:'s)?|\bguía)\b[^\"“«.;]{{0,40}}?{QUOTES}")
# ... and in a handout: a word that points somewhere in it.
HANDOUT_CUE = (r"(?:\b(?:[Ss]ee|[Aa]bove|[Bb]elow|[Uu]nder|[Tt]raps? (?:of|in)|[Ss]ections?|"
               r"handout(?:'s)?|README(?:\.es)?\.md|APPENDIX(?:\.es)?\.md|"
               r"[Vv]er|[Vv]éase|[Mm]ás arriba|[Mm]ás abajo|[Tt]rampas? de|apartados?|secci(?:ón|ones)|"
               r"la guía|[Ll]ee))")
HANDOUT_REFERENCE = re.compile(rf"{HANDOUT_CUE}[:,]?\s*\(?\s*(?:the\s+|la\s+|el\s+)?{QUOTES}")
# "..." above / "..." and "..." say how / "...", más arriba
HANDOUT_REFERENCE_AFTER = re.compile(
    rf"{QUOTES}\s*,?\s*\)?\s*(?:says? how|explains?|above|below|dicen? cómo|explica(?:n)?|más arriba|más abajo)\b")
BOLD_TITLE = re.compile(r"^\s*(?:[-*]|\d+\.)?\s*\*\*([^*]+?)[.:]?\*\*")
LINK = re.compile(r"\]\(([^)\s]+)\)")
INLINE_CODE = re.compile(r"`[^`]*`")


def normal(title):
    title = title.replace("`", "").strip()
    title = re.sub(r"\s+", " ", title)
    return title.strip(" .:").casefold()


def names_heading(reference, headings):
    """True if the quoted title begins one of the headings (shortened at a
    colon, a dash, a parenthesis or a comma is fine)."""
    wanted = normal(reference)
    for heading in headings:
        have = normal(heading)
        if have == wanted:
            return True
        if have.startswith(wanted) and re.match(r"[:,(—-]| [(—-]", have[len(wanted):]):
            return True
    return False


def slug(heading):
    """GitHub's anchor for a heading."""
    text = INLINE_CODE.sub(lambda m: m.group(0)[1:-1], heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


class Page:
    """A Markdown page: its headings, and its prose (code blocks blanked)."""

    def __init__(self, path):
        self.path = path
        self.lines = path.read_text(encoding="utf-8").split("\n")
        self.headings = []
        self.titles = []  # headings, and bold titles of paragraphs and list items
        self.prose = []  # (line number, text)
        in_code = False
        for number, line in enumerate(self.lines, 1):
            if FENCE.match(line):
                in_code = not in_code
                continue
            if in_code:
                continue
            heading = HEADING.match(line)
            if heading:
                self.headings.append(heading.group(2))
                self.titles.append(heading.group(2))
                continue
            bold = BOLD_TITLE.match(line)
            if bold:
                self.titles.append(bold.group(1))
            self.prose.append((number, line))

    @property
    def spanish(self):
        return self.path.name.endswith(".es.md")


def paragraphs(numbered_lines):
    """Joins consecutive lines into paragraphs: (first line number, text, line starts)."""
    paragraph, first = [], None
    for number, text in numbered_lines + [(None, "")]:
        if text.strip():
            if not paragraph:
                first = number
            paragraph.append((number, text.strip()))
            continue
        if paragraph:
            joined, starts = "", []
            for n, t in paragraph:
                starts.append((len(joined), n))
                joined += t + " "
            yield joined, starts
        paragraph = []


def line_at(starts, offset):
    number = starts[0][1]
    for start, n in starts:
        if start <= offset:
            number = n
    return number


def quoted_titles(match):
    """(offset in the paragraph, title) of each quoted title of a match."""
    base = match.start("quotes")
    return [(base + q.start(), q.group(0)[1:-1]) for q in re.finditer(QUOTE, match.group("quotes"))]


def comment_lines(path):
    """(number, comment text) of a source file, markers' starter lines included."""
    comment = "#" if path.suffix in {".py", ".build"} or path.name == "meson.build" else "//"
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), 1):
        at = line.find(comment)
        if at < 0:
            found.append((number, ""))
            continue
        text = line[at + len(comment):]
        if text.startswith("|"):  # a starter line of a solution: // INSTEAD //| ...
            inner = text[1:].strip()
            text = inner[len(comment):] if inner.startswith(comment) else ""
        found.append((number, text))
    return found


def lab_folders(root):
    for line in (root / "labs.txt").read_text().splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            yield words[1]


COUNTS = {"section names": 0, "links": 0}


def check_lab(root, folder):
    problems = []
    lab = root / "labs" / folder
    pages = {path.name: Page(path) for path in sorted(lab.glob("*.md"))}
    english = [t for page in pages.values() if not page.spanish for t in page.titles]
    spanish = [t for page in pages.values() if page.spanish for t in page.titles]

    def where(path, number):
        return f"{path.relative_to(root)}:{number}"

    # Sections named in handouts.
    for page in pages.values():
        headings = spanish if page.spanish else english
        for text, starts in paragraphs(page.prose):
            plain = INLINE_CODE.sub("``", text)
            for pattern in (HANDOUT_REFERENCE, HANDOUT_REFERENCE_AFTER):
                for match in pattern.finditer(plain):
                    for offset, title in quoted_titles(match):
                        if not (title[0].isupper() and " " in title):
                            continue  # a word in quotes, not a title
                        COUNTS["section names"] += 1
                        if not names_heading(title, headings):
                            problems.append(f"{where(page.path, line_at(starts, offset))}: names a "
                                            f"section \"{title}\" that no heading (or bold title) of the lab's "
                                            f"{'Spanish' if page.spanish else 'English'} handout begins with")
        # Links to files, and to sections.
        for number, line in page.prose:
            for link in LINK.finditer(INLINE_CODE.sub("``", line)):
                target = link.group(1)
                if re.match(r"^[a-z]+:", target):
                    continue  # http:, mailto:
                COUNTS["links"] += 1
                file_part, _, anchor = target.partition("#")
                linked = (page.path.parent / file_part).resolve() if file_part else page.path
                if not linked.exists():
                    problems.append(f"{where(page.path, number)}: a link to {file_part}, which does not exist")
                    continue
                if anchor and linked.suffix == ".md":
                    if anchor not in {slug(h) for h in Page(linked).headings}:
                        problems.append(f"{where(page.path, number)}: a link to #{anchor}, a section "
                                        f"{linked.name} does not have")

    # Sections named in the starter's and the solution's comments.
    sources = [p for p in sorted(lab.rglob("*")) if p.is_file() and p.suffix not in {".md"}]
    solution = root / "solutions" / folder
    if solution.is_dir():
        sources += [p for p in sorted(solution.rglob("*")) if p.is_file()]
    for path in sources:
        if path.suffix not in SOURCE_SUFFIXES and path.name != "meson.build":
            continue
        for text, starts in paragraphs(comment_lines(path)):
            for match in SOURCE_REFERENCE.finditer(text):
                spanish_reference = "README.es.md" in match.group(0) or "guía" in match.group(0)
                headings = spanish if spanish_reference else english
                for offset, title in quoted_titles(match):
                    COUNTS["section names"] += 1
                    if not names_heading(title, headings):
                        problems.append(f"{where(path, line_at(starts, offset))}: names the handout's "
                                        f"section \"{title}\", which labs/{folder}/"
                                        f"{'README.es.md' if spanish_reference else 'README.md'} does not have")

    # The core of the handout.
    for name in ("README.md", "README.es.md"):
        if name in pages and len(pages[name].lines) - 1 > MAX_CORE_LINES:
            problems.append(f"{pages[name].path.relative_to(root)}: {len(pages[name].lines) - 1} lines; the "
                            f"core of a handout is at most {MAX_CORE_LINES}: move measurements and extras "
                            f"to an appendix page (APPENDIX.md, APPENDIX.es.md)")
    return problems


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[-2], file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1]).resolve()
    COUNTS.update(dict.fromkeys(COUNTS, 0))
    problems, labs = [], 0
    for folder in lab_folders(root):
        if (root / "labs" / folder).is_dir():
            found = check_lab(root, folder)
            labs += 1
            print(f"{'ok  ' if not found else 'FAIL'} labs/{folder}")
            problems += found
    for problem in problems:
        print("  " + problem)
    print(f"{labs} labs checked ({COUNTS['section names']} section names, {COUNTS['links']} links), "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
