"""汇总.xlsx: the county office's worklist after a batch.

Sheet 单位: one row per file (and per unit on the list that sent nothing), its status in
colour, the numbers of errors and warnings exactly as ``nianbao check`` counts them, and
the files written.  Sheet 问题清单: every finding of every unit, with the sheet and cell
(or line) to open — filtered by unit, it is the 退回意见 to send back.  Headers frozen,
filters on.  Whatever a unit's file holds is written as text, never as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..findings import ERROR, LEVEL_NAMES
from ..model.places import labels
from ..model.standard import SPECS, spec_for_year
from ..render.printing import print_setup
from .filenames import readable_text
from .statuses import BatchStatus

FONT = "宋体"
STATUS_FILLS = {
    BatchStatus.MADE: "C6EFCE",
    BatchStatus.FAILED: "FFC7CE",
    BatchStatus.DUPLICATE: "FFEB9C",
    BatchStatus.ABSENT: "D9D9D9",
    BatchStatus.OTHER_YEAR: "EDEDED",
}
LEVEL_FILLS = {"错误": "FFC7CE", "提示": "FFEB9C"}
UNITS_HEAD = ("序号", "机关名称", "年度", "文件", "状态", "错误", "提示", "主要问题", "生成的文件")
FINDINGS_HEAD = ("序号", "机关名称", "文件", "级别", "规则", "位置", "项目", "问题（退回意见）")


def text(value: Any) -> Any:
    """A value as a cell holds it safely: no control characters a workbook refuses, no lone
    surrogates (a file name in GBK bytes: openpyxl cannot save them), no invisible bidi
    control that would show a name in another order."""
    return ILLEGAL_CHARACTERS_RE.sub("", readable_text(value)) if isinstance(value, str) else value


def put_row(sheet, values: Iterable[Any]) -> list[Cell]:
    """A row whose strings stay strings: ``=…`` from a unit's file is not a formula here;
    its cells.  Built as cells and appended (reading the new row back through
    ``sheet.max_row`` scans every cell of the sheet: a problem list of thousands of rows took
    tens of seconds)."""
    cells = []
    for value in values:
        cell = Cell(sheet, value=text(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)
    return cells


def _table(sheet, head: tuple[str, ...], widths: tuple[int, ...]) -> None:
    put_row(sheet, head)
    for cell in sheet[1]:
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"


def _finish(sheet) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{max(sheet.max_row, 1)}"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _spec_id(outcome) -> str | None:
    """The format a unit's findings are in: its report's, or its year's when it has none."""
    if outcome.format:
        return outcome.format
    spec = spec_for_year(outcome.year) if isinstance(outcome.year, int) else None
    return spec.id if spec else None


def shown_place(spec_id: str | None, path: str | None) -> str:
    """A finding's place as messages name it (its printed label), for the 项目 column."""
    if path is None:
        return ""
    return labels(spec_id).get(path, path) if spec_id in SPECS else path


def build(outcomes: list, extra: dict[str, list[tuple[Any, ...]]] | None = None) -> bytes:
    """The worklist of a batch's outcomes (:class:`nianbao.county.batch.Outcome`)."""
    from ..read.workbook import stable_xlsx

    wb = Workbook()
    units = wb.active
    units.title = "单位"
    _table(units, UNITS_HEAD, (6, 26, 8, 36, 10, 7, 7, 60, 50))
    problems = wb.create_sheet("问题清单")
    _table(problems, FINDINGS_HEAD, (6, 26, 36, 7, 6, 14, 36, 80))
    n = 0
    for i, outcome in enumerate(outcomes, start=1):
        errors = [f for f in outcome.findings if f.level == ERROR]
        first = errors[0] if errors else (outcome.findings[0] if outcome.status == BatchStatus.DUPLICATE and outcome.findings else None)
        row = put_row(units, (i, outcome.name or "", outcome.year or "", outcome.shown, outcome.status, outcome.errors, outcome.warnings,
                              first.describe() if first else "", "、".join(outcome.written)))
        fill = STATUS_FILLS.get(outcome.status)
        if fill:
            row[4].fill = PatternFill("solid", fgColor=fill)
        for finding in outcome.findings:
            n += 1
            level = LEVEL_NAMES[finding.level]
            line = put_row(problems, (n, outcome.name or "", outcome.shown, level, finding.rule, finding.at(), shown_place(_spec_id(outcome), finding.path), finding.message))
            line[3].fill = PatternFill("solid", fgColor=LEVEL_FILLS[level])
    _finish(units)
    _finish(problems)
    print_setup(units)
    print_setup(problems)
    for name, rows in (extra or {}).items():
        add_sheet(wb, name, rows)
    return stable_xlsx(wb)


def add_sheet(wb: Workbook, name: str, rows: list[tuple[Any, ...]], title: list[str] | tuple[str, ...] = (), widths: Sequence[float] | None = None) -> None:
    """The sheet ``name`` (re)written: ``title`` lines above the table, each across its width
    (bold, the first larger), then ``rows`` — the first their header, frozen and repeated on
    every printed page with the title, so that a page on its own still says what it counts.
    ``widths``: the columns' widths, their text wrapped within them (a long reason in the last
    column would otherwise run on past the table and shrink the printed page to nothing)."""
    if name in wb.sheetnames:
        del wb[name]
    sheet = wb.create_sheet(name)
    width = max((len(row) for row in rows), default=1)
    for n, line in enumerate(title, start=1):
        put_row(sheet, [line])
        sheet.cell(n, 1).font = Font(name=FONT, bold=True, size=12 if n == 1 else 11)
        sheet.cell(n, 1).alignment = Alignment(wrap_text=True, vertical="top")
        if width > 1:
            sheet.merge_cells(start_row=n, start_column=1, end_row=n, end_column=width)
    for row in rows:
        cells = put_row(sheet, row)
        if widths:
            for cell in cells:
                cell.alignment = Alignment(wrap_text=isinstance(cell.value, str), vertical="top")
    for column, size in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
    head = len(title) + 1
    if rows and title:
        for cell in sheet[head]:
            cell.font = Font(name=FONT, bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = f"A{head + 1}"
    print_setup(sheet, header_rows=head)


def with_sheet(existing: bytes | None, name: str, rows: list[tuple[Any, ...]], title: list[str] | tuple[str, ...] = (), widths: Sequence[float] | None = None) -> bytes:
    """汇总.xlsx with the sheet ``name`` (re)written (:func:`add_sheet`): added to a batch's
    worklist when there is one."""
    from ..read.workbook import stable_xlsx

    if existing is None:
        wb = Workbook()
        wb.remove(wb.active)
    else:
        wb = load_workbook(io.BytesIO(existing))
    add_sheet(wb, name, rows, title, widths)
    return stable_xlsx(wb)
