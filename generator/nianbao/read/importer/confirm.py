"""The figures of a scan, confirmed by the tables' own arithmetic before any is taken.

An OCR engine misreads a digit now and then (8 for 3, 7 for 1, 6 for 0), and a wrong
figure is the one outcome this tool must not give.  The tables check themselves: table
三's rows add up to their 总计, its result rows to （七）总计 column by column, 一 + 二 =
（七）总计 + 四 in every column; each group of table 四 adds up to its 总计.  So a figure
read from a picture is taken only where

* the engine read it with high confidence (:data:`~.scan.SCORE`), and
* at least one sum through it could be worked out and holds, and none through it fails.

Where a sum fails, the cells that could explain the failure are left empty with an ``I``
error that names each and the sums that failed: the smallest sets of cells that touch
every failed sum (one digit misread in a row breaks its row and its column, and only that
cell is in both); when no small set explains the failures, every cell of the failed sums.
A published arithmetic defect and a misread look the same — a person decides, looking at
the picture (:mod:`.proof`).  Table 二 has no sum within one report: its figures are never
confirmed, so they are left for the clerk too.  Nothing is filled in by position or by
working a missing figure out from a total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from math import comb
from typing import Any

from ...findings import ERROR, Finding, Rule
from ...model.places import COLUMN_MARK, KeyPath, place
from ...model.standard import Spec
from .scan import SCORE, ScanCell
from .tables import Found

CONFIRMED, EMPTY = "confirmed", "empty"
# the order of the proof page: what failed a sum first, then what could not be read
# with confidence, then what no sum could confirm, then the figures confirmed
FAILED, DOUBTFUL, UNREAD, UNCHECKED, OK = range(5)


@dataclass
class Figure:
    """A figure cell of a scan: what was read, what was kept, and why."""

    keys: KeyPath
    path: str  # the official place: 表三.一、本年新收政府信息公开申请数量.自然人 (a finding's path, for --json)
    text: str  # as read
    value: Any  # as read (None: not a number)
    score: float
    page: str
    picture: bytes
    status: str = CONFIRMED
    rank: int = OK
    why: str = ""
    label: str = ""  # as every message names it (places.label): 表三 一、本年新收 · 自然人


@dataclass
class _Sum:
    """``sum(plus) == sum(minus)`` over cells (row keys + column)."""

    name: str
    plus: list[KeyPath]
    minus: list[KeyPath]
    held: bool | None = None  # None: a member could not be read
    shown: str = ""

    @property
    def members(self) -> list[KeyPath]:
        return self.plus + self.minus


@dataclass
class Confirmed:
    figures: list[Figure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    marked: set[str] = field(default_factory=set)  # rows with a cell that holds marks no text was read from: not "printed blank"

    def keeps(self, finding: Finding) -> bool:
        """Whether a finding of the table readers still holds: a cell the reader took for printed
        blank (0) is not blank when something is written in it that could not be read."""
        return not (finding.level != ERROR and finding.path in self.marked and "为空白" in finding.message)


def scanned(found: Found) -> bool:
    """Whether any figure of ``found`` was read from a picture."""
    return any(isinstance(cell, ScanCell) for cell, _ in found.cells.values())


def confirm(spec: Spec, found: Found) -> Confirmed:
    """Every figure read from a picture confirmed or left empty (``found`` is changed: the
    cells not confirmed become None in their rows, which are marked unreadable, with a
    note), the figures for the proof page, and the findings."""
    figures = {
        keys: Figure(keys, place(spec.id, keys).path, cell.text, value, cell.score, cell.page, cell.picture, label=place(spec.id, keys).label)
        for keys, (cell, value) in found.cells.items()
        if isinstance(cell, ScanCell)
    }
    sums = _sums(spec, found)
    for s in sums:
        _evaluate(s, found)
    failed = [s for s in sums if s.held is False]
    suspects = _explaining([set(s.members) & figures.keys() for s in failed])
    for keys, figure in figures.items():
        cell = found.cells[keys][0]
        through = [s for s in sums if keys in s.members]
        if figure.value is None:
            figure.status, figure.rank, figure.why = EMPTY, UNREAD, "不是一个能确定的数"
        elif keys in suspects:
            names = "；".join(s.name + s.shown for s in through if s.held is False)
            figure.status, figure.rank = EMPTY, FAILED
            figure.why = f"与{names}不符（识别错误或原文本身不相符，需人工判断）"
        elif getattr(cell, "loose", False):
            figure.status, figure.rank, figure.why = EMPTY, DOUBTFUL, "原图中这一行没有可识别的表格框线，识别的数字无法与格子逐一对应确认"
        elif getattr(cell, "marks", False):
            figure.status, figure.rank, figure.why = EMPTY, DOUBTFUL, "格中有字迹但未能识别"
        elif figure.score < SCORE:
            figure.status, figure.rank, figure.why = EMPTY, DOUBTFUL, f"识别把握不足（{figure.score:.0%}）"
        elif not any(s.held for s in through):
            figure.status, figure.rank = EMPTY, UNCHECKED
            if not through:
                figure.why = f"{spec.table_names[0]}没有合计可以核对识别的数字" if keys[0] == "proactive" else "没有合计可以核对识别的数字"
            else:
                figure.why = "它所在的合计因其他格无法读取而无法核对"
        else:
            figure.why = "、".join(s.name for s in through if s.held)
    result = Confirmed(sorted(figures.values(), key=lambda f: (f.rank, _order(spec, f.keys))))
    result.marked = {place(spec.id, k[:-1]).path for k, (cell, _) in found.cells.items() if getattr(cell, "marks", False)}
    _apply(spec, found, [f for f in result.figures if f.status == EMPTY], result.findings)
    return result


def _order(spec: Spec, keys: KeyPath) -> tuple:
    """Figures in the order of the report: table, row, column."""
    rows: list[tuple[str, ...]] = [("proactive", item.key) for g in spec.table2 for item in g.items]
    rows += [("applications", *spec.table3.keypath(line)) for line, _ in spec.table3.walk() if line.key and not line.is_group]
    rows += [("appeals", g.key) for g in spec.table4.groups]
    row = keys[:-1]
    return (rows.index(row) if row in rows else len(rows), keys[-1])


# -- the sums -------------------------------------------------------------------------------------------
def _sums(spec: Spec, found: Found) -> list[_Sum]:
    t3, t4 = spec.table3, spec.table4
    name3 = spec.table_names[1]
    width = len(t3.columns)
    labels = [c.label for c in t3.all_columns]

    def row(key: str) -> KeyPath:
        return ("applications", *t3.keypath(t3.row(key)))

    leaves = [("applications", *t3.keypath(leaf)) for leaf in t3.leaves()]
    ordered = [row("new"), row("carried_over"), *leaves, row("total"), row("carried_forward")]
    sums: list[_Sum] = []
    for keys in ordered:
        if keys + (width,) in found.cells:  # the row's 总计 is printed
            label = place(spec.id, keys).label
            sums.append(_Sum(f"“{label}”一行（各列之和应等于总计）", [keys + (c,) for c in range(width)], [keys + (width,)]))
    for c in range(width + 1):
        sums.append(_Sum(f"{name3}“{labels[c]}”列的（七）总计（应等于三（一）至（六）各项之和）", [k + (c,) for k in leaves], [row("total") + (c,)]))
        sums.append(_Sum(
            f"{name3}“{labels[c]}”列的一+二=三（七）总计+四",
            [row("new") + (c,), row("carried_over") + (c,)],
            [row("total") + (c,), row("carried_forward") + (c,)],
        ))
    n = len(t4.all_columns) - 1
    for group in t4.groups:
        keys = ("appeals", group.key)
        if keys + (n,) in found.cells:
            label = place(spec.id, keys).label
            sums.append(_Sum(f"“{label}”（各项之和应等于总计）", [keys + (c,) for c in range(n)], [keys + (n,)]))
    return sums


def _value(found: Found, keys: KeyPath) -> Any:
    """A cell's figure: as read, or as the importer set it (a group printed as one row of
    zeros gives its items zeros); None when unknown."""
    if keys in found.cells:
        return found.cells[keys][1]
    row = found.values.get(keys[:-1])
    if isinstance(row, list) and keys[-1] < len(row):
        return row[keys[-1]]
    if isinstance(row, list) and keys[-1] == len(row) and None not in row:
        return sum(row)  # a 总计 left out because it agreed: the report file computes it
    return None


def _evaluate(s: _Sum, found: Found) -> None:
    plus = [_value(found, k) for k in s.plus]
    minus = [_value(found, k) for k in s.minus]
    if None in plus or None in minus:
        return
    left, right = sum(plus), sum(minus)
    s.held = left == right
    if not s.held:
        s.shown = f"（识别为 {'+'.join(map(str, plus))}={left}，而{'+'.join(map(str, minus))}={right}）" if len(plus) <= 8 else f"（识别为各项之和{left}，而{right}）"


def _explaining(failed: list[set[KeyPath]], largest: int = 3, budget: int = 200_000) -> set[KeyPath]:
    """The cells of every smallest set that touches each failed sum (the misreads that
    could explain every failure); every cell of the failed sums when no set of up to
    ``largest`` cells does, or the search would be too long."""
    failed = [s for s in failed if s]
    if not failed:
        return set()
    candidates = sorted(set().union(*failed), key=repr)
    for size in range(1, largest + 1):
        if comb(len(candidates), size) > budget:
            break
        hits = [set(combo) for combo in combinations(candidates, size) if all(any(c in s for c in combo) for s in failed)]
        if hits:
            return set().union(*hits)
    return set(candidates)


# -- what the import keeps ------------------------------------------------------------------------------
def _apply(spec: Spec, found: Found, empty: list[Figure], findings: list[Finding]) -> None:
    """The figures not confirmed taken out of their rows (each row written whole again, the
    printed 总计 kept where it is confirmed), said once each."""
    if not empty:
        return
    t3 = spec.table3
    total = ("applications", *t3.keypath(t3.row("total")))
    rows: dict[KeyPath, list[Figure]] = {}
    for figure in empty:
        rows.setdefault(figure.keys[:-1], []).append(figure)
    if any(k[0] == "applications" for k in rows) and total not in found.values and total not in rows:
        rows[total] = []  # （七）总计 was left out as agreeing: printed again, so that its figures still check the rows
    for keys, figures in rows.items():
        where = place(spec.id, keys)
        if where.kind == "cell":  # a table 二 item of one column
            found.values[keys] = None
        else:
            width = max([c for *_, c in (k for k in found.cells if k[:-1] == keys)] + [len(where.columns) - 1]) + 1
            gone = {f.keys[-1] for f in figures}
            found.values[keys] = [None if c in gone else _value(found, keys + (c,)) for c in range(width)]
        if not figures:
            continue
        found.unreadable.add(keys)
        found.notes[keys] = "导入时未能确认（扫描件）：" + "；".join(f"{f.label.rsplit(COLUMN_MARK, 1)[-1]}识别为“{f.text}”，{f.why}" for f in figures) + "，请对照原件填写"
        for f in figures:
            if f.rank == UNREAD:
                continue  # said already by the reader (not a number)
            findings.append(Finding(ERROR, Rule.I, f.path, f"{f.label}：扫描件中识别为“{f.text or '（空白）'}”，{f.why}，留空，请对照校对页的原图填写"))
