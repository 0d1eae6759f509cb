"""./lab's command line (tools/lab/), without building anything: help, usage
errors and their exit statuses, lab ids, the Spanish messages, ninja's
progress line, the check's summary, and the shell shim on a machine without
python3. Needs neither network nor root.

    python3 -m unittest -v test_lab        (from tests/lab/; ./lab check runs it)
"""
import ast
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LAB = str(ROOT / "lab")
sys.path.insert(0, str(ROOT / "tools"))
LANGUAGE_VARIABLES = ("LAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
for name in LANGUAGE_VARIABLES:  # the messages checked here are the English ones
    os.environ.pop(name, None)

from lab import check, cli, commands, labs, messages, progress  # noqa: E402

LAB_IDS = [lab.id for lab in labs.all_labs()]


def lab(*args, language=None, **variables):
    """Runs ./lab ARGS in English (or LAB_LANG=language); (status, stdout, stderr)."""
    env = {name: value for name, value in os.environ.items() if name not in LANGUAGE_VARIABLES}
    # Nothing here may build: a build folder that cannot exist would show it.
    env["LAB_BUILD_DIR"] = "/nonexistent/build"
    if language:
        env["LAB_LANG"] = language
    env.update(variables)
    done = subprocess.run([LAB, *args], env=env, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


class Help(unittest.TestCase):
    def test_help_lists_every_command(self):
        for call in ([], ["help"], ["-h"], ["--help"]):
            status, out, err = lab(*call)
            self.assertEqual(status, 0, call)
            self.assertTrue(out.startswith("usage: ./lab COMMAND [ARGS]"), out)
            self.assertEqual(err, "")
            for command in cli.COMMANDS:
                self.assertIn("./lab " + command, out)
            for demo in commands.DEMOS:
                self.assertIn("./lab demo", out)
            self.assertIn("01, 1 and 01-echo-server all name lab 01", out)

    def test_a_command_asked_for_help_shows_its_usage(self):
        for number, command in enumerate(cli.COMMANDS):
            flag = ("-h", "--help")[number % 2]
            with self.subTest(command=command, flag=flag):
                status, out, err = lab(command, flag)
                self.assertEqual((status, err), (0, ""), command)
                self.assertTrue(out.startswith("usage: ./lab " + command), out)

    def test_unknown_command_is_exit_2_with_the_usage(self):
        status, out, err = lab("frobnicate", "01")
        self.assertEqual(status, 2)
        self.assertEqual(out, "")
        self.assertIn("usage: ./lab COMMAND [ARGS]", err)
        self.assertTrue(err.endswith("lab: unknown command 'frobnicate'\n"), err)


class LabIds(unittest.TestCase):
    def test_unknown_lab_is_exit_2_naming_the_labs(self):
        for command in ("test", "run", "grade", "gradescope", "bench"):
            status, out, err = lab(command, "99", "--cmd", "x {port}") if command in ("grade", "bench") else \
                lab(command, "99")
            self.assertEqual(status, 2, (command, err))
            self.assertIn("no lab '99'; the labs are: " + " ".join(LAB_IDS), err)

    def test_01_1_and_the_folder_name_lab_01(self):
        for name in ("01", "1", "01-echo-server"):
            self.assertEqual(labs.find(name).id, "01")
            # bench measures only the chat servers: its refusal names the lab it understood
            status, _, err = lab("bench", name)
            self.assertEqual(status, 2)
            self.assertIn("lab 01 is not a chat server", err)
        self.assertIsNone(labs.lookup("001"))
        self.assertIsNone(labs.lookup("echo-server"))


class BadOptions(unittest.TestCase):
    CASES = [  # arguments, the usage named, a part of the explanation
        (["test"], "./lab test NN", "required: NN"),
        (["run"], "./lab run NN", "required: NN"),
        (["status", "extra"], "./lab status", "unrecognized arguments: extra"),
        (["demo", "99"], "./lab demo [" + "|".join(commands.DEMOS) + "]", ""),
        (["demo", "06", "08"], "./lab demo", "unrecognized arguments: 08"),
        (["bench", "--clients", "ten"], "./lab bench", "--clients takes a list of numbers"),
        (["bench", "--cmd", "my-server --port 9000"], "./lab bench", "--cmd needs {port}"),
        (["bench", "--bogus"], "./lab bench", "unrecognized arguments: --bogus"),
        (["grade", "01"], "./lab grade NN --cmd", "grade needs --cmd"),
        (["grade", "01", "--cmd"], "./lab grade NN --cmd", "argument --cmd: expected one argument"),
        (["grade"], "./lab grade NN --cmd", "required: NN"),
        (["batch", "01"], "./lab batch NN DIR", "required: DIR"),
        (["batch", "01", "class", "--jobs", "many"], "./lab batch NN DIR", "argument --jobs"),
        (["gradescope"], "./lab gradescope NN", "required: NN"),
        (["gradescope", "01", "02"], "./lab gradescope NN", "unrecognized arguments: 02"),
        (["check", "--bogus"], "./lab check [--asan] [--languages]", "unrecognized arguments: --bogus"),
        (["check", "--asa"], "./lab check", "unrecognized arguments: --asa"),  # no abbreviations
        (["slides", "--pdf"], "./lab slides [--check | --html]", "unrecognized arguments: --pdf"),
    ]

    def test_each_command_names_its_usage_and_exits_2(self):
        for args, usage, why in self.CASES:
            with self.subTest(args=args):
                status, out, err = lab(*args)
                self.assertEqual(status, 2, err)
                self.assertEqual(out, "")
                self.assertIn("lab: usage: " + usage, err)
                self.assertIn(why, err)
                self.assertNotIn("Traceback", err)

    def test_every_command_has_a_case(self):
        self.assertEqual({args[0] for args, _, _ in self.CASES}, set(cli.COMMANDS))

    def test_grader_arguments_go_through(self):
        top, _ = cli.parsers()
        args, extra = top.parse_known_args(["test", "03", "-tc=*half*", "--solution", "--tsan", "--asan"])
        self.assertEqual((args.lab, args.solution, args.sanitizer, extra), ("03", True, "asan", ["-tc=*half*"]))
        args, extra = top.parse_known_args(["grade", "1", "--time-scale", "2", "--cmd", "./a.out --port {port}"])
        self.assertEqual((args.lab, args.cmd, extra), ("1", "./a.out --port {port}", ["--time-scale", "2"]))
        args, extra = top.parse_known_args(["batch", "01", "class", "--jobs", "4", "--shard", "1/2"])
        self.assertEqual((args.folder, args.jobs, extra), ("class", 4, ["--shard", "1/2"]))
        args, _ = top.parse_known_args(["run", "06", "--solution", "--port", "9000"])
        self.assertEqual((args.lab, args.args), ("06", ["--solution", "--port", "9000"]))


class Signals(unittest.TestCase):
    def test_programs_run_by_lab_do_not_ignore_sigpipe(self):
        """The grader and the student's program (exec'd by ./lab test and
        ./lab run) must die of SIGPIPE if they do not handle it, as the
        contract's graders check: Python ignores it unless told otherwise."""
        run = ("import sys; sys.path.insert(0, sys.argv[1]); from lab import cli, commands; "
               "cli.default_signals(); commands.run_instead(['cat', '/proc/self/status'])")
        status = subprocess.run([sys.executable, "-c", run, str(ROOT / "tools")], capture_output=True, text=True,
                                timeout=60).stdout
        ignored = int(re.search(r"^SigIgn:\s*([0-9a-f]+)$", status, re.M).group(1), 16)
        self.assertFalse(ignored & (1 << (13 - 1)), "SIGPIPE is ignored")
        self.assertFalse(ignored & (1 << (25 - 1)), "SIGXFSZ is ignored")


class Spanish(unittest.TestCase):
    def test_usage_and_errors_in_spanish(self):
        status, out, _ = lab("help", language="es")
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("uso: ./lab ORDEN [ARGUMENTOS]"), out)
        self.assertIn("Para estudiantes", out)
        self.assertNotIn("For students", out)
        status, _, err = lab("frobnicate", language="es")
        self.assertEqual(status, 2)
        self.assertIn("lab: orden desconocida 'frobnicate'", err)
        status, _, err = lab("test", "99", language="es")
        self.assertEqual(status, 2)
        self.assertIn("no hay ningún laboratorio '99'", err)
        status, _, err = lab("gradescope", "01", "--bogus", language="es")
        self.assertEqual(status, 2)
        self.assertEqual(err, "lab: argumentos que no se reconocen: --bogus\n"
                              "lab: uso: ./lab gradescope NN\n")
        status, _, err = lab("batch", "01", language="es")
        self.assertEqual(status, 2)
        self.assertEqual(err, "lab: faltan estos argumentos: CARPETA\n"
                              "lab: uso: ./lab batch NN CARPETA [--jobs N] [--timeout SEGUNDOS]\n")

    def test_the_locale_chooses_unless_LAB_LANG_says(self):
        self.assertIn("orden desconocida", lab("x", LANG="es_ES.UTF-8")[2])
        self.assertIn("orden desconocida", lab("x", LC_MESSAGES="es_AR.UTF-8", LANG="en_US.UTF-8")[2])
        self.assertIn("unknown command", lab("x", LC_ALL="C.UTF-8", LANG="es_ES.UTF-8")[2])
        self.assertIn("unknown command", lab("x", language="en", LANG="es_ES.UTF-8")[2])
        self.assertIn("unknown command", lab("x", LANG="est_EE.UTF-8")[2])

    def test_every_message_has_its_spanish(self):
        """Each string ./lab's code passes to say(), die(), text() or gettext(),
        every usage line and every demo's words are in messages.SPANISH, with
        the same {fields}."""
        used = set()
        for path in (ROOT / "tools/lab").glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                        in ("say", "die", "text", "gettext") and node.args
                        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    used.add(node.args[0].value)
        used |= {command.usage for command in cli.COMMANDS.values()}
        used |= {demo.summary for demo in commands.DEMOS.values()} | {demo.missing for demo in commands.DEMOS.values()}
        self.assertGreater(len(used), 40)
        fields = re.compile(r"(?<!\{)\{(\w*)\}(?!\})|%\(?\w*\)?[sr]")
        for english in sorted(used):
            with self.subTest(english=english):
                self.assertIn(english, messages.SPANISH)
                self.assertEqual(sorted(fields.findall(english)), sorted(fields.findall(messages.SPANISH[english])))


class NinjaProgress(unittest.TestCase):
    RECORDED = (Path(__file__).parent / "ninja-output.txt").read_text().splitlines(keepends=True)

    def shown(self, terminal):
        class Out:
            text = ""

            def write(self, part):
                Out.text += part

            def flush(self):
                pass
        shown = progress.Progress("build", Out(), terminal)
        for line in self.RECORDED:
            shown.feed(line)
        shown.finish()
        return Out.text

    def test_in_a_log_a_line_every_tenth_of_the_steps(self):
        lines = self.shown(terminal=False).splitlines()
        self.assertEqual(lines[0], "lab: building in build: 34 steps (a first build takes a minute or two, "
                                   "more with a sanitizer)")
        steps = [int(re.match(r"  \[(\d+)/34\] ", line).group(1)) for line in lines[1:]]
        self.assertEqual(steps, [4, 7, 11, 14, 17, 21, 24, 28, 31, 34])
        self.assertEqual(lines[-1], "  [34/34] Linking target tests/01-echo-server/grade")

    def test_on_a_terminal_one_line_updated_in_place_then_cleared(self):
        shown = self.shown(terminal=True)
        self.assertTrue(shown.startswith("lab: building in build: 34 steps"))
        updates = shown.split("\n", 1)[1].split("\r\033[K")
        self.assertEqual(updates[0], "")
        self.assertEqual(updates[-1], "")  # cleared at the end
        self.assertEqual(len(updates), 34 + 2)
        self.assertTrue(updates[1].startswith("  [1/34] Compiling C++ object common/libnet.a.p/"))
        self.assertTrue(all(len(update) <= len("  [34/34] ") + 70 for update in updates))
        self.assertNotIn("\n", shown.split("\n", 1)[1])

    def test_nothing_to_build_shows_nothing(self):
        shown = progress.Progress("build", None, terminal=True)
        shown.feed("ninja: Entering directory `build'\n")
        shown.feed("ninja: no work to do.\n")
        shown.finish()  # would fail writing to None

    def test_warnings_are_shown_with_what_follows_them(self):
        from lab.build import warnings_of
        lines = [f"{n}\n" for n in range(20)]
        lines[2] = "a.cpp:1: warning: unused\n"
        lines[4] = "a.cpp:3: warning: shadow\n"
        lines[15] = "b.cpp:9: warning: sign\n"
        self.assertEqual("".join(warnings_of(lines)), "".join(lines[2:10]) + "--\n" + "".join(lines[15:20]))


class CheckSummary(unittest.TestCase):
    LOG = [
        '{"name": "01 solution passes", "result": "OK", "duration": 3.5}',
        '{"name": "01 starter fails", "result": "OK", "duration": 7.25}',
        '{"name": "netlabs:check+lab06 / 06 broken example fails", "result": "FAIL", "duration": 31.0}',
        '{"name": "06 solution passes", "result": "SKIP", "duration": 99.0}',
        '{"name": "common library", "result": "OK", "duration": 50.0}',
        '{"name": "09 solution passes", "result": "TIMEOUT", "duration": 120.0}',
        "",
    ]

    def test_counts_and_the_slowest_grading_per_lab(self):
        passed, failed, slowest = check.summarize(self.LOG, timed=True)
        self.assertEqual((passed, failed), (3, 2))
        self.assertEqual(slowest, {"01": (7.25, "01 starter fails"), "06": (31.0, "06 broken example fails"),
                                   "09": (120.0, "09 solution passes")})
        table = check.slowest_table(slowest, 20).splitlines()
        self.assertEqual(table[0], "slowest grading per lab (target: at most 20 s each):")
        self.assertEqual(table[1], "  01    7.2 s  01 starter fails")
        self.assertEqual(table[2], "  06   31.0 s  06 broken example fails  over the target")

    def test_untimed_suites_show_no_table(self):
        self.assertEqual(check.summarize(self.LOG, timed=False)[2], {})
        self.assertEqual(check.slowest_table({}, 20), "")


class ShimWithoutPython(unittest.TestCase):
    """./lab on a fresh Debian: no python3 yet. The shim runs with a PATH of
    stand-ins: `id` says who we are, `apt-get` records its calls."""

    def setUp(self):
        self.bin = Path(tempfile.mkdtemp(prefix="lab-shim-test-"))
        self.addCleanup(shutil.rmtree, self.bin)
        for tool in ("bash", "dirname", "grep"):
            os.symlink(shutil.which(tool), self.bin / tool)
        self.calls = self.bin / "calls"
        self.stand_in("dpkg-query", "exit 1")  # nothing is installed
        self.stand_in("apt-get", f'echo "apt-get $*" >>{self.calls}\n'
                                 f'[ "$1" = install ] && printf \'#!/bin/sh\\necho "python3 $*"\\n\' >{self.bin}/python3'
                                 f' && {shutil.which("chmod")} +x {self.bin}/python3\nexit 0')

    def stand_in(self, name, body):
        path = self.bin / name
        path.write_text("#!" + shutil.which("bash") + "\n" + body + "\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)

    def shim(self, *args, **variables):
        env = {"PATH": str(self.bin), **variables}
        done = subprocess.run([str(self.bin / "bash"), LAB, *args], env=env, capture_output=True, text=True,
                              timeout=60)
        return done.returncode, done.stdout, done.stderr

    def test_without_root_it_names_one_command_for_everything(self):
        self.stand_in("id", "echo 1000")
        status, out, err = self.shim("test", "01")
        self.assertEqual(status, 1)
        packages = [line for line in (ROOT / "tools/lab/debian-packages.txt").read_text().splitlines()
                    if line and not line.startswith("#")]
        self.assertIn("python3", packages)
        self.assertIn("         apt-get install -y --no-install-recommends " + " ".join(packages) + "\n", err)
        self.assertIn("(then run ./lab again; nothing else needs root)", err)
        self.assertFalse(self.calls.exists())
        status, out, err = self.shim("test", "01", LANG="es_ES.UTF-8")
        self.assertIn("Pide a un administrador que ejecute:", err)

    def test_as_root_it_installs_python3_then_hands_over(self):
        self.stand_in("id", "echo 0")
        status, out, err = self.shim("test", "01")
        self.assertEqual(status, 0, err)
        self.assertEqual(self.calls.read_text().splitlines(),
                         ["apt-get update -qq", "apt-get install -y -qq --no-install-recommends python3"])
        self.assertEqual(err, "lab: installing python3 (./lab is written in Python)\n")
        self.assertEqual(out, f"python3 {ROOT}/tools/lab test 01\n")


if __name__ == "__main__":
    unittest.main()
