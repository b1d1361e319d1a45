"""Timing of ``compare`` for ``bench/compare.py`` (issue 23: two report files ≥ 50 pairs/s).

What is timed is what the command does for a pair, in-process: both inputs loaded and
checked (:func:`nianbao.read.sources.load_checked`), compared, and the page (or workbook)
drawn — not the interpreter's start.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ..read.sources import load_checked
from .pair import Comparison, Side, compare


def one(last: Path, this: Path, kind: str = "html") -> bytes:
    """One comparison, drawn: the bytes ``nianbao compare LAST THIS -o x.{kind}`` writes.
    The texts' caches are emptied first: each pair is timed as if it were new."""
    from . import rates

    rates._flat.cache_clear()
    rates._grams_of.cache_clear()
    sides = []
    for path in (last, this):
        loaded, findings = load_checked(path)
        if loaded.report is None:
            raise ValueError(f"{path} cannot be read")
        sides.append(Side(path, loaded.report, findings))
    comparison: Comparison = compare(*sides)
    if kind == "xlsx":
        from .sheet import build

        return build(comparison)
    from .page import render

    return render(comparison)


def pairs_per_second(last: Path, this: Path, *, kind: str = "html", seconds: float = 3.0, clock: Callable[[], float] = time.perf_counter) -> float:
    """How many pairs :func:`one` does in a second of ``clock``, over about ``seconds`` of
    it: the wall clock by default; ``time.process_time`` gives the rate on a core of its
    own, on a machine others share."""
    one(last, this, kind)  # templates and caches warmed, as in a batch
    done, start = 0, clock()
    while clock() - start < seconds:
        one(last, this, kind)
        done += 1
    return done / (clock() - start)
