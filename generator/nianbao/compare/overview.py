"""A county's units side by side (``nianbao overview``): who sent what, and each unit's
key figures — the same units counted, left out and missing as ``aggregate`` says.

The files are taken in the way ``aggregate`` and ``batch`` take them
(:func:`nianbao.county.intake.gather`: each distinct file once, copies said), each is
checked, and the county rules (B) run over all of them (:func:`nianbao.county.intake.review`):
one year and format is counted (``--year``, else the year most files have), every other
file is a row 不是本年度.  A unit is *counted* (in the 合计 and the county's medians)
exactly when ``aggregate`` would add it up: its report has no error and no other file
claims it.  Every report of the year shows its figures as printed, a unit with errors
marked; a file that could not be read is a row with its findings; a unit on the list that
sent nothing is a row that says so — never left out without a word.

Earlier years' reports (``--previous``, any number of folders or files) are grouped by
their year: last year's are matched to this year's units by name — as the unit list
compares names, or differing only by a higher region's prefix
(:func:`nianbao.county.unitnames.same_unit`: a renamed unit is followed) — for the changes,
the cross-year rules X1–X5 and the text rate; every earlier year gives each unit's trend.
A unit with no usable report last year has no comparison, and the notes say why.
Copying between units of the same year (:mod:`.copying`) needs no earlier year.

:func:`assemble` does the work on reports already loaded, so that the web front's county
page builds the same overview from its database without files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..county import intake, roster, unitnames
from ..county import rules as county
from ..county.filenames import GBK_NOTE
from ..county.statuses import Standing
from ..findings import ERROR, Finding, Rule, has_errors
from ..model.report import Report
from ..model.standard import SPECS
from .figures import Figure, Measure, figures, measure, measure_of_rate

if TYPE_CHECKING:
    from ..check.repetition import Rates
    from .copying import Nearest

COUNTED, FAILED, UNFILLED, LEFT_OUT, ABSENT, OTHER_YEAR = Standing  # a row's status: counted, or why not
TREND_KEYS = ("received", "appeals")  # a unit's trend: its new applications, its 复议 and 诉讼
T = TypeVar("T")


@dataclass
class Row:
    """One unit (or one file that claims to be one): what the reviewer reads in its row.
    ``figures`` only for a charted unit; ``last`` and ``rates`` only where last year's
    report of the same unit could be compared."""

    name: str
    shown: str | None
    status: Standing
    findings: list[Finding] = field(default_factory=list)
    report: Report | None = None
    figures: dict[str, Measure] | None = None  # as printed, for every report of the year (a unit with errors too)
    last: dict[str, Measure] | None = None
    rates: Rates | None = None
    note: str = ""  # why there is no comparison with last year, when there is none
    listed: str | None = None  # the unit it stands under in the list's order (its folder's unit, for a file filled from a neighbour's)
    cross: list[Finding] = field(default_factory=list)  # X1–X5 against last year's report of the unit
    peer: Nearest | None = None  # the other unit of the year whose text this one copies most
    peer_name: str = ""
    trend: dict[int, dict[str, int]] = field(default_factory=dict)  # {year: {TREND_KEYS: figure}}, the years given
    last_name: str = ""  # last year's unit name, where it differs (a renamed unit)
    link: str | None = None  # its two years' comparison page (--compare-pages), when there is one
    unnamed: bool = False  # a file of which no unit name could be read (empty, damaged, not a report): a file, not a unit

    @property
    def unit(self) -> bool:
        """A unit of the year counted (or of the list): not a file of another year, nor one
        of which no unit could be read — what "N个单位" counts."""
        return self.status != OTHER_YEAR and not self.unnamed

    @property
    def charted(self) -> bool:
        """Counted: its figures go into the 合计 and the county's medians, as aggregate adds it up."""
        return self.figures is not None and self.status == COUNTED

    @property
    def figured(self) -> bool:
        """Its figures are shown (as printed): a counted unit, or one marked for its errors."""
        return self.figures is not None

    def measure(self, key: str) -> Measure:
        """One of its figures: asked only of a figured (or charted) row."""
        assert self.figures is not None
        return self.figures[key]


@dataclass
class Overview:
    """Every row in order (the list's, else the files'), what to tell the reviewer besides
    (``said``), and the figures' definitions (``columns``)."""

    rows: list[Row]
    said: list[str]
    columns: list[Figure]
    year: int | None
    previous: bool
    run: county.Run = field(default_factory=lambda: county.Run(None))  # the year counted, how it was chosen, what was set aside
    years: list[int] = field(default_factory=list)  # the earlier years given (--previous), oldest first
    last_medians: dict[str, float] = field(default_factory=dict)  # last year's county medians, by figure key
    last_median_units: dict[str, int] = field(default_factory=dict)  # how many of last year's reports each is the median of
    index: str | None = None  # the comparison pages' index (--compare-pages), when there is one

    @property
    def charted(self) -> list[Row]:
        """The counted units: the 合计 and the county's medians are theirs."""
        return [row for row in self.rows if row.charted]

    @property
    def figured(self) -> list[Row]:
        """Every unit whose figures are shown: counted ones and those marked for errors."""
        return [row for row in self.rows if row.figured]

    @property
    def set_aside(self) -> int:
        """Files not of the year counted (不是本年度)."""
        return sum(row.status == OTHER_YEAR for row in self.rows)

    @property
    def units(self) -> list[Row]:
        """The rows that are units (:attr:`Row.unit`)."""
        return [row for row in self.rows if row.unit]

    @property
    def unreadable(self) -> int:
        """Files of which no unit could be read: listed, not counted as units."""
        return sum(row.unnamed and row.status != OTHER_YEAR for row in self.rows)

    def tally(self) -> str:
        """``30个单位：已计入27个，有错误2个，未交回1个；另有2个文件不是本年度，1个文件读不出机关名称``
        — units and files told apart, as the command's last line and the page say it."""
        counts = {status: sum(row.status == status for row in self.units) for status in (COUNTED, FAILED, UNFILLED, LEFT_OUT, ABSENT)}
        said = f"{len(self.units)}个单位：" + "，".join(f"{status}{n}个" for status, n in counts.items() if n) if self.units else "没有单位的报告"
        files = [f"{self.set_aside}个文件{OTHER_YEAR}" if self.set_aside else "", f"{self.unreadable}个文件读不出机关名称（不是报告或已损坏）" if self.unreadable else ""]
        files = [f for f in files if f]
        return said + (f"；另有{'，'.join(files)}" if files else "")

    @property
    def complete(self) -> bool:
        """Every unit read and counted: what exit status 0 means."""
        return all(row.status == COUNTED for row in self.rows)

    def column(self, key: str) -> Figure:
        return next(c for c in self.columns if c.key == key)

    def total(self, key: str) -> int:
        """The sum of a count over the charted units: what ``aggregate`` adds up."""
        return sum(int(row.figures[key].value or 0) for row in self.charted if row.figures)


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


PARALLEL_FROM = intake.PARALLEL_FROM  # files: fewer are read in this process (:func:`nianbao.county.intake.read`)


def gather(inputs: Sequence[Path], previous: Sequence[Path], expected: list[str] | None, *, outside: Path | None, jobs: int | None = None,
           year: int | None = None) -> Overview:
    """The overview of the files under ``inputs`` against earlier years' under ``previous``,
    in the order of the unit list ``expected`` when there is one.  ``outside``: where the
    output goes, never read as input; ``jobs``: processes reading the files (default:
    the CPU count, for a county's hundreds of files); ``year``: the year counted (default:
    the year most files have)."""
    said: list[str] = []
    this_year = _intake(inputs, outside, said)
    notes: list[str] = []
    earlier = _intake(previous, outside, notes) if previous else None
    said += [f"往年的文件：{note}" for note in notes]
    paths = this_year.unique + (earlier.unique if earlier else [])
    read = dict(zip(paths, intake.read(paths, jobs)))  # this year's and earlier years' files by the same workers, each once
    sources = [Source(this_year.names[p], *read[p], path=p) for p in this_year.unique]
    last = [Source(earlier.names[p], *read[p], path=p) for p in earlier.unique] if earlier else []
    return assemble(sources, last, expected, said=said, year=year, jobs=jobs or os.cpu_count() or 1)


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


def assemble(sources: Sequence[Source], previous: Sequence[Source] = (), expected: list[str] | None = None, *, said: list[str] | None = None,
             year: int | None = None, jobs: int = 1) -> Overview:
    """The overview of reports already loaded (the web front calls this with its
    database's reports): rule B over them all (``year``: the year counted, else the year
    most have), the rows in order, every unit's figures, copying between the units, and
    the comparison with ``previous`` (earlier years' reports, any order: last year's for
    the changes, X1–X5 and the rates, all of them for the trends).  ``jobs`` > 1 (the
    command line; a threaded server passes 1): a county of :data:`PARALLEL_FROM` units or
    more has its units' rates, X1–X5 and copying worked out by that many forked workers,
    which inherit the reports (:mod:`nianbao.system.forked`) — a few milliseconds a unit,
    too little for a worker's start below that."""
    jobs = jobs if len(sources) >= PARALLEL_FROM else 1
    said = list(said or [])
    # judged as batch judges a report (rule P too): an untouched init file is not a unit's zeros
    sources = [replace(source, findings=intake.judged(source.report, source.findings)) for source in sources]
    entries = [_entry(source) for source in sources]
    reviewed = intake.review(entries, expected, year)
    run = reviewed.run
    said += [f"{entry.shown}：{entry.findings[-1].message}" for entry in entries if entry.copy]
    earlier = _by_year(previous, run.year, said)
    last_year = (run.year - 1) if run.year else None
    lasts = _last_years(earlier.get(last_year, []), said) if last_year else Names()
    if previous and last_year is not None and not earlier.get(last_year):
        said.append(f"给出的往年报告中没有{last_year}年度的，未与上年比较" + ("（只画历年趋势）" if earlier else ""))
    rows: list[Row] = []
    pairs: list[tuple[Row, Source]] = []
    for entry, source in zip(entries, sources):
        if entry.copy:
            continue
        row, last = _row(entry, source, lasts, said, bool(previous))
        row.listed = entry.belongs or row.name
        rows.append(row)
        if last is not None:
            pairs.append((row, last))
    before = {id(source): measure(source.report, source.findings) for source in (earlier.get(last_year, []) if last_year else [])
              if source.report is not None and not has_errors(source.findings)}  # last year's figures, measured once: the changes and the medians
    _against_last_year(pairs, before, jobs)
    _copying(rows, jobs)
    _trends(rows, earlier, run.year)
    for name in reviewed.absent:
        rows.append(Row(name, None, ABSENT, [Finding(ERROR, Rule.B, None, "名单上的这个单位没有交回报告" + (f"；{reviewed.pointers[name]}" if name in reviewed.pointers else ""))]))
    if expected is not None:
        rows = _in_list_order(rows, expected)
    rows.sort(key=lambda row: row.status == OTHER_YEAR)  # files of another year after the year's units
    shown = [row.report for row in rows if row.figured and row.report is not None]
    has_fees = any(report.spec.fees for report in shown)
    spec = next((r.spec for r in shown if r.spec.id == run.format), shown[0].spec if shown else next(iter(SPECS.values())))
    columns = figures(spec, fees=has_fees, repetition=bool(previous), peer=len(shown) > 1)
    medians, of = _medians(list(before.values()), columns)
    return Overview(rows, said, columns, run.year, bool(previous), run, sorted(earlier), medians, of)


def _entry(source: Source) -> county.Entry:
    """A source as the county rules see it: counted unless it has no report or has errors."""
    report = source.report
    name = source.name or (report.unit_name if report is not None else None)
    year_of = source.year or (report.year if report is not None else None)
    entry = county.Entry(source.path or Path(source.shown), source.shown, name, year_of,
                         report.spec.id if report else None, county.fingerprint(report) if report else None)
    if report is None or has_errors(source.findings):
        entry.counted = False
    return entry


def _against_last_year(pairs: list[tuple[Row, Source]], before: dict[int, dict[str, Measure]], jobs: int = 1) -> None:
    """Each row paired with last year's report of its unit: the repetition rates, last year's
    figures (``before``, by the source's id) and the cross-year findings check had not said;
    the rates and X1–X5 by ``jobs`` forked workers (:func:`nianbao.system.forked.shared`)."""
    from ..check.crossyear import check_previous
    from ..check.repetition import repetition
    from ..system import forked

    def compared(part: range) -> list[tuple[Rates, list[Finding]]]:
        out = []
        for row, last in (pairs[i] for i in part):
            assert row.report is not None and last.report is not None  # a pair is of two reports read
            out.append((repetition(row.report, last.report), check_previous(row.report, last.report)))
        return out

    done = [one for part in forked.shared(compared, forked.split(len(pairs), jobs), jobs) for one in part]
    for (row, last), (rates, cross) in zip(pairs, done):
        assert row.figures is not None
        row.rates = rates
        row.last = before[id(last)]
        row.figures["repetition"] = measure_of_rate(rates.text)
        said_by_check = set(row.findings)  # X4's opening years are check's own now: said once
        row.cross = [f for f in cross if f not in said_by_check]


def _row(entry: county.Entry, source: Source, lasts: Names[Source | str], said: list[str], previous: bool) -> tuple[Row, Source | None]:
    """A file's row: its figures as printed when it is a report of the year (counted when
    ``aggregate`` would count it, else marked); and last year's report of the same unit
    when there is one it can be compared with."""
    report = source.report
    findings = list(source.findings) + list(entry.findings)
    name = entry.name or source.shown
    if entry.other_year:
        return Row(name, source.shown, OTHER_YEAR, findings, report), None
    if report is None:
        return Row(name, source.shown, FAILED, findings, report, unnamed=not entry.name), None
    if intake.unfilled(source.findings):  # a template's zeros are no unit's figures: listed, neither shown nor charted
        return Row(name, source.shown, UNFILLED, findings, report), None
    status = FAILED if has_errors(source.findings) else LEFT_OUT if not entry.counted else COUNTED
    row = Row(name, source.shown, status, findings, report)
    row.figures = measure(report, source.findings)  # check's count, as the definition says; the county rules' notes are listed with the rest
    if not previous:
        return row, None
    found = lasts.find(name)
    compared = None
    if found is None:
        row.note = "上一年度的文件中没有这个单位的报告，未作比较" if lasts else "没有上一年度的报告，未作比较"
    elif isinstance(found[1], str):
        row.note = found[1]
    else:
        compared = found[1]
        last_name = compared.name
        if not last_name:
            assert compared.report is not None  # a source without a name is found by its report's
            last_name = compared.report.unit_name
        if roster.key(last_name) != roster.key(name):
            row.last_name = last_name
            said.append(f"{name}：上一年度的报告机关名称为“{last_name}”，只差上级地名或“人民政府”等字样，视为同一单位比较")
    if row.note and lasts:
        said.append(f"{name}：{row.note}")
    return row, compared


class Names(dict[str, T]):
    """{unit name as the list compares it (:func:`nianbao.county.roster.key`): a value}, in
    which :meth:`find` looks a unit up by its key, else by the one name that is the same
    unit (:func:`nianbao.county.unitnames.same_unit`: 淮安市洪泽区人民政府 for 洪泽区人民政府)."""

    _index: unitnames.SameUnits | None = None

    def find(self, name: str) -> tuple[str, T] | None:
        key = roster.key(name)
        if key in self:
            return key, self[key]
        if self._index is None:
            self._index = unitnames.SameUnits(self)
        found = self._index.find(name)
        return (found[0], self[found[0]]) if len(found) == 1 else None


def _by_year(previous: Sequence[Source], year: int | None, said: list[str]) -> dict[int, list[Source]]:
    """Earlier years' reports grouped by their year; a file of no readable year, or of the
    year counted or later, is said and not used."""
    out: dict[int, list[Source]] = {}
    for source in previous:
        of = source.year or (source.report.year if source.report is not None else None)
        if of is None:
            said.append(f"往年的文件：{source.shown} 读不出年度，未使用")
        elif year is not None and of >= year:
            said.append(f"往年的文件：{source.shown} 是{of}年度的报告，不早于本年度（{year}年度），未使用")
        else:
            out.setdefault(of, []).append(source)
    return out


def _last_years(previous: Sequence[Source], said: list[str]) -> Names[Source | str]:
    """{unit name as the list compares it: last year's report, or why there is none to
    compare with} — a report with errors, or two reports of one unit, is not compared."""
    out: Names[Source | str] = Names()
    for source in previous:
        name = source.name or (source.report.unit_name if source.report is not None else None)
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


def _copying(rows: list[Row], jobs: int = 1) -> None:
    """Each shown unit's nearest other unit of the year (:mod:`.copying`, by ``jobs`` forked
    workers), files of one unit never each other's."""
    from .copying import nearest

    shown = [row for row in rows if row.figured]
    if len(shown) < 2:
        return
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(shown):
        groups.setdefault(roster.key(row.name), []).append(i)
    found = nearest([row.report for row in shown], [g for g in groups.values() if len(g) > 1], jobs)
    for row, near in zip(shown, found):
        row.peer = near
        row.peer_name = shown[near.other].name if near is not None else ""
        assert row.figures is not None  # shown: figured
        row.figures["peer"] = measure_of_rate(near.rate if near is not None else None)


def trend_figures(report: Report) -> dict[str, int]:
    """A unit's trend figures of one year: new applications (the figure 新收申请), and 复议 and
    诉讼 together (the figures 行政复议 + 行政诉讼: every 总计 of table 四)."""
    from .figures import line_total

    spec = report.spec
    return {"received": line_total(report, spec.table3.row("new")), "appeals": sum(report.appeal(group)[-1] for group in spec.table4.groups)}


def _trends(rows: list[Row], earlier: dict[int, list[Source]], year: int | None) -> None:
    """Each shown unit's trend figures over the earlier years given and this one, matched by
    name as last year's are (a renamed unit followed)."""
    if not earlier or year is None:
        return
    by_year: dict[int, Names[Report]] = {}
    for of, sources in earlier.items():
        table: Names[Report] = Names()
        for source in sources:
            name = source.name or (source.report.unit_name if source.report is not None else None)
            if name and source.report is not None:
                table.setdefault(roster.key(name), source.report)
        by_year[of] = table
    for row in rows:
        if not row.figured or row.report is None:
            continue
        for of in sorted(by_year):
            found = by_year[of].find(row.name)
            if found is not None:
                row.trend[of] = trend_figures(found[1])
        figures = row.figures or {}
        row.trend[year] = {"received": int(figures["received"].value or 0), "appeals": int(figures["reviews"].value or 0) + int(figures["lawsuits"].value or 0)}  # counts


def _medians(measured: Sequence[dict[str, Measure]], columns: list[Figure]) -> tuple[dict[str, float], dict[str, int]]:
    """Last year's county median of each figure, over last year's reports without errors
    (``measured``), and how many reports had the figure (a share needs a denominator)."""
    from statistics import median

    out: dict[str, float] = {}
    units: dict[str, int] = {}
    for column in columns:
        values = [number for got in measured if column.key in got and (number := got[column.key].number) is not None]
        if values:
            out[column.key], units[column.key] = median(values), len(values)
    return out, units


def _in_list_order(rows: list[Row], expected: list[str]) -> list[Row]:
    """The rows in the list's order (a unit's files together); files of units not on the
    list after them, as found."""
    place = {roster.key(name): i for i, name in enumerate(expected)}
    ahead = len(expected)
    return sorted(rows, key=lambda row: place.get(roster.key(row.listed or row.name), ahead))


def copying_notes(row: Row, *, last_year: bool = True) -> list[str]:
    """What the findings list says of a unit's copying: the text rate against last year
    from X5's threshold (unless ``last_year`` is False), against another unit of the year
    from 50% (:mod:`.copying`)."""
    from .figures import COPIED, FLAG, PEER_FLAGGED, flagged, percent

    said = []
    rate = row.figures.get("repetition") if row.figures is not None else None
    if last_year and rate is not None and rate.value is not None and flagged("repetition", rate):
        said.append(f"[内容雷同] 与本单位上一年度报告的文字重复率为{percent(rate.value)}（{FLAG}达到{COPIED:.0%}）")
    if row.peer is not None and row.peer.flagged:
        said.append(f"[内容雷同] 与本年度“{row.peer_name}”的报告文字重复率为{percent(row.peer.rate)}（{FLAG}达到{PEER_FLAGGED:.0%}）：请核对是否照抄了其他单位的报告")
    return said


def link_pages(overview: Overview, folder: Path, page: Path) -> list[str]:
    """Each shown unit linked to its two years' page in ``folder`` (``nianbao compare``'s
    folder of pairs: ``index.html`` and a page per unit named by
    :func:`nianbao.system.output.safe_name` of its name), as links relative to ``page``;
    what to tell the reviewer (no such folder, no index, units without a page)."""
    from urllib.parse import quote

    from ..system.output import safe_name

    if not folder.is_dir():
        return [f"--compare-pages {folder}：找不到这个文件夹，各单位未链接对比页（请先运行 nianbao compare 上年文件夹 本年文件夹 -o {folder}）"]

    def href(target: Path) -> str:
        try:
            return quote(Path(os.path.relpath(target, page.parent)).as_posix())
        except ValueError:  # on Windows, another drive than the page's: no relative way there
            return target.resolve().as_uri()

    said = []
    if (folder / "index.html").is_file():
        overview.index = href(folder / "index.html")
    else:
        said.append(f"--compare-pages {folder}：文件夹中没有 index.html，不像 nianbao compare 写出的对比页文件夹")
    missing = []
    for row in overview.figured:
        for name in (row.name, row.last_name):
            target = folder / f"{safe_name(name)}.html" if name else None
            if target is not None and target.is_file():
                row.link = href(target)
                break
        else:
            missing.append(row.name)
    if missing and overview.previous:
        said.append(f"--compare-pages：{len(missing)}个单位没有对比页（{'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''}）")
    return said
