"""The comparison as a workbook (``nianbao compare … -o 比对.xlsx``): the page's content as
sheets a reviewer can sort, filter and add up.

Every figure, change, rate and percentage is a number cell (percentages formatted as
such), so that a county can copy, sort and add them up; where none can be taken (last
year's figure 0, a cell last year's version lacks) the cell is left empty and the column
说明 says why — never a "—" standing among numbers.  A printed total that R2–R4 find
wrong is given as printed, with the sum of its parts in a column of its own, and its
change is taken from that sum (said in 说明).  The copied passages of the narratives are underlined in their cells (rich text),
the stale years bold: readable in grey.  Every sheet prints on A4 landscape
(:mod:`nianbao.render.printing`).
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..check.repetition import DEFINITIONS
from ..findings import LEVEL_NAMES
from ..render.printing import MAX_ROW_HEIGHT, print_setup
from ..render.textgrid import width as display_width
from .changes import CellChange
from .page import unweighed_note
from .pair import COPIED, STALE, Comparison, Piece

HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
WRAP = Alignment(wrap_text=True, vertical="top")
PERCENT = "0.0%"
MAX_CELL = 32767  # characters Excel keeps in a cell


def _head(sheet: Worksheet, titles: list[str], widths: list[float]) -> None:
    sheet.append(titles)
    for cell, width in zip(sheet[1], widths):
        cell.font, cell.fill = HEAD, HEAD_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _number(value: int | Decimal | None) -> int | float | None:
    """A figure as Excel holds it; an amount as a float (Excel has no decimals), none empty."""
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _share(change: CellChange) -> float | None:
    return float(change.percent) / 100 if change.percent is not None else None


def _why(change: CellChange) -> str | None:
    """What 说明 says of a change: the sum of a wrong total's parts, or why a cell is empty."""
    said = []
    if change.defective:
        said.append(change.defect_text())
    if change.before is None:
        said.append("上一年度的格式版本没有这一格")
    elif change.percent is None and change.change:
        said.append("上年为0，无法计算增减幅度")
    return "；".join(said) or None


def _rich(paragraphs: list[list[Piece]]) -> CellRichText | str:
    """The paragraphs in one cell, copied passages underlined, stale years bold."""
    blocks: list[str | TextBlock] = []
    for n, paragraph in enumerate(paragraphs):
        if n:
            blocks.append("\n")
        for piece in paragraph:
            if piece.marks:
                font = InlineFont(u="single" if COPIED in piece.marks else None, b=True if STALE in piece.marks else None)
                blocks.append(TextBlock(font, piece.text))
            else:
                blocks.append(piece.text)
    if sum(len(str(b.text if isinstance(b, TextBlock) else b)) for b in blocks) > MAX_CELL:
        return "\n".join("".join(p.text for p in paragraph) for paragraph in paragraphs)[:MAX_CELL]
    return CellRichText(*blocks) if blocks else ""


def _height(sides: list[list[list[Piece]]], width: float) -> float:
    """Points a row of wrapped narratives needs (rich text is not measured by
    :func:`~nianbao.render.printing.fit_rows`, nor by Excel when the file opens)."""
    room = max(int(width) - 1, 1)
    lines = max(sum(-(-max(display_width("".join(p.text for p in paragraph)), 1) // room) for paragraph in side) for side in sides)
    return min(round(max(lines, 1) * 11 * 1.35 + 3, 1), MAX_ROW_HEIGHT)


def build(c: Comparison) -> bytes:
    """The workbook's bytes: one sheet for each part of the page, printed A4 landscape."""
    book = Workbook()
    for part in (_rates, _moves, _cells, _texts, _checks):
        part(book, c)
    for sheet in book.worksheets:
        print_setup(sheet, orientation="landscape")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rates(book: Workbook, c: Comparison) -> None:
    """重复率: the rates with what they count and their definitions (the workbook's first sheet)."""
    rates = book.active
    rates.title = "重复率"
    _head(rates, ["项目", "重复率", "相同", "计入", "定义"], [34, 10, 8, 8, 80])
    r = c.rates
    rates.append(["文字重复率", r.text, r.copied_chars, r.text_chars, DEFINITIONS["text"]])
    rates.append(["表格重复率", r.tables, r.same_cells, r.cells, DEFINITIONS["tables"]])
    rates.append(["总体重复率", r.overall, None, None, DEFINITIONS["overall"]])
    unweighed = unweighed_note(c)
    for heading, share in r.sections.items():
        rates.append([heading, share, None, None, DEFINITIONS["sections"] + unweighed(heading)])
    for row in rates.iter_rows(min_row=2):
        row[1].number_format = PERCENT
        row[4].alignment = WRAP


def _moves(book: Workbook, c: Comparison) -> None:
    """变化最大的十项: the largest moves of tables 三 and 四, then of table 二."""
    moves = book.create_sheet("变化最大的十项")
    _head(moves, ["序号", "变化", "上年", "本年", "增减", "增减幅度", "说明", "类别"], [6, 70, 10, 10, 10, 10, 30, 16])
    t2, t3, t4 = c.this.report.spec.table_names
    for kind, listed in ((f"{t3}、{t4}", c.moves), (t2, c.proactive)):
        for n, m in enumerate(listed, start=1):
            moves.append([n, m.sentence(), _number(m.last), _number(m.this), _number(m.change), _share(m), _why(m), kind])
            moves.cell(moves.max_row, 6).number_format = PERCENT
            moves.cell(moves.max_row, 2).alignment = WRAP


def _cells(book: Workbook, c: Comparison) -> None:
    """表格逐格对照: every cell of both years, filterable."""
    cells = book.create_sheet("表格逐格对照")
    _head(cells, ["表", "项目", "栏目", f"{c.last.report.year}年", f"{c.this.report.year}年", "增减", "增减幅度", "说明",
                  f"{c.last.report.year}年各项之和", f"{c.this.report.year}年各项之和"], [10, 40, 22, 10, 10, 10, 10, 24, 12, 12])
    for change in c.changes:
        cell = change.cell
        cells.append([cell.table, cell.row, cell.column, _number(change.last), _number(change.this), _number(change.change),
                      _share(change), _why(change), _number(change.last_parts), _number(change.this_parts)])
        cells.cell(cells.max_row, 7).number_format = PERCENT
        cells.cell(cells.max_row, 2).alignment = WRAP
        cells.cell(cells.max_row, 8).alignment = WRAP
    cells.auto_filter.ref = f"A1:J{cells.max_row}"


def _texts(book: Workbook, c: Comparison) -> None:
    """正文对照: the narratives side by side, marked."""
    texts = book.create_sheet("正文对照")
    _head(texts, ["部分", "重复率", f"{c.last.report.year}年度", f"{c.this.report.year}年度"], [22, 9, 60, 60])
    for part in c.narratives:
        texts.append([part.heading, part.rate, _rich(part.last), _rich(part.this)])
        texts.cell(texts.max_row, 2).number_format = PERCENT
        for column in (1, 3, 4):
            texts.cell(texts.max_row, column).alignment = WRAP
        texts.row_dimensions[texts.max_row].height = _height([part.last, part.this], 60)
    texts.append([])
    texts.append([f"下划线：{DEFINITIONS['sections']}加粗：指向以往年度的年份（X4）。"])


def _checks(book: Workbook, c: Comparison) -> None:
    """核对结果: the notes, the cross-year findings and each report's own."""
    checks = book.create_sheet("核对结果")
    _head(checks, ["报告", "级别", "规则", "位置", "说明"], [14, 6, 6, 34, 90])
    for note in c.notes:  # what the reviewer must know to read the figures
        checks.append(["比对说明", "说明", None, None, note])
        checks.cell(checks.max_row, 5).alignment = WRAP
    for name, findings in (("跨年度核对", c.crossyear), (c.this.shown, c.this.findings), (c.last.shown, c.last.findings)):
        for f in findings:
            checks.append([name, LEVEL_NAMES[f.level], f.rule, f.path or "", f.describe()])
            checks.cell(checks.max_row, 5).alignment = WRAP
