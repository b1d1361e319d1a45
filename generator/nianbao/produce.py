"""One produce path: a report source → the files it publishes, and every finding.

``render``, ``batch`` (and the coming web front) all go this one way — load, check, fill
(batch's shared default texts), refuse what may not be published (rule P, unless a
draft), render each format — so that the same report and formats give the same bytes
whichever command asked.  The PDF step (:func:`pdfs`) is apart because batch converts
many DOCX by one LibreOffice process per job, after every unit is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import Finding, has_errors, sort_findings
from .read.sources import load_checked

if TYPE_CHECKING:
    from .model.report import Report
    from .read.load import Loaded


@dataclass(frozen=True)
class Options:
    """How to produce: a style reference (DOCX), a draft (placeholders allowed, marked on
    every page), and a step that fills the report before it is checked again (batch's
    shared default texts)."""

    reference: Path | None = None
    draft: bool = False
    fill: Callable[[Report], Report] | None = None


@dataclass
class Produced:
    """What came of one source: ``loaded`` as read (its report unfilled), the report as it
    is printed (None when it cannot be built), the findings, and the rendered formats
    (empty when an error refuses them; ``docx`` also when only ``pdf`` was asked for)."""

    loaded: Loaded
    report: Report | None
    findings: list[Finding]
    outputs: dict[str, bytes] = field(default_factory=dict)
    date: dt.date | None = None  # the report's date, which its PDF carries

    @property
    def refused(self) -> bool:
        return self.report is None or has_errors(self.findings)


def produce(source: Path, targets: tuple[str, ...] | list[str], options: Options = Options()) -> Produced:
    """Load, check, fill, refuse or render one report source.  A wrong reference document
    raises :class:`~nianbao.render.docx.ReferenceDocumentError` (before anything is written)."""
    loaded, findings = load_checked(source)
    return produce_loaded(loaded, findings, targets, options)


def produce_loaded(loaded: Loaded, findings: list[Finding], targets: tuple[str, ...] | list[str], options: Options = Options()) -> Produced:
    """:func:`produce` from a source already loaded and checked (batch names the unit
    before its default texts are filled, should they fail)."""
    report = loaded.report
    if report is not None:
        if options.fill is not None:
            filled = options.fill(report)
            if filled is not report:  # the narratives changed: check the report as it will be printed
                from .check.rules import check

                report = filled
                findings = [f for f in findings if not f.rule.startswith("R")] + check(report)
        if not options.draft:
            from .check.publish import publishable

            findings = publishable(report, findings)
    produced = Produced(loaded, report, sort_findings(findings))
    if produced.refused:
        return produced
    assert report is not None
    from . import render as rendering
    from .render.docx import report_date

    wanted = [t for t in targets if t != "pdf"] + (["docx"] if "pdf" in targets and "docx" not in targets else [])
    produced.outputs = {t: rendering.render(report, t, options.reference, options.draft) for t in wanted}
    produced.date = report_date(report)
    return produced


def pdfs(documents: list[tuple[str, bytes, dt.date]], jobs: int = 1) -> tuple[dict[str, bytes], str | None]:
    """(name → PDF, why none could be made) for each (name, DOCX, report date), converted
    in ``jobs`` groups, each by one LibreOffice process; a name missing from the result
    is one LibreOffice did not convert."""
    from .render import office, pdf

    groups = [documents[i::jobs] for i in range(max(1, jobs)) if documents[i::jobs]]
    done: dict[str, bytes] = {}
    try:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            for result in pool.map(pdf.convert, groups):
                done.update(result)
    except office.Unavailable as exc:
        return {}, str(exc)
    return done, None
