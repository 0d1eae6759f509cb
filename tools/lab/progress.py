"""Ninja's progress, shown while it builds: on a terminal one line that
updates in place, elsewhere (CI, a pipe, a log) a line every tenth of the
steps. A first build takes a minute or two: nobody should think it hung."""
from __future__ import annotations

import re
from typing import TextIO

from .messages import text

STEP = re.compile(r"^\[(\d+)/(\d+)\] (.*)$")


class Progress:
    """Fed ninja's output line by line; writes the progress to `out`."""

    def __init__(self, folder: str, out: TextIO, terminal: bool):
        self.folder, self.out, self.terminal = folder, out, terminal
        self.shown = 0  # the last step shown (0: none yet)

    def feed(self, line: str) -> None:
        match = STEP.match(line.rstrip("\n"))
        if not match:
            return
        done, total, step = int(match.group(1)), int(match.group(2)), match.group(3)
        if self.shown == 0:
            self.out.write("lab: " + text("building in {dir}: {total} steps (a first build takes a minute or "
                                          "two, more with a sanitizer)", dir=self.folder, total=total) + "\n")
        if self.terminal:
            self.out.write(f"\r\033[K  [{done}/{total}] {step[:70]}")
        elif done * 10 // total > self.shown * 10 // total or done == total:
            self.out.write(f"  [{done}/{total}] {step}\n")
        self.out.flush()
        self.shown = done

    def finish(self) -> None:
        """Clears the line that updated in place."""
        if self.terminal and self.shown:
            self.out.write("\r\033[K")
            self.out.flush()
