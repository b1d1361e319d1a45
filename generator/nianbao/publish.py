"""Before a report is published (rule ``P``): nothing left for the clerk to replace, no
section that would print an empty heading.

``check`` reports these as warnings (R7) that say render will refuse them, for a draft
may be unfinished; ``render`` and ``batch`` refuse them as errors, because what they write goes on the website under the
government's name — unless the clerk asks for a draft (``--draft``), which is marked as
one on every page.
"""

from __future__ import annotations

from .check import PLACEHOLDER, narratives
from .findings import ERROR, Finding
from .report import Report

def publishable(report: Report, findings: list[Finding]) -> list[Finding]:
    """``findings`` with the publishing errors added, each in place of the R7 warning that
    ``check`` gave for the same place (said once, as what it now is: a refusal)."""
    refusals = readiness(report)
    places = {f.path for f in refusals}
    return [f for f in findings if not (f.rule == "R7" and f.path in places)] + refusals


def readiness(report: Report) -> list[Finding]:
    findings: list[Finding] = []
    for keys, path, text in narratives(report):
        match = PLACEHOLDER.search(text)
        if match:
            findings.append(Finding(ERROR, "P", path, f"{path}：还有占位文字“{match.group()}”，请改为实际内容后再生成（或加 --draft 生成草稿）", report.line(keys)))
    spec = report.spec
    overview = report.get(("overview",))
    heading = spec.section("overview").heading
    if isinstance(overview, str) or overview is None:
        if not report.text("overview"):
            findings.append(_empty(report, ("overview",), heading))
    else:
        for f in spec.section("overview").subsections:
            if not report.text("overview", f.key):
                findings.append(_empty(report, ("overview", f.key), f"{heading}.{f.label}"))
    if not report.text("problems"):
        findings.append(_empty(report, ("problems",), spec.section("problems").heading))
    if not report.text("other_matters") and report.fees() is None:
        findings.append(_empty(report, ("other_matters",), spec.section("other_matters").heading))
    return findings


def _empty(report: Report, keys: tuple, path: str) -> Finding:
    return Finding(ERROR, "P", path, f"{path}：没有内容，发布的报告中这一节会是空的；请填写后再生成（或加 --draft 生成草稿）", report.line(keys))
