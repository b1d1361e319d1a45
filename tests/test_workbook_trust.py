"""A returned collection workbook is read by what its unit saw (issue 19, point 3).

A number typed over a 总计 formula is read as typed and checked, never replaced by the
sum; a formula nianbao did not write is an error naming its cell; the hidden ``_nianbao``
sheet may not move a value to another cell (it is checked against the layout ``sheet``
writes); a formula in a cell a unit fills is said to be a formula, in Chinese; and a
workbook saved again by LibreOffice reads the same.  Every case is built here from the
workbook ``sheet`` writes, changed as a unit (or a prankster) would change it.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

from conftest import EXAMPLE_2023
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from test_batch import fill

from nianbao.read.load import load_file
from nianbao.read.workbook import KEYS_SHEET, build_sheet

UNIT = "青山镇人民政府"  # the example's unit: fill() writes every cell from it


def filled():
    """The 2023 example filled into the workbook ``sheet`` writes for its unit, open."""
    report = load_file(EXAMPLE_2023).report
    return load_workbook(io.BytesIO(fill(build_sheet(report.spec, 2023, UNIT), report)))


def where(book, keys: tuple) -> tuple[str, str]:
    """(sheet, coordinate) of a report-file key, as the hidden sheet says."""
    for keys_text, at, *_ in list(book[KEYS_SHEET].iter_rows(values_only=True))[1:]:
        if tuple(json.loads(keys_text)) == keys:
            sheet, coordinate = at.split("!")
            return sheet, coordinate
    raise KeyError(keys)


def save(book, folder: Path, name: str = "青山镇.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    book.save(path)
    return path


def said(result) -> list[str]:
    """The findings ``check`` printed, one per line, without the summary line."""
    return [line.strip() for line in result.out.splitlines() if line.startswith("  [")]


# -- builders (also used by bench/hostile.py) -------------------------------------------------------------------
def typed_over_a_row_total(folder: Path) -> Path:
    """表三 一、本年新收: the row adds up to 7 (5+1+0+0+1+0); the unit typed 12 over J4's formula."""
    book = filled()
    sheet, coordinate = where(book, ("applications", "new", 6))
    assert (sheet, coordinate) == ("表三", "J4") and book[sheet][coordinate].value == "=SUM(D4,E4,F4,G4,H4,I4)"
    book[sheet][coordinate] = 12
    return save(book, folder)


def typed_over_the_results_total(folder: Path) -> Path:
    """（七）总计, 自然人 column: the result rows add up to 5; the unit typed 9."""
    book = filled()
    sheet, coordinate = where(book, ("applications", "total", 0))
    book[sheet][coordinate] = 9
    return save(book, folder)


def typed_over_an_appeal_total(folder: Path) -> Path:
    """表四 行政复议 总计: the four results add up to 1; the unit typed 3."""
    book = filled()
    sheet, coordinate = where(book, ("appeals", "review", 4))
    book[sheet][coordinate] = 3
    return save(book, folder)


def changed_total_formula(folder: Path) -> Path:
    """J4's formula made to leave out two columns: the unit sees a total nianbao did not write."""
    book = filled()
    book["表三"]["J4"] = "=SUM(D4,E4,F4,G4)"
    return save(book, folder)


def remapped_hidden_sheet(folder: Path) -> Path:
    """The hidden sheet says 行政许可 stands in B8 (行政处罚's cell, 6 typed there); the
    visible B7, under the label 行政许可, holds "12件"."""
    book = filled()
    sheet, coordinate = where(book, ("proactive", "licensing"))
    assert (sheet, coordinate) == ("表二", "B7")
    book[sheet][coordinate] = "12件"
    for row in book[KEYS_SHEET].iter_rows(min_row=2):
        if row[0].value == '["proactive", "licensing"]':
            row[1].value = "表二!B8"
    return save(book, folder)


def formulas_in_number_cells(folder: Path) -> Path:
    """An array formula, a data table and a plain formula where figures are typed."""
    book = filled()
    table = book["表三"]
    table["D4"] = ArrayFormula("D4", "=SUM(D5:D6*2)")
    table["E4"] = "=1+0"
    table["D5"] = DataTableFormula("D5", dt2D=False, r1="A1")
    return save(book, folder)


# -- typed totals -----------------------------------------------------------------------------------------------
def test_a_number_typed_over_a_row_total_is_checked_not_replaced(cli, tmp_path):
    path = typed_over_a_row_total(tmp_path / "收回")
    result = cli("check", path)
    assert result.code == 1
    assert said(result) == [
        "[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项（总计列：第一项+第二项=12+1=13，第三项（七）总计+第四项=7+1=8）（“表三”表 J4 格）",
        "[错误 R2] 表三：一、本年新收政府信息公开申请数量的总计填写为12，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=5+1+0+0+1+0=7（“表三”表 J4 格）",
        "[提示 S] 表三 一、本年新收 · 总计：总计格的公式被改成了数字 12，已按填写的数字核对；请恢复公式或改正数字（“表三”表 J4 格）",
        "[提示 R6] 表三“一、本年新收政府信息公开申请数量”的总计印为12，与各项之和不符（见 R2）；一、总体情况（二）依申请公开文中“新收政府信息公开申请7件”与各项之和相符："
        "应改正的是表中的总计，不是正文（“表三”表 J4 格）",  # at the typed total, not the text (it states the sum of the parts)
    ]


def test_batch_does_not_publish_a_workbook_whose_typed_total_disagrees(cli, tmp_path):
    typed_over_a_row_total(tmp_path / "收回")
    result = cli("batch", tmp_path / "收回", "-o", tmp_path / "报告")
    assert result.code == 1
    assert not list((tmp_path / "报告").glob("*.docx")) and not list((tmp_path / "报告").glob("*.txt"))
    units = list(load_workbook(tmp_path / "报告" / "汇总.xlsx")["单位"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[4], row[5]) for row in units] == [(UNIT, "未通过", 2)]


def test_a_typed_total_that_adds_up_is_a_warning_and_the_report_is_whole(cli, tmp_path):
    book = filled()
    book["表三"]["J4"] = 7
    result = cli("check", save(book, tmp_path))
    assert result.code == 0
    assert said(result) == ["[提示 S] 表三 一、本年新收 · 总计：总计格的公式被改成了数字 7，已按填写的数字核对；请恢复公式或改正数字（“表三”表 J4 格）"]


def test_a_number_typed_over_the_results_total_fires_r3(cli, tmp_path):
    result = cli("check", typed_over_the_results_total(tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=5+1=6，第三项（七）总计+第四项=9+1=10）（“表三”表 D4 格）",
        "[错误 R2] 表三：（七）总计的总计填写为7，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=9+1+0+0+1+0=11（“表三”表 J27 格）",
        "[错误 R3] 表三：（七）总计≠（一）至（六）各项之和（自然人列：填写为9，各项之和为5，其中三（一）予以公开=3、三（二）部分公开=1、三（三）不予公开 4.保护第三方合法权益=1）（“表三”表 D27 格）",
        "[提示 S] 表三 三（七）总计 · 自然人：总计格的公式被改成了数字 9，已按填写的数字核对；请恢复公式或改正数字（“表三”表 D27 格）",
    ]


def test_a_number_typed_over_an_appeal_total_fires_r4(cli, tmp_path):
    result = cli("check", typed_over_an_appeal_total(tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 R4] 表四：行政复议的总计填写为3，但结果维持+结果纠正+其他结果+尚未审结=1+0+0+0=1（“表四”表 E4 格）",
        "[提示 S] 表四 行政复议 · 总计：总计格的公式被改成了数字 3，已按填写的数字核对；请恢复公式或改正数字（“表四”表 E4 格）",
    ]


def test_a_total_formula_nianbao_did_not_write_is_an_error_naming_the_cell(cli, tmp_path):
    result = cli("check", changed_total_formula(tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 表三 一、本年新收 · 总计：总计格的公式被改动了（现在是 =SUM(D4,E4,F4,G4)，应为 =SUM(D4,E4,F4,G4,H4,I4)）：nianbao 不计算改动过的公式，请恢复原公式（“表三”表 J4 格）",
        # #20.4: the column that reads the cell waits for it, the other columns were checked
        "[提示 R1] “表三 一、本年新收 · 总计”无法读取，表三总计列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行（“表三”表 J4 格）"]


def test_a_deleted_total_formula_is_computed_and_said(cli, tmp_path):
    book = filled()
    book["表四"]["E4"] = None
    result = cli("check", save(book, tmp_path))
    assert result.code == 0
    assert said(result) == ["[提示 S] 表四 行政复议 · 总计：总计格的公式被删除了，已按各项之和计算；请恢复公式（“表四”表 E4 格）"]


# -- the hidden sheet and the visible layout -----------------------------------------------------------------------
def test_a_remapped_hidden_sheet_is_an_error_and_the_visible_cell_is_read(cli, tmp_path):
    result = cli("check", remapped_hidden_sheet(tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 采集表的隐藏页被改动：“表二 第二十条第（五）项 行政许可 · 本年处理决定数量”应在 B7 格，隐藏页写的是 B8；nianbao 只按表格读取，请使用下发的采集表重新填写（“表二”表 B7 格）",
        "[错误 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：只填数字，不要带单位：“12件”请写成 12（单位已印在表头）（“表二”表 B7 格）",
    ]


def test_a_label_retyped_or_a_year_changed_in_the_visible_sheet_is_an_error(cli, tmp_path):
    book = filled()
    book["表二"]["A7"] = "行政处罚"
    book["机关信息与文字"]["B1"] = 2024
    result = cli("check", save(book, tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 采集表的表格被改动：B1 格应为“2023”，现在是“2024”；各格的数按下发的表格读取，请不要增删行列或改动标题，使用下发的采集表重新填写（“机关信息与文字”表 B1 格）",
        "[错误 S] 采集表的表格被改动：A7 格应为“行政许可”，现在是“行政处罚”；各格的数按下发的表格读取，请不要增删行列或改动标题，使用下发的采集表重新填写（“表二”表 A7 格）",
    ]


def test_a_changed_check_row_formula_is_a_warning(cli, tmp_path):
    book = filled()
    book["表三"]["D30"] = "✓"
    result = cli("check", save(book, tmp_path))
    assert result.code == 0
    assert said(result) == ["[提示 S] 勾稽关系检查行的公式被改动了（D30格）：它不影响读取，nianbao 按填写的数自行核对；请恢复原公式，以便填表时看到检查结果（“表三”表 D30 格）"]


def test_an_impossible_year_in_a_workbook_is_an_error_not_a_crash(cli, tmp_path):
    from nianbao.model.standard import SPECS

    path = tmp_path / "采集表.xlsx"
    path.write_bytes(build_sheet(SPECS["v2021"], 99999, UNIT))
    result = cli("check", path)
    assert result.code == 1
    assert said(result)[0].startswith("[错误 S] 报告年度“99999”不可能：应为2008年至") and said(result)[0].endswith("（“机关信息与文字”表 B1 格）")


# -- formulas where figures are typed ---------------------------------------------------------------------------
def test_formulas_in_number_cells_are_said_to_be_formulas_never_python_objects(cli, tmp_path):
    result = cli("check", formulas_in_number_cells(tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 表三 一、本年新收 · 自然人：这一格填的是公式（数组公式 =SUM(D5:D6*2)），nianbao 不计算公式：请直接填写数字（“表三”表 D4 格）",
        "[错误 S] 表三 一、本年新收 · 商业企业：这一格填的是公式（=1+0），nianbao 不计算公式：请直接填写数字（“表三”表 E4 格）",
        "[错误 S] 表三 二、上年结转 · 自然人：这一格填的是公式（模拟运算表），nianbao 不计算公式：请直接填写数字（“表三”表 D5 格）",
        "[提示 R1] “表三 一、本年新收 · 自然人”、“表三 一、本年新收 · 商业企业”、“表三 二、上年结转 · 自然人”无法读取，表三自然人列、商业企业列、总计列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行（“表三”表 D4 格）",
    ]
    assert "object at" not in result.out + result.err


# -- a workbook saved again by LibreOffice ----------------------------------------------------------------------
def test_a_typed_total_still_fires_r2_after_libreoffice_recalculates_the_workbook(cli, tmp_path):
    assert shutil.which("soffice"), "LibreOffice is needed (CI installs it)"
    source = typed_over_a_row_total(tmp_path / "填好")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "收回"), str(source)], check=True, capture_output=True, timeout=180)
    recalculated = tmp_path / "收回" / source.name
    cached = load_workbook(recalculated, data_only=True)["表三"]
    assert cached["J4"].value == 12 and cached["J5"].value == 1  # LibreOffice kept the typed number, recomputed the rest
    result = cli("check", recalculated)
    assert result.code == 1
    assert said(result)[:3] == said(cli("check", source))[:3]
    assert "[错误 R2] 表三：一、本年新收政府信息公开申请数量的总计填写为12，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=5+1+0+0+1+0=7（“表三”表 J4 格）" in said(result)


def test_numbers_typed_as_text_are_read_only_in_plain_digits(cli, tmp_path):
    """Decimal() reads ٣, 1_000 and +1 as numbers; a cell formatted as text is read as a
    report file is: plain digits are the number, the rest is said, with the number meant."""
    book = filled()
    table = book["表三"]
    table["D4"], table["E4"], table["H4"], table["D5"] = "٣", "1_000", "+1", "1"
    result = cli("check", save(book, tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 表三 一、本年新收 · 自然人：“٣”不是半角数字，请写成 3（“表三”表 D4 格）",
        "[错误 S] 表三 一、本年新收 · 商业企业：“1_000”不是普通的十进制数字写法，请写成 1000（“表三”表 E4 格）",
        "[错误 S] 表三 一、本年新收 · 法律服务机构：“+1”不是普通的十进制数字写法，请写成 1（“表三”表 H4 格）",
        "[提示 R1] “表三 一、本年新收 · 自然人”、“表三 一、本年新收 · 商业企业”、“表三 一、本年新收 · 法律服务机构”无法读取，"
        "表三自然人列、商业企业列、法律服务机构列、总计列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行（“表三”表 D4 格）",
    ]
