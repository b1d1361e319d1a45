"""The figures a bench measures, each with its goal, in one shape for people and for
``bench/all.py``: a bench prints its prose as before, and with ``--json`` prints only its
figures as JSON on stdout, so that all.py reads numbers, not sentences.

A goal is "at least" or "at most" a target; the ratio is value / target (met when ≥ 1 for
"at least", ≤ 1 for "at most").  A figure without a goal is shown for what it tells.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "2023-青山镇.yaml"


@dataclass
class Figure:
    name: str  # what was measured, e.g. "import TXT vs baseline render"
    value: float
    unit: str  # "×", "ms", "MB", "reports/s", …
    goal: str = ""  # the goal as said, e.g. "≥ 200×"; empty: no goal
    target: float | None = None
    at_least: bool = True

    @property
    def ratio(self) -> float | None:
        return None if self.target in (None, 0) else self.value / self.target

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value <= self.target


def at_least(name: str, value: float, target: float, unit: str, goal: str = "") -> Figure:
    return Figure(name, value, unit, goal or f"≥ {target:g} {unit}".rstrip(), target, True)


def at_most(name: str, value: float, target: float, unit: str, goal: str = "") -> Figure:
    return Figure(name, value, unit, goal or f"≤ {target:g} {unit}".rstrip(), target, False)


def info(name: str, value: float, unit: str) -> Figure:
    return Figure(name, value, unit)


def emit(figures: list[Figure]) -> None:
    """The figures as JSON on stdout (``--json``)."""
    json.dump([{**asdict(f), "ratio": f.ratio, "met": f.met} for f in figures], sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def say(*args: object, quiet: bool = False) -> None:
    """A bench's prose: stdout normally, stderr under ``--json`` (stdout then holds only JSON)."""
    print(*args, file=sys.stderr if quiet else sys.stdout, flush=True)


def median_ms(function: Callable[[], object], count: int, repeats: int = 5, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median over ``repeats`` of the mean time of ``count`` calls, in ms (one warm call first):
    on a shared machine the median of several short runs is steadier than one long run.
    ``clock=time.process_time`` counts the CPU the process used, not the time others' work
    took it off the cores: the steadier figure for work that only computes."""
    function()
    times = []
    for _ in range(repeats):
        start = clock()
        for _ in range(count):
            function()
        times.append((clock() - start) / count * 1000)
    return statistics.median(times)


def alternated_ms(timed: list[tuple[Callable[[], object], int]], repeats: int = 5) -> list[float]:
    """:func:`median_ms` of each (function, count) of ``timed``, the functions timed in turn
    within each repeat: a slow moment of the shared machine falls on all of them alike.  The
    ratio of two figures measured minutes apart took in the host's moves between them (the
    same DOCX import measured 141–179× the baseline render in four full runs)."""
    for function, _ in timed:
        function()
    times: list[list[float]] = [[] for _ in timed]
    for _ in range(repeats):
        for (function, count), kept in zip(timed, times):
            start = time.perf_counter()
            for _ in range(count):
                function()
            kept.append((time.perf_counter() - start) / count * 1000)
    return [statistics.median(kept) for kept in times]


def baseline_render() -> Callable[[], object]:
    """The yardstick of the ratios: a render of the 2023 example by the plain python-docx
    script of bench/baseline_docx.py."""
    sys.path.insert(0, str(ROOT / "generator"))
    sys.path.insert(0, str(ROOT / "bench"))
    from baseline_docx import render

    from nianbao.read.load import load_file

    report = load_file(EXAMPLE).report
    return lambda: render(report)


def baseline_ms(count: int = 5, repeats: int = 3) -> float:
    """One baseline render (:func:`baseline_render`), in ms (median)."""
    return median_ms(baseline_render(), count, repeats)
