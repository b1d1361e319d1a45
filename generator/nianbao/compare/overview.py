"""A county's units side by side (``nianbao overview``): who sent what, and each unit's
key figures — the same units counted, left out and missing as ``aggregate`` says.

The files are taken in the way ``aggregate`` and ``batch`` take them
(:func:`nianbao.county.intake.gather`: each distinct file once, copies said), each is
checked, and the county rules (B) run over all of them (:func:`nianbao.county.intake.review`).
A unit is *charted* exactly when ``aggregate`` would add it up: its report has no error and
no other file claims it.  A file with errors is a row with its findings and no figures; a
unit on the list that sent nothing is a row that says so — never left out without a word.

Last year's reports (``--previous``) are matched to this year's by unit name compared as
the unit list compares names (:func:`nianbao.county.roster.key`); a unit with no usable
report last year has no change and no repetition rate, and the notes say why.

:func:`assemble` does the work on reports already loaded, so that the web front's county
page builds the same overview from its database without files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..county import intake, roster
from ..county import rules as county
from ..county.filenames import GBK_NOTE
from ..findings import ERROR, Finding, has_errors
from ..model.report import Report
from ..model.standard import SPECS
from .figures import Figure, Measure, figures, measure, measure_of_rate

if TYPE_CHECKING:
    from ..check.repetition import Rates

Status = Literal["已计入", "有错误", "未计入", "未交回"]
COUNTED: Status = "已计入"
FAILED: Status = "有错误"
LEFT_OUT: Status = "未计入"
ABSENT: Status = "未交回"


@dataclass
class Row:
    """One unit (or one file that claims to be one): what the reviewer reads in its row.
    ``figures`` only for a charted unit; ``last`` and ``rates`` only where last year's
    report of the same unit could be compared."""

    name: str
    shown: str | None
    status: Status
    findings: list[Finding] = field(default_factory=list)
    report: Report | None = None
    figures: dict[str, Measure] | None = None
    last: dict[str, Measure] | None = None
    rates: Rates | None = None
    note: str = ""  # why there is no comparison with last year, when there is none
    listed: str | None = None  # the unit it stands under in the list's order (its folder's unit, for a file filled from a neighbour's)

    @property
    def charted(self) -> bool:
        return self.figures is not None


@dataclass
class Overview:
    """Every row in order (the list's, else the files'), what to tell the reviewer besides
    (``said``), and the figures' definitions (``columns``)."""

    rows: list[Row]
    said: list[str]
    columns: list[Figure]
    year: int | None
    previous: bool

    @property
    def charted(self) -> list[Row]:
        return [row for row in self.rows if row.charted]

    @property
    def complete(self) -> bool:
        """Every unit read and counted: what exit status 0 means."""
        return all(row.status == COUNTED for row in self.rows)

    def column(self, key: str) -> Figure:
        return next(c for c in self.columns if c.key == key)

    def total(self, key: str) -> int:
        """The sum of a count over the charted units: what ``aggregate`` adds up."""
        return sum(int(row.figures[key].value or 0) for row in self.charted if row.figures)  # type: ignore[arg-type]


@dataclass
class Source:
    """One report as taken in: the name a reviewer knows the file by, the report, every
    finding of check on it, and the unit name and year the file claims (even when it
    could not be built into a report)."""

    shown: str
    report: Report | None
    findings: list[Finding]
    name: str | None = None
    year: int | None = None
    path: Path | None = None


PARALLEL_FROM = 32  # files: fewer are read faster in this process than by starting workers


def gather(inputs: Sequence[Path], previous: Sequence[Path], expected: list[str] | None, *, outside: Path | None, jobs: int | None = None) -> Overview:
    """The overview of the files under ``inputs`` against last year's under ``previous``,
    in the order of the unit list ``expected`` when there is one.  ``outside``: where the
    output goes, never read as input; ``jobs``: processes reading the files (default:
    the CPU count, for a county's hundreds of files)."""
    said: list[str] = []
    this_year = _intake(inputs, outside, said)
    notes: list[str] = []
    last_year = _intake(previous, outside, notes) if previous else None
    said += [f"上一年度：{note}" for note in notes]
    paths = this_year.unique + (last_year.unique if last_year else [])
    read = _read_all(paths, jobs)
    sources = [Source(this_year.names[p], *read[p], path=p) for p in this_year.unique]
    last = [Source(last_year.names[p], *read[p], path=p) for p in last_year.unique] if last_year else []
    return assemble(sources, last, expected, said=said)


def _intake(inputs: Sequence[Path], outside: Path | None, said: list[str]) -> intake.Intake:
    """The files under ``inputs`` as ``aggregate`` takes them in; what it skipped said."""
    notes: list[str] = []
    taken_in = intake.gather(list(inputs), outside=outside, notes=notes)
    said += notes
    if taken_in.gbk:
        said.append(GBK_NOTE.format(n=taken_in.gbk))
    for source in taken_in.sources:
        said += [f"{taken_in.names[source]}：{note}" for note in taken_in.name_notes(source)]
    said += [f"{taken_in.names[copy]}：{finding.message}" for copy, (_, finding) in taken_in.copies.items()]
    return taken_in


Read = tuple[Report | None, list[Finding], str | None, int | None]


def read_one(path: Path) -> Read:
    """One file loaded and checked, as ``aggregate`` does: (report, findings, the unit name
    and year it claims).  A failure nianbao did not foresee is that file's error, never
    the end of the whole overview."""
    from ..read.sources import load_checked

    try:
        loaded, findings = load_checked(path)
    except Exception as exc:  # noqa: BLE001 - one unit's file must not stop the county's page
        return None, [Finding(ERROR, "B", None, f"读取这个文件时出了意外的问题（{type(exc).__name__}），未能计入；请把文件发给维护者")], None, None
    return loaded.report, list(findings), loaded.name, loaded.year


def _read_all(paths: list[Path], jobs: int | None) -> dict[Path, Read]:
    """Every file read, by worker processes when there are many (the YAML parser is
    most of an overview's time)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < PARALLEL_FROM:
        return {path: read_one(path) for path in paths}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(16, len(paths) // (jobs * 4)))
        return dict(zip(paths, pool.map(read_one, paths, chunksize=chunk)))


def assemble(sources: Sequence[Source], previous: Sequence[Source] = (), expected: list[str] | None = None, *, said: list[str] | None = None) -> Overview:
    """The overview of reports already loaded (the web front calls this with its
    database's reports): rule B over them all, the rows in order, the figures of the
    units that count, and the comparison with ``previous`` (last year's, any order).
    (Repetition rates are a few milliseconds a pair: computed here, one after another;
    forked workers took longer than that, counting their start.)"""
    said = list(said or [])
    entries: list[county.Entry] = []
    for source in sources:
        report = source.report
        name = source.name or (report.unit.name if report is not None else None)  # type: ignore[attr-defined]
        year = source.year or (report.year if report is not None else None)
        entry = county.Entry(source.path or Path(source.shown), source.shown, name, year,
                             report.spec.id if report else None, county.fingerprint(report) if report else None)
        if report is None or has_errors(source.findings):
            entry.counted = False
        entries.append(entry)
    reviewed = intake.review(entries, expected)
    said += [f"{entry.shown}：{entry.findings[-1].message}" for entry in entries if entry.copy]
    lasts = _last_years(previous, said)
    rows: list[Row] = []
    pairs: list[tuple[Row, Source]] = []
    for entry, source in zip(entries, sources):
        if entry.copy:
            continue
        row, last = _row(entry, source, lasts, said)
        row.listed = entry.belongs or row.name
        rows.append(row)
        if last is not None:
            pairs.append((row, last))
    from ..check.repetition import repetition

    for row, last in pairs:
        row.rates = rates = repetition(row.report, last.report)  # type: ignore[arg-type]
        row.last = measure(last.report, last.findings)  # type: ignore[arg-type]
        row.figures["repetition"] = measure_of_rate(rates.overall)  # type: ignore[index]
    for name in reviewed.absent:
        rows.append(Row(name, None, ABSENT, [Finding(ERROR, "B", None, "名单上的这个单位没有交回报告" + (f"；{reviewed.pointers[name]}" if name in reviewed.pointers else ""))]))
    if expected is not None:
        rows = _in_list_order(rows, expected)
    charted = [row.report for row in rows if row.charted and row.report is not None]
    year = charted[0].year if charted else None
    has_fees = any(report.spec.fees for report in charted)
    spec = charted[0].spec if charted else next(iter(SPECS.values()))
    columns = figures(spec, fees=has_fees, repetition=bool(previous))
    return Overview(rows, said, columns, year, bool(previous))


def _row(entry: county.Entry, source: Source, lasts: dict[str, Source | str], said: list[str]) -> tuple[Row, Source | None]:
    """A file's row: charted when ``aggregate`` would count it; and last year's report of
    the same unit when there is one it can be compared with."""
    report = source.report
    findings = list(source.findings) + list(entry.findings)
    name = entry.name or source.shown
    if report is None or has_errors(source.findings):
        return Row(name, source.shown, FAILED, findings, report), None
    if not entry.counted:
        return Row(name, source.shown, LEFT_OUT, findings, report), None
    row = Row(name, source.shown, COUNTED, findings, report)
    row.figures = measure(report, source.findings)  # check's count, as the definition says; the county rules' notes are listed with the rest
    last = lasts.get(roster.key(name)) if lasts else None
    compared = None
    if isinstance(last, str):
        row.note = last
    elif last is not None and last.report is not None:
        if last.report.year != report.year - 1:
            row.note = f"上一年度的文件（{last.shown}）是{last.report.year}年度的报告，不是{report.year - 1}年度的，未作比较"
        else:
            compared = last
    elif lasts:
        row.note = "上一年度的文件中没有这个单位的报告，未作比较"
    if row.note:
        said.append(f"{name}：{row.note}")
    return row, compared


def _last_years(previous: Sequence[Source], said: list[str]) -> dict[str, Source | str]:
    """{unit name as the list compares it: last year's report, or why there is none to
    compare with} — a report with errors, or two reports of one unit, is not compared."""
    out: dict[str, Source | str] = {}
    for source in previous:
        name = source.name or (source.report.unit.name if source.report is not None else None)  # type: ignore[attr-defined]
        if not name:
            said.append(f"上一年度：{source.shown} 读不出机关名称，未用于比较")
            continue
        key = roster.key(name)
        if key in out:
            first = out[key]
            shown = first.shown if isinstance(first, Source) else ""
            out[key] = f"上一年度有两个文件都是“{name}”的报告（{shown + '、' if shown else ''}{source.shown}），不知道以哪一份为准，未作比较"
            continue
        if source.report is None or has_errors(source.findings):
            out[key] = f"上一年度的报告（{source.shown}）有错误，未作比较：请先运行 nianbao check 改正"
            continue
        out[key] = source
    return out


def _in_list_order(rows: list[Row], expected: list[str]) -> list[Row]:
    """The rows in the list's order (a unit's files together); files of units not on the
    list after them, as found."""
    place = {roster.key(name): i for i, name in enumerate(expected)}
    ahead = len(expected)
    return sorted(rows, key=lambda row: place.get(roster.key(row.listed or row.name), ahead))
