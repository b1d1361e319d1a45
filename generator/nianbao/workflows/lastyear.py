"""Checking a report against last year's (X1–X5): which last year's report, and when it is not.

``nianbao check`` compares with the report given by ``--previous``, or, for a file drafted
by ``next`` or ``new --from``, with the one the file names; the site with the unit's report
of the year before.  What happens when that report cannot be used is decided here, once:
one of another year is refused (:class:`~nianbao.errors.PreviousYearMismatch`) when it was
given, skipped with a warning when it was only recorded; one that cannot be read is said as a
warning (:func:`skipped`), never silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import PreviousYearMismatch
from ..findings import WARNING, Finding, Rule, sort_findings

if TYPE_CHECKING:
    from ..model.report import Report
    from ..read.load import Loaded

NOT_DONE = "跨年度核对（X1–X5）未做"


def skipped(why: str, hint: str = "") -> Finding:
    """The warning that X1–X5 were not run, and why (``hint``: what the clerk can do)."""
    return Finding(WARNING, Rule.X, None, f"{why}，{NOT_DONE}" + (f"；{hint}" if hint else ""))


def recorded_unusable(previous: Path) -> Finding:
    """A file drafted from last year's report whose recorded path is gone or unreadable."""
    return skipped(f"文件记录的上一年度报告 {previous} 找不到或无法读取", "可用 --previous 指定")


SITE_LAST_UNUSABLE = "网站上的上一年度报告有错误"  # the site's last year's version does not load: skipped(SITE_LAST_UNUSABLE)


def with_last_year(report: Report, findings: list[Finding], last: Report) -> list[Finding]:
    """``findings`` of ``report`` with X1–X5 against ``last``, sorted as ``check`` sorts;
    ``last`` must be of the year before (:class:`PreviousYearMismatch` otherwise)."""
    if report.year != last.year + 1:
        raise PreviousYearMismatch(report.year, last.year)
    from ..check.crossyear import with_previous

    return sort_findings(with_previous(findings, report, last))


def recorded(loaded: Loaded) -> Report | None:
    """The report of last year that a file drafted by ``next`` or ``new --from`` names, when it
    is there, loads and is of the year before; None otherwise."""
    if loaded.previous is None or loaded.report is None or not loaded.previous.is_file():
        return None
    from ..read.sources import load_checked

    before, _ = load_checked(loaded.previous)
    last = before.report
    return last if last is not None and last.year == loaded.report.year - 1 else None


class Checked(NamedTuple):
    """One file as ``check`` says it: the loaded report and every finding, X1–X5 included
    when last year's report was at hand.  (A named tuple: a frozen dataclass costs ten
    times as much to make, at every start of ``check``.)"""

    path: Path
    loaded: Loaded
    findings: list[Finding]


def check_file(path: Path, previous: Report | None = None, *, zero_missing: bool = False) -> Checked:
    """Load and check ``path``; with ``previous`` (last year's report, as given) or the one the
    file records, the cross-year rules too.  A ``previous`` of another year raises
    :class:`PreviousYearMismatch`; a recorded one that cannot be used is a warning."""
    from ..read.sources import load_checked

    loaded, findings = load_checked(path, zero_missing=zero_missing)
    report, last = loaded.report, previous
    if report is None:
        return Checked(path, loaded, findings)
    if last is None and loaded.previous is not None:
        last = recorded(loaded)
        if last is None:
            findings = sort_findings(findings + [recorded_unusable(loaded.previous)])
    if last is not None:
        findings = with_last_year(report, findings, last)
    return Checked(path, loaded, findings)
