"""Collection workbooks (``nianbao sheet``): an .xlsx a county office sends to each unit.

The workbook mirrors the official tables — the same grids, merges and labels as the
DOCX (:mod:`.render.grid`) — with only the number cells open for typing, each with data
validation, and the 总计 cells as formulas.  A hidden sheet records which report-file
key each open cell holds, so reading a filled workbook back never depends on where a
unit moved a row: it is the same plain data a report file gives, checked the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook as open_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import dates
from .render import grid as layout
from .findings import ERROR, Finding
from .load import Loaded, validate
from .output import zip_entry
from .places import FEES_LABEL, FORMAT_LABEL, UNIT_LABEL, YEAR_LABEL, place, put
from .kinds import OLE_MAGIC
from .standard import SPECS, Spec, ValueType, spec_for_year
from .render.textgrid import width as display_width
from .yamlfile import Parsed

KEYS_SHEET = "_nianbao"  # hidden: key path → cell
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
    wb = Workbook()
    intro = wb.active
    intro.title = "填写说明"
    for r, text in enumerate(INSTRUCTIONS, start=1):
        intro.cell(r, 1, text).font = Font(name=FONT, size=14 if r == 1 else 11, bold=r == 1)
    intro.cell(len(INSTRUCTIONS) + 2, 1, f"本表适用于{year}年度（{spec.name}，{spec.source}）。").font = Font(name=FONT, size=11)
    intro.column_dimensions["A"].width = 100
    intro.protection.sheet = True

    keys_of: dict[str, str] = {}
    facts = wb.create_sheet("机关信息与文字")
    facts.column_dimensions["A"].width = 34
    facts.column_dimensions["B"].width = 80
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
    for r, (label, value, keys, kind) in enumerate(rows, start=1):
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
    facts.sheet_properties.pageSetUpPr.fitToPage = True
    facts.page_setup.fitToWidth, facts.page_setup.fitToHeight = 1, 0

    computed: dict[str, str] = {}
    for grid in (layout.table2(spec, None), layout.table3(spec, None), layout.table4(spec, None)):
        open_cells, total_cells = _grid_sheet(wb, spec, grid)
        keys_of.update(open_cells)
        computed.update(total_cells)

    hidden = wb.create_sheet(KEYS_SHEET)
    hidden.sheet_state = "hidden"
    hidden.append(["nianbao", spec.id, year])
    for keys, where in keys_of.items():
        hidden.append([keys, where])
    for keys, where in computed.items():  # formulas: not read, but findings about them point there
        hidden.append([keys, where, COMPUTED])
    hidden.protection.sheet = True
    return stable_xlsx(wb)


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
        where[cell.keys] = target.coordinate  # type: ignore[index]
        if cell.computed:
            continue
        target.value = 0
        target.protection, target.fill = Protection(locked=False), OPEN_FILL
        kind = _column_type(spec, cell.keys)  # type: ignore[arg-type]
        if kind not in rules:
            rules[kind] = _validation(kind)
            ws.add_data_validation(rules[kind])
        rules[kind].add(target.coordinate)
        keys_of[json.dumps(list(cell.keys), ensure_ascii=False)] = f"{ws.title}!{target.coordinate}"  # type: ignore[arg-type]
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
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


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
            parts = [where[("applications", *spec.table3.keypath(leaf), keys[-1])] for leaf in spec.table3.leaves()]
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


class NotOurs(Exception):
    """A workbook nianbao cannot read as a collection workbook (the message says why)."""


def load_workbook(path: Path) -> Loaded:
    """A filled collection workbook → the report, with the same findings a report file gets.
    Lines are not known; the message names the sheet and cell instead.  A stranger's file
    (an old .xls, a huge or hostile package, a workbook whose hidden sheet was edited) is a
    finding, never an exception."""
    try:
        return _load_workbook(path)
    except NotOurs as exc:
        return Loaded(None, [Finding(ERROR, "S", None, str(exc))])
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return Loaded(None, [Finding(ERROR, "S", None, f"无法打开工作簿 {path.name}：文件已损坏或被截断（{type(exc).__name__}）")])


def _opened(path: Path):
    """The workbook, after its package passed the bounds that a genuine one is far within."""
    from . import safezip

    data = path.read_bytes()
    if data.startswith(OLE_MAGIC):
        raise NotOurs("这是旧版 Excel/WPS 表格格式（.xls/.et），nianbao 只读 .xlsx：请在 Excel 或 WPS 中打开它，“另存为” Excel 工作簿（.xlsx）后再试")
    try:
        with safezip.open_package(data, "Excel 工作簿") as package:
            for info in package.infolist():
                if info.filename.startswith("xl/worksheets/") and info.file_size > MAX_SHEET_BYTES:
                    raise NotOurs(f"工作表部件“{info.filename}”解压后有 {info.file_size // (1024 * 1024)} MB，不像下发的采集表（采集表只有几十 KB），未读取")
                if info.filename.endswith((".xml", ".rels")):
                    with package.open(info) as part:
                        safezip.declares(part.read(4096), "Excel 工作簿")
    except safezip.Refused as exc:
        raise NotOurs(str(exc)) from exc
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return open_workbook(io.BytesIO(data), data_only=False)  # by content: the name may say .xls
    except (KeyError, ValueError, TypeError, InvalidFileException, zipfile.BadZipFile) as exc:
        raise NotOurs(f"不是可读取的 Excel 工作簿（{type(exc).__name__}）：请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试") from exc


def _load_workbook(path: Path) -> Loaded:
    wb = _opened(path)
    if KEYS_SHEET not in wb.sheetnames:
        raise NotOurs(f"不是 nianbao sheet 生成的采集表（缺少“{KEYS_SHEET}”表），请使用下发的采集表填写")
    hidden = wb[KEYS_SHEET]
    if hidden.max_row > MAX_KEY_ROWS:
        raise NotOurs(f"采集表的隐藏表“{KEYS_SHEET}”被改动过（{hidden.max_row}行），无法读取；请使用下发的采集表重新填写")
    try:
        rows = list(hidden.iter_rows(values_only=True))
        _, spec_id, year = rows[0][:3]
        year = int(year)
        spec = SPECS.get(str(spec_id)) or spec_for_year(year)
        if spec is None:
            raise ValueError(f"no format for {year}")  # an edited hidden sheet, said below
        layout_rows = []
        for keys_text, at, *rest in rows[1:]:
            keys = tuple(json.loads(keys_text))
            sheet, coordinate = str(at).split("!")
            layout_rows.append((keys, str(at), sheet, coordinate, bool(rest and rest[0] == COMPUTED), place(spec.id, keys)))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise NotOurs(f"采集表的隐藏表“{KEYS_SHEET}”被改动过，无法读取；请使用下发的采集表重新填写") from exc
    data: dict[str, Any] = {"year": year, "format": spec.id, "preamble": None}
    findings: list[Finding] = []
    whole = None
    cells: dict[str, str] = {}
    for keys, at, sheet, coordinate, computed, where in layout_rows:
        cells[where.path] = at
        if computed:
            continue
        try:
            value = wb[sheet][coordinate].value
        except (KeyError, ValueError) as exc:
            raise NotOurs(f"找不到单元格 {at}：工作表被改名或删除了；请使用下发的采集表重新填写") from exc
        value, problem = _cell_value(spec, keys, value, year)
        if problem:
            findings.append(Finding(ERROR, "S", where.path, f"{where.path}：{problem}", cell=at))
        if keys == ("overview",):
            whole = value
        else:
            put(data, keys, value)
    if whole is not None:  # v2019: the overview as one text
        parts = data.get("overview") or {}
        if any(parts.values()):
            heading = spec.section("overview").heading
            findings.append(Finding(ERROR, "S", heading, f"{heading}：分五项填写和整段填写只能选一种"))
        data["overview"] = whole
    loaded = validate(Parsed(data=data), source=path, findings=findings)
    loaded.cells = cells
    loaded.findings = loaded.locate(loaded.findings)
    return loaded


def _cell_value(spec: Spec, keys: tuple, value: Any, year: int) -> tuple[Any, str]:
    """A cell's value as a report file would hold it.  What is not a number is given on as
    typed (``12件``, ``十二``), so that the report's own rules say once what is wrong."""
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
    elif isinstance(value, str):
        try:  # a number typed into a cell formatted as text
            value = Decimal(value.strip())
        except InvalidOperation:
            return value, ""
    if isinstance(value, Decimal) and value == value.to_integral_value() and where.columns and where.columns[0].type is not ValueType.AMOUNT:
        value = int(value)
    return value, ""
