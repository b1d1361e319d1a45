"""Published report (.txt, .docx, .html) → report-file data, with import findings (rule ``I``).

Stages: :mod:`.readers` turns the file into lines and table rows; :mod:`.narrative`
finds the title, the six headings, the preamble, the subsections of 一 and the
signature; :mod:`.tables` reads tables 二, 三 and 四 by meaning.  What cannot be read is
left empty (``None``) with a note for the written file — never a zero — and reported.

:func:`checkable` turns an import into a :class:`~nianbao.load.Loaded` for ``check``
and ``render``, which accept published reports directly.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import ERROR, WARNING, Finding, has_errors
from ..load import Loaded, validate, zeros
from ..places import KeyPath, place, put
from ..standard import SPECS, Spec, spec_for_year
from ..yamlfile import Parsed
from . import narrative, tables
from .readers import SUFFIXES, Unreadable, read
from .words import normal

__all__ = ["SUFFIXES", "Imported", "checkable", "import_bytes", "import_file", "is_published"]


@dataclass
class Imported:
    source: Path
    spec: Spec | None
    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[KeyPath, int] = field(default_factory=dict)
    notes: dict[KeyPath, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[KeyPath] = field(default_factory=set)

    @property
    def failed(self) -> bool:
        return has_errors(self.findings)


def is_published(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def import_file(path: Path) -> Imported:
    return import_bytes(Path(path).read_bytes(), Path(path))


def import_bytes(data: bytes, source: Path) -> Imported:
    try:
        _, lines = read(source, data)
    except Unreadable as exc:
        return Imported(source, None, findings=[Finding(ERROR, "I", None, str(exc))])
    return _assemble(source, lines)


def _assemble(source: Path, lines: list) -> Imported:
    outline = narrative.outline(lines)
    findings: list[Finding] = []
    if not outline.headings:
        return Imported(source, None, findings=[Finding(ERROR, "I", None, "找不到“一、总体情况”等章节标题：这不像一份政府信息公开工作年度报告")])
    title, preamble_lines = narrative.title(outline.front)

    rows = {key: tables.table_rows(outline.sections.get(key, [])) for key in ("proactive", "applications", "appeals")}
    votes = tables.detect_format(rows["proactive"] + rows["applications"])
    # the tables' own labels decide; on a tie, the version of the title's year
    best = max(votes.values())
    leaders = [SPECS[k] for k, v in votes.items() if v == best]
    by_year = spec_for_year(title.year) if title.year else None
    spec = by_year if by_year in leaders else leaders[-1]

    imported = Imported(source, spec)
    year_path, name_path = place(spec.id, ("year",)).path, place(spec.id, ("unit", "name")).path
    title_line = title.line.line if title.line else None
    if title.year is None:
        findings.append(Finding(ERROR, "I", year_path, f"标题中找不到报告年度（标题：“{title.text}”），请在 year 填写", title_line))
    if title.unit is None:
        findings.append(Finding(ERROR, "I", name_path, f"标题中找不到机关名称（标题：“{title.text}”），请在 unit.name 填写", title_line))
    elif title.year is not None and title.text != normal(spec.title(title.unit, title.year)):
        expected = spec.title(title.unit, title.year)
        findings.append(Finding(WARNING, "I", None, f"原文标题“{title.text}”与规定的“{expected}”不一致；生成时使用规定的标题", title_line))

    # tables
    found = tables.read_table2(spec, rows["proactive"])
    t3, leftover = tables.read_table3(spec, rows["applications"])
    found.merge(t3)
    appeals_rows = rows["appeals"] if "appeals" in outline.headings else leftover
    found.merge(tables.read_table4(spec, appeals_rows, heading_found="appeals" in outline.headings))
    findings += found.findings
    for key in ("proactive", "applications"):  # a lost 四 heading is told by read_table4
        if key not in outline.headings:
            heading = spec.section(key).heading
            findings.append(Finding(ERROR, "I", place(spec.id, (key,)).path, f"原文中找不到“{heading}”"))

    # words
    preamble_text = narrative.joined(preamble_lines)
    unit: dict[str, Any] = {"name": title.unit}
    unit.update(narrative.unit_facts(preamble_text or ""))
    if unit.get("compiler") == unit["name"]:
        del unit["compiler"]  # compiled by the unit itself: nothing to record
    overview, overview_lines, overview_findings = narrative.overview(spec, outline.sections.get("overview", []))
    findings += overview_findings
    last = next((k for k in ("other_matters", "problems") if k in outline.sections), None)
    names = {normal(n) for n in (unit.get("name"), unit.get("compiler")) if n}
    tail, date, date_line = narrative.signature(narrative.paragraphs(outline.sections.get(last, [])) if last else [], names)
    unit["date"] = date
    other = tail if last == "other_matters" else narrative.paragraphs(outline.sections.get("other_matters", []))
    problems = tail if last == "problems" else narrative.paragraphs(outline.sections.get("problems", []))
    fees = None
    if spec.fees and other:
        fees = narrative.fee_statement(spec, other[0].text.lstrip("\u3000 "))
        if fees is not None:
            other = other[1:]

    data: dict[str, Any] = {
        "year": title.year,
        "format": spec.id,
        "unit": {f.key: unit.get(f.key) for f in spec.unit},
        "preamble": narrative.preamble(spec, title.year, unit, preamble_text),
        "overview": overview,
    }
    for keys, value in found.values.items():
        put(data, keys, value)
    data["problems"] = narrative.joined(problems)
    if spec.fees:
        data["processing_fees"] = fees
    data["other_matters"] = narrative.joined(other)

    line_of = imported.lines
    for keys, number in {
        ("year",): title_line,
        ("unit", "name"): title_line,
        ("unit", "date"): date_line.line if date_line else None,
        ("preamble",): preamble_lines[0].line if preamble_lines else None,
        **{(key,): outline.headings[key].line for key in outline.headings},
        **overview_lines,
        **found.lines,
    }.items():
        if number is not None:
            line_of[keys] = number
    imported.data = data
    imported.notes = found.notes
    imported.unreadable = found.unreadable
    imported.findings = findings
    return imported


# -- check and render a published report ----------------------------------------------------------------
def checkable(imported: Imported, *, today: dt.date | None = None) -> tuple[Loaded, list[str]]:
    """The import as a loaded report, and the rules whose findings would be guesses.

    Cells that could not be read are zero only for this check, so that the rest of the
    report is still checked; findings that depend on those cells are then dropped by
    the caller (:func:`keep`)."""
    if imported.spec is None:
        return Loaded(None, list(imported.findings)), []
    data = copy.deepcopy(imported.data)
    for keys in imported.unreadable:
        _zero(imported.spec, data, keys)
    loaded = validate(Parsed(data=data, lines=dict(imported.lines)), source=imported.source, today=today, findings=imported.findings)
    doubtful = []
    if any(k[0] == "applications" for k in imported.unreadable):
        doubtful += ["R1", "R3"]
    if any(k[0] == "appeals" for k in imported.unreadable):
        doubtful += ["R4"]
    return loaded, doubtful


def keep(imported: Imported, doubtful: list[str], findings: list[Finding]) -> list[Finding]:
    """Drop the findings computed from cells the import left empty."""
    unreadable = {place(imported.spec.id, k).path for k in imported.unreadable} if imported.spec else set()
    return [
        f
        for f in findings
        if f.rule == "I"
        or (f.rule not in doubtful and not (f.rule in ("R2", "S") and f.path is not None and any(f.path.startswith(p) for p in unreadable)))
    ]


def _zero(spec: Spec, data: dict, keys: KeyPath) -> None:
    where = place(spec.id, keys)
    if where.kind == "mapping":  # a table 四 that could not be read at all
        for group in spec.table4.groups:
            _zero(spec, data, keys + (group.key,))
        return
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    value = node.get(keys[-1])
    if isinstance(value, list):
        put(data, keys, [0 if v is None else v for v in value])
    elif value is None:
        put(data, keys, zeros(where))
