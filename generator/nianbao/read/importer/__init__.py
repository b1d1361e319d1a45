"""Published report (.txt, .md, .docx, .doc, .html, .pdf) → report-file data, with import
findings (rule ``I``).

Stages: :mod:`.readers` turns the file into lines and table rows (one reader per kind of
file); :mod:`.narrative` finds the title, the six headings, the preamble, the
subsections of 一 and the signature; :mod:`.table2`, :mod:`.table3` and :mod:`.table4` read the
tables by meaning around one row reader (:mod:`.tables`).  What cannot be read is left empty (``None``) with a note for the written file
— never a zero — and reported.  Nothing a file holds makes the import fail with an
exception: whatever goes wrong becomes a finding.

:func:`checkable` turns an import into a :class:`~nianbao.read.load.Loaded` for ``check``
and ``render``, which accept published reports directly.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...findings import ERROR, WARNING, Finding, Rule, has_errors
from ...model import dates
from ...model.places import KeyPath, place, put
from ...model.standard import SPECS, Spec, spec_for_year
from ...model.yamlfile import Parsed
from ..kinds import is_published
from ..load import Loaded, validate, zeros
from . import confirm, glyphs, narrative, table2, table3, table4, tables, words
from .lines import Line, Unreadable
from .readers import MAX_BYTES, MAX_LINES, SUFFIXES, read
from .words import normal

__all__ = ["SUFFIXES", "Imported", "checkable", "import_bytes", "import_file", "import_pages", "is_published"]


@dataclass
class Imported:
    source: Path
    spec: Spec | None
    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[KeyPath, int | None] = field(default_factory=dict)  # None: a file without line numbers (DOCX, HTML, PDF)
    notes: dict[KeyPath, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[KeyPath] = field(default_factory=set)
    figures: list = field(default_factory=list)  # a scan's figure cells (confirm.Figure), for the proof page; empty for other files

    @property
    def failed(self) -> bool:
        return has_errors(self.findings)


def import_file(path: Path) -> Imported:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Imported(Path(path), None, findings=[Finding(ERROR, Rule.I, None, f"无法读取文件：{exc.strerror or exc}")])
    return import_bytes(data, Path(path))


def import_pages(paths: list[Path]) -> Imported:
    """Several picture files (PNG, JPEG) that are one report's pages, in the order of their
    names (``第2页`` before ``第10页``), read by OCR as one report."""
    paths = sorted(paths, key=page_order)
    if len(paths) == 1:
        return import_file(paths[0])
    try:
        pictures = [(p.name, p.read_bytes()) for p in paths]
    except OSError as exc:
        return Imported(paths[0], None, findings=[Finding(ERROR, Rule.I, None, f"无法读取文件：{exc.strerror or exc}")])
    if sum(len(d) for _, d in pictures) > MAX_BYTES:
        return Imported(paths[0], None, findings=[Finding(ERROR, Rule.I, None, f"这{len(paths)}张图片共超过{MAX_BYTES // (1024 * 1024)} MB，不像一份年度报告的扫描件，未读取")])

    def reading() -> tuple[list[Line], dict[str, str]]:
        from .scan import read_pictures

        return read_pictures(pictures), {}

    return _import(paths[0], reading)


def page_order(path: Path) -> list:
    """A file name as a person orders pages: the numbers in it compared as numbers."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path.name)]


def import_bytes(data: bytes, source: Path) -> Imported:
    """Never raises for what a file holds: a damaged, hostile or strange file is a finding."""
    return _import(source, lambda: read(source, data))


def _import(source: Path, reading) -> Imported:
    words.forget()  # a file's tokens are read afresh: its time and its readings are its own
    try:
        lines, meta = reading()
        if len(lines) > MAX_LINES:
            raise Unreadable(f"内容有{len(lines)}行：一份年度报告不过两三千行，这不像年度报告，未读取")
        lines, meta, told = glyphs.unify(lines, meta)  # one set of characters before any matching
        imported = _assemble(source, lines, meta)
        if imported.spec is not None:
            told += glyphs.name_findings(imported.data.get("unit", {}).get("name"), place(imported.spec.id, ("unit", "name")).path)
        imported.findings[:0] = told
        return imported
    except Unreadable as exc:
        return Imported(source, None, findings=[Finding(ERROR, Rule.I, None, str(exc))])
    except (MemoryError, RecursionError):
        return Imported(source, None, findings=[Finding(ERROR, Rule.I, None, "文件过大或结构过深，无法读取")])
    except Exception as exc:  # noqa: BLE001 - a file must never stop the clerk's run with a traceback
        return Imported(
            source,
            None,
            findings=[Finding(ERROR, Rule.I, None, f"读取这个文件时出了意外的问题（{type(exc).__name__}），未能导入；请把文件发给维护者，以便改进")],
        )


def _assemble(source: Path, lines: list[Line], meta: dict[str, str]) -> Imported:
    """The report's parts, in the order each needs the one before: the outline and title,
    the format version, the tables, the signature, the metadata (year, unit), the
    narratives."""
    outline = narrative.outline(lines)
    if not outline.headings:
        return Imported(source, None, findings=[Finding(ERROR, Rule.I, None, "找不到“一、总体情况”等章节标题：这不像一份政府信息公开工作年度报告")])
    chrome = narrative.without_chrome(outline)
    title, after_title = narrative.title(outline.front, meta.get("title"))
    spec = _format(lines, title)
    imported = Imported(source, spec)
    found, table_findings = _tables(spec, outline, lines)
    if confirm.scanned(found):  # figures read from pictures count only where the tables' sums confirm them
        confirmed = confirm.confirm(spec, found)
        imported.figures = confirmed.figures
        table_findings = [f for f in table_findings if confirmed.keeps(f)] + confirmed.findings
    signed = _Signature.of(outline, title)
    head = _metadata(spec, lines, title, signed.unit)
    data, after, preamble_line, overview_lines, overview_findings = _narratives(spec, outline, after_title, head, signed)
    for keys, value in found.values.items():
        put(data, keys, value)
    data.update(after)

    line_of = imported.lines
    for keys, number in {
        ("year",): head.title_line,
        ("unit", "name"): head.title_line,
        ("unit", "date"): signed.date_line.line if signed.date_line else None,
        ("preamble",): preamble_line,
        **{(key,): outline.headings[key].line for key in outline.headings},
        **overview_lines,
        **found.lines,
    }.items():
        if number is not None:
            line_of[keys] = number
    imported.data = data
    imported.notes = found.notes
    imported.unreadable = found.unreadable
    imported.findings = head.findings + table_findings + overview_findings
    if chrome:
        imported.findings.append(Finding(WARNING, Rule.I, None, narrative.chrome_note(chrome)))
    return imported


def _format(lines: list[Line], title: narrative.Title) -> Spec:
    """The format version: the tables' own labels decide; on a tie, the version of the year."""
    votes = tables.detect_format(lines)
    best = max(votes.values())
    leaders = [SPECS[k] for k, v in votes.items() if v == best]
    year_found = title.year
    if year_found is None:
        derived_year = narrative.year_from_text(lines)
        year_found = derived_year[0] if derived_year else None
    by_year = spec_for_year(year_found) if year_found else None
    return by_year if by_year in leaders else leaders[-1]


def _tables(spec: Spec, outline: narrative.Outline, lines: list[Line]) -> tuple[tables.Found, list[Finding]]:
    """Tables 二, 三 and 四 in their sections, or anywhere (tables in an appendix after the
    narratives), and what they say of headings not found."""

    def section(key: str) -> list[Line]:
        return outline.sections.get(key, [])

    found = _better(table2.read_table2(spec, section("proactive")), lambda: table2.read_table2(spec, lines))
    t3, leftover = table3.read_table3(spec, section("applications"))
    if not _read_any(t3):
        t3, leftover = table3.read_table3(spec, lines)
    found.merge(t3)
    if "appeals" in outline.headings:
        t4 = table4.read_table4(spec, section("appeals"), heading_found=True)
        if tables_missing(t4):
            t4 = _better(t4, lambda: table4.read_table4(spec, table4.locate_table4(spec, lines), heading_found=True))
    else:
        t4 = table4.read_table4(spec, leftover, heading_found=False)
    found.merge(t4)
    table_findings = list(found.findings)
    for key in ("proactive", "applications"):  # a lost 四 heading is told by read_table4
        if key not in outline.headings:
            heading = spec.section(key).heading
            table_findings.append(Finding(WARNING if _read_any_of(found, key) else ERROR, Rule.I, place(spec.id, (key,)).path, f"原文中找不到“{heading}”"))
    return found, table_findings


@dataclass
class _Signature:
    """The signature under the last section (it names the unit when the title does not):
    which section it closes, that section's paragraphs before it, its date and unit."""

    last: str | None
    tail: list
    date: dt.date | None
    date_line: Line | None
    unit: str | None

    @staticmethod
    def of(outline: narrative.Outline, title: narrative.Title) -> _Signature:
        last = next((k for k in ("other_matters", "problems") if k in outline.sections), None)
        paragraphs = narrative.paragraphs(outline.sections.get(last, [])) if last else []
        tail, date, date_line, signed = narrative.signature(paragraphs, {normal(title.unit)} if title.unit else set())
        return _Signature(last, tail, date, date_line, signed)


@dataclass
class _Head:
    """The report's year and unit, the title's line, and what was said finding them."""

    year: int | None
    unit_name: str | None
    title_line: int | None
    findings: list[Finding]


def _metadata(spec: Spec, lines: list[Line], title: narrative.Title, signed: str | None) -> _Head:
    """The year and the unit: from the title, else derived from the text (and said)."""
    findings: list[Finding] = []
    unit_name = title.unit
    year = title.year
    title_line = title.line.line if title.line else None
    year_path, name_path = place(spec.id, ("year",)).path, place(spec.id, ("unit", "name")).path
    if title.source == "page":
        findings.append(Finding(WARNING, Rule.I, None, f"原文正文中没有标题，报告年度和机关名称取自网页标题“{title.text}”，请核对"))
    if year is None:
        derived = narrative.year_from_text(lines)
        if derived:
            year = derived[0]
            findings.append(Finding(WARNING, Rule.I, year_path, f"原文{'没有标题' if not title.text else '标题中没有年度'}：报告年度按{derived[1]}取为{year}年，请核对"))
        else:
            findings.append(Finding(ERROR, Rule.I, year_path, f"原文中找不到报告年度（标题：“{title.text}”），请在 year 填写", title_line))
    impossible = dates.impossible_year(year) if year is not None else None
    if impossible:  # kept as printed (never corrected), and said as check says it
        findings.append(Finding(ERROR, Rule.S, year_path, impossible, title_line))
    if unit_name is None:
        derived_unit = narrative.unit_from_text(lines, signed)
        if derived_unit:
            unit_name = derived_unit[0]
            findings.append(Finding(WARNING, Rule.I, name_path, f"原文{'没有标题' if not title.text else '标题中没有机关名称'}：机关名称按{derived_unit[1]}取为“{unit_name}”，请核对"))
        else:
            findings.append(Finding(ERROR, Rule.I, name_path, f"原文中找不到机关名称（标题：“{title.text}”），请在 unit.name 填写", title_line))
    elif title.source == "title" and year is not None and title.text != normal(spec.title(unit_name, year)):
        expected = spec.title(unit_name, year)
        findings.append(Finding(WARNING, Rule.I, None, f"原文标题“{title.text}”与规定的“{expected}”不一致；生成时使用规定的标题", title_line))
    return _Head(year, unit_name, title_line, findings)


def _narratives(
    spec: Spec, outline: narrative.Outline, after_title: list[Line], head: _Head, signed: _Signature
) -> tuple[dict[str, Any], dict[str, Any], int | None, dict[KeyPath, int], list[Finding]]:
    """The report-file data but for the tables, in two parts: before them (year, format,
    the unit's facts, the preamble, the overview) and after them (the problems, the fee
    statement, the other matters); the preamble's and the overview's lines; what reading
    the overview said."""

    def section(key: str) -> list[Line]:
        return outline.sections.get(key, [])

    names = {normal(n) for n in (head.unit_name, signed.unit) if n}
    front, front_date = narrative.front_matter(after_title, names)
    preamble_text = narrative.joined(front)
    unit: dict[str, Any] = {"name": head.unit_name}
    unit.update(narrative.unit_facts(preamble_text or ""))
    if unit.get("compiler") is not None and unit.get("compiler") == unit.get("name"):
        del unit["compiler"]  # compiled by the unit itself: nothing to record
    overview, overview_lines, overview_findings = narrative.overview(spec, section("overview"))
    unit["date"] = signed.date or front_date
    other = signed.tail if signed.last == "other_matters" else narrative.paragraphs(section("other_matters"))
    problems = signed.tail if signed.last == "problems" else narrative.paragraphs(section("problems"))
    fees = None
    if spec.fees and other:
        fees = narrative.fee_statement(spec, other[0].text.lstrip("\u3000 "))
        if fees is not None:
            other = other[1:]
    data: dict[str, Any] = {
        "year": head.year,
        "format": spec.id,
        "unit": {f.key: unit.get(f.key) for f in spec.unit},
        "preamble": narrative.preamble(spec, head.year, unit, preamble_text),
        "overview": overview,
    }
    after: dict[str, Any] = {"problems": narrative.joined(problems)}
    if spec.fees:
        after["processing_fees"] = fees
    after["other_matters"] = narrative.joined(other)
    return data, after, front[0].line if front else None, overview_lines, overview_findings


def _read_any(found: tables.Found) -> bool:
    return any(keys not in found.unreadable or found.values.get(keys) is not None for keys in found.lines)


def _read_any_of(found: tables.Found, key: str) -> bool:
    return any(keys[0] == key and keys not in found.unreadable for keys in found.lines)


def tables_missing(found: tables.Found) -> bool:
    return all(keys in found.unreadable for keys in found.values)


def _better(first: tables.Found, second) -> tables.Found:
    """The first reading, unless it found no row at all and the second finds some."""
    if _read_any(first):
        return first
    other = second()
    return other if _read_any(other) else first


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
    if data.get("year") is None or not data.get("unit", {}).get("name"):
        return Loaded(None, list(imported.findings)), []
    loaded = validate(Parsed(data=data, lines=dict(imported.lines)), source=imported.source, today=today, findings=imported.findings)
    loaded.findings = list(dict.fromkeys(loaded.findings))  # what the import and the loader both say (an impossible year), once
    doubtful: list[str] = []
    if any(k[0] == "applications" for k in imported.unreadable):
        doubtful += [Rule.R1, Rule.R3]
    if any(k[0] == "appeals" for k in imported.unreadable):
        doubtful += [Rule.R4]
    return loaded, doubtful


def keep(imported: Imported, doubtful: list[str], findings: list[Finding]) -> list[Finding]:
    """Drop the findings computed from cells the import left empty."""
    unreadable = {place(imported.spec.id, k).path for k in imported.unreadable} if imported.spec else set()
    return [
        f
        for f in findings
        if f.rule == Rule.I
        or (f.rule not in doubtful and not (f.rule in (Rule.R2, Rule.S) and f.path is not None and any(f.path.startswith(p) for p in unreadable)))
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
