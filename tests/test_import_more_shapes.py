"""More real shapes of published reports (issue #19 point 9), each built byte for byte here
with its exact outcome: rows closed by a pipe, empty cells of a table written one cell a
line, titles with the year first and wrapped, verbs and a site's chrome before the unit,
the figures quoted in the text (R6), a group row of table 三 printed without its items,
a table 四 with fewer columns, and labels separated from their figures in text taken out
of a PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, edit
from shapes import _document, _fields
from test_import_shapes import tables_of

from nianbao.check.rules import check
from nianbao.findings import Finding
from nianbao.read.importer import checkable, import_bytes
from nianbao.read.load import load_file, load_text

TODAY = dt.date(2030, 1, 1)
EXAMPLE = load_file(EXAMPLE_2023).report
Z6 = [0] * 6



def written(table, *, title: list[str] | None = None, report=EXAMPLE) -> str:
    """The example report as text, each table laid out by ``table(grid) -> lines``."""
    out: list[str] = []
    for kind, value in _document(report):
        if kind == "table":
            out += table(value)
        elif kind == "title" and title is not None:
            out += title
        else:
            out.append(str(value))
    return "\n".join(out) + "\n"


def imported(text: str, name: str = "report.txt"):
    return import_bytes(text.encode("utf-8"), Path(name))


def tab_rows(grid) -> list[str]:
    return ["\t".join(fields) for fields in _fields(grid)]


# -- a. rows closed by a pipe ---------------------------------------------------------------------------
def closed_rows(grid) -> list[str]:
    """``规章 | 0 | 0 | 0 |``: one row a line, no opening pipe; a row whose first cell is
    empty opens with `` | `` (the importer must keep that empty cell too)."""
    return [" | ".join(fields) + " |" for fields in _fields(grid)]


def test_rows_closed_by_a_pipe_are_rows_each_on_its_own_line():
    text = written(closed_rows)
    assert "规章 | 0 | 0 | 0 |\n行政规范性文件 | 1 | 0 | 6 |\n" in text
    result = imported(text)
    assert [f for f in result.findings if f.level == "error"] == []
    back = checkable(result, today=TODAY)[0].report
    assert tables_of(back) == tables_of(EXAMPLE)
    regulations, documents = result.lines[("proactive", "regulations")], result.lines[("proactive", "normative_documents")]
    assert text.split("\n")[regulations - 1] == "规章 | 0 | 0 | 0 |"
    assert documents == regulations + 1  # not joined with the next row


def test_a_table_four_row_opening_with_an_empty_cell_keeps_it_where_rows_are_closed_by_pipes():
    grid_rows = {"rows": 0}

    def table(grid):
        grid_rows["rows"] += 1
        lines = closed_rows(grid)
        if grid_rows["rows"] == 3:  # table 四: its first 结果维持 printed empty
            assert lines[-1].startswith("1 | ")
            lines[-1] = " | " + lines[-1][len("1 | "):]
        return lines

    result = imported(written(table))
    assert result.data["appeals"]["review"] == [0, 0, 0, 0, 1]
    assert Finding("warning", "I", "表四", "表四：原文结果维持为空白，按0计", None) in [
        Finding(f.level, f.rule, f.path, f.message, None) for f in result.findings
    ]


# -- b. one cell a line, an empty cell a line holding only "|" ----------------------------------------
def cell_lines(empty: str):
    """Table 二 one cell a line between ``|`` lines, 本年废止件数 of both rows of 第二十条第（一）项
    printed empty: nothing between two separators (``empty`` = ""), or an empty line."""
    count = {"tables": 0}

    def table(grid):
        count["tables"] += 1
        if count["tables"] > 1:
            return tab_rows(grid)
        out = []
        for fields in _fields(grid, covered_as=None):
            for i, text in enumerate(fields):
                if fields[0] in ("规章", "行政规范性文件") and i == 2:
                    out += ([""] if empty else []) + ["|"]
                elif text:
                    out += [text, "|"]
        return out

    return table


@pytest.mark.parametrize("empty", ["", "\n"], ids=["separator-only", "empty-paragraph"])
def test_an_empty_cell_written_as_a_separator_line_keeps_its_place(empty):
    text = written(cell_lines(empty))
    blank = "|\n\n|\n" if empty else "|\n|\n"
    assert f"规章\n|\n0\n{blank}0\n|\n行政规范性文件\n|\n1\n{blank}6\n|\n" in text
    result = imported(text)
    assert tables_of(checkable(result, today=TODAY)[0].report) == tables_of(EXAMPLE)
    blanks = [(f.level, f.path, f.message) for f in result.findings if f.path and f.path.startswith("表二")]
    assert blanks == [
        ("warning", "表二.规章", "表二 第二十条第（一）项 规章：原文本年废止件数为空白，按0计"),
        ("warning", "表二.行政规范性文件", "表二 第二十条第（一）项 行政规范性文件：原文本年废止件数为空白，按0计"),
    ]


def test_a_heading_after_a_table_of_cells_ends_it_and_the_signature_stays_text():
    from shapes import cells_blank

    result = imported(cells_blank(EXAMPLE, 3))
    assert (result.data["unit"]["date"], result.data["other_matters"]) == (EXAMPLE.unit["date"], EXAMPLE.get(("other_matters",)))
    assert tables_of(checkable(result, today=TODAY)[0].report) == tables_of(EXAMPLE)


# -- c, d, e. the title and the unit ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "unit", "year"),
    [
        (["2024 年上海市科委政府信息公开工作", "年度报告"], "上海市科委", 2024),
        (["正文", "2024 年上海市科委政府信息公开工作", "年度报告"], "上海市科委", 2024),
        (["正文", "2025 年上海市黄浦区人民政府打浦桥街道政府信息", "公开工作年度报告"], "上海市黄浦区人民政府打浦桥街道", 2025),
        (["2023年度区统计局政府信息公开", "工作年度报告"], "区统计局", 2023),
        (["上海市人民政府", "办公厅2023年政府信息公开工作年度报告"], "上海市人民政府办公厅", 2023),
        (["现公布区统计局2023年政府信息公开工作年度报告"], "区统计局", 2023),
        (["现将区统计局2023年政府信息公开工作年度报告公布如下："], "区统计局", 2023),
        (["特此公布区统计局2023年政府信息公开工作年度报告"], "区统计局", 2023),
        (["无障碍浏览", "长者模式", "区统计局", "2023年政府信息公开工作年度报告"], "区统计局", 2023),
        (["无障碍浏览 长者模式", "首页 > 政务公开 > 年度报告", "2023 年区统计局政府信息公开工作", "年度报告", "打印本页 关闭窗口"], "区统计局", 2023),
        (["字号 大 中 小", "区统计局2023年政府信息公开工作年度报告", "【打印本页】【关闭窗口】"], "区统计局", 2023),
        (["首页 » 政务公开 » 政府信息公开年报", "区统计局2023年政府信息公开工作年度报告"], "区统计局", 2023),
    ],
)
def test_the_unit_is_the_titles_own_never_a_word_before_it(title, unit, year):
    result = imported(written(tab_rows, title=title))
    assert (result.data["unit"]["name"], result.data["year"]) == (unit, year)
    assert result.data["preamble"] is None or not any(w in result.data["preamble"] for w in ("打印", "关闭", "长者", "无障碍"))


# -- f. R6: the figures quoted in the text -------------------------------------------------------------------
TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")
SENTENCE = "全年新收政府信息公开申请7件，加上年结转1件，共8件；已办结7件，1件因需征求第三方意见结转下年度办理。"


def r6(sentence: str) -> list[str]:
    loaded = load_text(edit(TEXT_2023, SENTENCE, sentence))
    assert loaded.report is not None
    return [f.message for f in check(loaded.report) if f.rule == "R6"]


WHERE = "一、总体情况（二）依申请公开："


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [
        ("镇党政办代表镇政府受理政府信息公开申请 17 件。", "受理政府信息公开申请17件"),
        ("全年共收到政府信息公开申请17件。", "收到政府信息公开申请17件"),
        ("本年度新收各类申请共计17件。", "新收各类申请共计17件"),
        ("全年接收依申请公开申请17件。", "接收依申请公开申请17件"),
        ("全年办理政府信息公开申请17件。", "办理政府信息公开申请17件"),
    ],
)
def test_r6_finds_the_usual_phrasings_of_the_applications_received(sentence, quoted):
    assert r6(sentence) == [f"{WHERE}文中“{quoted}”，但表三“一、本年新收政府信息公开申请数量”的总计为7"]


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        ("全年被申请行政复议3起。", "文中“被申请行政复议3起”，但表四“行政复议”的总计为1"),
        ("发生行政复议案件共2件。", "文中“行政复议案件共2件”，但表四“行政复议”的总计为1"),
        ("被提起行政诉讼2起。", "文中“被提起行政诉讼2起”，但表四“行政诉讼”两项总计之和为0"),
        ("行政复议和行政诉讼共3件。", "文中“行政复议和行政诉讼共3件”，但表四“行政复议”与“行政诉讼”的总计之和为1"),
    ],
)
def test_r6_finds_appeals_and_lawsuits_in_cases_or_items(sentence, message):
    assert r6(sentence) == [WHERE + message]


@pytest.mark.parametrize(
    "sentence",
    [
        SENTENCE,
        "全年受理政府信息公开申请7件，上年结转1件，结转下年度1件。",
        "全年共收到政府信息公开申请8件（含上年结转1件）。",  # received, with last year's
        "全年办理政府信息公开申请8件，办结7件。",  # handled: this year's and last year's
        "全年受理行政复议申请1件，信访举报投诉申请12件，上年结转申请1件。",  # other figures
        "全年被申请行政复议1件，行政诉讼0起；行政复议和行政诉讼共1件。",
        "受理政府信息公开申请7件，其中自然人5件。",
        "全年受理政务服务申请1200件，办理政务服务事项申请1180件。",  # not applications for information
        "全年受理依申请公开7件。",
    ],
)
def test_r6_is_silent_when_the_text_and_the_tables_agree(sentence):
    assert r6(sentence) == []


def test_r6_a_report_whose_text_and_tables_agree_gets_no_r6_from_any_narrative():
    loaded = load_text(TEXT_2023)
    assert [f for f in check(loaded.report) if f.rule == "R6"] == []


# -- g. a group row of table 三 printed without its items ----------------------------------------------------
def one_row_for_other(figures: list[int]):
    """Table 三 with （六）其他处理 as one row of ``figures`` (and its total) and no items."""
    def table(grid):
        rows = tab_rows(grid)
        if not any("（六）其他处理" in r for r in rows):
            return rows
        at = next(i for i, r in enumerate(rows) if "（六）其他处理" in r)  # the group and its item 1
        return rows[:at] + ["\t".join(["", "（六）其他处理", *map(str, figures), str(sum(figures))])] + rows[at + 3 :]

    return table


def test_a_single_other_row_of_zeros_makes_its_three_items_zero_with_a_warning():
    result = imported(written(one_row_for_other([0] * 6)))
    assert result.data["applications"]["other"] == {"no_correction": Z6, "fee_unpaid": Z6, "other": Z6}
    assert [(f.level, f.path, f.message) for f in result.findings if "其他处理" in f.message] == [
        ("warning", "表三.三（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "表三 三（六）其他处理 1.申请人无正当理由逾期不补正：原文表三“（六）其他处理”只印了一行（各列均为0），没有分1、2、3项：各分项均按0计"),
    ]
    assert [f for f in result.findings if f.level == "error"] == []


def test_a_single_other_row_with_figures_goes_to_its_other_item_and_the_clerk_is_told():
    text = written(one_row_for_other([2, 0, 0, 1, 0, 0]))
    text = edit(text, "（七）总计\t5\t1\t0\t0\t1\t0\t7", "（七）总计\t7\t1\t0\t1\t1\t0\t10")
    result = imported(text)
    other = result.data["applications"]["other"]
    assert other == {"no_correction": Z6, "fee_unpaid": Z6, "other": [2, 0, 0, 1, 0, 0]}
    path = "表三.三（六）3.其他"
    assert [(f.level, f.path, f.message) for f in result.findings if "其他处理" in f.message] == [
        ("warning", path, "表三 三（六）其他处理 3.其他：原文表三“（六）其他处理”只印了一行（总计3），没有分1、2、3项：这些数字计入“3.其他”，第1、2项按0计，请按实际情况核对分项"),
    ]
    assert result.notes[("applications", "other", "other")].startswith("导入说明：原文表三“（六）其他处理”只印了一行")
    # the published total is kept: （七）总计 still adds up with the figures in 3.其他
    loaded, _ = checkable(result, today=TODAY)
    assert [f.rule for f in check(loaded.report) if f.rule in ("R2", "R3")] == []


def test_a_group_without_an_other_item_printed_as_one_row_with_figures_is_left_empty_with_an_error():
    def table(grid):
        rows = tab_rows(grid)
        if not any("1.本机关不掌握相关政府信息" in r for r in rows):
            return rows
        at = next(i for i, r in enumerate(rows) if "1.本机关不掌握相关政府信息" in r)
        return rows[:at] + ["\t（四）无法提供\t0\t0\t0\t0\t1\t0\t1"] + rows[at + 3 :]

    result = imported(written(table))
    unavailable = result.data["applications"]["unavailable"]
    assert unavailable == {"not_held": None, "needs_creation": None, "still_unclear": None}
    errors = [(f.path, f.message) for f in result.findings if f.level == "error"]
    assert errors == [("表三.三（四）1.本机关不掌握相关政府信息", "原文表三“（四）无法提供”只印了一行（总计1），没有分1、2、3项，无法确定各分项的数，均留空，请按原件填写")]


# -- i. labels and figures separated in text taken out of a PDF -------------------------------------------
def spaced_rows(grid) -> list[str]:
    """Cells separated by spaces, as a PDF's text without ruling lines gives them: empty
    cells are invisible."""
    return ["  ".join(f for f in fields if f) for fields in _fields(grid)]


def separated(change) -> str:
    text = written(spaced_rows)
    return change(text)


ROW_41 = "（四）无法提供  1.本机关不掌握相关政府信息  0  0  0  0  1  0  1"
ROW_42 = "2.没有现成信息需要另行制作  0  0  0  0  0  0  0"
ROW_43 = "3.补正后申请内容仍不明确  0  0  0  0  0  0  0"
ROW_51 = "（五）不予处理  1.信访举报投诉类申请  0  0  0  0  0  0  0"
ROW_52 = "2.重复申请  0  0  0  0  0  0  0"


def test_a_figure_line_before_its_label_is_placed_where_the_pairing_is_unique_and_the_totals_confirm_it():
    text = separated(lambda t: edit(t, ROW_41, "0  0  0  0  1  0  1\n（四）无法提供  1.本机关不掌握相关政府信息"))
    result = imported(text)
    assert result.data["applications"]["unavailable"]["not_held"] == [0, 0, 0, 0, 1, 0]
    line = text.split("\n").index("（四）无法提供  1.本机关不掌握相关政府信息") + 1
    path = "表三.三（四）1.本机关不掌握相关政府信息"
    assert [f for f in result.findings if f.path == path] == [
        Finding("warning", "I", path, f"表三 三（四）无法提供 1.本机关不掌握相关政府信息：原文这一行的文字与数字分开排列（数字在第{line - 1}行），只有这一种对应，且与表中的总计相符，已按其读取，请核对", line)
    ]
    assert [f for f in result.findings if f.level == "error"] == []


def test_a_unique_pairing_that_the_totals_contradict_is_undone():
    text = separated(lambda t: edit(t, ROW_41, "0  0  0  0  2  0  2\n（四）无法提供  1.本机关不掌握相关政府信息"))
    result = imported(text)
    assert result.data["applications"]["unavailable"]["not_held"] is None
    path = "表三.三（四）1.本机关不掌握相关政府信息"
    assert [(f.level, f.message) for f in result.findings if f.path == path] == [
        ("error", "表三 三（四）无法提供 1.本机关不掌握相关政府信息：原文这一行的文字与数字分开排列，按位置对应的数字与表中的总计不符，无法确定，整行留空，请按原件填写")
    ]


def test_labels_then_different_figure_lines_are_never_paired_by_position():
    labels = "（四）无法提供  1.本机关不掌握相关政府信息\n2.没有现成信息需要另行制作\n3.补正后申请内容仍不明确"
    figures = "0  0  0  0  1  0  1\n0  0  0  0  0  0  0\n0  0  0  0  0  0  0"
    text = separated(lambda t: edit(t, f"{ROW_41}\n{ROW_42}\n{ROW_43}", f"{labels}\n{figures}"))
    result = imported(text)
    assert result.data["applications"]["unavailable"] == {"not_held": None, "needs_creation": None, "still_unclear": None}
    first = text.split("\n").index("（四）无法提供  1.本机关不掌握相关政府信息") + 1
    lines = "、".join(f"第{first + 3 + k}行" for k in range(3))
    assert [(f.level, f.path, f.message, f.line) for f in result.findings if f.level == "error"] == [
        ("error", "表三.三（四）1.本机关不掌握相关政府信息",
         f"原文表三中“1.本机关不掌握相关政府信息”、“2.没有现成信息需要另行制作”、“3.补正后申请内容仍不明确”3行的文字与数字分开排列"
         f"（3行数字不在各自的行上：{lines}），无法确定哪一行是哪些数，均留空，请按原件填写", first),
    ]
    assert result.notes[("applications", "unavailable", "still_unclear")].startswith("导入时无法读取：原文表三中")


def test_labels_then_a_page_number_then_figure_lines_all_alike_read_the_same_in_any_order():
    labels = "（五）不予处理  1.信访举报投诉类申请\n2.重复申请"
    text = separated(lambda t: edit(t, f"{ROW_51}\n{ROW_52}", f"{labels}\n— 3 —\n3\n0  0  0  0  0  0  0\n0  0  0  0  0  0  0"))
    result = imported(text)
    not_processed = result.data["applications"]["not_processed"]
    assert (not_processed["petitions"], not_processed["repeated"]) == (Z6, Z6)
    first = text.split("\n").index("2.重复申请") + 4
    told = [(f.level, f.message) for f in result.findings if f.path and "三（五）" in f.path]
    assert told == [
        ("warning", f"表三 {path}：原文这一行的文字与数字分开排列（数字在第{line}行），这2行的数字相同，怎样对应都一样，且与表中的总计相符，"
                    "已按其读取，请核对；其间的“— 3 —”、“3”（可能是页码）未计入")
        for path, line in (("三（五）不予处理 1.信访举报投诉类申请", first), ("三（五）不予处理 2.重复申请", first + 1))
    ]
    assert [f for f in result.findings if f.level == "error"] == []


def test_separated_rows_of_table_two_have_no_total_to_confirm_them_and_stay_empty():
    text = separated(lambda t: edit(t, "行政处罚  3\n行政强制  0", "行政处罚\n行政强制\n3\n0"))
    result = imported(text)
    assert (result.data["proactive"]["penalties"], result.data["proactive"]["coercion"]) == (None, None)
    assert [f.path for f in result.findings if f.level == "error"] == ["表二.行政处罚.本年处理决定数量"]


# -- h. a table 四 with fewer columns than the standard's ------------------------------------------------
def with_table4(header: list[str], figures: list[int]) -> str:
    text = written(tab_rows)
    start, end = text.index("四、政府信息公开行政复议、行政诉讼情况"), text.index("五、存在的主要问题及改进情况")
    table = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议\t\t行政诉讼", "\t未经复议直接起诉\t复议后起诉", "\t".join(header * 3), "\t".join(map(str, figures))]
    return text[:start] + "\n".join(table) + "\n" + text[end:]


def test_a_table_four_without_its_total_columns_is_read_by_its_header_and_the_totals_computed():
    result = imported(with_table4(["结果维持", "结果纠正", "其他结果", "尚未审结"], [1, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 3]))
    assert result.data["appeals"] == {"review": [1, 0, 0, 0], "lawsuit_direct": [0, 2, 0, 1], "lawsuit_after_review": [0, 0, 0, 3]}
    assert [(f.level, f.message) for f in result.findings if f.path == "表四"] == [("warning", "表四：原文表四没有“总计”列，总计按各项之和计算")]
    assert result.unreadable == set()


def test_a_table_four_missing_a_column_keeps_the_cells_it_can_place_and_names_the_rest():
    result = imported(with_table4(["结果维持", "结果纠正", "尚未审结", "总计"], [1, 0, 0, 1, 0, 2, 1, 3, 0, 0, 0, 0]))
    assert result.data["appeals"] == {
        "review": [1, 0, None, 0, 1],
        "lawsuit_direct": [0, 2, None, 1, 3],
        "lawsuit_after_review": [0, 0, None, 0, 0],
    }
    assert [(f.level, f.message) for f in result.findings if f.path == "表四"] == [
        ("error", "表四：原文表四只有12列（行政复议没有“其他结果”；行政诉讼（未经复议直接起诉）没有“其他结果”；行政诉讼（复议后起诉）没有“其他结果”），"
                  "这些格无法读取，留空，请按原件填写"),
    ]
    loaded, doubtful = checkable(result, today=TODAY)
    assert "R4" in doubtful  # a total that cannot be checked is not reported against the empty cells


def test_a_table_four_whose_header_does_not_say_which_columns_are_present_is_left_empty():
    text = with_table4(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"], [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    result = imported(text)
    assert result.data["appeals"] == {"review": None, "lawsuit_direct": None, "lawsuit_after_review": None}
    assert [(f.level, f.message) for f in result.findings if f.path == "表四"] == [
        ("error", "表四：原文只有12个单元格（其中12个有数字），应为15个，无法确定各列的数，整行留空，请按原件填写")
    ]


@pytest.mark.parametrize("verb", ["现将", "现公布", "特此公布"])
def test_without_a_title_the_unit_named_after_a_verb_is_the_unit_not_the_verb(verb):
    title = ["索引号：000000000/2024-00012", f"{verb}区统计局2023年度政府信息公开工作情况报告如下。"]
    text = edit(written(tab_rows, title=title), "青山镇人民政府\n2024年1月18日\n", "")  # no signature either
    result = imported(text)
    assert result.data["unit"]["name"] == "区统计局"
    told = [f.message for f in result.findings if f.path == "unit.name" or "机关名称" in f.message]
    assert told == [f"原文没有标题：机关名称按正文“{verb}区统计局2023”取为“区统计局”，请核对"]
