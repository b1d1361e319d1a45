"""The three official tables as grids of cells with their merges, built from the spec.

One layout serves every renderer: the TXT renderer aligns it for a monospace viewer,
the DOCX renderer turns the same spans into ``gridSpan``/``vMerge``.  So the tables look
the same in every output, and a merge is decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..model.report import Report
from ..model.standard import Spec
from ..model.standard.common import TABLE2_HEAD

Kind = Literal["head", "label", "number", "corner", "group"]


@dataclass(slots=True)  # not frozen: a frozen dataclass costs 2.8 µs a cell to make, a report's tables ~300 cells each time
class Cell:
    text: str
    row: int
    col: int
    kind: Kind
    rowspan: int = 1
    colspan: int = 1
    keys: tuple | None = None  # a number cell: its report-file key path (with the column index)
    computed: bool = False  # a 总计 cell or row: computed, not typed


@dataclass
class Grid:
    name: str  # 表二 / 表三 / 表四
    ncols: int
    header_rows: int  # repeated on a new page
    label_cols: int  # leading columns that hold labels
    cells: list[Cell] = field(default_factory=list)
    nrows: int = 0
    shape: tuple = ()  # (format, table): grids of one shape have the same cells in the same places, whatever the values

    def add(self, text: str, row: int, col: int, kind: Kind, rowspan: int = 1, colspan: int = 1, keys: tuple | None = None, computed: bool = False) -> None:
        self.cells.append(Cell(text, row, col, kind, rowspan, colspan, keys, computed))
        if row + rowspan > self.nrows:
            self.nrows = row + rowspan

    def rows(self) -> list[list[Cell]]:
        """Cells by the row they start in, left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.nrows)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[cell.row].append(cell)
        return out


TEXT_WIDTH = 8844  # twips: the 156 mm text block of GB/T 9704
# Widths of the label columns (twips) by the number of label columns; the number columns
# share the rest equally.  The DOCX uses them as they are, the web page as proportions.
LABEL_WIDTHS = {1: [2844], 3: [1000, 1200, 2700]}


def column_widths(ncols: int, label_cols: int) -> list[int]:
    """A table's column widths in twips: its label columns as the format sets them, the rest shared."""
    labels = LABEL_WIDTHS.get(label_cols, [])[:label_cols]
    rest = ncols - len(labels)
    share = (TEXT_WIDTH - sum(labels)) // rest
    return labels + [share] * rest


def number(value: Any) -> str:
    """A cell or amount as printed: exact, never in exponent form, blank for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def table2(spec: Spec, report: Report | None) -> Grid:
    """表二: each article's row, its header row (信息内容 + columns), then its items."""
    width = max(len(g.columns) for g in spec.table2)
    grid = Grid(spec.table_names[0], 1 + width, header_rows=0, label_cols=1, shape=(spec.id, 2))
    r = 0
    for group in spec.table2:
        grid.add(group.article, r, 0, "group", colspan=1 + width)
        r += 1
        grid.add(TABLE2_HEAD, r, 0, "head")
        spans = _spread(len(group.columns), width)
        col = 1
        for column, span in zip(group.columns, spans):
            grid.add(column.label, r, col, "head", colspan=span)
            col += span
        r += 1
        for item in group.items:
            grid.add(item.label, r, 0, "label")
            values = report.item_values(group, item) if report else ("",) * len(group.columns)
            col = 1
            for i, (value, span) in enumerate(zip(values, spans)):
                keys = ("proactive", item.key) + (() if group.scalar else (i,))
                grid.add(number(value), r, col, "number", colspan=span, keys=keys)
                col += span
            r += 1
    return grid


def _spread(n: int, width: int) -> list[int]:
    """Column spans that fill ``width`` with ``n`` cells, the last one taking the rest."""
    return [1] * (n - 1) + [width - (n - 1)]


def table3(spec: Spec, report: Report | None) -> Grid:
    """表三: three header rows under the corner note; label columns merged as printed."""
    t3 = spec.table3
    n = len(t3.all_columns)
    grid = Grid(spec.table_names[1], 3 + n, header_rows=3, label_cols=3, shape=(spec.id, 3))
    grid.add(t3.corner, 0, 0, "corner", rowspan=3, colspan=3)
    grid.add(t3.applicant_header, 0, 3, "head", colspan=n)
    grid.add(t3.person.label, 1, 3, "head", rowspan=2)
    grid.add(t3.org_header, 1, 4, "head", colspan=len(t3.orgs))
    grid.add(t3.total.label, 1, 3 + n - 1, "head", rowspan=2)
    for i, column in enumerate(t3.orgs):
        grid.add(column.label, 2, 4 + i, "head")

    r = 3

    def values(line) -> None:  # the table's ~200 figures: Cell made here, not through add (a tenth of a render)
        row = report.row(line) if report else [""] * n
        keys = ("applications", *t3.keypath(line))
        grid.cells += [Cell(str(value) if type(value) is int else number(value), r, 3 + c, "number", 1, 1, keys + (c,), line.total or c == n - 1)
                       for c, value in enumerate(row)]
        grid.nrows = max(grid.nrows, r + 1)

    def count(line) -> int:
        return sum(count(child) for child in line.children) if line.children else 1

    for line in t3.lines:
        if line.children:  # 三、本年度办理结果
            grid.add(line.label, r, 0, "label", rowspan=count(line))
            for child in line.children:
                if child.children:
                    grid.add(child.label, r, 1, "label", rowspan=len(child.children))
                    for item in child.children:
                        grid.add(item.label, r, 2, "label")
                        values(item)
                        r += 1
                else:
                    grid.add(child.label, r, 1, "label", colspan=2)
                    values(child)
                    r += 1
        else:
            grid.add(line.label, r, 0, "label", colspan=3)
            values(line)
            r += 1
    return grid


def table4(spec: Spec, report: Report | None) -> Grid:
    """表四: group headers (行政复议; 行政诉讼 over its two kinds), columns, one data row."""
    t4 = spec.table4
    per = len(t4.all_columns)
    grid = Grid(spec.table_names[2], per * len(t4.groups), header_rows=3, label_cols=0, shape=(spec.id, 4))
    col = 0
    parents_done: set[str] = set()
    for group in t4.groups:
        if group.parent is None:
            grid.add(group.label, 0, col, "head", rowspan=2, colspan=per)
        else:
            if group.parent not in parents_done:
                siblings = [g for g in t4.groups if g.parent == group.parent]
                grid.add(group.parent, 0, col, "head", colspan=per * len(siblings))
                parents_done.add(group.parent)
            grid.add(group.label, 1, col, "head", colspan=per)
        for i, column in enumerate(t4.all_columns):
            grid.add(column.label, 2, col + i, "head")
        row = report.appeal(group) if report else [""] * per
        for i, value in enumerate(row):
            grid.add(number(value), 3, col + i, "number", keys=("appeals", group.key, i), computed=i == per - 1)
        col += per
    return grid


def tables(report: Report) -> dict[str, Grid]:
    """The grids keyed by the section that holds them."""
    spec = report.spec
    return {
        "proactive": table2(spec, report),
        "applications": table3(spec, report),
        "appeals": table4(spec, report),
    }
