"""Copying between units of one year (单位间雷同): for each unit, the highest text rate
against any other unit's report of the same year, and which unit that is.

The rate is the text rate of :mod:`nianbao.check.repetition` with the other unit's report
in place of last year's: the share of this unit's reduced narrative characters (the
standard's opening paragraph and the unit's name left out) that lie inside a run of at least
:data:`~nianbao.check.repetition.MIN_RUN` characters also standing in the other unit's
narratives.  :func:`nearest` gives exactly ``repetition(this, other).text`` for every pair,
without comparing every pair's texts: a reviewer's county has 300 units, 44 850 pairs.

How: every run of MIN_RUN reduced characters of every unit is hashed once, into an index
{run: the units whose narratives hold it} (a bit set, one bit a unit).  Walking a unit's
text window by window, the units holding each window are read from the index; a stretch of
windows held by the same set of units is one step (a copied paragraph is one stretch, not
hundreds of look-ups), and each of those units extends its covered span.  The work is the
unit's length plus, for each stretch, the units sharing it — never a text scanned against
another text.  Reports copied from one template by a whole county are the worst case, and
stay linear in the county's size for each unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..check.repetition import MIN_RUN, rated_narratives, reduce
from ..model.report import Report

FLAGGED = 0.5  # a unit whose text is half another unit's of the same year is flagged


@dataclass(frozen=True)
class Nearest:
    """The other unit whose report this unit's text copies most: its index in the list
    given, the text rate (0..1), and the copied and counted reduced characters."""

    other: int
    rate: float
    copied: int
    chars: int

    @property
    def flagged(self) -> bool:
        return self.rate >= FLAGGED


def _flats(report: Report) -> list[str]:
    """The report's rated narratives, each reduced (no window is formed across two)."""
    return [flat for _, _, text in rated_narratives(report) if (flat := reduce(text)[0])]


def _grams(flat: str) -> list[str]:
    return [flat[i : i + MIN_RUN] for i in range(len(flat) - MIN_RUN + 1)]


def _bits(mask: int) -> list[int]:
    """The indices of the bits set in ``mask``."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def nearest(reports: Sequence[Report | None], same: Sequence[Sequence[int]] = (), jobs: int = 1) -> list[Nearest | None]:
    """For each report, the other report its text copies most (None for a report with no
    text, for a missing report, or when no other report shares a run with it).
    ``same``: groups of indices that are one unit (two files of it): never each other's
    "other unit".  Ties go to the earlier report.  ``jobs`` > 1: the units walked by that
    many forked workers, which inherit the index built here
    (:func:`nianbao.system.forked.shared`; a threaded server passes 1)."""
    from ..system import forked

    texts = [(_flats(report) if report is not None else []) for report in reports]
    windows = [[_grams(flat) for flat in flats] for flats in texts]
    index: dict[str, int] = {}
    for unit, sections in enumerate(windows):
        bit = 1 << unit
        for grams in sections:
            for gram in grams:
                index[gram] = index.get(gram, 0) | bit
    kin = {i: 0 for i in range(len(reports))}
    for group in same:
        mask = sum(1 << i for i in set(group))
        for i in group:
            kin[i] |= mask
    members: dict[int, list[int]] = {}  # a set of units as its indices, once per set: a template shared by all recurs in every section

    def walked(units: range) -> list[Nearest | None]:
        return [one(unit) for unit in units]

    def one(unit: int) -> Nearest | None:
        sections = windows[unit]
        chars = sum(len(flat) for flat in texts[unit])
        others = ~((1 << unit) | kin[unit])
        covered: dict[int, int] = {}
        for grams in sections:
            end: dict[int, int] = {}  # per other unit: where its covered span of this section ends
            start = 0
            while start < len(grams):
                mask = index[grams[start]] & others
                stop = start + 1
                while stop < len(grams) and (index[grams[stop]] & others) == mask:
                    stop += 1
                if mask:
                    if mask not in members:
                        members[mask] = _bits(mask)
                    for other in members[mask]:  # windows start..stop-1 cover [start, stop - 1 + MIN_RUN)
                        before = end.get(other, 0)
                        covered[other] = covered.get(other, 0) + (stop - 1 + MIN_RUN) - max(start, before)
                        end[other] = stop - 1 + MIN_RUN
                start = stop
        if not chars or not covered:
            return None
        best = min(covered, key=lambda other: (-covered[other], other))
        return Nearest(best, covered[best] / chars, covered[best], chars)

    return [near for part in forked.shared(walked, forked.split(len(reports), jobs), jobs) for near in part]
