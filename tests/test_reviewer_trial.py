"""Issue 27 as a city reviewer with 30 units tried it: the county's and the reviewer's desks must
say the same as ``batch`` about which reports count, under which name, and never hand on a
figure that is silently incomplete.  Each case is built here from the bundled example and the
outcome read back: exit statuses, the lines said, the cells of the workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, edit
from openpyxl import load_workbook

TEXT = EXAMPLE_2023.read_text(encoding="utf-8")


def unit_text(name: str, licensing: int = 12) -> str:
    """The example report (2023, balanced, publishable) of unit ``name``, told apart by ``licensing``."""
    return edit(edit(TEXT, "name: 青山镇人民政府", f"name: {name}"), "licensing: 12", f"licensing: {licensing}")


def put(folder: Path, file: str, name: str, licensing: int = 12) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file).write_text(unit_text(name, licensing), encoding="utf-8")
    return folder / file


def sheet_rows(book: Path, sheet: str, first: int = 1) -> list[tuple]:
    return [tuple(row) for row in load_workbook(book)[sheet].iter_rows(min_row=first, values_only=True)]


# -- 1. a report batch would not publish is not counted anywhere --------------------------------------------------
@pytest.fixture(scope="module")
def unfilled(tmp_path_factory) -> Path:
    """One real report, an untouched ``nianbao init`` file and an unfilled ``nianbao sheet`` workbook."""
    from nianbao.model.standard import spec_for_year
    from nianbao.read.workbook import build_sheet
    from nianbao.render.reportfile import blank, dump

    inbox = tmp_path_factory.mktemp("unfilled") / "收回"
    put(inbox, "青山镇.yaml", "青山镇人民政府")
    spec = spec_for_year(2023)
    (inbox / "白沙镇2023.yaml").write_text(dump(spec, blank(spec, 2023, "白沙镇人民政府")), encoding="utf-8")
    (inbox / "柳林镇.xlsx").write_bytes(build_sheet(spec, 2023, "柳林镇人民政府"))
    return inbox


def test_an_untouched_init_file_and_an_unfilled_workbook_are_not_counted_by_aggregate(cli, unfilled, tmp_path):
    result = cli("aggregate", unfilled, "-o", tmp_path / "县.yaml")
    assert result.code == 1, result  # was 0: three units, all zeros but one
    assert "不完整的汇总：只计入1个单位，2个文件未计入" in result.out
    said = [line for line in result.err.splitlines() if "还不能发布，未计入" in line]
    assert [line.split("：", 1)[0] for line in said] == ["柳林镇.xlsx", "白沙镇2023.yaml"]
    assert all("：未填写完整，还不能发布，未计入（[错误 P]" in line and "nianbao batch 同样不生成它" in line and "--draft" not in line for line in said)
    assert [row[1:3] for row in sheet_rows(tmp_path / "汇总.xlsx", "表三主要行", 4)] == [
        ("柳林镇.xlsx", "未填写完整"), ("白沙镇2023.yaml", "未填写完整"), ("青山镇.yaml", "已计入"), (None, None)]  # no list: the files' order
    from nianbao.read.load import load_file

    summed = load_file(tmp_path / "县.yaml").report
    assert summed.get(("proactive", "licensing")) == 12  # the one real report, nothing else


def test_overview_and_tally_judge_as_batch_does_the_same_errors_counted(cli, unfilled, tmp_path):
    from nianbao.county.tally import tally

    batch = cli("batch", unfilled, "-o", tmp_path / "批量", "--jobs", "1")
    assert batch.code == 1
    by_batch = {row[3]: (row[4], row[5]) for row in sheet_rows(tmp_path / "批量" / "汇总.xlsx", "单位", 2)}
    assert by_batch == {"青山镇.yaml": ("已生成", 0), "柳林镇.xlsx": ("未通过", 7), "白沙镇2023.yaml": ("未通过", 7)}

    overview = cli("overview", unfilled, "-o", tmp_path / "对比.xlsx")
    assert overview.code == 1, overview  # was 0: 已计入3个
    table = {row[2]: row for row in sheet_rows(tmp_path / "对比.xlsx", "各单位主要数字", 2) if row[2]}
    errors = sheet_rows(tmp_path / "对比.xlsx", "各单位主要数字", 1)[0].index("错误")
    assert {shown: (row[3], row[errors]) for shown, row in table.items()} == {  # a template's zeros are not shown as figures
        "青山镇.yaml": ("已计入", 0), "柳林镇.xlsx": ("未填写完整", None), "白沙镇2023.yaml": ("未填写完整", None)}
    assert table["白沙镇2023.yaml"][-1].startswith("未计入汇总和图表：落款日期：未填写") and table["白沙镇2023.yaml"][-1].endswith("（共7个错误，见“四、各单位的问题”）")
    assert "（3个单位：已计入1个，未填写完整2个）" in overview.out
    summed = tally((unfilled,), "县", None, outside=tmp_path / "x")  # the site's 汇总为本级报告 sums by this
    assert [shown for shown, _ in summed.counted] == ["青山镇.yaml"]


# -- 5. one same-unit rule for the list --------------------------------------------------------------------------
LIST = "洪泽区人民政府\n淮安区人民政府\n城西镇\n城东镇人民政府\n"


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("renamed")
    inbox = folder / "收回"
    put(inbox, "洪泽.yaml", "淮安市洪泽区人民政府", 1)
    put(inbox, "淮安区.yaml", "淮安区人民政府", 2)
    put(inbox, "城西.yaml", "城西镇人民政府", 3)
    put(inbox, "城东.yaml", "城东镇人民政府", 4)
    (folder / "名单.txt").write_text(LIST, encoding="utf-8")
    return inbox, folder / "名单.txt"


PREFIXED = "淮安市洪泽区人民政府 is 洪泽区人民政府"


def test_a_name_with_a_city_prefix_or_without_its_suffix_is_the_listed_unit_in_every_county_command(cli, renamed, tmp_path):
    inbox, names = renamed
    notes = {"洪泽.yaml": "机关名称“淮安市洪泽区人民政府”与名单上的“洪泽区人民政府”只差前面的上级地名“淮安市”，按名单上的这个单位计入",
             "城西.yaml": "机关名称“城西镇人民政府”与名单上的“城西镇”只差空格或“人民政府”等字样，按名单上的这个单位计入"}
    summed = cli("aggregate", inbox, "--units", names, "-o", tmp_path / "市.yaml")
    assert summed.code == 0, summed  # was: 未交回 洪泽区 and 城西镇, “是否为淮安区人民政府或洪泽区人民政府？”
    assert "4个单位" in summed.out and "不在名单中" not in summed.err and "是否为" not in summed.err
    assert [f"{file}：{note}" in summed.err for file, note in notes.items()] == [True, True]
    table = sheet_rows(tmp_path / "汇总.xlsx", "表三主要行", 4)
    assert [row[:3] for row in table] == [("淮安市洪泽区人民政府", "洪泽.yaml", "已计入"), ("淮安区人民政府", "淮安区.yaml", "已计入"),
                                         ("城西镇人民政府", "城西.yaml", "已计入"), ("城东镇人民政府", "城东.yaml", "已计入"),
                                         ("合计（已计入的4个单位）", None, None)]  # the list's order

    batch = cli("batch", inbox, "--units", names, "-o", tmp_path / "批量", "--jobs", "1", "--to", "txt")
    assert batch.code == 0, batch
    assert [(row[1], row[4]) for row in sheet_rows(tmp_path / "批量" / "汇总.xlsx", "单位", 2)] == [
        ("淮安市洪泽区人民政府", "已生成"), ("淮安区人民政府", "已生成"), ("城西镇人民政府", "已生成"), ("城东镇人民政府", "已生成")]
    assert "汇总：4个单位，已生成4个" in batch.out

    overview = cli("overview", inbox, "--units", names, "-o", tmp_path / "对比.xlsx")
    assert overview.code == 0, overview
    assert [(row[1], row[3]) for row in sheet_rows(tmp_path / "对比.xlsx", "各单位主要数字", 2)][:4] == [
        ("淮安市洪泽区人民政府", "已计入"), ("淮安区人民政府", "已计入"), ("城西镇人民政府", "已计入"), ("城东镇人民政府", "已计入")]


def test_two_names_of_one_listed_unit_are_two_files_for_it_and_neither_counts(cli, renamed, tmp_path):
    inbox, names = renamed
    both = tmp_path / "收回"
    for path in inbox.iterdir():
        (both / path.name).parent.mkdir(parents=True, exist_ok=True)
        (both / path.name).write_bytes(path.read_bytes())
    put(both, "洪泽区.yaml", "洪泽区人民政府", 9)
    summed = cli("aggregate", both, "--units", names, "-o", tmp_path / "市.yaml")
    assert summed.code == 1
    assert "只计入3个单位，2个文件未计入" in summed.out  # never 洪泽区 added twice
    said = [line for line in summed.err.splitlines() if "2个文件都是“洪泽区人民政府”2023年度的报告，内容不同：洪泽.yaml（“淮安市洪泽区人民政府”，" in line]
    assert [line.split("：", 1)[0] for line in said] == ["洪泽.yaml", "洪泽区.yaml"]
    assert "洪泽.yaml：机关名称" not in summed.err and "未交回" not in summed.err


def test_a_name_not_on_the_list_is_offered_only_names_it_is_a_slip_for(cli, tmp_path):
    put(tmp_path / "收回", "a.yaml", "淮安市清江浦区人民政府")  # a real unit left off the list: 淮安区 is not a slip for it
    put(tmp_path / "收回", "b.yaml", "城北镇人民政府")  # one character from 城东镇 and from 城西镇
    (tmp_path / "名单.txt").write_text(LIST, encoding="utf-8")
    result = cli("aggregate", tmp_path / "收回", "--units", tmp_path / "名单.txt", "-o", tmp_path / "市.yaml")
    assert result.code == 1
    assert "a.yaml：淮安市清江浦区人民政府 不在名单中：请核对机关名称（若确是名单外的单位，请把它加入名单）；改正前不生成报告、不计入汇总" in result.err
    assert "b.yaml：城北镇人民政府 不在名单中，是否为城西镇或城东镇人民政府？" in result.err


# -- 2. the sheet aggregate writes says what it counts and lacks -------------------------------------------------
def test_the_table_sheet_is_titled_with_what_it_counts_and_lacks_in_the_lists_order(cli, tmp_path):
    inbox = tmp_path / "收回"
    put(inbox, "1.yaml", "城东镇人民政府", 1)
    put(inbox, "2.yaml", "淮安区人民政府", 2)
    (inbox / "3.yaml").write_text(edit(unit_text("城西镇人民政府"), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]"), encoding="utf-8")
    (tmp_path / "名单.txt").write_text(LIST, encoding="utf-8")
    result = cli("aggregate", inbox, "--units", tmp_path / "名单.txt", "--unit", "淮安市人民政府", "-o", tmp_path / "out" / "市.yaml")
    assert result.code == 1
    book = load_workbook(tmp_path / "out" / "汇总.xlsx")["表三主要行"]
    rows = [tuple(row) for row in book.iter_rows(values_only=True)]
    assert rows[0][0] == "淮安市人民政府2023年政府信息公开工作年度报告：表三主要行，已计入的2个单位之和（由 nianbao aggregate 生成）"
    assert rows[1][0] == "注意：不完整的汇总，1个文件未计入、1个单位未交回（未计入：3.yaml；未交回：洪泽区人民政府），原因见下表“说明”一列；改正后请重新汇总"
    assert rows[2] == ("机关名称", "文件", "状态", "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（七）总计", "四、结转下年度继续办理", "说明")
    assert [row[:4] for row in rows[3:]] == [
        ("洪泽区人民政府", None, "未交回", None), ("淮安区人民政府", "2.yaml", "已计入", 7), ("城西镇人民政府", "3.yaml", "未计入", None),
        ("城东镇人民政府", "1.yaml", "已计入", 7), ("合计（已计入的2个单位）", None, None, 14)]
    assert rows[5][7].startswith("有错误，未计入（[错误 R1]")
    assert book.print_title_rows == "$1:$3" and "A1:H1" in {str(r) for r in book.merged_cells.ranges}
    assert book.column_dimensions["A"].width < 40  # the title across the table does not widen its first column


# -- 13, 14. a second aggregate keeps the clerk's words; what the file says of 总计 -----------------------------------
def test_aggregating_again_backs_up_nothing_unchanged_and_keeps_the_narratives_written_since(cli, tmp_path):
    put(tmp_path / "收回", "a.yaml", "城东镇人民政府")
    out = tmp_path / "out" / "县.yaml"
    assert cli("aggregate", tmp_path / "收回", "-o", out).code == 0
    first = out.read_bytes()
    again = cli("aggregate", tmp_path / "收回", "-o", out)
    assert again.code == 0 and "已备份" not in again.out and "已保留" not in again.err
    assert sorted(p.name for p in out.parent.iterdir()) == [".nianbao-生成记录.json", "县.yaml", "汇总.xlsx"]  # was .bak, .bak1… a run
    assert out.read_bytes() == first
    text = first.decode("utf-8")
    assert "  # total:   （七）总计：此处未写出（不是0），可省略：省略时按各项之和计算，填写时核对；要写出时写成 total: [6个数]\n" in text  # was “# total: [0, 0, 0, 0, 0, 0]”
    text = text.replace("problems:", "problems: 本县部分单位报告的表格有误，已逐一退回改正。 #", 1).replace("  date:", "  date: 2024-01-20 #", 1)
    out.write_text(text, encoding="utf-8")
    put(tmp_path / "收回", "b.yaml", "城西镇人民政府", 30)
    third = cli("aggregate", tmp_path / "收回", "-o", out)
    assert third.code == 0, third
    assert "县.yaml 中原有的“五、存在的主要问题及改进情况”“落款日期”已保留，只更新了表格数字" in third.err
    from nianbao.read.load import load_file

    report = load_file(out).report
    assert report.text("problems") == "本县部分单位报告的表格有误，已逐一退回改正。"
    assert str(report.get(("unit", "date"))) == "2024-01-20" and report.get(("proactive", "licensing")) == 42
    assert "原文件已备份为 县.yaml.bak" in third.out and (out.parent / "县.yaml.bak").read_text(encoding="utf-8") == text


# -- 15, 16. nothing sent, a list only; files that are not units ------------------------------------------------------
@pytest.mark.parametrize("command", ["batch", "overview", "aggregate"])
def test_a_folder_with_only_its_unit_list_lists_every_unit_as_not_replied_and_an_empty_one_is_a_usage_error(cli, tmp_path, command):
    listed, empty = tmp_path / "只有名单", tmp_path / "空"
    listed.mkdir()
    empty.mkdir()
    (listed / "名单.txt").write_text("甲镇人民政府\n乙镇人民政府\n", encoding="utf-8")
    out = {"batch": "out", "overview": "out/对比.html", "aggregate": "out/县.yaml"}[command]
    result = cli(command, listed, "-o", tmp_path / out)
    assert result.code == 1, result
    said = result.out + result.err
    assert "甲镇人民政府" in said and "乙镇人民政府" in said
    if command == "batch":
        assert [(row[1], row[4]) for row in sheet_rows(tmp_path / "out" / "汇总.xlsx", "单位", 2)] == [("甲镇人民政府", "未交回"), ("乙镇人民政府", "未交回")]
    if command == "aggregate":
        assert "没有可以计入汇总的报告（2个单位未交回），未生成汇总。" in result.err and not (tmp_path / out).exists()
    nothing = cli(command, empty, "-o", tmp_path / "out2" / Path(out).name)
    assert nothing.code == 2, nothing
    assert "没有可处理的文件" in nothing.err


def test_files_no_unit_can_be_read_from_are_files_not_units_and_the_summary_fits_80_columns(cli, tmp_path):
    from rich.cells import cell_len

    from nianbao.cli.county import summary_title
    from nianbao.county.batch import Outcome

    inbox = tmp_path / "收回"
    put(inbox, "a.yaml", "城东镇人民政府")
    put(inbox, "b.yaml", "城西镇人民政府")
    (inbox / "空文件.yaml").write_bytes(b"")
    (inbox / "坏的.docx").write_bytes(b"PK\x03\x04 not a zip")
    batch = cli("batch", inbox, "-o", tmp_path / "out", "--jobs", "1", "--to", "txt")
    assert batch.code == 1
    assert "汇总：2个单位，已生成2个；另有读不出机关名称的文件（不是报告或已损坏）2个" in batch.out.replace("\n", "")  # was “4个单位”
    overview = cli("overview", inbox, "-o", tmp_path / "对比.html")
    assert "（2个单位：已计入2个；另有2个文件读不出机关名称（不是报告或已损坏））" in overview.out
    long = [Outcome(Path(f"{i}.yaml"), name=f"第{i}镇人民政府", status=status) for i, status in enumerate(["已生成"] * 26 + ["未通过"] * 3 + ["未交回"] * 2)]
    long += [Outcome(Path("x.yaml"), name="某", status="不是本年度"), Outcome(Path("y.yaml"), name="某", status="重复交回")]
    title = summary_title(long, 2025, 80)
    assert title.split("\n") == ["汇总：31个单位，已生成26个，未通过3个，未交回2个；另有重复交回的文件1个", "另有不是本年度的文件1个（2025年度）"]
    assert all(cell_len(line) <= 80 for line in title.split("\n"))


# -- 8. a draft with problems to mend is exit 1, as README says ------------------------------------------------------
def test_a_draft_of_an_untouched_init_file_is_written_marked_and_exits_1(cli, tmp_path):
    source = tmp_path / "白沙镇2024.yaml"
    assert cli("init", source, "--year", "2024", "--unit", "白沙镇人民政府").code == 0
    result = cli("render", source, "--draft", "--to", "txt", "-o", tmp_path / "out")
    assert result.code == 1, result  # was 0: a script took the draft for a report ready to publish
    assert "草稿中有7个问题要改正后才能发布，已列在草稿的最前面。" in result.out
    assert "【草稿（未经审核，不得发布）】" in (tmp_path / "out" / "白沙镇人民政府2024年政府信息公开工作年度报告.txt").read_text(encoding="utf-8-sig")
    assert cli("render", EXAMPLE_2023, "--draft", "--to", "txt", "-o", tmp_path / "ok").code == 0  # nothing to mend: 0


# -- 9. check --previous of another unit is a usage mistake ------------------------------------------------------------
def test_check_previous_of_another_unit_is_exit_2_and_a_prefixed_name_is_the_same_unit(cli, tmp_path):
    from conftest import previous_of

    this = tmp_path / "青山镇2023.yaml"
    this.write_text(TEXT, encoding="utf-8")
    other, prefixed = tmp_path / "白沙镇2022.yaml", tmp_path / "青山镇2022.yaml"
    other.write_text(edit(previous_of(TEXT), "name: 青山镇人民政府", "name: 白沙镇人民政府"), encoding="utf-8")
    prefixed.write_text(edit(previous_of(TEXT), "name: 青山镇人民政府", "name: 临溪县青山镇人民政府"), encoding="utf-8")
    refused = cli("check", this, "--previous", other)
    assert refused.code == 2, refused  # was 0: X1–X3 against another unit's figures
    assert ("错误：--previous 应为同一单位上一年度的报告：青山镇2023.yaml是“青山镇人民政府”的，白沙镇2022.yaml是“白沙镇人民政府”的，"
            "未做跨年度核对。如果是同一单位改了名称，请加 --same-unit") in refused.err
    assert refused.out == ""
    assert cli("check", this, "--previous", prefixed).code == 0
    renamed = cli("check", this, "--previous", other, "--same-unit")
    assert renamed.code == 0 and f"{this}：通过（错误0个，提示8个）" in renamed.out and "[提示 X5]" in renamed.out  # X1–X5 run


# -- 10. R6 points at the printed total the table's own parts contradict ---------------------------------------------
WRONG_TOTAL = edit(TEXT, "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]")  # the text says 7, as the parts add up


def test_r6_blames_the_wrong_printed_total_not_the_text_that_states_the_sum_of_its_parts():
    from conftest import line_of, load

    from nianbao.check.rules import check

    found = [(f.rule, f.path, f.message, f.line) for f in check(load(WRONG_TOTAL)) if f.rule in ("R2", "R6")]
    row = line_of(WRONG_TOTAL, "new: [5, 1, 0, 0, 1, 0, 8]")
    assert found == [
        ("R2", "表三.一.总计", "表三：一、本年新收政府信息公开申请数量的总计填写为8，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=5+1+0+0+1+0=7", row),
        ("R6", "表三.一.总计", "表三“一、本年新收政府信息公开申请数量”的总计印为8，与各项之和不符（见 R2）；一、总体情况（二）依申请公开文中“新收政府信息公开申请7件”"
                             "与各项之和相符：应改正的是表中的总计，不是正文", row),
    ]  # was R6 at the narrative: “文中…7件，但…总计为8”, sending the clerk to change the right sentence
    text_wrong = edit(TEXT, "新收政府信息公开申请7件", "新收政府信息公开申请9件")
    said = [(f.path, f.message) for f in check(load(text_wrong)) if f.rule == "R6"]
    assert said == [("一、总体情况.（二）依申请公开", "一、总体情况（二）依申请公开：文中“新收政府信息公开申请9件”，但表三“一、本年新收政府信息公开申请数量”的总计为7")]


# -- 7. 评分 counts one mistake once -----------------------------------------------------------------------------------
def test_the_grading_sheet_counts_a_wrong_total_and_a_carry_over_once_and_says_so(cli, tmp_path):
    from conftest import previous_of

    from nianbao.compare.grading import COUNTING

    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "青山镇.yaml").write_text(WRONG_TOTAL, encoding="utf-8")
    (tmp_path / "2022").mkdir()
    last = edit(previous_of(TEXT), "carried_forward: [1, 0, 0, 0, 0, 0]", "carried_forward: [2, 1, 0, 0, 0, 0]")
    last = edit(last, "carried_over: [1, 0, 0, 0, 0, 0]", "carried_over: [2, 1, 0, 0, 0, 0]")  # last year's table balanced: no error of its own
    (tmp_path / "2022" / "青山镇.yaml").write_text(last, encoding="utf-8")
    checked = cli("check", tmp_path / "2023" / "青山镇.yaml", "--previous", tmp_path / "2022" / "青山镇.yaml")
    listed = [line.split("]")[0].strip(" [") for line in checked.out.splitlines()[1:]]
    assert [rule for rule in listed if rule[3:] in ("R1", "R2", "R6", "X1", "X2", "X3")] == [
        "错误 R1", "错误 R2", "错误 X1", "错误 X1", "错误 X1", "提示 X2", "提示 R6"]  # seven lines of three mistakes (X2: the example's own stock)
    result = cli("overview", tmp_path / "2023", "--previous", tmp_path / "2022", "-o", tmp_path / "对比.xlsx")
    assert result.code == 1
    sheet = load_workbook(tmp_path / "对比.xlsx")["评分"]
    head = [c.value for c in sheet[1]]
    row = dict(zip(head, [c.value for c in sheet[2]]))
    assert (row["勾稽关系 R1–R4（处）"], row["正文与表格不一致 R6（处）"], row["跨年度衔接 X1–X3（处）"]) == (1, 0, 2)  # was 2, 1, 4
    assert row["勾稽：第一处"].startswith("[错误 R2] 表三：一、本年新收政府信息公开申请数量的总计填写为8")
    notes = [c.value for c in sheet["A"] if isinstance(c.value, str) and c.value.startswith("注：")]
    assert notes == [f"注：处数按错误计，不按“问题清单”的行数：{COUNTING}"]


# -- 6. the Excel overview ranks only the counted units ----------------------------------------------------------------
def test_the_overview_workbooks_bars_and_shades_leave_the_uncounted_rows_out(cli, tmp_path):
    from openpyxl.worksheet.cell_range import MultiCellRange

    inbox = tmp_path / "收回"
    put(inbox, "1.yaml", "城东镇人民政府", 1)
    (inbox / "2.yaml").write_text(edit(unit_text("城西镇人民政府", 2), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]"), encoding="utf-8")
    put(inbox, "3.yaml", "淮安区人民政府", 3)
    (tmp_path / "名单.txt").write_text("城东镇人民政府\n城西镇人民政府\n淮安区人民政府\n", encoding="utf-8")
    assert cli("overview", inbox, "--units", tmp_path / "名单.txt", "-o", tmp_path / "对比.xlsx").code == 1
    sheet = load_workbook(tmp_path / "对比.xlsx")["各单位主要数字"]
    assert [sheet.cell(r, 4).value for r in (2, 3, 4)] == ["已计入", "有错误", "已计入"]
    ranked = {}
    for formatting in sheet.conditional_formatting:
        for rule in formatting.rules:
            if rule.type in ("dataBar", "colorScale"):
                rows = {cell[0] for cells in MultiCellRange(str(formatting.sqref)) for cell in cells.cells}
                ranked[str(formatting.sqref)] = rows
    assert ranked and set(map(frozenset, ranked.values())) == {frozenset({2, 4})}  # was E2:E4…, 城西镇's printed figures ranked with the rest


# -- 3. a single compare page is recorded as nianbao's ---------------------------------------------------------------
def test_a_compare_page_written_beside_the_reports_is_recorded_and_not_read_as_a_report(cli, tmp_path):
    import json

    from conftest import previous_of

    inbox = tmp_path / "收回"
    put(inbox, "青山镇.yaml", "青山镇人民政府")
    last = tmp_path / "青山镇2022.yaml"
    last.write_text(previous_of(TEXT), encoding="utf-8")
    assert cli("compare", last, inbox / "青山镇.yaml").code == 0
    page = "青山镇人民政府2022年与2023年政府信息公开工作年度报告比对.html"
    assert sorted(json.loads((inbox / ".nianbao-生成记录.json").read_text(encoding="utf-8"))) == [page]
    summed = cli("aggregate", inbox, "-o", tmp_path / "out" / "县.yaml")
    assert summed.code == 0 and "（1个单位）" in summed.out  # not a second 青山镇 report
    assert f"收回 中 nianbao 自己生成的1个文件（{page}）：它们不是交回的报告" in summed.err
    assert cli("overview", inbox, "-o", tmp_path / "对比.html").code == 0


# -- 4. folder compare counts one year and format per folder -----------------------------------------------------------
def test_folder_compare_sets_aside_a_file_of_another_year_as_aggregate_does(cli, tmp_path):
    from conftest import EXAMPLE_2020, previous_of

    (tmp_path / "2022").mkdir()
    (tmp_path / "2022" / "青山镇.yaml").write_text(previous_of(TEXT), encoding="utf-8")
    put(tmp_path / "2023", "青山镇.yaml", "青山镇人民政府")
    (tmp_path / "2023" / "青山镇旧.yaml").write_text(edit(EXAMPLE_2020.read_text(encoding="utf-8"), "name: 白河乡人民政府", "name: 青山镇人民政府"), encoding="utf-8")
    result = cli("compare", tmp_path / "2022", tmp_path / "2023", "-o", tmp_path / "比对")
    assert result.code == 1, result  # a file set aside, as aggregate's exit 1
    assert ("本年度：青山镇旧.yaml（青山镇人民政府）：这份是2020年度的报告，其他1个单位都是2023年度（2021年修订格式）：是否交错了年度或用了旧表？不计入") in result.err
    assert "1个单位，已比对1个（有错误的0个），未比对0个；另有1个文件不是所比的年度（或格式），未比对（见上）" in result.out  # was: 未比对 — “本年度有2个文件都是这个单位的报告”
    index = (tmp_path / "比对" / "index.html").read_text(encoding="utf-8")
    assert "另有1个文件不是所比的年度（或格式），未比对（见下）" in index and (tmp_path / "比对" / "青山镇人民政府.html").is_file()


# -- LOW: what the charts' medians are of; an error unit marked in 上年与本年; compare says where its errors are ------
def test_the_overview_says_what_each_median_is_of_and_marks_an_error_unit_beside_last_year(cli, tmp_path):
    from conftest import previous_of

    for folder, text in (("2022", previous_of(TEXT)), ("2023", TEXT)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.yaml").write_text(edit(text, "name: 青山镇人民政府", "name: 城东镇人民政府"), encoding="utf-8")
        (tmp_path / folder / "b.yaml").write_text(edit(text, "name: 青山镇人民政府", "name: 城西镇人民政府"), encoding="utf-8")
    (tmp_path / "2023" / "b.yaml").write_text(edit(edit(TEXT, "name: 青山镇人民政府", "name: 城西镇人民政府"), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]"),
                                              encoding="utf-8")
    result = cli("overview", tmp_path / "2023", "--previous", tmp_path / "2022", "-o", tmp_path / "对比.html")
    assert result.code == 1
    page = (tmp_path / "对比.html").read_text(encoding="utf-8")
    assert "本年中位数7件（已计入的1个单位）；上年中位数7件（上一年度没有错误的2份报告）；" in page  # was “本年中位数7件；上年中位数7件；”
    assert "本年的条画成带交叉斜纹的浅色、名称后注“（有错误）”的，是有错误、未计入合计的单位照报告所印的数字。" in page
    assert page.count("城西镇人民政府（有错误）") >= 2  # in the ranking charts and in 上年与本年


def test_compare_points_at_the_section_that_lists_its_errors(cli, tmp_path):
    from conftest import previous_of

    last = tmp_path / "2022.yaml"
    last.write_text(previous_of(TEXT), encoding="utf-8")
    (tmp_path / "2023.yaml").write_text(WRONG_TOTAL, encoding="utf-8")
    result = cli("compare", last, tmp_path / "2023.yaml", "-o", tmp_path / "比对.html")
    assert result.code == 1
    assert "有错误：本年度报告2个错误（见比对结果“六、两份报告的检查结果”）" in result.err  # was “见…“三、跨年度核对”和…” for an R1/R2 error


def test_the_table_sheet_wraps_its_reasons_within_fixed_columns(cli, unfilled, tmp_path):
    from nianbao.county.tally import SHEET_WIDTHS

    cli("aggregate", unfilled, "-o", tmp_path / "县.yaml")
    sheet = load_workbook(tmp_path / "汇总.xlsx")["表三主要行"]
    assert [sheet.column_dimensions[c].width for c in "ABCDEFGH"] == SHEET_WIDTHS
    reasons = [row[7] for row in sheet.iter_rows(min_row=4) if row[7].value]
    assert len(reasons) == 2 and all(cell.alignment.wrap_text for cell in reasons)  # a long reason no longer runs past the table, shrinking the page


def test_the_workbooks_charts_are_each_on_one_printed_page(cli, tmp_path):
    """Rows of one height, a chart of up to 40 units no taller than a page, a page break
    before a chart that would not fit below the last: no chart cut across two pages (the
    trial's 30 units printed each chart in two halves)."""
    from nianbao.compare.overview_sheet import PAGE_CM, ROW_CM

    inbox = tmp_path / "收回"
    for i in range(30):
        put(inbox, f"{i:02d}.yaml", f"第{i:02d}镇人民政府", i)
    assert cli("overview", inbox, "-o", tmp_path / "对比.xlsx").code == 0
    sheet = load_workbook(tmp_path / "对比.xlsx")["图表"]
    assert sheet.sheet_format.defaultRowHeight == 15 and sheet.sheet_format.customHeight
    breaks = [b.id for b in sheet.row_breaks.brk]
    anchors = sorted((chart.anchor._from.row, chart.height) for chart in sheet._charts)
    assert len(anchors) >= 5 and all(height <= PAGE_CM for _, height in anchors)
    pages: dict[int, float] = {}
    for row, height in anchors:  # the page of a chart is the number of breaks above it; what each page holds
        page = sum(b < row + 1 for b in breaks)
        pages[page] = pages.get(page, 0) + height
        assert not any(row + 1 <= b < row + height / ROW_CM for b in breaks)  # no break inside a chart
    assert all(held <= PAGE_CM + 1.5 for held in pages.values()), pages


def test_a_figure_read_from_a_wrong_printed_total_is_marked_in_the_overview_page_and_workbook(cli, tmp_path):
    inbox = tmp_path / "收回"
    put(inbox, "a.yaml", "城东镇人民政府")
    (inbox / "b.yaml").write_text(edit(WRONG_TOTAL, "name: 青山镇人民政府", "name: 城西镇人民政府"), encoding="utf-8")
    assert cli("overview", inbox, "-o", tmp_path / "对比.html").code == 1
    page = (tmp_path / "对比.html").read_text(encoding="utf-8")
    said = "表三“一、本年新收政府信息公开申请数量”的总计印错（R2），各项之和为7"
    assert page.count(f'<small class="defect" title="{said}">总计印错</small>') == 1  # under 新收申请 8件 of 城西镇 only
    assert cli("overview", inbox, "-o", tmp_path / "对比.xlsx").code == 1
    sheet = load_workbook(tmp_path / "对比.xlsx")["各单位主要数字"]
    noted = [(cell.coordinate, cell.value, cell.comment.text) for row in sheet.iter_rows() for cell in row if cell.comment]
    assert noted == [("E3", 8, f"总计印错：{said}")]  # the printed figure kept as a number
