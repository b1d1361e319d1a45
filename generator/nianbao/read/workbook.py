"""Collection workbooks (``nianbao sheet``): an .xlsx a county office sends to each unit.

The workbook mirrors the official tables — the same grids, merges and labels as the
DOCX (:mod:`nianbao.render.grid`) — with only the number cells open for typing, each with data
validation, and the 总计 cells as formulas.  A filled workbook is read by what its unit
saw: the layout ``sheet`` writes for the format and year, rebuilt by the same code.  The
hidden sheet names the format and year and lists which report-file key each cell holds;
it is checked against that layout, never trusted to move a value to another cell.  A
number typed over a 总计 formula is read as typed and checked like a total a report file
writes.  The result is the same plain data a report file gives, checked the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl import load_workbook as open_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import NianbaoError
from ..findings import ERROR, WARNING, Finding, Level, Rule
from ..model import dates
from ..model.places import FEES_LABEL, FORMAT_LABEL, UNIT_LABEL, YEAR_LABEL, place, put
from ..model.standard import SPECS, Spec, ValueType, spec_for_year
from ..model.yamlfile import Parsed, number_text
from ..render import grid as layout
from ..render.printing import orientation_for, print_setup
from ..render.textgrid import width as display_width
from ..system.output import zip_entry
from .kinds import OLE_MAGIC
from .load import Loaded, validate

KEYS_SHEET = "_nianbao"  # hidden: key path → cell
FACTS = "机关信息与文字"  # the sheet of the unit's facts and texts; B1 shows the year
COMPUTED = "formula"  # marks a formula cell in the hidden sheet
CHECK_FAIL = "✗ 对不上"
RED_FILL = PatternFill("solid", fgColor="FFC7CE")
GREEN_FILL = PatternFill("solid", fgColor="C6EFCE")
FONT = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
OPEN_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells to fill in
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
FIXED_TIME = dt.datetime(2000, 1, 1)

INSTRUCTIONS = (
    "政府信息公开工作年度报告 数据采集表",
    "",
    "1. 请只在浅黄色的格子里填写；其他格子（标题、行列名称、总计）已锁定，不能修改。",
    "2. 数字格子只能填不小于0的整数（“本年增/减”可为负数，金额可带小数）；没有的填0，不要留空。",
    "3. 总计由表格自动计算，不用填写。",
    "4. “机关信息与文字”页填写机关名称、联系方式和各部分文字；一个格子里分段请按 Alt+Enter。",
    "5. 不要增删行列、不要改工作表名称，填好后保存为 .xlsx 交回。",
    "6. 交回后由县（区）政府办公室用 nianbao batch 统一检查并生成报告。",
)


def _validation(kind: ValueType) -> DataValidation:
    if kind is ValueType.AMOUNT:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        rule.error = "请填不小于0的金额（可带小数）"
    elif kind is ValueType.SIGNED:
        rule = DataValidation(type="whole", operator="between", formula1="-1000000", formula2="1000000")
        rule.error = "请填整数（减少时填负数）"
    else:
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        rule.error = "请填不小于0的整数，没有的填0"
    rule.errorTitle = "填写有误"
    rule.showErrorMessage = True
    return rule


def _column_type(spec: Spec, keys: tuple) -> ValueType:
    where = place(spec.id, keys)
    return where.columns[0].type if where.columns else ValueType.COUNT


def build_sheet(spec: Spec, year: int, unit_name: str | None = None) -> bytes:
    """The blank workbook for one unit, byte-identical for the same arguments."""
    return stable_xlsx(_build(spec, year, unit_name))


def _build(spec: Spec, year: int, unit_name: str | None) -> Workbook:
    """The blank workbook, in memory: what ``sheet`` writes, and the layout a returned
    workbook is read by (:func:`_layout`)."""
    wb = Workbook()
    _intro_sheet(wb, spec, year)
    keys_of = _facts_sheet(wb, spec, year, unit_name)
    computed: dict[str, str] = {}
    for grid in (layout.table2(spec, None), layout.table3(spec, None), layout.table4(spec, None)):
        open_cells, total_cells = _grid_sheet(wb, spec, grid)
        keys_of.update(open_cells)
        computed.update(total_cells)
    _keys_sheet(wb, spec, year, keys_of, computed)
    return wb


def _intro_sheet(wb: Workbook, spec: Spec, year: int) -> None:
    """填写说明: how to fill the workbook, and which year and format it is for."""
    intro = wb.active
    intro.title = "填写说明"
    for r, text in enumerate(INSTRUCTIONS, start=1):
        intro.cell(r, 1, text).font = Font(name=FONT, size=14 if r == 1 else 11, bold=r == 1)
    intro.cell(len(INSTRUCTIONS) + 2, 1, f"本表适用于{year}年度（{spec.name}，{spec.source}）。").font = Font(name=FONT, size=11)
    intro.column_dimensions["A"].width = 100
    intro.protection.sheet = True
    print_setup(intro, header_rows=0, orientation="portrait")  # one column of text: a landscape page would be half empty


def _fact_rows(spec: Spec, year: int, unit_name: str | None) -> list[tuple[str, Any, tuple | None, str]]:
    """The rows of the facts sheet: (label, value, keys in the report file or None when fixed, kind)."""
    rows: list[tuple[str, Any, tuple | None, str]] = [
        (YEAR_LABEL, year, None, "fixed"),
        (FORMAT_LABEL, spec.name, None, "fixed"),
    ]
    rows += [(f"{UNIT_LABEL}：{f.label}", unit_name if f.key == "name" else None, ("unit", f.key), "date" if f.type == "date" else "text") for f in spec.unit]
    if spec.fees:
        rows += [(f"{FEES_LABEL}：{f.label}", 0, ("processing_fees", f.key), f.type) for f in spec.fees]
    overview = spec.section("overview")
    rows += [(f"{overview.heading}{f.label}", None, ("overview", f.key), "narrative") for f in overview.subsections]
    if spec.overview_may_be_text:
        rows.append((f"{overview.heading}（不分五项、写成一整段时填这里）", None, ("overview",), "narrative"))
    rows += [(spec.section(k).heading, None, (k,), "narrative") for k in ("problems", "other_matters")]
    return rows


def _facts_sheet(wb: Workbook, spec: Spec, year: int, unit_name: str | None) -> dict[str, str]:
    """The facts sheet, two columns read down; the cell of each key (as JSON) it holds."""
    keys_of: dict[str, str] = {}
    facts = wb.create_sheet(FACTS)
    facts.column_dimensions["A"].width = 34
    facts.column_dimensions["B"].width = 80
    for r, (label, value, keys, kind) in enumerate(_fact_rows(spec, year, unit_name), start=1):
        head = facts.cell(r, 1, label)
        head.font, head.alignment, head.border = Font(name=FONT, size=11, bold=True), LEFT, BOX
        cell = facts.cell(r, 2, value)
        cell.font, cell.border = Font(name=FONT, size=11), BOX
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if keys is None:
            continue
        cell.protection, cell.fill = Protection(locked=False), OPEN_FILL
        if kind in ("text", "date", "narrative"):
            cell.number_format = "@"  # phone numbers and postcodes keep their leading zeros
        if kind == "date":
            head.value = f"{label}（写成 {dates.example(year)}）"
        if kind == "narrative":
            facts.row_dimensions[r].height = 120
        else:
            facts.row_dimensions[r].height = 14.0 * -(-display_width(str(head.value)) // 32) + 4
        if kind in (ValueType.COUNT.value, ValueType.AMOUNT.value):
            rule = _validation(ValueType(kind))
            facts.add_data_validation(rule)
            rule.add(cell.coordinate)
        keys_of[json.dumps(list(keys), ensure_ascii=False)] = f"{facts.title}!{cell.coordinate}"
    facts.protection.sheet = True
    # a form of two columns, read down: portrait; the year and format repeated on each page
    print_setup(facts, header_rows=2, orientation="portrait")
    return keys_of


def _keys_sheet(wb: Workbook, spec: Spec, year: int, keys_of: dict[str, str], computed: dict[str, str]) -> None:
    """The hidden sheet a returned workbook is read by: each key's cell, the computed ones marked."""
    hidden = wb.create_sheet(KEYS_SHEET)
    hidden.sheet_state = "hidden"
    hidden.append(["nianbao", spec.id, year])
    for keys, where in keys_of.items():
        hidden.append([keys, where])
    for keys, where in computed.items():  # formulas: not read, but findings about them point there
        hidden.append([keys, where, COMPUTED])
    hidden.protection.sheet = True


def _grid_sheet(wb: Workbook, spec: Spec, grid: layout.Grid) -> tuple[dict[str, str], dict[str, str]]:
    """The table's sheet; (open cells, formula cells) by report-file key path."""
    ws = wb.create_sheet(grid.name)
    keys_of: dict[str, str] = {}
    where: dict[tuple, str] = {}
    rules: dict[ValueType, DataValidation] = {}
    widths = [28] * grid.label_cols + [11] * (grid.ncols - grid.label_cols)
    if grid.name == spec.table_names[1]:
        widths[:3] = [10, 14, 36]
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for cell in grid.cells:
        target = ws.cell(cell.row + 1, cell.col + 1)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(start_row=cell.row + 1, start_column=cell.col + 1, end_row=cell.row + cell.rowspan, end_column=cell.col + cell.colspan)
        for r in range(cell.row + 1, cell.row + cell.rowspan + 1):
            for c in range(cell.col + 1, cell.col + cell.colspan + 1):
                ws.cell(r, c).border = BOX
        target.font = Font(name=FONT, size=10, bold=cell.kind in ("head", "group"))
        target.alignment = CENTER if cell.kind != "label" else LEFT
        if cell.kind != "number":
            target.value = cell.text
            continue
        keys = cell.keys
        assert keys is not None  # a number cell has its place in the report
        where[keys] = target.coordinate
        if cell.computed:
            continue
        target.value = 0
        target.protection, target.fill = Protection(locked=False), OPEN_FILL
        kind = _column_type(spec, keys)
        if kind not in rules:
            rules[kind] = _validation(kind)
            ws.add_data_validation(rules[kind])
        rules[kind].add(target.coordinate)
        keys_of[json.dumps(list(keys), ensure_ascii=False)] = f"{ws.title}!{target.coordinate}"
    _formulas(ws, spec, grid, where)
    if grid.name == spec.table_names[1]:
        _check_row(ws, spec, grid, where)
    _fit(ws, grid, widths)
    ws.protection.sheet = True
    named = {json.dumps(list(k), ensure_ascii=False): f"{ws.title}!{c}" for k, c in where.items()}
    computed = {k: at for k, at in named.items() if k not in keys_of}
    return keys_of, computed


def _check_row(ws, spec: Spec, grid: layout.Grid, where: dict[tuple, str]) -> None:
    """Under table 三, a row that checks 一 + 二 = 三（七）总计 + 四 in every column while the
    unit types, and turns red where it fails (a formula and conditional formatting, which
    Excel, WPS and LibreOffice all show)."""
    from openpyxl.formatting.rule import FormulaRule

    t3 = spec.table3
    row = grid.nrows + 2
    label = ws.cell(row, 1, f"勾稽关系检查：{t3.corner.strip('（）')}")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=grid.label_cols)
    label.font, label.alignment, label.border = Font(name=FONT, size=10, bold=True), LEFT, BOX
    keys = {k: ("applications", *t3.keypath(t3.row(k))) for k in ("new", "carried_over", "total", "carried_forward")}
    for c in range(len(t3.all_columns)):
        cell = ws.cell(row, grid.label_cols + 1 + c)
        a, b, total, forward = (where[keys[k] + (c,)] for k in ("new", "carried_over", "total", "carried_forward"))
        cell.value = f'=IF({a}+{b}={total}+{forward},"✓","{CHECK_FAIL}")'
        cell.font, cell.alignment, cell.border = Font(name=FONT, size=10, bold=True), CENTER, BOX
    first, last = get_column_letter(grid.label_cols + 1), get_column_letter(grid.label_cols + len(t3.all_columns))
    span = f"{first}{row}:{last}{row}"
    ws.conditional_formatting.add(span, FormulaRule(formula=[f'{first}{row}<>"✓"'], fill=RED_FILL, font=Font(color="9C0006", bold=True)))
    ws.conditional_formatting.add(span, FormulaRule(formula=[f'{first}{row}="✓"'], fill=GREEN_FILL))
    ws.row_dimensions[row].height = 30


def _fit(ws, grid: layout.Grid, widths: list[int]) -> None:
    """Rows tall enough for their wrapped labels, and the table printed on one page width."""
    heights: dict[int, float] = {}
    for cell in grid.cells:
        if cell.kind == "number" or cell.rowspan > 1:
            continue
        room = sum(widths[cell.col : cell.col + cell.colspan]) - 1
        lines = -(-display_width(cell.text) // max(room, 1))
        heights[cell.row + 1] = max(heights.get(cell.row + 1, 15.0), 14.0 * lines + 2)
    for row, height in heights.items():
        ws.row_dimensions[row].height = height
    print_setup(ws, header_rows=grid.header_rows, orientation=orientation_for(widths))


def _formulas(ws, spec: Spec, grid: layout.Grid, where: dict[tuple, str]) -> None:
    """总计 cells as Excel formulas, so a unit sees its totals while typing."""
    for cell in grid.cells:
        if cell.kind != "number" or not cell.computed:
            continue
        keys = cell.keys
        assert keys is not None
        target = ws[where[keys]]
        if keys[0] == "appeals" or keys[-1] == len(spec.table3.all_columns) - 1 and keys[1:-1] != ("total",):
            parts = [where[keys[:-1] + (i,)] for i in range(keys[-1])]
        else:  # the （七）总计 row: the sum of the leaves in this column
            parts = [where[("applications",) + spec.table3.keypath(leaf) + (keys[-1],)] for leaf in spec.table3.leaves()]
        target.value = f"=SUM({','.join(parts)})"


def stable_xlsx(wb: Workbook) -> bytes:
    """The workbook's bytes with fixed times, so equal content gives equal bytes."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "nianbao"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), data)
            target.writestr(zip_entry(info.filename), data)
    return out.getvalue()


# -- reading a filled workbook --------------------------------------------------------------------------
MAX_SHEET_BYTES = 8 * 1024 * 1024  # a collection workbook's sheets are some tens of KB
MAX_KEY_ROWS = 2000  # the hidden sheet lists a few hundred cells


class UnusableWorkbook(NianbaoError):
    """A workbook nianbao cannot read as a collection workbook (the message says why)."""


def load_workbook(path: Path) -> Loaded:
    """A filled collection workbook → the report, with the same findings a report file gets.
    Lines are not known; the message names the sheet and cell instead.  A stranger's file
    (an old .xls, a huge or hostile package, a workbook whose hidden sheet was edited) is a
    finding, never an exception."""
    try:
        return _load_workbook(path)
    except UnusableWorkbook as exc:
        return Loaded(None, [Finding(ERROR, Rule.S, None, str(exc))])
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return Loaded(None, [Finding(ERROR, Rule.S, None, f"无法打开工作簿 {path.name}：文件已损坏或被截断（{type(exc).__name__}）")])


def _opened(path: Path):
    """The workbook, after its package passed the bounds that a genuine one is far within."""
    from ..system import safezip

    data = path.read_bytes()
    if data.startswith(OLE_MAGIC):
        raise UnusableWorkbook("这是旧版 Excel/WPS 表格格式（.xls/.et），nianbao 只读 .xlsx：请在 Excel 或 WPS 中打开它，“另存为” Excel 工作簿（.xlsx）后再试")
    try:
        with safezip.open_package(data, "Excel 工作簿") as package:
            for info in package.infolist():
                if info.filename.startswith("xl/worksheets/") and info.file_size > MAX_SHEET_BYTES:
                    raise UnusableWorkbook(f"工作表部件“{info.filename}”解压后有 {info.file_size // (1024 * 1024)} MB，不像下发的采集表（采集表只有几十 KB），未读取")
                if info.filename.endswith((".xml", ".rels")):
                    with package.open(info) as part:
                        safezip.declares(part.read(4096), "Excel 工作簿")
    except safezip.BadPackage as exc:
        raise UnusableWorkbook(str(exc)) from exc
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return open_workbook(io.BytesIO(data), data_only=False)  # by content: the name may say .xls
    except (KeyError, ValueError, TypeError, InvalidFileException, zipfile.BadZipFile) as exc:
        raise UnusableWorkbook(f"不是可读取的 Excel 工作簿（{type(exc).__name__}）：请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试") from exc


@dataclass(frozen=True)
class _Layout:
    """Where ``sheet`` puts everything in the workbook of one format and year — the same
    code writes it, so a returned workbook is read by what its unit saw, not by what its
    hidden sheet says."""

    cells: dict[tuple, str]  # key path → "表三!D5": every cell a value is read from
    totals: frozenset[tuple]  # the key paths whose cells hold nianbao's formulas (总计)
    fixed: dict[str, dict[str, Any]]  # sheet → coordinate → what no unit types: labels, formulas


@cache
def _layout(spec_id: str, year: int) -> _Layout:
    """The layout of nianbao's own blank workbook, built once per format and year."""
    wb = _build(SPECS[spec_id], year, None)
    cells: dict[tuple, str] = {}
    totals: set[tuple] = set()
    for keys_text, at, *rest in list(wb[KEYS_SHEET].iter_rows(values_only=True))[1:]:
        keys = tuple(json.loads(keys_text))
        cells[keys] = at
        if rest and rest[0] == COMPUTED:
            totals.add(keys)
    typed = {at for keys, at in cells.items() if keys not in totals}
    fixed: dict[str, dict[str, Any]] = {}
    for ws in wb.worksheets[1:]:  # not the instructions: nothing there is read
        if ws.title == KEYS_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and f"{ws.title}!{cell.coordinate}" not in typed:
                    fixed.setdefault(ws.title, {})[cell.coordinate] = cell.value
    return _Layout(cells, frozenset(totals), fixed)


def _declared(wb) -> tuple[str, int, dict[tuple, str]]:
    """(format, year, each key's cell) as the hidden keys sheet declares them; a workbook
    without it, or with it changed, is not one nianbao can read."""
    if KEYS_SHEET not in wb.sheetnames or not isinstance(wb[KEYS_SHEET], Worksheet):
        raise UnusableWorkbook(f"不是 nianbao sheet 生成的采集表（缺少“{KEYS_SHEET}”表），请使用下发的采集表填写")
    hidden = wb[KEYS_SHEET]
    if hidden.max_row > MAX_KEY_ROWS:
        raise UnusableWorkbook(f"采集表的隐藏表“{KEYS_SHEET}”被改动过（{hidden.max_row}行），无法读取；请使用下发的采集表重新填写")
    try:
        rows = list(hidden.iter_rows(values_only=True))
        _, spec_id, year = rows[0][:3]
        return spec_id, int(year), {tuple(json.loads(keys_text)): str(at) for keys_text, at, *_ in rows[1:]}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise UnusableWorkbook(f"采集表的隐藏表“{KEYS_SHEET}”被改动过，无法读取；请使用下发的采集表重新填写") from exc


def _load_workbook(path: Path) -> Loaded:
    wb = _opened(path)
    spec_id, year, declared = _declared(wb)
    impossible = dates.impossible_year(year)
    if impossible:
        return Loaded(None, [Finding(ERROR, Rule.S, YEAR_LABEL, impossible, cell=f"{FACTS}!B1")])
    spec = SPECS.get(str(spec_id)) or spec_for_year(year)
    if spec is None:
        raise UnusableWorkbook(f"采集表的隐藏表“{KEYS_SHEET}”被改动过，无法读取；请使用下发的采集表重新填写")
    layout = _layout(spec.id, year)
    for sheet in layout.fixed:
        if sheet not in wb.sheetnames or not isinstance(wb[sheet], Worksheet):  # a chart sheet has no cells
            raise UnusableWorkbook(f"采集表中没有“{sheet}”表：工作表被改名或删除了；请使用下发的采集表重新填写")
    findings = _hidden_findings(spec, layout, declared) + _layout_findings(wb, layout)
    data: dict[str, Any] = {"year": year, "format": spec.id, "preamble": None}
    whole = None
    cells: dict[str, str] = {}
    typed_results: set[int] = set()  # columns of （七）总计 a unit typed over
    results = ("applications", *spec.table3.keypath(spec.table3.row("total")))
    for keys, at in layout.cells.items():
        where = place(spec.id, keys)
        cells[where.path] = at
        sheet, coordinate = at.split("!")
        cell = wb[sheet][coordinate]
        if keys in layout.totals:
            value, level, problem = _total_value(spec, keys, cell, layout.fixed[sheet][coordinate], year)
            if value is not _COMPUTED:
                put(data, keys, value)
                if keys[:-1] == results:
                    typed_results.add(keys[-1])
        else:
            value, level, problem = _input_value(spec, keys, cell, year)
            unseen = _not_shown(cell) if isinstance(value, (int, Decimal)) and not problem else ""
            if unseen:
                level, problem = WARNING, f"填写的是 {value}，但{unseen}，在表格中看不到或显示得不同；已按填写的 {value} 读取，请核对"
            if keys == ("overview",):
                whole = value
            else:
                put(data, keys, value)
        if problem:
            findings.append(Finding(level, Rule.S, where.path, f"{where.label}：{problem}", cell=at))
    if typed_results:
        _complete_results(spec, data, results, typed_results)
    if whole is not None:  # v2019: the overview as one text
        parts = data.get("overview") or {}
        if any(parts.values()):
            heading = spec.section("overview").heading
            findings.append(Finding(ERROR, Rule.S, heading, f"{heading}：分五项填写和整段填写只能选一种"))
        data["overview"] = whole
    loaded = validate(Parsed(data=data), source=path, findings=findings)
    loaded.cells = cells
    loaded.findings = loaded.locate(loaded.findings)
    return loaded


MAX_LISTED = 5  # mismatches told one by one; the rest are counted


def _hidden_findings(spec: Spec, layout: _Layout, declared: dict[tuple, str]) -> list[Finding]:
    """The hidden sheet against the layout: it may only say what the layout says.  A key
    moved to another cell is an error naming the cell where the value stands; the value
    is read from there, never from the cell the hidden sheet names."""
    findings: list[Finding] = []
    moved = [(keys, at) for keys, at in layout.cells.items() if declared.get(keys) != at]
    for keys, at in moved[:MAX_LISTED]:
        where = place(spec.id, keys)
        sheet, coordinate = at.split("!")
        written = declared.get(keys)
        if written is None:
            said = "隐藏页中没有这一项"
        else:
            other, _, other_cell = written.rpartition("!")
            said = f"隐藏页写的是 {other_cell if other == sheet else f'“{other}”表 {other_cell}'}"
        findings.append(Finding(ERROR, Rule.S, where.path, f"采集表的隐藏页被改动：“{where.label}”应在 {coordinate} 格，{said}；nianbao 只按表格读取，请使用下发的采集表重新填写", cell=at))
    unknown = [keys for keys in declared if keys not in layout.cells]
    if len(moved) > MAX_LISTED or unknown:
        more = f"另有{len(moved) - MAX_LISTED}项的位置被改动" if len(moved) > MAX_LISTED else ""
        extra = f"多出{len(unknown)}项不认识的内容" if unknown else ""
        findings.append(Finding(ERROR, Rule.S, None, f"采集表的隐藏页被改动：{'，'.join(t for t in (more, extra) if t)}；请使用下发的采集表重新填写"))
    return findings


def _layout_findings(wb, layout: _Layout) -> list[Finding]:
    """What the unit sees around the yellow cells — titles, row and column names, the
    year, the check row's formulas — against nianbao's own workbook.  A label that is not
    where it was (a row inserted, a name retyped) means the values may not be what their
    labels say: an error naming the first such cell of each sheet.  A check row's formula
    changed reads nothing wrong (nianbao checks the figures itself): a warning."""
    totals = {layout.cells[keys] for keys in layout.totals}
    findings: list[Finding] = []
    for sheet, expected in layout.fixed.items():
        ws = wb[sheet]
        labels, formulas = [], []
        for coordinate, shown in expected.items():
            if f"{sheet}!{coordinate}" in totals:
                continue  # read as a value: _total_value
            actual = ws[coordinate].value
            if isinstance(shown, str) and shown.startswith("="):
                if not _same_formula(actual, shown):
                    formulas.append(coordinate)
            elif _shown(actual) != _shown(shown):
                labels.append((coordinate, shown, actual))
        if labels:
            coordinate, shown, actual = labels[0]
            count = f"（这张表共{len(labels)}处与下发的采集表不同）" if len(labels) > 1 else ""
            now = f"公式（{_formula(actual)}）" if isinstance(actual, (ArrayFormula, DataTableFormula)) else f"“{_shown(actual)}”" if _shown(actual) else "空白"
            findings.append(Finding(ERROR, Rule.S, None, f"采集表的表格被改动：{coordinate} 格应为“{_shown(shown)}”，现在是{now}{count}；"
                                    "各格的数按下发的表格读取，请不要增删行列或改动标题，使用下发的采集表重新填写", cell=f"{sheet}!{coordinate}"))
        if formulas:
            findings.append(Finding(WARNING, Rule.S, None, f"勾稽关系检查行的公式被改动了（{'、'.join(formulas[:MAX_LISTED])}{'等' if len(formulas) > MAX_LISTED else ''}格）："
                                    "它不影响读取，nianbao 按填写的数自行核对；请恢复原公式，以便填表时看到检查结果", cell=f"{sheet}!{formulas[0]}"))
    return findings


def _shown(value: Any) -> str:
    """A label's text as compared: 2023 and 2023.0 and "2023" are the same year."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _same_formula(actual: Any, formula: str) -> bool:
    """Whether a cell still holds nianbao's ``formula`` (Excel and LibreOffice may save it
    with other spacing or case)."""
    return isinstance(actual, str) and re.sub(r"\s+", "", actual).upper() == re.sub(r"\s+", "", formula).upper()


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, (ArrayFormula, DataTableFormula))


def _formula(value: Any) -> str:
    """A formula as a clerk knows it: ``=SUM(D4:D9)``; an array formula with its text; a
    data table by name — never a Python object."""
    if isinstance(value, ArrayFormula):
        text = f"数组公式 {value.text or ''}".strip()
    elif isinstance(value, DataTableFormula):
        text = "模拟运算表"
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:38] + "…"


_COMPUTED = object()  # a 总计 cell that still holds its formula: computed, as the unit saw it


def _total_value(spec: Spec, keys: tuple, cell, formula: str, year: int) -> tuple[Any, Level, str]:
    """(value, level, problem) of a 总计 cell.  Its formula: computed from the rows, as
    shown.  A number typed over it: read as typed, so R2/R3/R4 check it against the figures
    it should add up — a unit that typed 12 where the row adds to 5 sees 12, and 12 is what
    is checked, never silently replaced by 5.  Another formula: an error (nianbao does not
    evaluate formulas, and what the unit saw is unknown)."""
    value = cell.value
    if _is_formula(cell):
        if _same_formula(value, formula):
            return _COMPUTED, WARNING, ""
        return _COMPUTED, ERROR, f"总计格的公式被改动了（现在是 {_formula(value)}，应为 {formula}）：nianbao 不计算改动过的公式，请恢复原公式"
    if value is None or (isinstance(value, str) and not value.strip()):
        return _COMPUTED, WARNING, "总计格的公式被删除了，已按各项之和计算；请恢复公式"
    typed, _ = _cell_value(spec, keys, value, year)
    if isinstance(typed, (int, Decimal)) and not isinstance(typed, bool):
        return typed, WARNING, f"总计格的公式被改成了数字 {typed}，已按填写的数字核对；请恢复公式或改正数字"
    return typed, WARNING, f"总计格的公式被改成了“{value}”；请恢复公式"  # the model says it is not a number


def _complete_results(spec: Spec, data: dict, results: tuple, typed: set[int]) -> None:
    """A unit typed over some cells of （七）总计: the row's other cells are what their
    formulas show — each the sum of the result rows in its column — so that the row is
    whole and R3 checks each typed cell against the rows it should add up."""
    t3 = spec.table3
    n = len(t3.all_columns)

    def number(value: Any) -> Any:
        return value if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else 0  # a bad cell has its own error

    rows = []
    for leaf in t3.leaves():
        node: Any = data
        for key in ("applications", *t3.keypath(leaf)):
            node = node.get(key, []) if isinstance(node, dict) else []
        row = [number(v) for v in node] if isinstance(node, list) else []
        row += [0] * (n - 1 - len(row))
        if len(row) < n:
            row.append(sum(row[: n - 1]))  # the row's 总计 formula
        rows.append(row)
    for c in range(n):
        if c not in typed:
            put(data, results + (c,), sum(row[c] for row in rows))


def _not_shown(cell) -> str:
    """Why a unit may not see the figure its cell holds (a hidden row or column, a number
    format that hides or rewrites it — ``;;;``, ``0"0"``, ``[=12]"120"`` — or white text on no
    fill), or ``""``: the figure read must be the one the unit saw."""
    ws = cell.parent
    if ws.sheet_state != "visible":
        return f"“{ws.title}”表被隐藏"
    if ws.row_dimensions[cell.row].hidden or any(d.hidden and (d.min or 0) <= cell.column <= (d.max or 0) for d in ws.column_dimensions.values()):
        return "这一格所在的行或列被隐藏"
    shown = cell.number_format or "General"
    if shown.startswith(";") or ";;" in shown or re.search(r'"[^"]*\d[^"]*"|\\\d|\[[<>=]', shown):
        return f"这一格的数字格式被改成了“{shown}”"
    color = cell.font.color if cell.font is not None else None
    white = color is not None and (str(color.rgb).upper() in ("FFFFFFFF", "00FFFFFF") or (color.type == "theme" and color.theme == 0))
    filled = cell.fill is not None and cell.fill.fill_type not in (None, "none") and str(cell.fill.fgColor.rgb).upper() not in ("FFFFFFFF", "00FFFFFF")
    return "这一格的文字是白色" if white and not filled else ""


def _input_value(spec: Spec, keys: tuple, cell, year: int) -> tuple[Any, Level, str]:
    """(value, level, problem) of a cell the unit fills.  A formula is never evaluated: in
    a text cell its text is kept as written (a warning), in a number cell it is an error."""
    if not _is_formula(cell):
        value, problem = _cell_value(spec, keys, cell.value, year)
        return value, ERROR, problem
    where = place(spec.id, keys)
    shown = _formula(cell.value)
    if (where.kind in ("text", "mapping") or keys[0] in ("overview", "problems", "other_matters")) and isinstance(cell.value, str):
        return cell.value.strip(), WARNING, f"这一格是公式（{shown}），已按公式的原文当作文字读取；如不是有意的，请直接填写文字"
    # 0 only so that the model does not add “没有填写” to this cell's error: the error stops the report
    return 0, ERROR, f"这一格填的是公式（{shown}），nianbao 不计算公式：请直接填写{'文字' if where.kind in ('text', 'date', 'mapping') else '数字'}"


def _cell_value(spec: Spec, keys: tuple, value: Any, year: int) -> tuple[Any, str]:
    """A cell's value as a report file would hold it.  What is not a number is given on as
    typed (``12件``, ``十二``, ``٣``, ``1_000``), so that the report's own rules say once
    what is wrong."""
    where = place(spec.id, keys)
    if where.kind in ("text", "date", "mapping") or keys[0] == "overview":
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, ""
        if isinstance(value, dt.datetime):
            return value.date(), ""
        if where.kind == "date":
            date = dates.parse(str(value))
            return (date, "") if date else (None, f"“{value}”不是日期，请写成 {dates.example(year)}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip().replace("\r\n", "\n"), ""
    if value is None or value == "":
        return None, ""  # the model says what is missing
    if isinstance(value, float):
        value = Decimal(repr(value))
    elif isinstance(value, str):  # a number typed into a cell formatted as text, read as a report file reads it
        value = number_text(value)
        if isinstance(value, str):  # not a number, or one in another notation (+12, 1_000): the model says so
            return value, ""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value() and where.columns and where.columns[0].type is not ValueType.AMOUNT:
        value = int(value)
    return value, ""
