#!/usr/bin/env python3
"""make_starters.py on small made-up projects: what each marker gives, and
that a malformed solution fails naming its file and line."""

import contextlib
import io
import os
import pathlib
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_starters  # noqa: E402


def dedent(text):
    return textwrap.dedent(text).lstrip("\n")


def starter(text, name="a.cpp", lab_id="07"):
    return make_starters.make(dedent(text), make_starters.comment_of(name), lab_id, name)


class Markers(unittest.TestCase):
    def test_yours_gives_banners_and_the_starter_lines(self):
        self.assertEqual(starter("""
            int f(int x) {
                // BEGIN YOURS
                return x * 2;
                // INSTEAD
                //| (void)x;
                //|
                //|     return 0;  // indented further
                // END YOURS
            }
            """), dedent("""
            int f(int x) {
                // ===== YOUR CODE (lab 07) =============================================
                (void)x;

                    return 0;  // indented further
                // ===== END OF YOUR CODE ===============================================
            }
            """))

    def test_banners_end_at_column_77_whatever_the_indentation(self):
        made = starter("""
            // BEGIN YOURS
            x;
            // END YOURS
                    // BEGIN YOURS: what you keep
                    y;
                    // END YOURS
            """)
        def banner(text):
            return text + "=" * (77 - len(text))
        self.assertEqual(made.splitlines(), [
            banner("// ===== YOUR CODE (lab 07) "),
            banner("// ===== END OF YOUR CODE "),
            banner("        // ===== YOUR CODE (lab 07): what you keep "),
            banner("        // ===== END OF YOUR CODE "),
        ])

    def test_solution_only_has_no_banners(self):
        self.assertEqual(starter("""
            // BEGIN SOLUTION ONLY
            // The answer, explained.
            // INSTEAD
            //| // What it must do.
            // END SOLUTION ONLY
            #include <a>
            // BEGIN SOLUTION ONLY
            #include <only_the_solution_needs_this>
            // END SOLUTION ONLY
            int main() {}
            """), "// What it must do.\n#include <a>\nint main() {}\n")

    def test_lines_only_the_starter_has(self):
        self.assertEqual(starter("""
            // BEGIN SOLUTION ONLY
            // INSTEAD
            //| // Your part: the bodies below.
            //|
            // END SOLUTION ONLY
            #include "a.hpp"
            """), "// Your part: the bodies below.\n\n#include \"a.hpp\"\n")

    def test_the_solution_side_drops_the_markers_and_the_starter_lines(self):
        text = dedent("""
            a
            // BEGIN YOURS
            b
            // INSTEAD
            //| c
            // END YOURS
            """)
        self.assertEqual(make_starters.make(text, "//", "07", "a.cpp", side="solution"), "a\nb\n")

    def test_hash_comments_in_meson_build_and_python(self):
        self.assertEqual(starter("""
            # BEGIN SOLUTION ONLY
            program = executable('x', 'x.cpp', 'fast.cpp')
            # INSTEAD
            #| program = executable('x', 'x.cpp')
            # END SOLUTION ONLY
            """, name="meson.build"), "program = executable('x', 'x.cpp')\n")
        self.assertEqual(starter("""
            def f():
                # BEGIN YOURS
                return 1
                # INSTEAD
                #| pass
                # END YOURS
            """, name="x.py"), "def f():\n    # ===== YOUR CODE (lab 07) " + "=" * 46
            + "\n    pass\n    # ===== END OF YOUR CODE " + "=" * 48 + "\n")

    def test_a_file_without_markers_is_the_same(self):
        text = "a\n  b\n\nc"  # no newline at the end: kept so
        self.assertEqual(make_starters.make(text, "//", "01", "a.cpp"), text)


class Malformed(unittest.TestCase):
    def fails(self, text, *expected, name="x/a.cpp"):
        with self.assertRaises(make_starters.MarkerError) as caught:
            make_starters.make(dedent(text), make_starters.comment_of(name), "01", name)
        message = str(caught.exception)
        for part in expected:
            self.assertIn(part, message)
        return message

    def test_nested_blocks(self):
        self.fails("""
            // BEGIN YOURS
            a
            // BEGIN SOLUTION ONLY
            b
            // END SOLUTION ONLY
            // END YOURS
            """, "x/a.cpp:3:", "line 1", "do not nest")

    def test_a_block_never_closed_names_where_it_opened(self):
        self.fails("""
            a
            // BEGIN YOURS
            b
            // INSTEAD
            //| c
            """, "x/a.cpp:2:", "never closed", "END YOURS")
        self.fails("""
            // BEGIN SOLUTION ONLY
            b
            """, "x/a.cpp:1:", "END SOLUTION ONLY")

    def test_an_end_without_a_begin(self):
        self.fails("a\n// END YOURS\n", "x/a.cpp:2:", "without a block open")

    def test_an_end_of_the_other_kind(self):
        self.fails("// BEGIN YOURS\n// END SOLUTION ONLY\n", "x/a.cpp:2:", "BEGIN YOURS of line 1")

    def test_instead_twice_or_outside(self):
        self.fails("// BEGIN YOURS\n// INSTEAD\n// INSTEAD\n// END YOURS\n", "x/a.cpp:3:", "second")
        self.fails("// INSTEAD\n", "x/a.cpp:1:", "outside a block")

    def test_after_instead_only_starter_lines(self):
        self.fails("// BEGIN YOURS\n// INSTEAD\n//| a\nb\n// END YOURS\n", "x/a.cpp:4:", "starter line")

    def test_a_starter_line_outside_instead(self):
        self.fails("//| a\n", "x/a.cpp:1:", "outside")
        self.fails("// BEGIN YOURS\n//| a\n// END YOURS\n", "x/a.cpp:2:", "outside")

    def test_a_starter_line_needs_its_space(self):
        self.fails("// BEGIN YOURS\n// INSTEAD\n//|a\n// END YOURS\n", "x/a.cpp:3:", "with a space")

    def test_something_like_a_marker(self):
        for line in ["//BEGIN YOURS", "// BEGIN YOURS.", "// END YOURS here", "// BEGIN SOLUTION",
                     "// INSTEAD:", "// BEGIN YOURS:", "//  END SOLUTION ONLY"]:
            with self.subTest(line=line):
                self.fails(line + "\n", "x/a.cpp:1:", "not a marker")

    def test_prose_is_not_taken_for_a_marker(self):
        text = "// Instead of a lock, ...\n// The END. YOURS truly\n// BEGINNING\n"
        self.assertEqual(make_starters.make(text, "//", "01", "a.cpp"), text)

    def test_a_marker_in_a_file_of_unknown_kind(self):
        self.fails("<!-- BEGIN YOURS -->\n", "x/page.html:1:", "does not know", name="x/page.html")


class Project:
    """A made-up project in a temporary folder."""

    def __init__(self, test):
        self.folder = tempfile.TemporaryDirectory()
        test.addCleanup(self.folder.cleanup)
        self.root = pathlib.Path(self.folder.name)
        self.write("labs.txt", "# id folder program kind\n01 01-one one single\n02 02-two two single\n")

    def write(self, path, text):
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dedent(text))
        return target

    def link(self, path, to):
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(to)

    def read(self, path):
        return (self.root / path).read_text()

    def run(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = make_starters.main(["--root", str(self.root), *args])
        return status, out.getvalue(), err.getvalue()


POINTER_01 = "// Lab 01 starter: read README.md first (en español: README.es.md).\n"
POINTER_02 = POINTER_01.replace("01", "02")


class Starters(unittest.TestCase):
    def setUp(self):
        self.project = Project(self)
        p = self.project
        p.write("solutions/01-one/one.cpp", """
            #include "piece.hpp"
            int main() {
                // BEGIN YOURS
                return piece();
                // INSTEAD
                //| return 1;
                // END YOURS
            }
            """)
        p.write("solutions/01-one/meson.build", "program = executable('one', 'one.cpp')\n")
        p.write("common/piece.hpp", """
            #pragma once
            inline int piece() {
                // BEGIN YOURS
                return 0;
                // INSTEAD
                //| return 1;
                // END YOURS
            }
            """)
        p.link("solutions/01-one/piece.hpp", "../../common/piece.hpp")
        p.write("solutions/01-one/solution_notes.cpp", "// BEGIN SOLUTION ONLY\n// only here\n// END SOLUTION ONLY\n")
        p.write("solutions/01-one/starter-only/stub.hpp", "#pragma once\n// a stub\n")
        p.write("solutions/02-two/two.cpp", "#include \"one.cpp\"\n")
        p.link("solutions/02-two/one.cpp", "../01-one/one.cpp")
        p.write("labs/01-one/README.md", "# one\n")
        p.write("labs/01-one/README.es.md", "# uno\n")

    def test_write_makes_each_starter(self):
        p = self.project
        status, out, err = p.run()
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(p.read("labs/01-one/one.cpp"), POINTER_01 + dedent("""
            #include "piece.hpp"
            int main() {
                // ===== YOUR CODE (lab 01) =============================================
                return 1;
                // ===== END OF YOUR CODE ===============================================
            }
            """))
        self.assertEqual(p.read("labs/01-one/meson.build"), "program = executable('one', 'one.cpp')\n")
        # Linked to common/: this lab writes it, so it has its YOUR CODE; a plain file.
        self.assertIn("return 1;", p.read("labs/01-one/piece.hpp"))
        self.assertFalse((p.root / "labs/01-one/piece.hpp").is_symlink())
        # All solution: no starter file. Starter-only: as it is.
        self.assertFalse((p.root / "labs/01-one/solution_notes.cpp").exists())
        self.assertEqual(p.read("labs/01-one/stub.hpp"), POINTER_01 + "#pragma once\n// a stub\n")
        # Linked to an earlier lab's solution: taken whole, the solution's lines.
        self.assertEqual(p.read("labs/02-two/one.cpp"),
                         POINTER_02 + '#include "piece.hpp"\nint main() {\n    return piece();\n}\n')
        self.assertEqual(p.read("labs/01-one/README.md"), "# one\n")  # handouts untouched
        self.assertEqual(p.run("--check")[0], 0)

    def test_check_shows_what_differs(self):
        p = self.project
        p.run()
        p.write("labs/01-one/one.cpp", p.read("labs/01-one/one.cpp").replace("return 1;", "return 2;"))
        status, out, _ = p.run("--check")
        self.assertEqual(status, 1)
        self.assertIn("--- labs/01-one/one.cpp (committed)", out)
        self.assertIn("+++ labs/01-one/one.cpp (made from solutions/01-one)", out)
        self.assertIn("-    return 2;\n+    return 1;\n", out)
        self.assertIn("starters of 01-one differ", out)

    def test_check_names_missing_and_extra_files(self):
        p = self.project
        p.run()
        (p.root / "labs/01-one/stub.hpp").unlink()
        p.write("labs/01-one/extra.cpp", "int x;\n")
        p.write("labs/01-one/APPENDIX.md", "# handouts are not checked\n")
        status, out, _ = p.run("--check", "01")
        self.assertEqual(status, 1)
        self.assertIn("labs/01-one/stub.hpp: missing", out)
        self.assertIn("labs/01-one/extra.cpp: not made from solutions/01-one", out)
        self.assertNotIn("APPENDIX", out)
        p.run()  # writing removes what its solution does not make, never a handout
        self.assertFalse((p.root / "labs/01-one/extra.cpp").exists())
        self.assertTrue((p.root / "labs/01-one/APPENDIX.md").exists())
        self.assertEqual(p.run("--check")[0], 0)

    def test_a_malformed_solution_stops_everything_naming_file_and_line(self):
        p = self.project
        p.write("solutions/01-one/bad.cpp", "a\n// BEGIN YOURS\nb\n")
        status, out, err = p.run("--check")
        self.assertEqual(status, 2)
        self.assertIn("solutions/01-one/bad.cpp:2: block never closed", err)
        p.write("solutions/01-one/bad.cpp", "// END YOURS\n")
        self.assertEqual(p.run()[0], 2)  # writing: nothing written
        self.assertFalse((p.root / "labs/01-one/bad.cpp").exists())

    def test_an_error_in_a_shared_file_names_both_paths(self):
        p = self.project
        p.write("common/piece.hpp", "// BEGIN YOURS\n")
        status, _, err = p.run("--check")
        self.assertEqual(status, 2)
        self.assertIn("solutions/01-one/piece.hpp (= common/piece.hpp):1:", err)

    def test_a_link_out_of_the_project_is_refused(self):
        p = self.project
        outside = tempfile.NamedTemporaryFile("w", suffix=".hpp", delete=False)
        self.addCleanup(os.unlink, outside.name)
        p.link("solutions/01-one/outside.hpp", outside.name)
        status, _, err = p.run("--check")
        self.assertEqual(status, 2)
        self.assertIn("a link out of the project", err)

    def test_a_starter_only_file_may_not_shadow_a_solution_file(self):
        p = self.project
        p.write("solutions/01-one/starter-only/one.cpp", "int main() {}\n")
        status, _, err = p.run()
        self.assertEqual(status, 2)
        self.assertIn("a starter file comes from one place", err)

    def test_a_script_keeps_its_first_line(self):
        p = self.project
        script = p.write("solutions/01-one/run.py", "#!/usr/bin/env python3\nprint(1)\n")
        script.chmod(0o755)
        p.run("01")
        self.assertEqual(p.read("labs/01-one/run.py"),
                         "#!/usr/bin/env python3\n# " + POINTER_01[3:] + "print(1)\n")
        self.assertTrue(os.access(p.root / "labs/01-one/run.py", os.X_OK))
        (p.root / "labs/01-one/run.py").chmod(0o644)
        status, out, _ = p.run("--check", "01")
        self.assertEqual(status, 1)
        self.assertIn("executable should be on", out)

    def test_an_unknown_lab(self):
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
            self.project.run("42")


if __name__ == "__main__":
    unittest.main()
