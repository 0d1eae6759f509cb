#!/usr/bin/env python3
"""check_handouts.py on a small made-up lab: each kind of problem is found,
with its file and line, and what is right passes."""

import pathlib
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_handouts  # noqa: E402

README = """\
# Lab 01 — one

[Versión en español](README.es.md)

## The ideas

### A line buffer: bytes in, lines out

- **A number that is reused.** A descriptor is a number.

See "A line buffer" and "A number that is reused". The traps of "Grading"
and of "A missing part" matter.

## Grading

"A line buffer" above says how; [the steps](#the-ideas), [gone](#gone),
[the contract](../../CONTRACT.md), [nowhere](../../NOWHERE.md).
"""

README_ES = """\
# Laboratorio 01 — uno

[English version](README.md)

## Las ideas

### Un búfer de líneas

Ver "Un búfer de líneas" y de "Una parte que falta".
"""

STARTER = """\
// What it must do is in the handout (README.md, "A line buffer"); see also
// README.md: "The ideas", "A part
// that is not there".
int main() {}
"""


class CheckHandouts(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.root = pathlib.Path(folder.name)
        (self.root / "labs.txt").write_text("01 01-one one single\n")
        lab = self.root / "labs" / "01-one"
        lab.mkdir(parents=True)
        (lab / "README.md").write_text(README)
        (lab / "README.es.md").write_text(README_ES)
        (lab / "one.cpp").write_text(STARTER)
        (self.root / "CONTRACT.md").write_text("# contract\n")
        self.problems = check_handouts.check_lab(self.root, "01-one")

    def found(self, text):
        return [p for p in self.problems if text in p]

    def test_a_section_a_starter_names_that_does_not_exist(self):
        self.assertEqual(len(self.found('"A part that is not there"')), 1)
        self.assertTrue(self.found("labs/01-one/one.cpp:2:"))  # where the title starts

    def test_sections_a_starter_names_that_exist(self):
        self.assertFalse(self.found('"A line buffer"'))
        self.assertFalse(self.found('"The ideas"'))

    def test_a_section_a_handout_names_that_does_not_exist(self):
        self.assertEqual([p.split(": ")[0] for p in self.found('"A missing part"')], ["labs/01-one/README.md:12"])
        self.assertEqual([p.split(": ")[0] for p in self.found('"Una parte que falta"')],
                         ["labs/01-one/README.es.md:9"])

    def test_headings_and_bold_titles_are_places_to_name(self):
        self.assertFalse(self.found('"A number that is reused"'))
        self.assertFalse(self.found('"Grading"'))  # one word: not taken for a title
        self.assertFalse(self.found('"Un búfer de líneas"'))

    def test_links(self):
        self.assertEqual(len(self.found("#gone")), 1)
        self.assertEqual(len(self.found("NOWHERE.md")), 1)
        self.assertFalse(self.found("#the-ideas"))
        self.assertFalse(self.found("CONTRACT.md"))

    def test_nothing_else(self):
        self.assertEqual(len(self.problems), 5, self.problems)

    def test_a_core_too_long(self):
        readme = self.root / "labs" / "01-one" / "README.md"
        readme.write_text(README + "text\n" * 400)
        problems = check_handouts.check_lab(self.root, "01-one")
        self.assertTrue([p for p in problems if "README.md: " in p and "at most 350" in p])

    def test_the_project_passes_but_for_what_it_reports(self):
        status = check_handouts.main(["check_handouts.py", str(self.root)])
        self.assertEqual(status, 1)


if __name__ == "__main__":
    unittest.main()
