"""The labs, from labs.txt (shared with meson.build): one line each,
`ID FOLDER PROGRAM threaded|single`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .messages import die

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Lab:
    id: str          # "01"
    folder: str      # "01-echo-server"
    program: str     # "echo-server"
    threaded: bool   # graded again under ThreadSanitizer

    def path(self, tree: str) -> str:
        """The program's path inside a build folder: "labs/01-echo-server/echo-server"."""
        return f"{tree}/{self.folder}/{self.program}"


def all_labs(root: Path = ROOT) -> list[Lab]:
    labs = []
    for line in (root / "labs.txt").read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        labs.append(Lab(words[0], words[1], words[2], len(words) > 3 and words[3] == "threaded"))
    return labs


def lookup(wanted: str, root: Path = ROOT) -> Lab | None:
    """The lab that `wanted` names: "01", "1" or "01-echo-server"."""
    key = "0" + wanted if len(wanted) == 1 and wanted.isdigit() else wanted
    for lab in all_labs(root):
        if key in (lab.id, lab.folder):
            return lab
    return None


def find(wanted: str, root: Path = ROOT) -> Lab:
    """The lab that `wanted` names, or exit 2 naming the labs there are."""
    lab = lookup(wanted, root)
    if lab is None:
        die("no lab '{wanted}'; the labs are: {labs}", status=2, wanted=wanted,
            labs=" ".join(lab.id for lab in all_labs(root)))
    return lab
