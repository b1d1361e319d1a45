"""One produce path: a report source → the files it publishes, and every finding.

``render`` (through :mod:`nianbao.workflows.publishing`), ``batch`` and the site's preview
and download all go this one way — load, check, fill (batch's shared default texts),
refuse what may not be published (rule P, unless a draft), render each format — so that
the same report and formats give the same bytes whichever face asked.  The PDF step
(:func:`pdfs`) is apart because batch converts many DOCX by one LibreOffice process per
job, after every unit is known; one report's PDF, with the reason when there is none, is
:func:`nianbao.workflows.publishing.to_pdf`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import ERROR, Family, Finding, Rule, family, has_errors, sort_findings
from .read.sources import load_checked

if TYPE_CHECKING:
    from .model.report import Report
    from .read.load import Loaded
    from .render.outline import Unresolved


@dataclass(frozen=True)
class Options:
    """How to produce: a style reference (DOCX), a draft (placeholders allowed, marked on
    every page), a step that fills the report before it is checked again (batch's shared
    default texts), and whether a draft is also made of a report with errors, which it then
    lists before the report (``render --draft``: the clerk sees the layout while filling;
    batch publishes only reports without errors and does not ask for it)."""

    reference: Path | None = None
    draft: bool = False
    fill: Callable[[Report], Report] | None = None
    with_errors: bool = False


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
    unresolved: Unresolved | None = None  # a draft's errors, listed before its report

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
    refusals: list[Finding] = []
    if report is not None:
        if options.fill is not None:
            filled = options.fill(report)
            if filled is not report:  # the narratives changed: check the report as it will be printed
                from .check.rules import check

                report = filled
                findings = [f for f in findings if family(f.rule) != Family.REPORT] + check(report)
        from .check import publish

        if not options.draft:
            findings = publish.publishable(report, findings)
        elif options.with_errors:
            refusals = publish.readiness(report)  # not refused in a draft, but listed in it
    produced = Produced(loaded, report, sort_findings(findings))
    # a published report's cells that could not be read stand in as 0 in its report, for the rules: never printed
    unread = any(f.rule == Rule.I and f.level == ERROR for f in findings)
    if report is None or (produced.refused and not (options.draft and options.with_errors and not unread)):
        return produced
    from . import render as rendering
    from .render.docx import report_date

    if options.draft and options.with_errors:
        produced.unresolved = unresolved(report, produced.findings, refusals)
    wanted = [t for t in targets if t != "pdf"] + (["docx"] if "pdf" in targets and "docx" not in targets else [])
    produced.outputs = {t: rendering.render(report, t, options.reference, options.draft, produced.unresolved) for t in wanted}
    produced.date = report_date(report)
    return produced


def unresolved(report: Report, findings: list[Finding], refusals: list[Finding]) -> Unresolved | None:
    """What a draft lists before its report: every error, and every refusal ``render`` would
    give without ``--draft`` (a placeholder, an empty section, no date), each as ``check``
    prints it, with the line of the file; then how many warnings there are besides.  None
    when there is nothing to correct before publishing."""
    from .check.publish import DRAFT_TOO
    from .render.outline import Unresolved

    refused = {f.path for f in refusals}
    listed = sort_findings([f for f in findings if f.level == ERROR] + [replace(f, message=f.message.replace(DRAFT_TOO, "")) for f in refusals])
    if not listed:
        return None
    warnings = [f for f in findings if f.level != ERROR and not (f.rule in (Rule.R5, Rule.R7) and f.path in refused)]
    source = report.source
    command = f"nianbao check {source.name}" if source else "nianbao check"
    more = f"另有{len(warnings)}个提示，可运行 {command} 查看。" if warnings else ""
    return Unresolved(tuple(f.labelled(source) for f in listed), more)


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
    except office.OfficeUnavailable as exc:
        return {}, str(exc)
    return done, None
