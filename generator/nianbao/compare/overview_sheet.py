"""The overview as a workbook, for the office that sorts and filters in Excel or WPS.

Sheets: 各单位主要数字 (the page's table: figures as numbers with their units in the cell
format — a unit with errors too, in italics, outside the sums —, colour scales and data
bars computed by Excel itself, rates at their threshold in bold red, the county's sums in
the last row with what they leave out), 排名 (each counted figure's units ranked, the data
of the charts), 图表 (a native bar chart per figure, one Excel draws and a reviewer can
restyle), 与上年比较 and 历年趋势 (with earlier years' reports), 评分 (the grading sheet:
:mod:`.grading`), 问题清单 (every finding, X1–X5 and copying), 说明 (the title — the year
counted, the files set aside —, what each figure means, the county's medians).  Every
sheet prints on A4 landscape as ``batch``'s 汇总.xlsx does
(:func:`nianbao.render.printing.print_setup`), the title in its page header.  Whatever a
unit's file holds is written as text, never as a formula.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from ..county.rules import YEAR_HINT
from ..county.worklist import FONT, put_row, text
from ..findings import LEVEL_NAMES
from ..render.printing import print_setup
from . import charts
from .figures import COPIED, NO_SHARE, PEER_FLAGGED, Figure, Measure, change, percent
from .grading import COUNTING, DEDUCTIONS, Weights
from .overview import TREND_KEYS, Overview, copying_notes
from .overview_page import (
    CROSS_DEFINITION,
    DEFECT,
    MEDIAN_DEFINITION,
    TREND_DEFINITION,
    TREND_NAMES,
    YOY_KEYS,
    chart_columns,
    cross_counts,
    median_text,
    medians,
    set_aside,
    title,
    total_measures,
    under_table,
    why,
)

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
FORMATS = {"件": '0"件"', "个": '0"个"', "元": '#,##0.##"元"'}
SHARE_FORMAT = "0.0%"
CHART_ROW_CM = 0.6  # a bar's height in a chart: every unit is drawn, Excel zooms
PAGE_CM = 13.5  # the chart height an A4 landscape page holds within its margins, running head and footer (LibreOffice's too): taller is cut in two
ROW_CM = 0.53  # Excel's default row (15 pt), by which charts are anchored
FITTED_UNITS = 40  # up to this many units, a chart is drawn to fit one page (bars thinner); more cannot be read on one


def _cell_value(figure: Figure, measure: Measure | None) -> Any:
    """A figure as a number Excel sorts and colours (a share as a fraction formatted 0.0%),
    or "—" where there is none."""
    if measure is None or measure.value is None:
        return NO_SHARE
    if figure.kind == "share":
        return float(measure.value)
    if isinstance(measure.value, Fraction):
        return float(measure.value)
    return measure.value if isinstance(measure.value, (int, Decimal)) else float(measure.value)


def _format(figure: Figure) -> str:
    return SHARE_FORMAT if figure.kind == "share" else FORMATS.get(figure.unit, "0")


def _head(sheet, widths: list[float]) -> None:
    for cell in sheet[1]:
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "C2" if sheet.title == "各单位主要数字" else "A2"


def workbook(overview: Overview, *, county: str = "", weights: Weights | None = None) -> bytes:
    """The overview's workbook (see the module's docstring), the same bytes for the same
    input; ``weights``: the reviewer's points per deduction, for the 评分 sheet's scores."""
    from ..read.workbook import stable_xlsx

    wb = Workbook()
    table = wb.active
    table.title = "各单位主要数字"
    _table(table, overview)
    ranks = wb.create_sheet("排名")
    pictures = wb.create_sheet("图表")
    _charts(ranks, pictures, overview)
    if overview.previous:
        _previous(wb.create_sheet("与上年比较"), overview)
        if overview.years:
            _trends(wb.create_sheet("历年趋势"), overview)
    _grades(wb.create_sheet("评分"), overview, weights)
    _findings(wb.create_sheet("问题清单"), overview)
    _definitions(wb.create_sheet("说明"), overview, county)
    heading = title(overview, county) + set_aside(overview)
    wb.properties.title = heading
    for sheet in wb.worksheets:
        if sheet is not pictures:
            print_setup(sheet)
        sheet.oddHeader.center.text = heading.replace("&", "&&")  # & starts a code in a page header
        sheet.oddHeader.center.size = 9
    pictures.page_setup.orientation = "landscape"
    pictures.page_setup.paperSize = pictures.PAPERSIZE_A4
    return stable_xlsx(wb)


FLAG_FONT = Font(name=FONT, bold=True, color="C00000")
MARKED_FONT = Font(name=FONT, italic=True, color="555555")
DEFECT_FONT = Font(name=FONT, italic=True, bold=True, color="C00000")


def _table(sheet, overview: Overview) -> None:
    columns = overview.columns
    extra = ["跨年度核对（X1–X5）"] if overview.previous else []
    peer = any(c.key == "peer" for c in columns)
    put_row(sheet, ["序号", "机关名称", "文件", "状态", *(f"{c.heading}" for c in columns), *(["最相近的单位"] if peer else []), *extra, "说明"])
    _head(sheet, [6, 24, 24, 8, *([11] * len(columns)), *([22] if peer else []), *([16] * len(extra)), 50])
    for i, row in enumerate(overview.rows, start=1):
        values: list[Any] = [i, row.name, row.shown or "", row.status]
        if row.figures is not None:
            values += [_cell_value(c, row.figures.get(c.key)) for c in columns]
            values += [row.peer_name] if peer else []
            values += [cross_counts(row)] if extra else []
            values.append("" if row.charted else why(row))
        else:
            values += [""] * (len(columns) + peer + len(extra))
            values.append(why(row))
        cells = put_row(sheet, values)
        cells[-1].alignment = Alignment(wrap_text=True, vertical="top")  # why, in its column: a long line would widen the printed page
        if row.figured and not row.charted:
            for cell in cells[4 : 4 + len(columns)]:
                cell.font = MARKED_FONT
        for cell, column in zip(cells[4:], columns):
            measure = row.figures.get(column.key) if row.figures is not None else None
            if measure is not None and measure.defect:  # the number stays the printed one (sortable); what is wrong with it, in a note on the cell
                cell.comment = Comment(f"{DEFECT}：{measure.defect}", "nianbao", width=260, height=90)
                cell.font = DEFECT_FONT
    first, last = 2, sheet.max_row
    counted = _runs([r for r, row in enumerate(overview.rows, start=first) if row.charted])  # the rows the bars and shades rank: as the 合计 and the medians
    if overview.charted:
        totals = total_measures(overview)
        put_row(sheet, ["", f"合计（已计入的{len(overview.charted)}个单位）", "", "", *(_cell_value(c, totals[c.key]) for c in columns),
                        *([""] if peer else []), *([""] * len(extra)), under_table(overview, "斜体")])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(name=FONT, bold=True)
        sheet.cell(sheet.max_row, sheet.max_column).font = Font(name=FONT)
        sheet.cell(sheet.max_row, sheet.max_column).alignment = Alignment(wrap_text=True, vertical="top")
    for j, column in enumerate(columns, start=5):
        letter = get_column_letter(j)
        for r in range(first, sheet.max_row + 1):
            sheet.cell(r, j).number_format = _format(column)
            sheet.cell(r, j).alignment = Alignment(horizontal="right")
        if last < first:
            continue
        area = f"{letter}{first}:{letter}{last}"
        limit = {"repetition": COPIED, "peer": PEER_FLAGGED}.get(column.key)
        if limit is not None:  # at the threshold: bold red, as the page flags it
            sheet.conditional_formatting.add(area, CellIsRule(operator="greaterThanOrEqual", formula=[str(limit)], font=FLAG_FONT))
        ranked = " ".join(f"{letter}{start}:{letter}{end}" for start, end in counted)
        if not ranked:
            continue
        if column.kind == "count" and column.unit == "件":
            sheet.conditional_formatting.add(ranked, DataBarRule(start_type="num", start_value=0, end_type="max", color=charts.BAR[1:], showValue=True))
        else:  # white to dark blue: a shade that prints in grey in the same order
            sheet.conditional_formatting.add(ranked, ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color=charts.PALETTE[3][1:]))
    sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{max(last, 1)}"


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs: 2,3,4,7 → (2, 4), (7, 7) — one range
    each, for a conditional format that must leave the rows between out."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _charts(ranks, pictures, overview: Overview) -> None:
    """Each figure's units ranked in two columns of 排名, and a bar chart of them in 图表."""
    put_row(pictures, [f"各项数字排名（由高到低，共{len(overview.charted)}个已计入的单位；数据见“排名”表）"])
    pictures["A1"].font = Font(name=FONT, bold=True, size=12)
    pictures.sheet_format.defaultRowHeight, pictures.sheet_format.customHeight = 15, True  # rows of one height in Excel, WPS and LibreOffice alike: the page breaks fall between charts
    anchor_row = 3
    used = 1.5  # cm of the first page: the sheet's title above the first chart
    col = 1
    for column in chart_columns(overview) + ([overview.column("repetition")] if overview.previous else []):
        ranked = sorted(((row.name, row.figures[column.key]) for row in overview.charted if row.figures and row.figures[column.key].value is not None),
                        key=lambda pair: -(pair[1].number or 0.0))  # number: the value (not None here) as a float
        ranks.cell(1, col, column.heading).font = Font(name=FONT, bold=True)
        ranks.cell(1, col + 1, column.unit if column.kind != "share" else "%").font = Font(name=FONT, bold=True)
        for r, (name, measure) in enumerate(ranked, start=2):
            ranks.cell(r, col, text(name)).data_type = "s"  # as put_row writes it: no control character, never a formula
            cell = ranks.cell(r, col + 1, _cell_value(column, measure))
            cell.number_format = _format(column)
        ranks.column_dimensions[get_column_letter(col)].width = 22
        ranks.column_dimensions[get_column_letter(col + 1)].width = 10
        if ranked:
            chart = BarChart()
            chart.type = "bar"  # horizontal: the units' names read across
            chart.style = 2
            chart.title = f"{column.heading}（由高到低）"
            chart.legend = None
            chart.varyColors = False
            data = Reference(ranks, min_col=col + 1, min_row=1, max_row=len(ranked) + 1)
            names = Reference(ranks, min_col=col, min_row=2, max_row=len(ranked) + 1)
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(names)
            chart.y_axis.scaling.orientation = "minMax"
            chart.x_axis.scaling.orientation = "maxMin"  # the highest at the top
            chart.y_axis.numFmt = _format(column)
            chart.y_axis.delete = False
            chart.x_axis.delete = False
            chart.x_axis.tickLblSkip = 1  # every unit named, none skipped to save room
            series = chart.series[0]
            series.graphicalProperties.solidFill = charts.BAR[1:]
            series.graphicalProperties.line.solidFill = "555555"
            series.dLbls = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False)
            series.dLbls.numFmt = _format(column)
            chart.width = 18
            chart.height = max(6.0, 2.5 + CHART_ROW_CM * len(ranked))
            if len(ranked) <= FITTED_UNITS:
                chart.height = min(chart.height, PAGE_CM - (used if anchor_row == 3 else 0))
            rows = int(chart.height / ROW_CM) + 2
            if used + rows * ROW_CM > PAGE_CM + 1 and anchor_row > 3:  # the next page: a chart is never cut in two
                pictures.row_breaks.append(Break(id=anchor_row - 1))
                used = 0.0
            pictures.add_chart(chart, f"A{anchor_row}")
            anchor_row += rows
            used += rows * ROW_CM
        col += 3
    ranks.freeze_panes = "A2"


def _previous(sheet, overview: Overview) -> None:
    columns = [overview.column(key) for key in YOY_KEYS if any(c.key == key for c in overview.columns)]
    put_row(sheet, ["机关名称", *(f"{c.heading}（上年 → 本年）" for c in columns), "文字重复率", "表格重复率", "总体重复率", "跨年度核对（X1–X5）", "说明"])
    _head(sheet, [24, *([22] * len(columns)), 10, 10, 10, 16, 40])
    for row in overview.figured:
        if row.last is None or row.rates is None or row.figures is None:
            put_row(sheet, [row.name, *([""] * (len(columns) + 4)), row.note or "未作比较"])
            continue
        note = "" if row.charted else f"{row.status}，不计入合计"
        if row.last_name:
            note = "；".join(filter(None, (note, f"上一年度的机关名称为“{row.last_name}”")))
        cells = put_row(sheet, [row.name, *(change(c, row.figures[c.key], row.last[c.key]) for c in columns), row.rates.text, row.rates.tables,
                                row.rates.overall, cross_counts(row), note])
        for cell in cells[len(columns) + 1 : len(columns) + 4]:
            cell.number_format = SHARE_FORMAT
    last = sheet.max_row
    if last >= 2:
        text = get_column_letter(len(columns) + 2)
        sheet.conditional_formatting.add(f"{text}2:{text}{last}", CellIsRule(operator="greaterThanOrEqual", formula=[str(COPIED)], font=FLAG_FONT))
        for j in range(len(columns) + 2, len(columns) + 5):
            letter = get_column_letter(j)
            sheet.conditional_formatting.add(f"{letter}2:{letter}{last}", ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFF", end_type="num", end_value=1, end_color=charts.PALETTE[3][1:]))


def _trends(sheet, overview: Overview) -> None:
    """Each unit's trend figures, a column per year and figure: the numbers of the page's trend lines."""
    years = [*overview.years, overview.year] if overview.year else list(overview.years)
    put_row(sheet, ["机关名称", *(f"{TREND_NAMES[key]}{year}" for key in TREND_KEYS for year in years)])
    _head(sheet, [24, *([10] * (len(years) * len(TREND_KEYS)))])
    for row in overview.figured:
        put_row(sheet, [row.name, *(row.trend[year][key] if year in row.trend else NO_SHARE for key in TREND_KEYS for year in years)])
    sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{max(sheet.max_row, 1)}"


def _grades(sheet, overview: Overview, weights: Weights | None) -> None:
    """评分: a row per unit of the year, each deduction's count and its first finding; with
    weights, the points off and the score."""
    from .grading import rows as graded

    head = ["序号", "机关名称", "状态"]
    for deduction in DEDUCTIONS:
        head += [f"{deduction.heading}（处）", f"{deduction.name}：第一处"]
    head += ["合计（处）"] + (["扣分", "得分"] if weights is not None else [])
    put_row(sheet, head)
    _head(sheet, [6, 24, 8, *([9, 28] * len(DEDUCTIONS)), 9, *([8, 8] if weights is not None else [])])
    for i, (row, found, scored) in enumerate(graded(overview.rows, weights), start=1):
        values: list[Any] = [i, row.name, row.status]
        if found is None:
            values += [""] * (2 * len(DEDUCTIONS) + 1) + (["", ""] if weights is not None else [])
            values[-1 if weights is None else -3] = why(row)
        else:
            for deduction in DEDUCTIONS:
                values += [found[deduction.name].count, found[deduction.name].first]
            values.append(sum(count.count for count in found.values()))
            if scored is not None:
                values += [float(scored[0]), float(scored[1])]
        put_row(sheet, values)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:  # counts beside their first finding, at the top of the row as it is
            cell.alignment = Alignment(wrap_text=isinstance(cell.value, str) and cell.column > 3, vertical="top")
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{max(sheet.max_row, 1)}"
    put_row(sheet, [])
    put_row(sheet, [f"注：处数按错误计，不按“问题清单”的行数：{COUNTING}"])  # under the table: the rows above stay a plain table to filter and sort
    note = sheet.max_row
    sheet.cell(note, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=note, start_column=1, end_row=note, end_column=min(sheet.max_column, 9))
    sheet.row_dimensions[note].height = 48


def _findings(sheet, overview: Overview) -> None:
    put_row(sheet, ["序号", "机关名称", "文件", "状态", "级别", "规则", "位置", "项目", "问题"])
    _head(sheet, [6, 24, 28, 8, 6, 6, 12, 30, 80])
    n = 0
    for row in overview.rows:
        for finding in [*row.findings, *row.cross]:
            n += 1
            put_row(sheet, [n, row.name, row.shown or "", row.status, LEVEL_NAMES[finding.level], finding.rule, finding.at(), finding.path or "", finding.message])
        for note in copying_notes(row):
            n += 1
            put_row(sheet, [n, row.name, row.shown or "", row.status, LEVEL_NAMES["warning"], "雷同", "", "", note.removeprefix("[内容雷同] ")])
    for line in sheet.iter_rows(min_row=2):
        line[-1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = f"A1:I{max(sheet.max_row, 1)}"


def _definitions(sheet, overview: Overview, county: str) -> None:
    run = overview.run
    put_row(sheet, [title(overview, county) + set_aside(overview)])
    sheet["A1"].font = Font(name=FONT, bold=True, size=12)
    sheet.merge_cells("A1:B1")  # the title across the page, not cut at the first column
    if run.set_aside or run.tied:  # the year counted and what was set aside, said as the command said it
        put_row(sheet, ["计入的年度", run.line(YEAR_HINT)])
    put_row(sheet, ["项目", "含义"])
    for column in overview.columns:
        put_row(sheet, [column.heading, column.definition])
    if overview.previous:
        from ..check.repetition import DEFINITIONS

        put_row(sheet, ["跨年度核对", CROSS_DEFINITION])
        for key in ("text", "tables", "overall"):
            name, _, sentence = DEFINITIONS[key].partition("：")
            put_row(sheet, [name, sentence])
        if overview.years:
            put_row(sheet, ["历年趋势", TREND_DEFINITION])
    put_row(sheet, ["中位数", MEDIAN_DEFINITION])
    for column in chart_columns(overview) + ([overview.column("repetition")] if overview.previous else []):
        now, last = medians(overview, column)
        said = "；".join(f"{what}{median_text(column, value)}" for what, value in (("本年", now), ("上年", last)) if value is not None)
        if said:
            put_row(sheet, [f"{column.heading}的中位数", said])
    put_row(sheet, ["评分", "“评分”表：每个单位一行，每个扣分项（勾稽关系 R1–R4、正文与表格不一致 R6、跨年度衔接 X1–X3、年份 X4、内容雷同 X5 和单位间重复率达到50%、缺项 R7/P、落款日期 R5）"
                           f"的处数和第一处的内容，各处都在“问题清单”中；{COUNTING}用 --weights 评分.yaml 给出每处扣几分时，另列扣分和得分。"])
    put_row(sheet, ["合计", "“各单位主要数字”表最后一行：已计入的单位之和，与 nianbao aggregate 的汇总相同；占比为各单位分子之和除以分母之和。"])
    put_row(sheet, ["份数", f"共{len(overview.rows)}个单位（或文件），已计入{len(overview.charted)}个；百分比如 {percent(Fraction(3, 7))} 表示 3/7。"])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    for line in sheet.iter_rows(min_row=2):
        line[0].alignment = Alignment(vertical="top")
        line[1].alignment = Alignment(wrap_text=True, vertical="top")
