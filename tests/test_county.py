"""A county office's January and the clerk's safety rails, each as it was first seen to fail:
re-sent copies, a township under another's name, subfolders, last year's form, the
worklist, the workbook's own check, dates, publishing guardrails, copied text, and
click's English."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit
from openpyxl import load_workbook
from test_batch import fill

from nianbao.read.load import load_file
from nianbao.read.workbook import build_sheet
from nianbao.render import office

TEXT = EXAMPLE_2023.read_text(encoding="utf-8")


def unit(name: str, licensing: int = 12, text: str = TEXT) -> str:
    return edit(edit(text, "name: 青山镇人民政府", f"name: {name}"), "licensing: 12", f"licensing: {licensing}")


def workbook(name: str, year: int = 2023) -> bytes:
    """The example's figures in a collection workbook of unit ``name``."""
    report = load_file(EXAMPLE_2023).report
    book = load_workbook(io.BytesIO(fill(build_sheet(report.spec, year, name), report)))
    book["机关信息与文字"]["B3"] = name
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(book, keys: tuple) -> str:
    """Where a report-file key stands in a collection workbook: (sheet, coordinate)."""
    import json

    from nianbao.read.workbook import KEYS_SHEET

    for keys_text, where, *_ in list(book[KEYS_SHEET].iter_rows(values_only=True))[1:]:
        if tuple(json.loads(keys_text)) == keys:
            return where
    raise KeyError(keys)


def sheet(path, name: str) -> list[tuple]:
    return [tuple(row) for row in load_workbook(path)[name].iter_rows(values_only=True)]


# -- 2. the aggregate and a re-sent copy ----------------------------------------------------------------------------
def test_aggregate_counts_an_identical_resent_workbook_once_and_says_so(cli, tmp_path):
    inbox = tmp_path / "收回"
    (inbox / "城关镇").mkdir(parents=True)
    sent = workbook("城关镇人民政府")
    (inbox / "城关镇" / "城关镇.xlsx").write_bytes(sent)
    (inbox / "城关镇" / "城关镇（重发）.xlsx").write_bytes(sent)  # the same file twice
    resaved = load_workbook(io.BytesIO(sent))
    resaved.properties.lastModifiedBy = "城关镇办公室"
    resaved.save(inbox / "城关镇" / "城关镇（改存后再发）.xlsx")  # opened and saved again: other bytes, same report
    (inbox / "白石镇.yaml").write_text(unit("白石镇人民政府"), encoding="utf-8")
    result = cli("aggregate", inbox, "-o", tmp_path / "县.yaml")
    assert result.code == 0, result
    assert "城关镇/城关镇（重发）.xlsx：与 城关镇/城关镇.xlsx 内容完全相同（重复交回），只计一次" in result.err
    assert "城关镇/城关镇（改存后再发）.xlsx：与 城关镇/城关镇.xlsx 的内容完全相同（重复交回），只计一次" in result.err
    report = load_file(tmp_path / "县.yaml").report
    assert report.row(report.spec.table3.row("new"))[-1] == 14  # two units of 7, not three


# -- 3. a township under another's name, subfolders, last year's form -----------------------------------------------
def test_batch_reports_two_files_claiming_one_unit_reads_subfolders_and_flags_another_year(cli, tmp_path):
    inbox = tmp_path / "收回"
    (inbox / "城关镇").mkdir(parents=True)
    (inbox / "青山镇").mkdir()
    (inbox / "城关镇" / "城关镇.xlsx").write_bytes(workbook("城关镇人民政府"))
    other = load_workbook(io.BytesIO(workbook("城关镇人民政府")))  # 青山镇's figures under 城关镇's name
    sheet_name, coordinate = cell(other, ("proactive", "licensing")).split("!")
    other[sheet_name][coordinate] = 40
    other.save(inbox / "青山镇" / "青山镇.xlsx")
    (inbox / "白石镇.yaml").write_text(unit("白石镇人民政府", 3), encoding="utf-8")
    (inbox / "东岭乡.yaml").write_text(unit("东岭乡人民政府", 4), encoding="utf-8")
    (inbox / "南河乡.yaml").write_text(edit(EXAMPLE_2020.read_text(encoding="utf-8"), "name: 白河乡人民政府", "name: 南河乡人民政府"), encoding="utf-8")
    result = cli("batch", inbox, "-o", tmp_path / "out", "--jobs", "1")
    assert result.code == 1
    out = tmp_path / "out"
    assert sorted(p.name for p in out.glob("*.docx")) == [
        "东岭乡人民政府2023年政府信息公开工作年度报告.docx", "白石镇人民政府2023年政府信息公开工作年度报告.docx"]
    rows = {row[3]: row for row in sheet(out / "汇总.xlsx", "单位")[1:]}
    assert set(rows) == {"城关镇/城关镇.xlsx", "青山镇/青山镇.xlsx", "白石镇.yaml", "东岭乡.yaml", "南河乡.yaml"}  # subfolders read
    for shown in ("城关镇/城关镇.xlsx", "青山镇/青山镇.xlsx"):
        assert rows[shown][4] == "未通过" and rows[shown][7].startswith("2个文件都是“城关镇人民政府”2023年度的报告，内容不同：城关镇/城关镇.xlsx（")
        assert "最新）。请确认哪一份是最终版，把其余的移出文件夹后重新运行" in rows[shown][7]
    assert rows["南河乡.yaml"][4] == "不是本年度" and rows["南河乡.yaml"][7].startswith("这份是2020年度的报告，其他4个单位都是2023年度（2021年修订格式）")
    again = cli("batch", inbox, tmp_path / "out", "-o", tmp_path / "out", "--jobs", "1")  # outputs are never read back
    assert again.code == 1 and len(sheet(out / "汇总.xlsx", "单位")) == 6


def test_a_file_under_another_units_folder_is_said_to_be_that_units(cli, tmp_path):
    """青山镇 filled its workbook from 城关镇's copy: with the unit list, 青山镇's file is
    named as 青山镇's, with the name to correct; 城关镇's own file still counts."""
    inbox = tmp_path / "收回"
    (inbox / "城关镇").mkdir(parents=True)
    (inbox / "青山镇").mkdir()
    (inbox / "城关镇" / "城关镇.xlsx").write_bytes(workbook("城关镇人民政府"))
    other = load_workbook(io.BytesIO(workbook("城关镇人民政府")))
    sheet_name, coordinate = cell(other, ("proactive", "licensing")).split("!")
    other[sheet_name][coordinate] = 40
    other.save(inbox / "青山镇" / "青山镇.xlsx")
    names = tmp_path / "名单.txt"
    names.write_text("青山镇人民政府\n城关镇人民政府\n白石镇人民政府\n", encoding="utf-8")
    result = cli("batch", inbox, "-o", tmp_path / "out", "--units", names, "--jobs", "1")
    assert result.code == 1
    assert "汇总：3个单位，已生成1个，未通过1个，未交回1个" in result.out.replace("\n", "")
    rows = sheet(tmp_path / "out" / "汇总.xlsx", "单位")[1:]
    assert [(row[3], row[4]) for row in rows] == [("青山镇/青山镇.xlsx", "未通过"), ("城关镇/城关镇.xlsx", "已生成"), (None, "未交回")]  # the list's order
    assert rows[0][7].startswith("文件在“青山镇人民政府”名下（青山镇/青山镇.xlsx），表中填的机关名称却是“城关镇人民政府”")
    assert rows[2][1] == "白石镇人民政府"
    summed = cli("aggregate", inbox, "-o", tmp_path / "县.yaml", "--units", names)
    assert summed.code == 1
    assert "白石镇人民政府：名单上的这个单位没有交回报告" in summed.err
    assert "不完整的汇总：只计入1个单位，1个文件未计入、1个单位未交回" in summed.out


def test_units_list_shows_who_has_not_replied(cli, tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    (inbox / "白石镇.yaml").write_text(unit("白石镇人民政府"), encoding="utf-8")
    names = tmp_path / "名单.txt"
    names.write_text("白石镇人民政府\n城关镇人民政府\n", encoding="gb18030")  # a list saved by Notepad in GBK
    result = cli("batch", inbox, "-o", tmp_path / "out", "--units", names)
    assert result.code == 1  # the county's job is not done
    rows = sheet(tmp_path / "out" / "汇总.xlsx", "单位")[1:]
    assert [(row[1], row[4]) for row in rows] == [("白石镇人民政府", "已生成"), ("城关镇人民政府", "未交回")]


# -- 4. the worklist -----------------------------------------------------------------------------------------------
def test_the_worklist_lists_every_finding_with_its_cell_and_counts_as_check(cli, tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    book = load_workbook(io.BytesIO(workbook("城关镇人民政府")))
    book["表三"]["D4"] = 6  # 一、自然人 one too many: R1
    sheet_name, coordinate = cell(book, ("proactive", "licensing")).split("!")
    book[sheet_name][coordinate] = "12件"  # one message for this cell
    date_sheet, date_cell = cell(book, ("unit", "date")).split("!")
    book[date_sheet][date_cell] = "2024年1月15日"  # a Chinese date is a date
    book.save(inbox / "城关镇.xlsx")
    (inbox / "白石镇.yaml").write_text(edit(unit("白石镇人民政府"), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]"), encoding="utf-8")
    result = cli("batch", inbox, "-o", tmp_path / "out")
    assert result.code == 1
    rows = {row[3]: row for row in sheet(tmp_path / "out" / "汇总.xlsx", "单位")[1:]}
    listed = sheet(tmp_path / "out" / "汇总.xlsx", "问题清单")
    assert listed[0] == ("序号", "机关名称", "文件", "级别", "规则", "位置", "项目", "问题（退回意见）")
    for shown in ("城关镇.xlsx", "白石镇.yaml"):
        checked = cli("check", "--json", inbox / shown)
        import json

        findings = json.loads(checked.out)["findings"]
        assert (rows[shown][5], rows[shown][6]) == (sum(f["level"] == "error" for f in findings), sum(f["level"] == "warning" for f in findings))
        mine = [row for row in listed[1:] if row[2] == shown]
        assert [(r[3], r[4], r[5], r[7]) for r in mine] == [
            ("错误" if f["level"] == "error" else "提示", f["rule"], f.get("cell") or f"第{f['line']}行", f["message"]) for f in findings]
    book_rows = [row for row in listed if row[2] == "城关镇.xlsx"]
    # the bad cell in 表二 does not hide table 三's R1 (#20.4): both are sent back at once
    assert [(r[4], r[5]) for r in book_rows if r[3] == "错误"] == [("S", f"{sheet_name}!{coordinate}"), ("R1", "表三!D4"), ("R1", "表三!J4")]
    assert sum("12件" in r[7] for r in book_rows) == 1
    wb = load_workbook(tmp_path / "out" / "汇总.xlsx")
    units, problems = wb["单位"], wb["问题清单"]
    assert units.freeze_panes == "A2" and problems.freeze_panes == "A2" and units.auto_filter.ref and problems.auto_filter.ref
    status = {units.cell(r, 4).value: units.cell(r, 5).fill.fgColor.rgb for r in range(2, units.max_row + 1)}
    assert status == {"城关镇.xlsx": "00FFC7CE", "白石镇.yaml": "00FFC7CE"}


def test_text_from_a_unit_never_becomes_a_formula_in_the_worklist(cli, tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    (inbox / "x.yaml").write_text(edit(TEXT, "name: 青山镇人民政府", 'name: "=HYPERLINK(\\"http://evil\\",\\"点我\\")"'), encoding="utf-8")
    cli("batch", inbox, "-o", tmp_path / "out")
    raw = zipfile.ZipFile(tmp_path / "out" / "汇总.xlsx").read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in raw and "HYPERLINK" in raw


# -- 5. the collection workbook --------------------------------------------------------------------------------------
def test_workbook_findings_name_sheet_and_cell_once_per_cell(cli, tmp_path):
    book = load_workbook(io.BytesIO(workbook("城关镇人民政府")))
    sheet_name, coordinate = cell(book, ("proactive", "licensing")).split("!")
    book[sheet_name][coordinate] = "12件"
    date_sheet, date_cell = cell(book, ("unit", "date")).split("!")
    book[date_sheet][date_cell] = "2024年1月15日"
    book.save(tmp_path / "城关镇.xlsx")
    result = cli("check", tmp_path / "城关镇.xlsx")
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "[错误" in line]
    assert lines == [f"  [错误 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：只填数字，不要带单位：“12件”请写成 12（单位已印在表头）（“{sheet_name}”表 {coordinate} 格）"]


@pytest.mark.skipif(office.soffice() is None, reason="LibreOffice (soffice) is not installed: the workbook cannot be recalculated here")
def test_the_workbook_check_row_turns_red_when_table_3_does_not_balance(tmp_path):
    book = load_workbook(io.BytesIO(workbook("城关镇人民政府")))
    table = book["表三"]
    table["D4"] = 6  # 一、自然人: 6 + 1 ≠ 5 + 1
    book.save(tmp_path / "filled.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "recalc"), str(tmp_path / "filled.xlsx")], check=True, capture_output=True, timeout=120)
    recalculated = load_workbook(tmp_path / "recalc" / "filled.xlsx", data_only=True)["表三"]
    check = [cell.value for cell in recalculated[recalculated.max_row]][3:]
    assert check == ["✗ 对不上", "✓", "✓", "✓", "✓", "✓", "✗ 对不上"]  # 自然人 and 总计
    rules = load_workbook(tmp_path / "filled.xlsx")["表三"].conditional_formatting
    red = [r for cf in rules for r in cf.rules if r.dxf is not None and r.dxf.fill is not None and r.dxf.fill.fgColor.rgb.endswith("FFC7CE")]
    assert red and str(next(iter(rules)).sqref) == f"D{recalculated.max_row}:J{recalculated.max_row}"


def test_sheet_for_every_unit_on_the_list_and_force(cli, tmp_path):
    names = tmp_path / "名单.txt"
    names.write_text("城关镇人民政府\n青山镇人民政府\n", encoding="utf-8")
    assert cli("sheet", "--year", "2024", "--units", names, "-o", tmp_path / "发出").code == 0
    assert sorted(p.name for p in (tmp_path / "发出").iterdir()) == [
        "城关镇人民政府2024年度政府信息公开年报采集表.xlsx", "青山镇人民政府2024年度政府信息公开年报采集表.xlsx"]
    again = cli("sheet", "--year", "2024", "--units", names, "-o", tmp_path / "发出")
    assert again.code == 2 and "--force" in again.err
    assert cli("sheet", "--year", "2024", "--units", names, "-o", tmp_path / "发出", "--force").code == 0
    assert len(list((tmp_path / "发出").glob("*.bak"))) == 2
    book = load_workbook(tmp_path / "发出" / "城关镇人民政府2024年度政府信息公开年报采集表.xlsx")
    date_sheet, date_cell = cell(book, ("unit", "date")).split("!")
    label = book[date_sheet]["A" + date_cell[1:]].value
    assert "2025-01-20 或 2025年1月20日" in label  # the example date is of the report's year


# -- 6. guardrails before publishing ----------------------------------------------------------------------------------
@pytest.mark.parametrize("placeholder", ["某某", "XX", "××"])
def test_render_refuses_placeholders_and_draft_marks_every_output(cli, tmp_path, placeholder):
    source = tmp_path / "r.yaml"
    source.write_text(edit(TEXT, "开展群众满意度评议一次", f"开展群众满意度评议{placeholder}次"), encoding="utf-8")
    result = cli("render", source, "-o", tmp_path / "out", "--to", "txt,html")
    assert result.code == 1 and not (tmp_path / "out").exists()
    assert f"[错误 P] 一、总体情况（五）监督保障：还有占位文字“{placeholder}”" in result.out
    assert "--draft" in result.err
    draft = cli("render", source, "-o", tmp_path / "out", "--to", "txt,html,docx", "--draft")
    assert draft.code == 1, draft  # written, but not ready to publish: 1, as README says (was 0: a script took the draft for done)
    name = "青山镇人民政府2023年政府信息公开工作年度报告"
    assert "【草稿（未经审核，不得发布）】" in (tmp_path / "out" / f"{name}.txt").read_text(encoding="utf-8-sig")
    assert "【草稿（未经审核，不得发布）】" in (tmp_path / "out" / f"{name}.html").read_text(encoding="utf-8")
    assert "【草稿（未经审核，不得发布）】" in zipfile.ZipFile(tmp_path / "out" / f"{name}.docx").read("word/document.xml").decode("utf-8")


def test_render_refuses_an_empty_required_section(cli, tmp_path):
    source = tmp_path / "r.yaml"
    text = TEXT
    start, end = text.index("problems: |-"), text.index("processing_fees:")
    source.write_text(text[:start] + "problems: null\n" + text[end:], encoding="utf-8")
    result = cli("render", source, "-o", tmp_path / "out")
    assert result.code == 1
    assert "[错误 P] 五、存在的主要问题及改进情况：没有内容，发布的报告中这一节会是空的" in result.out
    assert cli("check", source).code == 0  # a draft may be unfinished: check only warns


def test_render_keeps_a_docx_touched_up_in_word_as_bak(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("render", EXAMPLE_2023, "-o", out, "--to", "docx").code == 0
    docx = out / "青山镇人民政府2023年政府信息公开工作年度报告.docx"
    assert cli("render", EXAMPLE_2023, "-o", out, "--to", "docx").code == 0
    assert not list(out.glob("*.bak"))  # what nianbao wrote is replaced without a copy
    docx.write_bytes(docx.read_bytes() + b"\0")  # the clerk changed it in Word
    result = cli("render", EXAMPLE_2023, "-o", out, "--to", "docx")
    assert result.code == 0 and "原文件已备份为" in result.out
    assert (out / (docx.name + ".bak")).read_bytes().endswith(b"\0")


# -- 7. copied text ----------------------------------------------------------------------------------------------------
def test_check_of_a_draft_from_next_finds_last_years_text_without_being_asked(cli, tmp_path):
    last = tmp_path / "青山镇2023.yaml"
    shutil.copy(EXAMPLE_2023, last)
    assert cli("next", last).code == 0
    result = cli("check", tmp_path / "青山镇人民政府2024.yaml")
    assert result.out.count("[提示 X5]") == 7
    last.unlink()  # moved away: said, not silently skipped
    result = cli("check", tmp_path / "青山镇人民政府2024.yaml")
    assert "[提示 X] 文件记录的上一年度报告" in result.out and "[提示 X5]" not in result.out


# -- 8. click in Chinese ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("chek", "x"), ["错误：没有命令 'chek'", "check"]),
        (("check",), ["错误：缺少参数", "用法：", "运行“nianbao check --help”查看帮助。"]),
        (("init", "--year", "abc"), ["'abc' 不是有效的整数"]),
        (("check", "--nope", "x"), ["没有选项 --nope"]),
        (("render", "a", "b"), ["多出了参数（b）"]),
    ],
)
def test_click_speaks_chinese(cli, args, words):
    result = cli(*args)
    assert result.code == 2
    text = result.out + result.err
    for word in words:
        assert word in text
    for english in ("Usage:", "Error:", "No such", "Missing argument", "Try '"):
        assert english not in text


def test_help_is_chinese(cli):
    result = cli("render", "--help")
    assert result.code == 0
    assert "用法： nianbao render [选项] 报告文件" in result.out and "显示本帮助并退出。" in result.out
    assert "Show this message" not in result.out and "Options" not in result.out
