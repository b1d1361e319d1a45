"""Every figure of the tables, last year against this year, and the ten largest moves.

A reviewer reads a unit's figures as movements: 申请 from 7 to 21, 行政复议 from 0 to 2.
Each :class:`CellChange` carries both years' figures and says its change the Chinese way
(增加 / 减少 / 持平, a percentage, "—" where last year's figure is 0).  Cells are named by
the standard's labels as the spec holds them (the table, its row, its column): no label
is typed here.

Cells stand in the order the report prints them.  A cell that last year's format version
does not have (a 2020 report against a 2021 one: table 二 changed) has no last-year
figure; it is listed, never ranked.

A printed total that R2, R3 or R4 finds wrong (洪泽区 2023: 行政复议 总计 printed 0 under
10+1) is shown as printed, marked, with the sum of its parts beside it, and its change is
taken from that sum (11 → 2, not 0 → 2): the move a reviewer ranks is the real one, and
the page says so.

The largest moves are two lists: the requests and appeals (tables 三 and 四, the figures a
reviewer grades first, then the fee notices), and table 二 on its own — its counts of
licences and penalties run to thousands and would crowd out every application.  A row
of table 三's balance equal to another in both years, every column (一、本年新收 and
（七）总计 when nothing was carried over), is one move, named once with the other beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from ..check.repetition import table_cells
from ..check.rules import wrong_totals
from ..model.places import COLUMN_MARK, FEES_LABEL, KeyPath, places
from ..model.report import Report
from ..model.standard import SPECS, Column, Spec, ValueType

Number = int | Decimal
MOVES = 10  # the largest moves named on the page
COUNTED = "件"  # the unit of tables 三 and 四: applications and cases
FEE_UNIT = "元"  # 信息处理费's amounts (their labels say （元）)


@dataclass(frozen=True)
class Cell:
    """A place of the tables, in printed order: where, and how a clerk names it."""

    keys: KeyPath  # report-file keys + column index
    path: str  # the official path, as findings name it (表三.三（一）.自然人)
    table: str  # 表二 / 表三 / 表四 / 六、…信息处理费
    row: str  # the row's official label
    column: str  # the column's official label
    unit: str  # 件, 万元, 元, or "" (table 二's counts of documents, items)
    amount: bool  # an amount (not ranked with counts among the largest moves)
    headline: bool  # a figure a reviewer reads first: a row's 总计, table 二's cells, the fees
    label: str = ""  # as every message names it (places.label): 表三 一、本年新收 · 总计

    @property
    def row_label(self) -> str:
        """The row as messages name it, without its table and column: ``三（七）总计``."""
        return self.label.rsplit(COLUMN_MARK, 1)[0].removeprefix(f"{self.table} ")


@dataclass(frozen=True)
class CellChange:
    cell: Cell
    last: Number | None  # as printed; None: last year's format version has no such cell
    this: Number  # as printed
    last_parts: Number | None = None  # the sum of the parts of last year's total, where R2–R4 find it wrong
    this_parts: Number | None = None  # likewise this year's
    also: tuple[str, ...] = ()  # rows equal to this one in both years, named with it among the moves

    @property
    def defective(self) -> bool:
        """A printed total of either year that is not the sum of its parts."""
        return self.last_parts is not None or self.this_parts is not None

    @property
    def before(self) -> Number | None:
        """Last year's figure the change is taken from: the sum of the parts where the
        printed total is wrong, else as printed."""
        return self.last if self.last_parts is None else self.last_parts

    @property
    def after(self) -> Number:
        return self.this if self.this_parts is None else self.this_parts

    @property
    def change(self) -> Number | None:
        return None if self.before is None else self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        """The change as a percentage of last year's figure, one decimal; None where last
        year's is 0 (or absent): no percentage can be taken of nothing."""
        if not self.before:
            return None
        share = Decimal(self.after - self.before) * 100 / Decimal(self.before)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def name(self) -> str:
        """表三 一、本年新收 · 总计 — the cell as every message names it."""
        return self.cell.label

    def change_text(self) -> str:
        """增加14 / 减少2 / 持平 / — (no figure last year)."""
        change = self.change
        if change is None:
            return "—"
        if change == 0:
            return "持平"
        return f"{'增加' if change > 0 else '减少'}{figure(_size(change))}"

    def percent_text(self) -> str:
        """增加200% / 减少33.3% / 持平 / — where last year's figure is 0."""
        percent, change = self.percent, self.change
        if change == 0:
            return "持平"
        if percent is None:
            return "—"
        return f"{'增加' if percent > 0 else '减少'}{percentage(abs(percent))}"

    def printed_text(self, which: str) -> str:
        """A year's figure as printed, with the sum of its parts when that differs:
        ``0（印错，各项之和11）``."""
        value, parts = (self.last, self.last_parts) if which == "last" else (self.this, self.this_parts)
        return figure(value) if parts is None else f"{figure(value)}（印错，各项之和{figure(parts)}）"

    def defect_text(self) -> str:
        """What the page says of a defective total: ``2023年印为0，各项之和为11；增减按各项之和计``."""
        said = [f"{year}印为{figure(printed)}，各项之和为{figure(parts)}"
                for year, printed, parts in (("上年", self.last, self.last_parts), ("本年", self.this, self.this_parts)) if parts is not None]
        return "；".join(said) + ("；增减按各项之和计" if said else "")

    def sentence(self) -> str:
        """表三 一、本年新收 · 总计 7 → 21 件，增加200% — with the change in figures where no
        percentage can be taken (0 → 5 件，增加5件); a wrong printed total shown as printed
        with its parts' sum, the change taken from that sum (said)."""
        unit = f" {self.cell.unit}" if self.cell.unit else ""
        said = self.percent_text()
        if said == "—":
            said = self.change_text() + self.cell.unit
        if self.defective:
            said = f"按各项之和计{said}"
        also = "".join(f"（与“{row}”相同）" for row in self.also)
        return f"{self.name}{also} {self.printed_text('last')} → {self.printed_text('this')}{unit}，{said}"


def figure(value: Number | None) -> str:
    """A figure the Chinese way: thousands grouped (12,345), an amount as written (0.50
    stays 0.50: the clerk's precision), "—" for none."""
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else format(value, ",f")


def percentage(value: Decimal) -> str:
    """33.3% / 200% (no ".0")."""
    text = format(value, "f")
    return (text[:-2] if text.endswith(".0") else text) + "%"


# -- the cells of a format version ---------------------------------------------------------------------
def _unit(column: Column, default: str) -> str:
    return column.unit or (default if column.type is not ValueType.AMOUNT else "")


def cells(spec: Spec) -> tuple[Cell, ...]:
    """Every figure of tables 二, 三, 四 and the fees, in printed order."""
    return _cells(spec.id)


@cache
def _cells(spec_id: str) -> tuple[Cell, ...]:
    return tuple(_walk(SPECS[spec_id]))


def _walk(spec: Spec) -> Iterator[Cell]:
    index = places(spec.id)
    t2, t3, t4 = spec.table_names
    for group in spec.table2:
        for item in group.items:
            for c, column in enumerate(group.columns):
                keys: KeyPath = ("proactive", item.key) if group.scalar else ("proactive", item.key, c)
                yield Cell(keys, index[keys].path, t2, item.label, column.label, _unit(column, ""), column.type is ValueType.AMOUNT, True, index[keys].label)
    table3 = spec.table3
    parents: dict[str, str] = {}
    for line, depth in table3.walk():
        for child in line.children:
            parents[child.path] = line.label
        if line.key is None or line.is_group:
            continue
        row = line.label if depth < 2 else parents[line.path] + line.label
        keys = ("applications", *table3.keypath(line))
        for c, column in enumerate(table3.all_columns):
            yield Cell(keys + (c,), index[keys + (c,)].path, t3, row, column.label, COUNTED, False, column is table3.total, index[keys + (c,)].label)
    table4 = spec.table4
    for appeal in table4.groups:
        row = f"{appeal.parent}·{appeal.label}" if appeal.parent else appeal.label
        for c, column in enumerate(table4.all_columns):
            keys = ("appeals", appeal.key, c)
            yield Cell(keys, index[keys].path, t4, row, column.label, COUNTED, False, column is table4.total, index[keys].label)
    if spec.fees:
        section = f"{spec.section('other_matters').heading}"
        for f in spec.fees:
            keys = ("processing_fees", f.key)
            amount = f.type == ValueType.AMOUNT.value
            yield Cell(keys, index[keys].path, section, FEES_LABEL, f.label, FEE_UNIT if amount else COUNTED, amount, True, index[keys].label)


def values(report: Report) -> dict[KeyPath, Number]:
    """Every figure :func:`cells` names, as printed, by its keys (the fees where stated)."""
    found = dict(table_cells(report))
    fees = report.fees()
    if fees is not None:
        found.update({("processing_fees", key): figure for key, figure in fees.items() if figure is not None})
    return found


def changes(this: Report, last: Report) -> list[CellChange]:
    """Every figure of ``this``'s tables with last year's at the same place (None where
    last year's format version has no such cell); a total R2–R4 find wrong carries the
    sum of its parts (:func:`nianbao.check.rules.wrong_totals`)."""
    now, before = values(this), values(last)
    wrong_now, wrong_before = wrong_totals(this), wrong_totals(last)
    found = []
    for cell in cells(this.spec):
        if cell.keys not in now:
            continue
        last_parts = wrong_before[cell.keys][1] if cell.keys in wrong_before and cell.keys in before else None
        this_parts = wrong_now[cell.keys][1] if cell.keys in wrong_now else None
        found.append(CellChange(cell, before.get(cell.keys), now[cell.keys], last_parts, this_parts))
    return found


def _size(change: Number | None) -> Number:
    """How far a figure moved, either way; 0 for none (abs() of ``int | Decimal`` is more than
    a type checker can type)."""
    if change is None:
        return 0
    return -change if change < 0 else change


def _ranked(moved: list[CellChange], count: int) -> list[CellChange]:
    """By the change in figures, then by the percentage, then in printed order."""
    ranked = sorted(
        enumerate(moved),
        key=lambda p: (-_size(p[1].change), -(abs(p[1].percent) if p[1].percent is not None else Decimal("Infinity")), p[0]),
    )
    return [c for _, c in ranked[:count]]


def _moved(found: list[CellChange]) -> list[CellChange]:
    """The headline figures that moved: rows' 总计, table 二's cells and the fees' counts.
    Amounts (万元, 元) are not ranked against counts — a sum of money and a number of
    applications have no common measure — they stay in the full list."""
    return [c for c in found if c.cell.headline and not c.cell.amount and c.change]


def _rows(found: list[CellChange]) -> dict[tuple[str, str], tuple[tuple[Number | None, Number], ...]]:
    """Every row's figures of both years (the change's basis), by (table, row)."""
    rows: dict[tuple[str, str], list[tuple[Number | None, Number]]] = {}
    for c in found:
        rows.setdefault((c.cell.table, c.cell.row), []).append((c.before, c.after))
    return {k: tuple(v) for k, v in rows.items()}


REQUESTS = ("applications", "appeals")  # report-file keys of tables 三 and 四
PROACTIVE = "proactive"  # of table 二
# the rows of table 三's balance (R1: 一 + 二 = （七）总计 + 四): with nothing carried over, 一 is
# （七）总计 by the arithmetic, and with 一 = （七）, 二 is 四 — one move each, not two.  Rows
# equal elsewhere are equal by chance (0 → 1 in several rows) and are each named.
BALANCE = frozenset(("new", "carried_over", "total", "carried_forward"))


def largest_moves(found: list[CellChange], count: int = MOVES) -> list[CellChange]:
    """The ``count`` largest moves of the requests and appeals (tables 三 and 四), then of
    the fee notices: the figures a reviewer grades first, never crowded out by table 二's
    thousands.  A row of table 三's balance equal to another of them in both years (every
    column) is one move, named once with the other in ``also`` (:data:`BALANCE`)."""
    moved = _moved(found)
    rows = _rows(found)
    kept: dict[tuple, CellChange] = {}
    for c in moved:
        if c.cell.keys[0] not in REQUESTS:
            continue
        same: tuple = (c.cell.table, c.cell.column, rows[(c.cell.table, c.cell.row)]) if c.cell.keys[1] in BALANCE else (c.cell.keys,)
        if same in kept:
            first = kept[same]
            kept[same] = replace(first, also=(*first.also, c.cell.row_label))
        else:
            kept[same] = c
    fees = [c for c in moved if c.cell.keys[0] not in (*REQUESTS, PROACTIVE)]
    return (_ranked(list(kept.values()), count) + _ranked(fees, count))[:count]


def proactive_moves(found: list[CellChange], count: int = MOVES) -> list[CellChange]:
    """The ``count`` largest moves of table 二, a list of its own."""
    return _ranked([c for c in _moved(found) if c.cell.keys[0] == PROACTIVE], count)
