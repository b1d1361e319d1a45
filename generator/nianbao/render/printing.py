"""How nianbao's workbooks print: A4, one page wide, header rows on every page, a footer.

A county clerk prints 汇总.xlsx to go through it with a pen, and a township clerk prints
the collection workbook to fill it by hand first.  Excel's defaults print a wide sheet as
column fragments on separate portrait pages, with the header only on the first: every
sheet nianbao writes therefore says how it prints, the same way, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from .textgrid import width as display_width

Orientation = Literal["landscape", "portrait"]

# In inches, as the file stores them: 1.5 cm at the sides, 2 cm top, 2.2 cm at the bottom
# (room for the footer line 0.8 cm above the edge).  Narrow enough to leave the columns
# room, wide enough for any office printer's unprintable edge.
MARGINS = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.85, header=0.3, footer=0.3)
# Excel, WPS and LibreOffice replace &A by the sheet's name, &P by the page, &N by the pages.
FOOTER_LEFT = "&A"
FOOTER_RIGHT = "第 &P 页，共 &N 页"

# Column widths (in Excel's characters, about 1.9 mm each) that a portrait A4 page holds at
# full size between the margins: a sheet this narrow would fill half a landscape page.
PORTRAIT_WIDTH = 90


def orientation_for(widths: Sequence[float]) -> Orientation:
    """Landscape, unless the columns fit a portrait page unscaled (table 二: four columns)."""
    return "portrait" if sum(widths) <= PORTRAIT_WIDTH else "landscape"


def print_setup(sheet: Worksheet, *, header_rows: int = 1, orientation: Orientation = "landscape") -> None:
    """``sheet`` prints on A4 in ``orientation``, scaled to one page wide and as many pages
    long as it needs (fitToHeight=0: a long list is never shrunk to one unreadable page),
    its first ``header_rows`` rows repeated on every page, with
    the sheet's name and 第 n 页，共 m 页 in the footer — so that a page that came off the
    printer on its own still says what it is and where it belongs."""
    setup = sheet.page_setup
    setup.orientation = orientation
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(**{k: getattr(MARGINS, k) for k in ("left", "right", "top", "bottom", "header", "footer")})
    if header_rows > 0:
        sheet.print_title_rows = f"1:{header_rows}"
    sheet.oddFooter.left.text = FOOTER_LEFT
    sheet.oddFooter.right.text = FOOTER_RIGHT
    sheet.oddFooter.left.size = sheet.oddFooter.right.size = 9
    fit_columns(sheet)
    fit_rows(sheet)


EXCEL_DEFAULT_WIDTH = 8.43  # a column no width was given
MAX_ROW_HEIGHT = 409  # points: the most Excel allows


MAX_FITTED_WIDTH = 50  # a column sized to its text grows no wider: a long path is cut rather than the page shrunk


def fit_columns(sheet: Worksheet) -> None:
    """Columns no width was given (the table aggregate adds) as wide as their widest text,
    so that a printed name or heading is not cut at the cell's edge (a cell shows nothing of
    its text past the edge when the next cell is filled).  Columns given a width keep it."""
    widest: dict[int, int] = {}
    across = _merged_widths(sheet)
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None and cell.coordinate not in across:  # a title across the table does not widen its first column
                shown = max((display_width(part) for part in str(cell.value).split("\n")), default=0)
                widest[cell.column] = max(widest.get(cell.column, 0), shown)
    for column, shown in widest.items():
        letter = get_column_letter(column)
        dimension = sheet.column_dimensions.get(letter)
        if dimension is not None and dimension.customWidth:
            continue
        if shown + 2 > EXCEL_DEFAULT_WIDTH:
            sheet.column_dimensions[letter].width = min(shown + 2, MAX_FITTED_WIDTH)


def fit_rows(sheet: Worksheet) -> None:
    """Rows of wrapped text given the height their text needs, where nianbao set none.
    Excel grows such a row when a cell is edited, but neither Excel nor LibreOffice measures
    it when the file is opened: a finding of two lines would print as its first line only,
    cut at the cell's edge.  Measured in display columns (a Chinese character is two), as
    the column widths are given."""
    widths: dict[int, float] = {}
    across = _merged_widths(sheet)
    for row in sheet.iter_rows():
        if not row or sheet.row_dimensions[row[0].row].height is not None:
            continue
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            if cell.column not in widths:
                widths[cell.column] = _column_width(sheet, cell.column)
            room = max(int(across.get(cell.coordinate, widths[cell.column])) - 1, 1)
            lines = max(lines, sum(-(-max(display_width(part), 1) // room) for part in cell.value.split("\n")))
        if lines > 1:
            size = (row[0].font.sz if row[0].font is not None and row[0].font.sz else 11)
            sheet.row_dimensions[row[0].row].height = min(round(lines * size * 1.35 + 3, 1), MAX_ROW_HEIGHT)


def _column_width(sheet: Worksheet, column: int) -> float:
    dimension = sheet.column_dimensions.get(get_column_letter(column))
    return dimension.width if dimension is not None and dimension.customWidth else EXCEL_DEFAULT_WIDTH


def _merged_widths(sheet: Worksheet) -> dict[str, float]:
    """{the first cell of a range merged across columns: the width of the range}: its text
    wraps within the whole range, and is no reason to widen its first column."""
    return {merged.start_cell.coordinate: sum(_column_width(sheet, c) for c in range(merged.min_col, merged.max_col + 1))
            for merged in sheet.merged_cells.ranges if merged.max_col > merged.min_col}
