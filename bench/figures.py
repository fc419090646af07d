"""One figure of `make bench`: what was measured, against which baseline, and its target.

Every section of the benchmark (bench/cold_start.py, bench/submission.py,
bench/compile.py, bench/compile_trigger.py) returns a list of these; `python -m bench`
prints them in one table. A benchmark measures and prints; it does not fail the build
(the exit status is 0 even when a target is missed, so a slow machine gives figures, not
a red CI).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Figure:
    section: str            # "cold start", "submission", "compile", "compile trigger"
    name: str               # what was measured, in a few words
    value: float            # the measurement (a median unless `name` says otherwise)
    unit: str               # "ms", "s", "×", "round trips", "MB", "pages"
    target: str             # the target as written in the issue, e.g. "≤ 1.15×"
    met: bool | None        # None: informational, no target
    baseline: str = ""      # what the value is compared with, and that baseline's figure
    command: str = ""       # how to reproduce this one figure
    notes: list[str] = field(default_factory=list)

    def row(self) -> list[str]:
        if self.value != self.value:  # NaN: not measured (cut at its cap, failed); the note says why
            return [self.section, self.name, self.notes[0] if self.notes else "-", self.target,
                    {True: "met", False: "MISSED", None: "-"}[self.met], self.baseline]
        shown = f"{self.value:.2f}" if self.value < 100 else f"{self.value:.0f}"
        verdict = {True: "met", False: "MISSED", None: "-"}[self.met]
        return [self.section, self.name, f"{shown} {self.unit}", self.target, verdict, self.baseline]


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `fn` in seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns: dict[str, Callable[[], float]], repeat: int) -> dict[str, float]:
    """Run each measurement in turn, `repeat` rounds, and return each one's median.

    Interleaving spreads the machine's drift (another process, a warm cache) over every
    candidate instead of favouring whichever ran last.
    """
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            samples[name].append(fn())
    return {name: statistics.median(values) for name, values in samples.items()}


def table(figures: list[Figure]) -> str:
    header = ["section", "figure", "measured", "target", "", "baseline (same run)"]
    rows = [header] + [f.row() for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
