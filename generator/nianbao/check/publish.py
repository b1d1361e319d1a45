"""Before a report is published (rule ``P``): nothing left for the clerk to replace, no
section that would print an empty heading, no line the template left in a narrative (a
``#`` comment kept as text, a fill-in hint copied as text), a date under the signature.

``check`` reports these as warnings (R7, R5) that say render will refuse them, for a draft
may be unfinished.  Everything that publishes or counts a report refuses them as errors, by
:func:`publishable`, because what it writes goes on the website under the government's name:
the one produce path (:mod:`nianbao.produce`: ``render``, ``batch``, the site's preview,
download and PDF) unless the clerk asks for a draft (``--draft``, marked as one on every
page); the county intake (:func:`nianbao.county.intake.judged`: ``aggregate``, ``overview``
and the site's aggregate do not count such a report, their messages without the
``--draft`` hint, :data:`DRAFT_TOO`); and the site's editor, which shows them beside their
cells in place of the warnings.
"""

from __future__ import annotations

from ..findings import ERROR, Finding, Rule
from ..model import dates
from ..model.report import Report
from .rules import PLACEHOLDER, leftover_message, leftovers, narratives

DRAFT_TOO = "（或加 --draft 生成草稿）"


def publishable(report: Report, findings: list[Finding]) -> list[Finding]:
    """``findings`` with the publishing errors added, each in place of the R7 (or R5) warning
    that ``check`` gave for the same place (said once, as what it now is: a refusal)."""
    refusals = readiness(report)
    places = {f.path for f in refusals}
    return [f for f in findings if not (f.rule in (Rule.R5, Rule.R7) and f.path in places)] + refusals


def readiness(report: Report) -> list[Finding]:
    """The refusals, over the same narratives R7 looks at: a placeholder anywhere; an empty
    section of 一 or 五, or an empty 六 when there is no fee statement to print in it; each
    line the template left (:func:`check.leftovers`); and no date under the signature (what
    ``init``, ``new`` and ``next`` leave for the clerk to choose)."""
    findings: list[Finding] = []
    for keys, path, text in narratives(report):
        name = report.label(keys)
        match = PLACEHOLDER.search(text)
        if match:
            findings.append(Finding(ERROR, Rule.P, path, f"{name}：还有占位文字“{match.group()}”，请改为实际内容后再生成{DRAFT_TOO}", report.line(keys)))
        elif not text and (keys[0] in ("overview", "problems") or (keys[0] == "other_matters" and report.fees() is None)):
            findings.append(Finding(ERROR, Rule.P, path, f"{name}：没有内容，发布的报告中这一节会是空的；请填写后再生成{DRAFT_TOO}", report.line(keys)))
        for line, hint in leftovers(text, report.spec):
            findings.append(Finding(ERROR, Rule.P, path, leftover_message(name, line, hint) + f"后再生成{DRAFT_TOO}", report.line(keys)))
    keys = ("unit", "date")
    if report.get(keys) is None:
        findings.append(Finding(
            ERROR, Rule.P, report.path(keys),
            f"{report.label(keys)}：未填写，发布的报告落款处会没有日期；请填写{dates.window_text(report.year)}的日期（写成 {dates.example(report.year)}）后再生成{DRAFT_TOO}",
            report.line(keys),
        ))
    return findings
