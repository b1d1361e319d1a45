"""All of a county's pairs at once (``nianbao compare 去年/ 今年/ -o 比对/``): each unit's
report of last year against this year's, one page per pair and an index.

The folders are taken in as ``aggregate`` takes them (:func:`nianbao.county.intake.gather`:
each distinct file once, a copy said, nianbao's own outputs skipped), every file is
loaded and checked, and the units are paired by name with the rule ``compare`` and
``overview`` share (:func:`nianbao.county.unitnames.pair_names`: the same name, or one
with a higher region's name before it, said).  A pair is compared as ``compare`` compares
one (:func:`nianbao.compare.pair.compare`); a unit that has no pair, two files, or a file
that cannot be read whole is a row that says so — never left out without a word.

The names are fixed, for ``overview --compare-pages``: the index is ``index.html`` and each
pair's page is :func:`pair_page_name` of this year's unit name, in the same folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..county import intake
from ..county.unitnames import core, note, pair_names, same_unit
from ..findings import ERROR, Rule
from ..system.output import safe_name

if TYPE_CHECKING:
    from ..findings import Finding
    from ..model.report import Report
    from .pair import Comparison

INDEX = "index.html"


def pair_page_name(unit_name: str) -> str:
    """The file name of a unit's pair page in the output folder: the unit's name (this
    year's, as its report prints it) made safe by :func:`nianbao.system.output.safe_name`,
    and ``.html``.  ``overview --compare-pages`` links to it by the same function."""
    return safe_name(unit_name) + ".html"


@dataclass
class Read:
    """One file as taken in: the name a reviewer knows it by, the report (None when it
    cannot be built), check's findings, the unit and year it claims."""

    path: Path
    shown: str
    report: Report | None
    findings: list[Finding]
    name: str | None
    year: int | None

    @property
    def whole(self) -> bool:
        """Read whole: a report, and no cell or part an import could not read (rules I, S)."""
        return self.report is not None and not any(f.level == ERROR and f.rule in (Rule.I, Rule.S) for f in self.findings)


@dataclass
class PairRow:
    """One unit of the index: its pair's comparison and page, or why there is none."""

    unit: str
    last: Read | None
    this: Read | None
    comparison: Comparison | None = None
    page: str | None = None
    problem: str = ""  # why the pair was not compared (or the unit has no pair)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """An error in either report (or the pair could not be compared): exit status 1."""
        return self.comparison.failed if self.comparison is not None else True

    @property
    def errors(self) -> int:
        return sum(f.level == ERROR for side in (self.last, self.this) if side is not None for f in side.findings)


@dataclass
class Folders:
    """Every unit's row, in this year's order (the unit list's, when given), and what was
    said of the folders (skipped outputs, copies, a unit list's names found nowhere)."""

    rows: list[PairRow]
    said: list[str]
    last_root: Path
    this_root: Path
    aside: list[str] = field(default_factory=list)  # files of another year or format than their folder's, each said: not compared

    @property
    def aside_said(self) -> str:
        """``另有2个文件不是所比的年度（或格式），未比对`` — or nothing."""
        return f"另有{len(self.aside)}个文件不是所比的年度（或格式），未比对" if self.aside else ""

    @property
    def compared(self) -> list[PairRow]:
        return [row for row in self.rows if row.comparison is not None]

    @property
    def unpaired(self) -> list[PairRow]:
        return [row for row in self.rows if row.comparison is None]

    @property
    def failed(self) -> bool:
        return bool(self.aside) or any(row.failed for row in self.rows)


def _take_in(root: Path, outside: Path | None, said: list[str], label: str) -> list[tuple[Path, str]]:
    """(file, the name it is shown by) of every report under ``root``, as aggregate takes them."""
    notes: list[str] = []
    taken = intake.gather([root], outside=outside, notes=notes)
    said += [f"{label}：{note}" for note in notes]
    said += [f"{label}：{taken.names[copy]}：{finding.message}" for copy, (_, finding) in taken.copies.items()]
    return [(path, taken.names[path]) for path in taken.unique]


def gather(last_root: Path, this_root: Path, expected: list[str] | None = None, *, outside: Path | None = None,
           jobs: int | None = None, on_pair: Callable[[PairRow], None] | None = None) -> Folders:
    """The pairs of the reports under ``last_root`` and ``this_root``, compared; ``expected``:
    the unit list, whose order the rows take (its names found in neither folder said);
    ``on_pair``: called with each row as it is done (to write its page and let it go)."""
    said: list[str] = []
    taken = {"last": _take_in(last_root, outside, said, "上一年度"), "this": _take_in(this_root, outside, said, "本年度")}
    every = [path for files in taken.values() for path, _ in files]
    loaded = dict(zip(every, intake.read(every, jobs, Rule.I, "比对")))
    units: dict[str, dict[str, list[Read]]] = {"last": {}, "this": {}}
    aside: list[str] = []
    for side, files in taken.items():
        reads = []
        for path, shown in files:
            report, findings, name, year = loaded[path]
            name = name or (report.unit_name if report is not None else None)
            reads.append(Read(path, shown, report, findings, name, year or (report.year if report is not None else None)))
        for read in _one_year(reads, "上一年度" if side == "last" else "本年度", said, aside):
            name = read.name
            if not name:
                said.append(f"{'上一年度' if side == 'last' else '本年度'}：{shown} 读不出机关名称，未比对")
                continue
            units[side].setdefault(core(name), []).append(read)  # 青山镇 人民政府 and 青山镇人民政府 are one unit's two files
    this_names = [str(reads[0].name) for reads in units["this"].values()]
    last_names = [str(reads[0].name) for reads in units["last"].values()]
    if expected is not None:
        this_names, last_names, listed_said = _on_list(expected, this_names, last_names)
        said += listed_said
    pairing = pair_names(this_names, last_names)
    rows: list[PairRow] = []
    for this_name, last_name, sameness in pairing.pairs:
        row = _pair(this_name, units["this"][core(this_name)], units["last"][core(last_name)])
        if not sameness.exact:
            row.notes.append(note(last_name, this_name, sameness))
        rows.append(row)
        if on_pair is not None:
            on_pair(row)
    for name in pairing.this_only:
        reads = units["this"][core(name)]
        rows.append(PairRow(name, None, reads[0], problem=pairing.why.get(name, "上一年度的文件夹中没有这个单位的报告") + _more(reads, "本年度")))
    for name in pairing.last_only:
        reads = units["last"][core(name)]
        rows.append(PairRow(name, reads[0], None, problem=pairing.why.get(name, "本年度的文件夹中没有这个单位的报告") + _more(reads, "上一年度")))
    if expected is not None:
        rows = _in_list_order(rows, expected)
    return Folders(rows, said, last_root, this_root, aside)


def _one_year(reads: list[Read], label: str, said: list[str], aside: list[str]) -> list[Read]:
    """The files of a folder of the one year and format most of them have, by the rule the
    county commands count by (:func:`nianbao.county.rules.one_year`); each other file said
    and set aside — a 2020 report left in this year's folder is not this unit's second
    report of the year, nor compared with last year's."""
    from ..county import rules as county

    entries = [county.Entry(r.path, r.shown, r.name, r.year, r.report.spec.id if r.report is not None else None) for r in reads]
    run = county.one_year(entries)
    if run.set_aside:
        said.append(f"{label}：{run.line()}")
    kept = []
    for read, entry in zip(reads, entries):
        if entry.other_year:
            why = next(f.message for f in entry.findings if f.rule == Rule.B)
            aside.append(f"{label}：{read.shown}（{read.name or '读不出机关名称'}）：{why}")
        else:
            kept.append(read)
    return kept


def _more(reads: list[Read], year: str) -> str:
    """The files of one unit beyond the first, said."""
    return f"；{year}有{len(reads)}个文件都是这个单位的报告（{'、'.join(r.shown for r in reads)}）" if len(reads) > 1 else ""


def _pair(name: str, these: list[Read], those: list[Read]) -> PairRow:
    """A unit's pair compared, or why not: two files of one year, a file not read whole,
    years that are not in order."""
    from .pair import Side, compare

    this, last = these[0], those[0]
    row = PairRow(name, last, this)
    for reads, year in ((these, "本年度"), (those, "上一年度")):
        if len(reads) > 1:
            row.problem = f"{year}有{len(reads)}个文件都是这个单位的报告（{'、'.join(r.shown for r in reads)}），不知道以哪一份为准，未比对"
            return row
    for read, year in ((this, "本年度"), (last, "上一年度")):
        if not read.whole:
            row.problem = f"{year}的报告（{read.shown}）无法完整读取，未比对：请先运行 nianbao check 或 nianbao import 核对"
            return row
    assert this.report is not None and last.report is not None
    if this.report.year <= last.report.year:
        row.problem = f"本年度的报告是{this.report.year}年度的，上一年度的是{last.report.year}年度的：不是先后两年，未比对"
        return row
    row.comparison = compare(Side(last.path, last.report, last.findings), Side(this.path, this.report, this.findings))
    row.page = pair_page_name(row.comparison.unit)
    return row


def _on_list(expected: list[str], this_names: list[str], last_names: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The names of each year that stand for a unit of the list (the same unit by the
    shared rule), and what is said of the others: names not on the list are not compared."""
    said: list[str] = []

    def listed(names: list[str], label: str) -> list[str]:
        kept = [n for n in names if any(same_unit(n, e) for e in expected)]
        others = [n for n in names if n not in kept]
        if others:
            said.append(f"{label}有{len(others)}个单位不在名单中，未比对：{'、'.join(others)}")
        return kept

    return listed(this_names, "本年度"), listed(last_names, "上一年度"), said


def _in_list_order(rows: list[PairRow], expected: list[str]) -> list[PairRow]:
    """The rows in the list's order; a listed unit found in neither folder, a row of its own."""

    def where(name: str) -> int:
        return next((i for i, listed in enumerate(expected) if same_unit(name, listed)), len(expected))

    found = {where(row.unit) for row in rows}
    missing = [PairRow(name, None, None, problem="名单上的这个单位在两个文件夹中都没有报告") for i, name in enumerate(expected) if i not in found]
    return sorted([*rows, *missing], key=lambda row: where(row.unit))


def counts(rows: Sequence[PairRow]) -> dict[str, int]:
    """How many units were compared, had no pair, and failed (for the command's last line)."""
    return {
        "compared": sum(row.comparison is not None for row in rows),
        "unpaired": sum(row.comparison is None for row in rows),
        "failed": sum(row.comparison is not None and row.failed for row in rows),
    }
