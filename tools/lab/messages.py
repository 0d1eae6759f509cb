"""Every line ./lab prints itself, in English and in Spanish.

The English text is the key; SPANISH gives its translation, in the words of
GLOSSARY.md. A message is written once, here, and used through say(), die()
or text(): `say("installed: {packages}", packages=...)`. Braces are
str.format's (a literal brace is doubled: "{{port}}").

The language: LAB_LANG=es, or a Spanish locale (LC_ALL, LC_MESSAGES, LANG,
in that order, starting with "es"), as the grader decides it
(tests/harness/language.cpp); LAB_LANG=en forces English.

What other programs print (meson, ninja, the compiler, the grader) is theirs.
"""
from __future__ import annotations

import os
import sys

SPANISH = {
    # --------------------------------------------------------------- labs.txt
    "no lab '{wanted}'; the labs are: {labs}":
        "no hay ningún laboratorio '{wanted}'; los laboratorios son: {labs}",

    # ----------------------------------------------------------- command line
    "unknown command '{command}'": "orden desconocida '{command}'",
    "usage: {usage}": "uso: {usage}",
    "./lab test NN [--solution] [--tsan|--asan] [-tc=\"name*\"]":
        "./lab test NN [--solution] [--tsan|--asan] [-tc=\"nombre*\"]",
    "./lab run NN [--solution] [ARGS]": "./lab run NN [--solution] [ARGUMENTOS]",
    "./lab status": "./lab status",
    "./lab demo [{demos}]": "./lab demo [{demos}]",
    "./lab bench [NN...] [--cmd \"COMMAND --port {{port}}\"]... [--clients 10,100,1000] [--ncat|--no-ncat] [--save]":
        "./lab bench [NN...] [--cmd \"ORDEN --port {{port}}\"]... [--clients 10,100,1000] [--ncat|--no-ncat] [--save]",
    "./lab grade NN --cmd \"COMMAND\" [--results FILE] [--junit FILE] [--unconfined]":
        "./lab grade NN --cmd \"ORDEN\" [--results FICHERO] [--junit FICHERO] [--unconfined]",
    "./lab batch NN DIR [--jobs N] [--timeout SECONDS]":
        "./lab batch NN CARPETA [--jobs N] [--timeout SEGUNDOS]",
    "./lab gradescope NN": "./lab gradescope NN",
    "./lab check [--asan] [--languages]": "./lab check [--asan] [--languages]",
    "./lab slides [--check | --html]": "./lab slides [--check | --html]",
    # argparse's own messages (argparse.py passes them through gettext)
    "unrecognized arguments: %s": "argumentos que no se reconocen: %s",
    "the following arguments are required: %s": "faltan estos argumentos: %s",
    "expected one argument": "falta su valor",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "valor no válido: %(value)r (elige entre %(choices)s)",
    "not allowed with argument %s": "no se permite junto con el argumento %s",
    "ignored explicit argument %r": "se ignora el valor %r",
    "invalid %(type)s value: %(value)r": "valor %(type)s no válido: %(value)r",
    "DIR": "CARPETA",

    # ----------------------------------------------------------- dependencies
    "install the tools first:  brew install meson ninja fmt doctest python3\n"
    "     (the grader reads /proc, so grading needs Linux: a Debian or Ubuntu VM or container)":
        "instala antes las herramientas:  brew install meson ninja fmt doctest python3\n"
        "     (el corrector lee /proc, así que corregir necesita Linux: una máquina virtual o un contenedor "
        "con Debian o Ubuntu)",
    "this is not Debian or Ubuntu: install g++ 12 or newer, Meson, Ninja, CMake, fmt and doctest":
        "esto no es Debian ni Ubuntu: instala g++ 12 o posterior, Meson, Ninja, CMake, fmt y doctest",
    "these packages are missing: {packages}\n"
    "     and installing them needs root. Ask an administrator to run:\n"
    "         {command}\n"
    "     (then run ./lab again; nothing else needs root)":
        "faltan estos paquetes: {packages}\n"
        "     e instalarlos necesita root. Pide a un administrador que ejecute:\n"
        "         {command}\n"
        "     (y luego ejecuta ./lab otra vez; nada más necesita root)",
    "installing what the labs need: {packages}": "instalando lo que necesitan los laboratorios: {packages}",
    "apt-get update failed; the command to run as root is:\n         apt-get update && {command}":
        "apt-get update ha fallado; la orden que hay que ejecutar como root es:\n"
        "         apt-get update && {command}",
    "apt-get install failed (above); the command to run as root is:\n         {command}":
        "apt-get install ha fallado (arriba); la orden que hay que ejecutar como root es:\n         {command}",
    "installed: {packages}": "instalado: {packages}",

    # ------------------------------------------------------------------ build
    "cannot create the build folder {dir}: you ({user}) cannot write to {parent}":
        "no se puede crear la carpeta de compilación {dir}: tú ({user}) no puedes escribir en {parent}",
    "the build folder {dir} was made by {owner} (with sudo, or as root?),\n"
    "     and you ({user}) cannot write to {blocked}. This is not a problem with your code.\n"
    "     Remove the folder, and ./lab builds it again as you:\n"
    "         sudo rm -rf {dir}\n"
    "     (or give it back: sudo chown -R {user} {dir})":
        "la carpeta de compilación {dir} la creó {owner} (¿con sudo, o como root?),\n"
        "     y tú ({user}) no puedes escribir en {blocked}. No es un problema de tu código.\n"
        "     Borra la carpeta, y ./lab la vuelve a crear como tú:\n"
        "         sudo rm -rf {dir}\n"
        "     (o recupérala: sudo chown -R {user} {dir})",
    "configuring {folder}": "configurando {folder}",
    "configuring {folder} {options}": "configurando {folder} {options}",
    "meson setup failed (log above)": "meson setup ha fallado (el registro está arriba)",
    "building in {dir}: {total} steps (a first build takes a minute or two, more with a sanitizer)":
        "compilando en {dir}: {total} pasos (la primera compilación tarda un minuto o dos, más con un sanitizer)",
    "the build failed (compiler messages above)":
        "la compilación ha fallado (los mensajes del compilador están arriba)",

    # --------------------------------------------------------- test, run, grade
    "note: lab {id}'s program runs one thread: ThreadSanitizer has no race to find in it":
        "nota: el programa del laboratorio {id} tiene un solo hilo: ThreadSanitizer no tiene ninguna "
        "carrera de datos que encontrar en él",
    "grading {folder} ({program})": "corrigiendo {folder} ({program})",
    "grading {folder} ({program}) built with {sanitizer}": "corrigiendo {folder} ({program}) compilado con {sanitizer}",
    "grade needs --cmd \"COMMAND\" (the program to grade)":
        "grade necesita --cmd \"ORDEN\" (el programa que corregir)",
    "cannot write {file}": "no se puede escribir en {file}",
    "cannot run {program}: {reason}": "no se puede ejecutar {program}: {reason}",
    "lab": "lab",
    "folder": "carpeta",
    "your program": "tu programa",
    "does not build": "no compila",

    # ------------------------------------------------------------------ check
    "build: {seconds} s": "compilación: {seconds} s",
    "now with {sanitizer} (building what its suites need, then grading)":
        "ahora con {sanitizer} (compilando lo que necesitan sus pruebas, y corrigiendo)",
    "{sanitizer} build and tests: {seconds} s": "compilación y pruebas con {sanitizer}: {seconds} s",
    "meson test wrote no log in {dir} (see above)": "meson test no ha escrito ningún registro en {dir} (mira arriba)",
    "slowest grading per lab (target: at most {limit} s each):":
        "la corrección más lenta de cada laboratorio (objetivo: {limit} s como mucho cada una):",
    "over the target": "por encima del objetivo",
    "everything passed: every solution passes its suite, every starter fails it":
        "todo bien: cada solución pasa sus pruebas, cada código de partida las falla",
    "{failed} failed: see the log above (meson-logs/testlog.txt in the build folders has everything)":
        "{failed} fallan: mira el registro de arriba (meson-logs/testlog.txt, en las carpetas de compilación, "
        "lo tiene todo)",
    "{passed} passed, {failed} failed": "{passed} pasan, {failed} fallan",

    # ----------------------------------------------------------------- slides
    "./lab slides needs Node.js 18 or newer, npm and Chromium (LAB_CHROMIUM=PATH names another Chromium or Chrome)":
        "./lab slides necesita Node.js 18 o posterior, npm y Chromium (LAB_CHROMIUM=RUTA indica otro Chromium "
        "o Chrome)",
    "installing Marp and puppeteer-core (slides/package-lock.json)":
        "instalando Marp y puppeteer-core (slides/package-lock.json)",
    "npm ci failed in slides/": "npm ci ha fallado en slides/",

    # ------------------------------------------------------------------- demo
    "the demo comes with lab 06 (the chat server)": "la demo llega con el laboratorio 06 (el servidor de chat)",
    "this demo comes with lab 08 (robust-chat)": "esta demo llega con el laboratorio 08 (robust-chat)",
    "the finished chat server and a few clients, talking":
        "el servidor de chat terminado y unos cuantos clientes, hablando",
    "a client stops reading: lab 06 freezes, lab 08 drops it; then Ctrl-C":
        "un cliente deja de leer: el laboratorio 06 se congela, el 08 lo echa; luego Ctrl-C",
    "this demo comes with lab 10 (reliable-udp)": "esta demo llega con el laboratorio 10 (reliable-udp)",
    "a file sent with lab 10's reliable-udp through a visibly bad network, arriving identical":
        "un fichero enviado con el reliable-udp del laboratorio 10 por una red visiblemente mala, y llega idéntico",

    # ------------------------------------------------------------------ bench
    "--cmd needs {{port}} in the command: --cmd \"COMMAND --port {{port}}\"":
        "--cmd necesita {{port}} en la orden: --cmd \"ORDEN --port {{port}}\"",
    "--clients takes a list of numbers: --clients 10,100,1000":
        "--clients recibe una lista de números: --clients 10,100,1000",
    "lab {id} is not a chat server: ./lab bench measures labs {labs}":
        "el laboratorio {id} no es un servidor de chat: ./lab bench mide los laboratorios {labs}",
    "ncat is not installed: no comparison with it (./lab bench --ncat installs it)":
        "ncat no está instalado: no hay comparación con él (./lab bench --ncat lo instala)",
    "measuring on loopback; this ends within 8 minutes": "midiendo por loopback; termina en 8 minutos como mucho",
    "the results are in {dir} (bench/results/, the committed ones, change only with --save)":
        "los resultados están en {dir} (los de bench/results/, los del repositorio, solo cambian con --save)",
}


def _is_spanish(value: str) -> bool:
    return value == "es" or value.startswith(("es_", "es-", "es.", "es@"))


def spanish_wanted(environ=os.environ) -> bool:
    """LAB_LANG wins; then LC_ALL, LC_MESSAGES and LANG, the first one set."""
    for name in ("LAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return _is_spanish(value)
    return False


SPANISH_WANTED = spanish_wanted()


def text(english: str, **values) -> str:
    """The message in the user's language, with its values filled in."""
    template = SPANISH.get(english, english) if SPANISH_WANTED else english
    return template.format(**values) if values or "{{" in template else template


def gettext(english: str) -> str:
    """For argparse: its own messages, %-formatted by argparse itself."""
    return SPANISH.get(english, english) if SPANISH_WANTED else english


def say(english: str, **values) -> None:
    print("lab: " + text(english, **values), file=sys.stderr, flush=True)


class Exit(Exception):
    """Raised to end ./lab with a status; main() catches it."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def die(english: str, status: int = 1, **values):
    """Print the message and end ./lab with status (1: failed, 2: usage or cannot be done)."""
    say(english, **values)
    raise Exit(status)


def usage_error(usage: str, problem: str | None = None):
    """A command used wrongly: what is wrong (when known), then its usage
    (both already in the user's language); exit 2."""
    if problem:
        print("lab: " + problem, file=sys.stderr)
    die("usage: {usage}", status=2, usage=usage)


# ------------------------------------------------------------------- help --

USAGE_EN = """\
usage: ./lab COMMAND [ARGS]

For students
  ./lab test NN [--solution] [--tsan|--asan] [-tc="name*"]
                         build lab NN and grade your program (or the reference solution)
  ./lab run NN [--solution] [ARGS]
                         build lab NN and run its program, e.g. ./lab run 01 --port 9000
  ./lab status           every lab of yours, with its passed and failed counts
{demos}\
  ./lab bench [NN...] [--cmd "COMMAND --port {{port}}"] [--clients LIST] [--ncat] [--save]
                         measure the chat servers (06, 08, 09, ncat --broker, yours) on
                         loopback: lines/s, latency, losses, memory (bench/README.md);
                         --save writes the results to bench/results/ (the committed ones)
  ./lab bench 10 [--cmd "COMMAND"] [--save]
                         lab 10: goodput against loss and delay, the reference, stop-and-wait
                         and yours (the role and its options go after COMMAND)

For instructors
  ./lab grade NN --cmd "COMMAND" [--results FILE] [--junit FILE] [--unconfined] [--time-scale X]
                         grade any program, in any language, confined (docs/instructors.md);
                         {{port}} and {{host}} in COMMAND become a free port and the host;
                         --results writes Gradescope's results.json, --junit JUnit XML
  ./lab batch NN DIR [--jobs N] [--timeout S]
                         grade every submission folder in DIR (one per student), confined;
                         writes DIR/grades.csv and DIR/reports/
  ./lab gradescope NN    write gradescope-NN.zip, a Gradescope autograder for lab NN

For maintainers
  ./lab check [--asan] [--languages]
                         build everything, test common/ and the grader, grade every
                         solution (must pass) and every starter (must fail), hostile
                         submissions in the sandbox (tests/hostile/), and the
                         threaded solutions again under ThreadSanitizer; --languages
                         installs Go and Node.js, so that servers written in them are
                         graded too
  ./lab slides [--html]  render the decks (slides/NN-*.md) with Marp: slides/html/ for the
                         screen, slides/pdf/ to hand out (--html: no PDFs)
  ./lab slides --check   every slide fits (measured in headless Chromium), and every code
                         block that quotes a solution matches it

Lab ids: see labs.txt (01, 1 and 01-echo-server all name lab 01).
"""

USAGE_ES = """\
uso: ./lab ORDEN [ARGUMENTOS]

Para estudiantes
  ./lab test NN [--solution] [--tsan|--asan] [-tc="nombre*"]
                         compila el laboratorio NN y corrige tu programa (o la solución de referencia)
  ./lab run NN [--solution] [ARGUMENTOS]
                         compila el laboratorio NN y ejecuta su programa, p. ej. ./lab run 01 --port 9000
  ./lab status           cada laboratorio tuyo, con cuántas pruebas pasan y cuántas fallan
{demos}\
  ./lab bench [NN...] [--cmd "ORDEN --port {{port}}"] [--clients LISTA] [--ncat] [--save]
                         mide los servidores de chat (06, 08, 09, ncat --broker, el tuyo) por
                         loopback: líneas/s, latencia, pérdidas, memoria (bench/README.md);
                         --save escribe los resultados en bench/results/ (los del repositorio)
  ./lab bench 10 [--cmd "ORDEN"] [--save]
                         laboratorio 10: rendimiento útil frente a pérdidas y retardo, la referencia,
                         parada y espera y el tuyo (el papel y sus opciones van detrás de ORDEN)

Para profesores
  ./lab grade NN --cmd "ORDEN" [--results FICHERO] [--junit FICHERO] [--unconfined] [--time-scale X]
                         corrige cualquier programa, en cualquier lenguaje, confinado (docs/instructors.md);
                         {{port}} y {{host}} en ORDEN se convierten en un puerto libre y el host;
                         --results escribe el results.json de Gradescope, --junit XML de JUnit
  ./lab batch NN CARPETA [--jobs N] [--timeout S]
                         corrige cada carpeta de entregas de CARPETA (una por estudiante), confinada;
                         escribe CARPETA/grades.csv y CARPETA/reports/
  ./lab gradescope NN    escribe gradescope-NN.zip, un corrector de Gradescope para el laboratorio NN

Para mantenedores
  ./lab check [--asan] [--languages]
                         compila todo, prueba common/ y el corrector, corrige cada
                         solución (debe pasar) y cada código de partida (debe fallar), entregas
                         hostiles en el sandbox (tests/hostile/), y otra vez las soluciones
                         con hilos bajo ThreadSanitizer; --languages instala Go y Node.js,
                         para corregir también los servidores escritos en ellos
  ./lab slides [--html]  genera las presentaciones (slides/NN-*.md) con Marp: slides/html/ para la
                         pantalla, slides/pdf/ para repartir (--html: sin PDF)
  ./lab slides --check   cada diapositiva cabe (medido en Chromium sin ventana), y cada bloque de
                         código que cita una solución coincide con ella

Identificadores de laboratorio: ver labs.txt (01, 1 y 01-echo-server nombran el laboratorio 01).
"""


def usage(demo_lines: list[tuple[str, str]]) -> str:
    """The help text; demo_lines: (how to call it, what it shows) in English, per demo."""
    lines = ""
    for call, summary in demo_lines:
        summary = text(summary)
        lines += f"  {call:<21}  {summary}\n" if len(call) <= 21 else f"  {call}\n{'':25}{summary}\n"
    return (USAGE_ES if SPANISH_WANTED else USAGE_EN).format(demos=lines)
