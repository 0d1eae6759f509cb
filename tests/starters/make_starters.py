#!/usr/bin/env python3
"""Writes each lab's starter, labs/NN-*/, from its solution, solutions/NN-*/.

A solution is the one source of its lab: in it, what the student writes is
marked, and this tool writes the starter by putting, in each marked place,
what the starter has there instead. The format (tests/starters/README.md):

    // BEGIN YOURS                        (or "// BEGIN YOURS: a label")
    ...the solution's lines...
    // INSTEAD                            (optional)
    //| ...a line of the starter...       ("//|" alone: a blank line)
    // END YOURS

becomes, at the indentation of "// BEGIN YOURS",

    // ===== YOUR CODE (lab NN) ====...   (or "(lab NN): a label ====...")
    ...the //| lines, without their "//| "...
    // ===== END OF YOUR CODE =========...

and "// BEGIN SOLUTION ONLY" ... ["// INSTEAD" ... "//|" lines]
"// END SOLUTION ONLY" does the same without the two banner lines. Files
whose comments start with "#" (meson.build, Python, shell) use "#" for "//".
Every other line is the same in both.

Which files a starter has:
  - every file of solutions/NN-*/ (subfolders too), made as above; a file
    that is all solution (it makes an empty starter) is left out;
  - a file of the solution that is a symbolic link is shared, not copied:
    meson compiles the one source through the link, and the starter gets a
    plain file. Linked to common/ (a piece of the library that this lab has
    the student write, e.g. LineBuffer in lab 03): made as above. Linked to
    another lab's solution (a file this lab takes whole from an earlier lab):
    that lab's solution, whole, with no YOUR CODE in it;
  - the files of solutions/NN-*/starter-only/, as they are (a stub that the
    solution does not need);
  - every starter's source file (not meson.build) starts with a line that
    points to the handout, in English and in Spanish.
The handouts (*.md and images in labs/NN-*/) are written by hand: this tool
never writes, checks or removes them.

  make_starters.py                 write every lab's starter (labs.txt)
  make_starters.py 03 05           only these labs
  make_starters.py --check         write nothing; exit 1, with a unified
                                   diff, if a committed starter differs
                                   from what its solution gives
Exit status: 0 all well, 1 a starter differs (--check), 2 a malformed
solution (the message names the file and the line).
"""

import argparse
import difflib
import os
import pathlib
import re
import stat
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

BANNER_WIDTH = 77  # the banners end at this column, whatever their indentation
HANDOUT_SUFFIXES = {".md", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
STARTER_ONLY = "starter-only"
SKIPPED_NAMES = {"__pycache__", ".gitignore"}

# How a comment starts, by file name or extension. A file of any other kind
# is copied as it is, and may hold no marker.
SLASHES = "//"
HASH = "#"
COMMENT_BY_NAME = {"meson.build": HASH, "meson.options": HASH, "meson_options.txt": HASH,
                   "CMakeLists.txt": HASH, "Makefile": HASH}
COMMENT_BY_SUFFIX = {
    **dict.fromkeys([".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".ipp",
                     ".js", ".mjs", ".ts", ".go", ".rs", ".java", ".kt", ".swift", ".cs"], SLASHES),
    **dict.fromkeys([".py", ".sh", ".bash", ".rb", ".pl", ".toml", ".yaml", ".yml", ".cmake"], HASH),
}
NO_POINTER = {"meson.build", "meson.options", "meson_options.txt", "CMakeLists.txt", "Makefile"}


class MarkerError(Exception):
    """A malformed solution: the message starts with FILE:LINE."""


def comment_of(name):
    if name in COMMENT_BY_NAME:
        return COMMENT_BY_NAME[name]
    return COMMENT_BY_SUFFIX.get(pathlib.PurePath(name).suffix)


def pointer_line(comment, lab_id):
    return f"{comment} Lab {lab_id} starter: read README.md first (en español: README.es.md)."


def banner(indent, comment, text):
    line = f"{indent}{comment} ===== {text} "
    return line + "=" * max(5, BANNER_WIDTH - len(line))


class Markers:
    """The marker lines of one comment syntax."""

    def __init__(self, comment):
        c = re.escape(comment)
        self.comment = comment
        self.begin_yours = re.compile(rf"^{c} BEGIN YOURS(?:: (?P<label>\S.*))?$")
        self.begin_solution = re.compile(rf"^{c} BEGIN SOLUTION ONLY$")
        self.instead = re.compile(rf"^{c} INSTEAD$")
        self.end_yours = re.compile(rf"^{c} END YOURS$")
        self.end_solution = re.compile(rf"^{c} END SOLUTION ONLY$")
        # Anything that looks like a marker but is not one exactly.
        self.near = re.compile(rf"^{c}\s*(?:(?:BEGIN|END)\s*(?:YOURS|SOLUTION)|INSTEAD)\b")
        self.starter_line = re.compile(rf"^(?P<indent>\s*){c}\|(?P<rest>.*)$")


ANY_MARKER = re.compile(r"\b(BEGIN YOURS|END YOURS|BEGIN SOLUTION ONLY|END SOLUTION ONLY)\b")


def split_lines(text):
    """Lines without their '\\n', and whether the text ended with one."""
    if text == "":
        return [], True
    ends_with_newline = text.endswith("\n")
    lines = text.split("\n")
    if ends_with_newline:
        lines.pop()
    return lines, ends_with_newline


def join_lines(lines, ends_with_newline):
    if not lines:
        return ""
    return "\n".join(lines) + ("\n" if ends_with_newline else "")


def make(text, comment, lab_id, where, side="starter"):
    """The starter (side="starter") or the plain solution (side="solution")
    of one marked file. `where` names the file in error messages."""
    lines, ends_with_newline = split_lines(text)
    if comment is None:
        for number, line in enumerate(lines, 1):
            if ANY_MARKER.search(line):
                raise MarkerError(f"{where}:{number}: a marker in a file whose comments this tool "
                                  f"does not know (it knows {', '.join(sorted(COMMENT_BY_SUFFIX))})")
        return text
    markers = Markers(comment)
    out = []
    block = None  # the block being read: kind, its line, its indentation, label, part

    def fail(number, message):
        raise MarkerError(f"{where}:{number}: {message}")

    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        begin_yours = markers.begin_yours.match(stripped)
        is_begin_solution = bool(markers.begin_solution.match(stripped))
        if begin_yours or is_begin_solution:
            if block is not None:
                fail(number, f"{stripped!r} inside the block opened at line {block['line']}: "
                             f"blocks do not nest (close that one first)")
            block = {"kind": "yours" if begin_yours else "solution", "line": number, "indent": indent,
                     "label": begin_yours.group("label") if begin_yours else None, "part": "solution",
                     "instead": []}
            continue
        if markers.instead.match(stripped):
            if block is None:
                fail(number, f"{stripped!r} outside a block")
            if block["part"] == "instead":
                fail(number, f"a second {stripped!r} in the block opened at line {block['line']}")
            block["part"] = "instead"
            continue
        end_yours = markers.end_yours.match(stripped)
        end_solution = markers.end_solution.match(stripped)
        if end_yours or end_solution:
            kind = "yours" if end_yours else "solution"
            if block is None:
                fail(number, f"{stripped!r} without a block open")
            if block["kind"] != kind:
                opened = "BEGIN YOURS" if block["kind"] == "yours" else "BEGIN SOLUTION ONLY"
                fail(number, f"{stripped!r} closes the {opened} of line {block['line']}")
            if side == "starter":
                if kind == "yours":
                    text_of_banner = f"YOUR CODE (lab {lab_id})"
                    if block["label"]:
                        text_of_banner += ": " + block["label"]
                    out.append(banner(block["indent"], comment, text_of_banner))
                out.extend(block["instead"])
                if kind == "yours":
                    out.append(banner(block["indent"], comment, "END OF YOUR CODE"))
            block = None
            continue
        if markers.near.match(stripped):
            fail(number, f"{stripped!r} is not a marker: write {comment} BEGIN YOURS, {comment} INSTEAD, "
                         f"{comment} END YOURS, {comment} BEGIN SOLUTION ONLY or {comment} END SOLUTION ONLY, "
                         f"alone on the line")
        starter_line = markers.starter_line.match(line)
        if block is not None and block["part"] == "instead":
            if not starter_line:
                fail(number, f"after {comment} INSTEAD (line {block['line']}'s block) every line is a "
                             f"starter line, \"{comment}| ...\" (\"{comment}|\" alone for a blank line), "
                             f"up to the block's end")
            rest = starter_line.group("rest")
            if rest == "":
                block["instead"].append("")
            elif rest.startswith(" "):
                block["instead"].append((starter_line.group("indent") + rest[1:]).rstrip())
            else:
                fail(number, f"write \"{comment}| \" (with a space) before a starter line")
            continue
        if starter_line:
            fail(number, f"a starter line (\"{comment}|\") outside a block's {comment} INSTEAD part")
        if block is None or side == "solution":
            out.append(line)
        # else: a solution line inside a block, not in the starter
    if block is not None:
        fail(block["line"], f"block never closed (it needs "
                            f"{comment} {'END YOURS' if block['kind'] == 'yours' else 'END SOLUTION ONLY'})")
    return join_lines(out, ends_with_newline)


def add_pointer(text, name, lab_id):
    comment = comment_of(name)
    if comment is None or name in NO_POINTER or text == "":
        return text
    pointer = pointer_line(comment, lab_id) + "\n"
    if text.startswith("#!"):  # a script's first line must stay first
        first, _, rest = text.partition("\n")
        return first + "\n" + pointer + rest
    return pointer + text


class Lab:
    def __init__(self, root, lab_id, folder):
        self.root, self.id, self.folder = root, lab_id, folder
        self.solution = root / "solutions" / folder
        self.starter = root / "labs" / folder


def read_labs(root):
    labs = []
    for line in (root / "labs.txt").read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        labs.append(Lab(root, words[0], words[1]))
    return labs


def relative(root, path):
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def solution_files(lab):
    """Every file of the solution, as paths relative to it, starter-only/ apart."""
    files, starter_only = [], []
    for directory, subdirectories, names in os.walk(lab.solution):
        directory = pathlib.Path(directory)
        subdirectories[:] = sorted(d for d in subdirectories
                                   if d not in SKIPPED_NAMES and not d.startswith("."))
        for name in sorted(names):
            if name in SKIPPED_NAMES or name.startswith("."):
                continue
            path = (directory / name).relative_to(lab.solution)
            if path.parts[0] == STARTER_ONLY:
                starter_only.append(pathlib.Path(*path.parts[1:]))
            else:
                files.append(path)
    return files, starter_only


def starter_of(lab):
    """{path relative to the starter: (text, executable)} for one lab."""
    root = lab.root
    made = {}
    files, starter_only = solution_files(lab)
    for path in files:
        source = lab.solution / path
        where = relative(root, source)
        side = "starter"
        if source.is_symlink():
            target = source.resolve()
            if not target.is_file():
                raise MarkerError(f"{where}: a link to {os.readlink(source)}, which is not a file")
            try:
                inside = target.relative_to(root.resolve())
            except ValueError:
                raise MarkerError(f"{where}: a link out of the project ({target}): "
                                  f"a shared file must be one of the project's")
            if inside.parts[0] == "solutions" and inside.parts[1] != lab.folder:
                side = "solution"  # taken whole from an earlier lab
            where = f"{where} (= {inside})"
            source = target
        text = source.read_text(encoding="utf-8")
        text = make(text, comment_of(path.name), lab.id, where, side)
        if text == "":
            continue  # all solution: no starter file
        executable = bool(source.stat().st_mode & stat.S_IXUSR)
        made[path] = (add_pointer(text, path.name, lab.id), executable)
    for path in starter_only:
        source = lab.solution / STARTER_ONLY / path
        where = relative(root, source)
        if path in made:
            raise MarkerError(f"{where}: the solution has a {path} too: a starter file comes from one place")
        text = source.read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), 1):
            if ANY_MARKER.search(line):
                raise MarkerError(f"{where}:{number}: a marker in a starter-only file (it is copied as it is)")
        executable = bool(source.stat().st_mode & stat.S_IXUSR)
        made[path] = (add_pointer(text, path.name, lab.id), executable)
    return made


def is_handout(path):
    return path.suffix.lower() in HANDOUT_SUFFIXES


def committed_starter(lab):
    """{path relative to the starter: path} of every file that is not a handout."""
    found = {}
    if not lab.starter.is_dir():
        return found
    for directory, subdirectories, names in os.walk(lab.starter):
        directory = pathlib.Path(directory)
        subdirectories[:] = sorted(d for d in subdirectories
                                   if d not in SKIPPED_NAMES and not d.startswith("."))
        for name in sorted(names):
            path = directory / name
            if name in SKIPPED_NAMES or name.startswith(".") or is_handout(path):
                continue
            found[path.relative_to(lab.starter)] = path
    return found


def check(lab, made, out):
    """Writes to `out` how the committed starter differs; returns True if it does not."""
    root = lab.root
    same = True
    committed = committed_starter(lab)
    for path in sorted(set(made) | set(committed)):
        shown = relative(root, lab.starter / path)
        if path not in committed:
            out.write(f"{shown}: missing (its solution makes it)\n")
            same = False
            continue
        if path not in made:
            out.write(f"{shown}: not made from {relative(root, lab.solution)}: remove it, or put it in the "
                      f"solution (a starter-only file: in {relative(root, lab.solution / STARTER_ONLY)}/)\n")
            same = False
            continue
        actual = committed[path]
        if actual.is_symlink():
            out.write(f"{shown}: a symbolic link; a starter holds plain files\n")
            same = False
            continue
        expected_text, executable = made[path]
        actual_text = actual.read_text(encoding="utf-8")
        if actual_text != expected_text:
            diff = difflib.unified_diff(
                actual_text.splitlines(keepends=True), expected_text.splitlines(keepends=True),
                fromfile=f"{shown} (committed)", tofile=f"{shown} (made from {relative(root, lab.solution)})")
            for line in diff:
                out.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
            same = False
        if bool(actual.stat().st_mode & stat.S_IXUSR) != executable:
            out.write(f"{shown}: executable should be {'on' if executable else 'off'}, as in its solution\n")
            same = False
    return same


def write(lab, made, out):
    root = lab.root
    committed = committed_starter(lab)
    for path in sorted(committed):
        if path not in made:
            committed[path].unlink()
            out.write(f"removed {relative(root, lab.starter / path)} (its solution does not make it)\n")
    for path, (text, executable) in sorted(made.items()):
        target = lab.starter / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if old != text:
            target.write_text(text, encoding="utf-8")
            out.write(f"wrote {relative(root, target)}\n")
        mode = target.stat().st_mode
        wanted = mode | 0o111 if executable else mode & ~0o111
        if wanted != mode:
            target.chmod(wanted)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write each lab's starter (labs/NN-*/) from its solution (solutions/NN-*/).",
        epilog="The markers: tests/starters/README.md")
    parser.add_argument("labs", nargs="*", metavar="LAB", help="lab ids (default: every lab in labs.txt)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 with a diff if a committed starter differs")
    parser.add_argument("--root", type=pathlib.Path, default=ROOT, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    root = options.root.resolve()
    labs = read_labs(root)
    if options.labs:
        known = {lab.id: lab for lab in labs}
        unknown = [lab_id for lab_id in options.labs if lab_id not in known]
        if unknown:
            parser.error(f"no lab {', '.join(unknown)} in labs.txt")
        labs = [known[lab_id] for lab_id in options.labs]
    labs = [lab for lab in labs if lab.solution.is_dir()]

    # Every starter is made before any is written: a malformed solution
    # stops the tool with nothing written.
    made_by_lab, errors = {}, []
    for lab in labs:
        try:
            made_by_lab[lab.folder] = starter_of(lab)
        except MarkerError as error:
            errors.append(error)
    for error in errors:
        print(f"make_starters: {error}", file=sys.stderr)
    if errors:
        return 2

    differ = []
    for lab in labs:
        made = made_by_lab[lab.folder]
        if options.check:
            if not check(lab, made, sys.stdout):
                differ.append(lab.folder)
        else:
            write(lab, made, sys.stdout)
    if options.check:
        if differ:
            print(f"the starters of {', '.join(differ)} differ from what their solutions give (above): "
                  f"change the solution (its markers), then run tests/starters/make_starters.py")
            return 1
        if len(labs) == 1:
            print(f"the starter of {labs[0].folder} matches its solution")
        else:
            print(f"{len(labs)} starters match their solutions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
