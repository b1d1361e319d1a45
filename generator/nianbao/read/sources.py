"""Any input a command accepts → a loaded report and every finding about it.

A report file (YAML), a filled collection workbook (.xlsx, :mod:`workbook`) or a
published report (.docx, .pdf, .html, .txt…, :mod:`importer`): the commands and the batch
treat them alike from here on.
"""

from __future__ import annotations

from pathlib import Path

from ..check.rules import check
from ..findings import Finding, sort_findings
from .kinds import PICTURES, WORKBOOK_SUFFIXES, accepted, is_published
from .load import Loaded, load_file

__all__ = ["accepted", "load_checked"]


def load_checked(path: Path, *, zero_missing: bool = False) -> tuple[Loaded, list[Finding]]:
    """The report (None when it cannot be built) and its findings, sorted; rules that would
    need cells an import could not read are left out."""
    if is_published(path):
        from . import importer

        imported = importer.import_pages(pictures_with(path)) if path.suffix.lower() in PICTURES else importer.import_file(path)
        loaded, doubtful = importer.checkable(imported)
        findings = list(loaded.findings) + (check(loaded.report) if loaded.report is not None else [])
        return loaded, sort_findings(importer.keep(imported, doubtful, findings))
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook import load_workbook

        loaded = load_workbook(path)
    else:
        loaded = load_file(path, zero_missing=zero_missing)
    findings = list(loaded.findings)
    if loaded.report is not None:
        findings += check(loaded.report)
    return loaded, sort_findings(loaded.locate(findings))


def pictures_with(path: Path) -> list[Path]:
    """A scan's page picture and the other pictures of its folder: one report's pages (a
    unit's folder of 第1页.jpg, 第2页.jpg … is one report)."""
    try:
        return sorted(p for p in path.parent.iterdir() if p.is_file() and p.suffix.lower() in PICTURES and not p.name.startswith("."))
    except OSError:
        return [path]
