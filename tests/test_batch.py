"""A county office's afternoon: collection workbooks, a batch of ~30 units, defaults, the aggregate."""

from __future__ import annotations

import io
import json
import re

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit
from openpyxl import load_workbook

from nianbao.model.standard import SPECS
from nianbao.read.load import load_file
from nianbao.read.workbook import KEYS_SHEET, build_sheet
from nianbao.read.workbook import load_workbook as read_workbook

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")


def units(folder, count: int = 30) -> None:
    """``count`` units from the 2023 example; unit 08 does not add up, unit 20 has 十二 for a
    count, and unit 26 is another township's workbook under unit 25's name."""
    folder.mkdir()
    for i in range(1, count + 1):
        text = edit(TEXT_2023, "name: 青山镇人民政府", f"name: 第{i:02d}镇人民政府")
        if i == 8:
            text = edit(text, "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]")
        if i == 20:
            text = edit(text, "licensing: 12", "licensing: 十二")
        if i == 26:  # another township's figures under unit 25's name
            text = edit(edit(text, "name: 第26镇人民政府", "name: 第25镇人民政府"), "licensing: 12", "licensing: 13")
        (folder / f"unit{i:02d}.yaml").write_text(text, encoding="utf-8")


def summary(path) -> list[tuple]:
    return [tuple(row) for row in load_workbook(path)["单位"].iter_rows(values_only=True)]


def problems(path) -> list[tuple]:
    return [tuple(row) for row in load_workbook(path)["问题清单"].iter_rows(values_only=True)]


def test_batch_renders_the_good_units_and_reports_the_broken(cli, tmp_path):
    units(tmp_path / "in")
    result = cli("batch", tmp_path / "in", "-o", tmp_path / "out", "--jobs", "2")
    assert result.code == 1, result
    out = tmp_path / "out"
    docx = sorted(p.name for p in out.glob("*.docx"))
    assert len(docx) == 26 and len(list(out.glob("*.txt"))) == 26
    assert not any(name.startswith("第25镇") for name in docx)  # two files claim unit 25: neither is published
    rows = summary(out / "汇总.xlsx")
    assert rows[0] == ("序号", "机关名称", "年度", "文件", "状态", "错误", "提示", "主要问题", "生成的文件")
    failed = {row[3]: row for row in rows[1:] if row[4] == "未通过"}
    assert set(failed) == {"unit08.yaml", "unit20.yaml", "unit25.yaml", "unit26.yaml"}
    assert failed["unit08.yaml"][1:3] == ("第08镇人民政府", 2023)
    assert failed["unit08.yaml"][5:8] == (2, 1, "表三：第一项+第二项≠第三项（七）总计+第四项（总计列：第一项+第二项=8+1=9，第三项（七）总计+第四项=7+1=8）（第39行）")
    assert failed["unit20.yaml"][1:3] == ("第20镇人民政府", 2023)  # named although it failed
    assert failed["unit20.yaml"][7] == "表二 第二十条第（五）项 行政许可 · 本年处理决定数量：应为不小于0的整数，这里是文字“十二”（第31行）"
    assert failed["unit26.yaml"][7].startswith("2个文件都是“第25镇人民政府”2023年度的报告，内容不同：unit25.yaml（")
    assert rows[1][8] == "第01镇人民政府2023年政府信息公开工作年度报告.docx、第01镇人民政府2023年政府信息公开工作年度报告.txt"
    assert "汇总：30个单位，已生成26个，未通过4个" in result.out
    listed = [row for row in problems(out / "汇总.xlsx") if row[2] == "unit08.yaml"]
    assert [(row[3], row[4], row[5]) for row in listed] == [("错误", "R1", "第39行"), ("错误", "R2", "第39行"), ("提示", "R6", "第39行")]  # R6 at the wrong total, not the text that states the sum


def test_outputs_are_byte_identical_whatever_the_jobs(cli, tmp_path):
    units(tmp_path / "in", 12)
    cli("batch", tmp_path / "in", "-o", tmp_path / "one", "--jobs", "1")
    cli("batch", tmp_path / "in", "-o", tmp_path / "two", "--jobs", "2")
    one, two = sorted((tmp_path / "one").iterdir()), sorted((tmp_path / "two").iterdir())
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 2 * 11 + 2  # and 汇总.xlsx, the record
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two))


# -- collection workbooks ---------------------------------------------------------------------------------
def fill(sheet_bytes: bytes, report) -> bytes:
    """Fill a blank collection workbook as a unit would, through openpyxl."""
    wb = load_workbook(io.BytesIO(sheet_bytes))
    for keys_text, where, *rest in list(wb[KEYS_SHEET].iter_rows(values_only=True))[1:]:
        if rest and rest[0]:
            continue  # a formula (总计): locked, a unit cannot type there
        keys = tuple(json.loads(keys_text))
        if keys[0] == "applications":
            line = next(row for row in report.spec.table3.data_lines() if ("applications", *report.spec.table3.keypath(row)) == keys[:-1])
            value = report.row(line)[keys[-1]]
        elif keys[0] == "overview" and isinstance(report.get(("overview",)), str):  # v2019: one text
            value = report.get(("overview",)) if keys == ("overview",) else None
        else:
            value = report.get(keys)
        sheet, cell = where.split("!")
        wb[sheet][cell] = value.isoformat() if hasattr(value, "isoformat") else value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("example", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])
def test_a_filled_workbook_gives_the_same_data_as_the_report_file(example, tmp_path):
    report = load_file(example).report
    path = tmp_path / "filled.xlsx"
    path.write_bytes(fill(build_sheet(report.spec, report.year, report.unit_name), report))
    loaded = read_workbook(path)
    assert loaded.findings == [] and loaded.report is not None
    expected, got = report.plain(), loaded.report.plain()
    for key in ("applications", "appeals"):  # the example writes totals; the workbook computes them
        expected.pop(key), got.pop(key)
    assert got == expected
    assert [loaded.report.row(row) for row in report.spec.table3.data_lines()] == [report.row(row) for row in report.spec.table3.data_lines()]


def test_the_workbook_is_locked_but_for_the_cells_to_fill(cli, tmp_path):
    result = cli("sheet", "--year", "2023", "--unit", "青山镇人民政府", "-o", tmp_path / "s.xlsx")
    assert result.code == 0, result
    wb = load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["填写说明", "机关信息与文字", "表二", "表三", "表四", KEYS_SHEET]
    t3 = wb["表三"]
    assert t3.protection.sheet and "A1:C3" in {str(r) for r in t3.merged_cells.ranges}
    assert t3["A1"].value.startswith("（本列数据的勾稽关系为") and t3["A1"].protection.locked
    assert t3["D4"].value == 0 and not t3["D4"].protection.locked  # 一、自然人
    assert t3["J4"].value == "=SUM(D4,E4,F4,G4,H4,I4)" and t3["J4"].protection.locked  # 总计
    rules = {(dv.type, dv.operator, dv.formula1) for dv in t3.data_validations.dataValidation}
    assert rules == {("whole", "greaterThanOrEqual", "0")}
    amounts = {(dv.type, dv.formula1) for dv in wb["表二"].data_validations.dataValidation}
    assert ("decimal", "0") in amounts
    assert wb["机关信息与文字"]["B3"].value == "青山镇人民政府"
    assert (tmp_path / "s.xlsx").read_bytes() == build_sheet(SPECS["v2021"], 2023, "青山镇人民政府")  # reproducible
    assert cli("sheet", "--year", "2023", "-o", tmp_path / "s.xlsx").code == 2  # never overwritten


def test_batch_reads_workbooks_beside_report_files(cli, tmp_path):
    report = load_file(EXAMPLE_2023).report
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "青山镇.xlsx").write_bytes(fill(build_sheet(report.spec, 2023, "青山镇人民政府"), report))
    (tmp_path / "in" / "白河乡.yaml").write_text(edit(TEXT_2023, "name: 青山镇人民政府", "name: 白河乡人民政府"), encoding="utf-8")
    result = cli("batch", tmp_path / "in", "-o", tmp_path / "out", "--jobs", "1")
    assert result.code == 0, result
    assert {p.name for p in (tmp_path / "out").glob("*.docx")} == {
        "青山镇人民政府2023年政府信息公开工作年度报告.docx", "白河乡人民政府2023年政府信息公开工作年度报告.docx"}


# -- shared default texts ------------------------------------------------------------------------------------
def test_defaults_fill_empty_sections_and_an_unknown_placeholder_fails_its_unit_only(cli, tmp_path):
    units(tmp_path / "in", 4)
    for name in ("unit02.yaml", "unit03.yaml"):
        path = tmp_path / "in" / name
        text = path.read_text(encoding="utf-8")
        start = text.index("problems: |-")
        end = text.index("processing_fees:")
        path.write_text(text[:start] + "problems: null\n" + text[end:], encoding="utf-8")
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text("problems: |\n  {{ unit.name }}{{ year }}年新收申请{{ applications.new.总计 }}件，信息报送还不够及时，下一年将按月通报整改。\n", encoding="utf-8")
    result = cli("batch", tmp_path / "in", "-o", tmp_path / "out", "--jobs", "1", "--defaults", defaults)
    assert result.code == 0, result
    txt = (tmp_path / "out" / "第02镇人民政府2023年政府信息公开工作年度报告.txt").read_text(encoding="utf-8-sig")
    assert "第02镇人民政府2023年新收申请7件，信息报送还不够及时，下一年将按月通报整改。" in txt

    defaults.write_text("problems: \"{{ unit.nmae }}的问题\"\n", encoding="utf-8")
    result = cli("batch", tmp_path / "in", "-o", tmp_path / "out2", "--jobs", "2", "--defaults", defaults)
    assert result.code == 1
    rows = {row[3]: row for row in summary(tmp_path / "out2" / "汇总.xlsx")[1:]}
    assert [name for name, row in rows.items() if row[4] == "未通过"] == ["unit02.yaml", "unit03.yaml"]
    assert rows["unit02.yaml"][7] == "第02镇人民政府：五、存在的主要问题及改进情况的默认文字中有未知的占位符“nmae”"
    assert len(list((tmp_path / "out2").glob("*.docx"))) == 2

    defaults.write_text("problem: 文字\n", encoding="utf-8")
    bad = cli("batch", tmp_path / "in", "-o", tmp_path / "out3", "--defaults", defaults)
    assert bad.code == 2 and "未知的键“problem”" in bad.err


# -- the aggregate -----------------------------------------------------------------------------------------------
def test_aggregate_adds_up_every_table_value(cli, tmp_path):
    (tmp_path / "in").mkdir()
    second = edit(edit(TEXT_2023, "name: 青山镇人民政府", "name: 白石镇人民政府"), "licensing: 12", "licensing: 30")
    second = edit(second, "new: [5, 1, 0, 0, 1, 0, 7]", "new: [6, 1, 0, 0, 1, 0, 8]")
    second = edit(second, "disclosed: [3, 1, 0, 0, 0, 0]", "disclosed: [4, 1, 0, 0, 0, 0]")
    second = edit(second, "total: [5, 1, 0, 0, 1, 0, 7]", "total: [6, 1, 0, 0, 1, 0, 8]")
    (tmp_path / "in" / "a.yaml").write_text(TEXT_2023, encoding="utf-8")
    (tmp_path / "in" / "b.yaml").write_text(second, encoding="utf-8")
    result = cli("aggregate", tmp_path / "in", "-o", tmp_path / "县.yaml", "--unit", "临溪县")
    assert result.code == 0, result
    report = load_file(tmp_path / "县.yaml").report
    assert report.get(("proactive", "licensing")) == 12 + 30
    assert list(report.get(("proactive", "normative_documents"))) == [2, 0, 12]  # [1, 0, 6] twice
    assert list(report.get(("applications", "new"))) == [5 + 6, 2, 0, 0, 2, 0]
    assert list(report.get(("applications", "disclosed"))) == [3 + 4, 2, 0, 0, 0, 0]
    assert list(report.get(("appeals", "review"))) == [2, 0, 0, 0]
    assert report.row(report.spec.table3.row("total")) == [11, 2, 0, 0, 2, 0, 15]
    book = load_workbook(tmp_path / "汇总.xlsx")["表三主要行"]
    sheet = [tuple(r) for r in book.iter_rows(values_only=True)]
    assert sheet == [  # what it counts and what it cannot say, above the table (issue 27's trial: a sheet handed on alone)
        ("临溪县2023年政府信息公开工作年度报告：表三主要行，已计入的2个单位之和（由 nianbao aggregate 生成）", *[None] * 7),
        ("没有给出名单，无法核对是否交齐：计入了找到的全部2个单位的报告", *[None] * 7),
        ("机关名称", "文件", "状态", "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（七）总计", "四、结转下年度继续办理", "说明"),
        ("青山镇人民政府", "a.yaml", "已计入", 7, 1, 7, 1, None),
        ("白石镇人民政府", "b.yaml", "已计入", 8, 1, 8, 1, None),
        ("合计（已计入的2个单位）", None, None, 15, 2, 15, 2, None),
    ]
    assert book.print_title_rows == "$1:$3" and book.freeze_panes == "A4"


def test_aggregate_leaves_out_a_report_of_another_year_and_says_so(cli, tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a", "b"):
        (tmp_path / "in" / f"{name}.yaml").write_text(edit(TEXT_2023, "name: 青山镇人民政府", f"name: {name}镇人民政府"), encoding="utf-8")
    (tmp_path / "in" / "old.yaml").write_text(EXAMPLE_2020.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("aggregate", tmp_path / "in", "-o", tmp_path / "县.yaml")
    assert result.code == 1
    assert "old.yaml：这份是2020年度的报告，其他2个单位都是2023年度（2021年修订格式）：是否交错了年度或用了旧表？不计入" in result.err
    assert "不完整的汇总：只计入2个单位，1个文件未计入（见上），改正后请重新汇总" in result.out
    report = load_file(tmp_path / "县.yaml").report
    assert report.row(report.spec.table3.row("new"))[-1] == 14  # a and b only
    assert "以下文件未计入：old.yaml" in (tmp_path / "县.yaml").read_text(encoding="utf-8")


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="a pseudo-terminal is POSIX")
def test_the_summary_fits_an_80_column_terminal_after_the_progress_and_the_notes(cli, tmp_path):
    """Issue #32.6: at 80 columns each unit is one line with a short reason (the table once
    wrapped each message over seven lines), the full messages are in 汇总.xlsx and the run says
    so; the progress bar and what is said on the way (here: the output folder's record of what
    nianbao wrote, grown too big, ignored) come before the table, never after it."""
    from terminal import Pty

    folder = tmp_path / "收回"
    folder.mkdir()
    long_name = "临溪县青山镇人民政府办公室政务公开工作领导小组"
    for i, (name, change) in enumerate([("白石镇人民政府", None), (long_name, None),
                                        ("第03镇人民政府", ("licensing: 12", "licensing: 十二")),
                                        ("第04镇人民政府", ("new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]"))], start=1):
        text = edit(TEXT_2023, "name: 青山镇人民政府", f"name: {name}")
        (folder / f"u{i}.yaml").write_text(edit(text, *change) if change else text, encoding="utf-8")
    out = tmp_path / "报告"
    out.mkdir()
    (out / ".nianbao-生成记录.json").write_bytes(b" " * (2 * 1024 * 1024))  # said once the units are done
    term = Pty(["batch", "收回", "-o", "报告", "--to", "docx", "--jobs", "1"], tmp_path, columns=80, rows=24, kept=200)
    assert term.close() == 1
    lines = [line for line in term.lines() if line.strip()]
    progress = next(i for i, line in enumerate(lines) if "检查并生成" in line and "4/4" in line)
    kept = next(i for i, line in enumerate(lines) if "不像 nianbao 写的记录，已忽略" in line)
    title = next(i for i, line in enumerate(lines) if line.startswith("汇总：4个单位"))
    rows = [i for i, line in enumerate(lines) if re.match(r"\s*[1-4]  \S", line)]
    assert progress < title and kept < title, "\n".join(lines)
    assert rows == [title + 3, title + 4, title + 5, title + 6], "\n".join(lines)  # title, head, rule, then one line per unit
    one, two, three, four = (lines[i] for i in rows)
    assert "白石镇人民政府" in one and "已生成" in one
    assert re.match(r"\s*2  临溪县青山镇\S* ?…  已生成", two), two  # the long name gives way
    assert "未通过" in three and " S 表二 第二十条第（五）项" in three and three.endswith("…")
    assert "未通过" in four and " R1 表三：第一项+第二项≠" in four and four.endswith("…")
    assert "主要问题（全文见汇总.xlsx）" in lines[title + 1]
    assert "“问题清单”表列出每个问题的完整说明" in "".join(lines[rows[-1] + 1:])
    listed = [row[5:] for row in problems(out / "汇总.xlsx") if row[2] == "u3.yaml"]
    assert listed == [("第31行", "表二 第二十条第（五）项 行政许可 · 本年处理决定数量",  # 项目: the cell as messages name it
                       "表二 第二十条第（五）项 行政许可 · 本年处理决定数量：应为不小于0的整数，这里是文字“十二”")]  # the whole message
