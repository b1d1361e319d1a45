"""Every consistency rule: a passing report and a failing one with the exact finding."""

from __future__ import annotations

import datetime as dt

from conftest import EXAMPLE_2020, EXAMPLE_2023, edit, line_of

from nianbao.check.rules import check
from nianbao.findings import Finding
from nianbao.read.load import load_text

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")
TEXT_2020 = EXAMPLE_2020.read_text(encoding="utf-8")


def findings(text: str, **kwargs) -> list[Finding]:
    loaded = load_text(text, **kwargs)
    return loaded.findings + (check(loaded.report) if loaded.report else [])


def test_examples_have_no_findings_at_all():
    assert findings(TEXT_2023) == []
    assert findings(TEXT_2020) == []


def test_r1_column_balance_names_the_column_and_shows_figures():
    text = edit(TEXT_2023, "carried_forward: [1, 0, 0, 0, 0, 0]", "carried_forward: [0, 0, 0, 0, 0, 0]")
    line = line_of(text, "  new: [")
    assert [f for f in findings(text) if f.rule != "R6"] == [  # R6: the text still says 1件…结转下年度
        Finding("error", "R1", "表三.一.自然人",
                "表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=5+1=6，第三项（七）总计+第四项=5+0=5）", line),
        Finding("error", "R1", "表三.一.总计",
                "表三：第一项+第二项≠第三项（七）总计+第四项（总计列：第一项+第二项=7+1=8，第三项（七）总计+第四项=7+0=7）", line),
    ]


def test_r2_row_total_that_disagrees_is_an_error_not_replaced():
    text = edit(TEXT_2023, "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]")
    result = [f for f in findings(text) if f.rule == "R2"]
    assert result == [
        Finding("error", "R2", "表三.一.总计",
                "表三：一、本年新收政府信息公开申请数量的总计填写为8，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=5+1+0+0+1+0=7",
                line_of(text, "  new: [")),
    ]
    # the written 8 is what R1 sees: the given total is never silently replaced
    assert [f.path for f in findings(text) if f.rule == "R1"] == ["表三.一.总计"]


def test_r3_results_total_against_the_leaves():
    text = edit(TEXT_2023, "total: [5, 1, 0, 0, 1, 0, 7]", "total: [6, 1, 0, 0, 1, 0, 7]")
    line = line_of(text, "  total: [")
    r3 = [f for f in findings(text) if f.rule == "R3"]
    assert r3 == [
        Finding("error", "R3", "表三.三（七）.自然人",
                "表三：（七）总计≠（一）至（六）各项之和（自然人列：填写为6，各项之和为5，其中三（一）予以公开=3、三（二）部分公开=1、三（三）不予公开 4.保护第三方合法权益=1）",
                line),
    ]


def test_r3_omitted_total_is_computed_and_checked_through_r1():
    text = edit(TEXT_2023, "  total: [5, 1, 0, 0, 1, 0, 7]", "")
    assert findings(text) == []
    text = edit(text, "disclosed: [3, 1, 0, 0, 0, 0]", "disclosed: [4, 1, 0, 0, 0, 0]")
    assert [(f.rule, f.path) for f in findings(text)] == [("R1", "表三.一.自然人"), ("R1", "表三.一.总计")]


def test_r4_appeal_total():
    text = edit(TEXT_2023, "review: [1, 0, 0, 0, 1]", "review: [1, 0, 0, 0, 2]")
    assert findings(text) == [
        Finding("error", "R4", "表四.行政复议.总计",
                "表四：行政复议的总计填写为2，但结果维持+结果纠正+其他结果+尚未审结=1+0+0+0=1", line_of(text, "  review: [")),
    ]
    text = edit(TEXT_2023, "lawsuit_after_review: [0, 0, 0, 0, 0]", "lawsuit_after_review: [0, 1, 0, 0, 0]")
    assert [(f.rule, f.path) for f in findings(text)] == [("R4", "表四.行政诉讼.复议后起诉.总计")]


def test_r5_old_format_for_a_new_year():
    text = edit(TEXT_2023, "format: v2021", "format: v2019")
    result = findings(text)
    assert result[0] == Finding(
        "error", "R5", "格式版本",
        "2023年度的报告应使用2021年修订格式（v2021，国办公开办函〔2021〕30号），文件写的是2019年试行格式（v2019），属于使用旧版格式",
        line_of(text, "format: v2019"),
    )


def test_r5_format_follows_from_the_year_when_left_out():
    assert findings(edit(TEXT_2023, "format: v2021", "format: null")) == []
    assert findings(edit(TEXT_2020, "format: v2019", "format: null")) == []


def test_r5_year_before_the_standard():
    text = edit(TEXT_2020, "year: 2020", "year: 2018")
    assert findings(text) == [
        Finding("error", "R5", "报告年度",
                "不支持2018年度的报告：政府信息公开工作年度报告格式自2019年度起实行（国办公开办函〔2019〕60号）", 3),
    ]


def test_r5_year_not_yet_over_is_a_warning():
    result = findings(TEXT_2023, today=dt.date(2023, 6, 1))
    assert result == [Finding("warning", "R5", "报告年度", "报告年度2023年尚未结束：年度报告应在年度结束后编制", 3)]


def test_r5_signature_date_window():
    late = edit(TEXT_2023, "date: 2024-01-18", "date: 2024-05-08")
    line = line_of(late, "date: 2024-05-08")
    assert findings(late) == [
        Finding("warning", "R5", "机关信息.落款日期",
                "落款日期2024年5月8日晚于公布期限2024年3月31日（《条例》第四十九条）：是否年份写错？", line),
    ]
    stale = edit(TEXT_2023, "date: 2024-01-18", "date: 2023-01-18")
    assert findings(stale)[0].message == "落款日期2023年1月18日早于统计期结束（2023年12月31日）：是否沿用了上一年的日期？"
    missing = edit(TEXT_2023, "date: 2024-01-18", "date: null")
    assert findings(missing)[0].message == "未填写落款日期：应为2024年1月1日至2024年3月31日之间"


def test_r7_placeholder_and_missing_subject():
    text = edit(TEXT_2023, "  platforms: |-", "  platforms: null\n  unused: |-")
    text = edit(text, "  unused: |-", "  placeholder_gone: |-")
    # an unknown key is a schema error; use a real placeholder instead
    text = edit(TEXT_2023, "完成镇政府信息公开专栏栏目调整", "完成XX专栏栏目调整")
    line = line_of(text, "  platforms: |-")
    assert findings(text) == [
        Finding("warning", "R7", "一、总体情况.（四）政府信息公开平台建设",
                "一、总体情况（四）政府信息公开平台建设：含有占位文字“XX”，请替换为实际内容（不改的话 render 会拒绝生成；要先看草稿可加 --draft）", line),
    ]
    removed = edit(TEXT_2023, "  oversight: |-", "  oversight: null\n  dropped: |-")
    assert any(f.rule == "S" for f in findings(removed))
    emptied = TEXT_2023.split("  oversight: |-")[0] + "  oversight: null\n" + "proactive:" + TEXT_2023.split("\nproactive:", 1)[1]
    assert findings(emptied) == [
        Finding("warning", "R7", "一、总体情况.（五）监督保障",
                "一、总体情况（五）监督保障：未填写（2021年修订格式要求总体情况逐一写明5个方面）（不改的话 render 会拒绝生成；要先看草稿可加 --draft）", line_of(emptied, "oversight: null")),
    ]


def test_r7_trivial_problems_section():
    body = TEXT_2023.split("problems: |-")[1].split("processing_fees:")[0]
    text = TEXT_2023.replace("problems: |-" + body, "problems: 无。\n")
    assert findings(text) == [
        Finding("warning", "R7", "五、存在的主要问题及改进情况",
                "五、存在的主要问题及改进情况：只有“无。”，评议时会被认为未报告存在的问题和改进情况", line_of(text, "problems: 无。")),
    ]


def test_r7_fee_statement_missing_or_contradicted():
    fees = (
        "processing_fees:                            # 六、信息处理费（单位：元）\n"
        "  notices: 0                                # 发出收费通知的件数\n"
        "  billed: 0                                 # 收费通知的总金额（元）\n"
        "  collected: 0                              # 实际收取的总金额（元）\n"
    )
    no_fees = edit(TEXT_2023, fees, "")
    assert findings(no_fees) == [
        Finding("warning", "R7", "六、其他需要报告的事项",
                "六、其他需要报告的事项：没有信息处理费的情况：请在 processing_fees 填写发出收费通知件数、总金额和实际收取金额（未收费的填0）",
                line_of(no_fees, "other_matters: |-")),
    ]
    unpaid = edit(TEXT_2023, "fee_unpaid: [0, 0, 0, 0, 0, 0]", "fee_unpaid: [1, 0, 0, 0, 0, 0]")
    unpaid = edit(unpaid, "carried_forward: [1, 0, 0, 0, 0, 0]", "carried_forward: [0, 0, 0, 0, 0, 0]")
    unpaid = edit(unpaid, "total: [5, 1, 0, 0, 1, 0, 7]", "total: [6, 1, 0, 0, 1, 0, 8]")
    assert [f for f in findings(unpaid) if f.rule != "R6"] == [  # R6: the text still says 1件…结转下年度
        Finding("warning", "R7", "六、其他需要报告的事项.信息处理费.发出收费通知的件数",
                "表三 三（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用：1件，但信息处理费 · 发出收费通知的件数为0：逾期未缴费的前提是发出过收费通知",
                line_of(unpaid, "notices: 0")),
    ]


def test_amount_with_more_than_four_places_is_a_warning():
    text = edit(TEXT_2020, "procurement: [3, 12.5]", "procurement: [3, 12.50001]")
    assert findings(text) == [
        Finding("warning", "S", "表二.政府集中采购.采购总金额", "表二 第二十条第（九）项 政府集中采购 · 采购总金额：金额12.50001超过4位小数，请核对",
                line_of(text, "procurement:")),
    ]
