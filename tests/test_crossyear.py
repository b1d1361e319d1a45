"""Next year's draft (``next``), the rules across two years (X1–X5) and the figures quoted
in the text (R6), each with its exact finding."""

from __future__ import annotations

from conftest import EXAMPLE_2020, EXAMPLE_2023, edit, line_of, load, previous_of

from nianbao.check.crossyear import check_previous, copied_share, stale_years
from nianbao.check.rules import check
from nianbao.findings import Finding
from nianbao.render.nextyear import draft

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")
TEXT_2020 = EXAMPLE_2020.read_text(encoding="utf-8")



def x_findings(text: str, last_text: str, rule: str) -> list[Finding]:
    return [f for f in check_previous(load(text), load(last_text)) if f.rule == rule]


# -- R6 ------------------------------------------------------------------------------------------------
def test_r6_quoted_figures_against_the_tables():
    text = edit(TEXT_2023, "全年新收政府信息公开申请7件，加上年结转1件", "全年新收政府信息公开申请9件，加上年结转2件")
    text = edit(text, "满意率96%；", "满意率96%；全年被申请行政复议2件，行政诉讼1起；")
    r6 = [f for f in check(load(text)) if f.rule == "R6"]
    requests, oversight = line_of(text, "requests: "), line_of(text, "oversight: ")
    assert r6 == [
        Finding("warning", "R6", "一、总体情况.（二）依申请公开", "一、总体情况（二）依申请公开：文中“新收政府信息公开申请9件”，但表三“一、本年新收政府信息公开申请数量”的总计为7", requests),
        Finding("warning", "R6", "一、总体情况.（二）依申请公开", "一、总体情况（二）依申请公开：文中“上年结转2件”，但表三“二、上年结转政府信息公开申请数量”的总计为1", requests),
        Finding("warning", "R6", "一、总体情况.（五）监督保障", "一、总体情况（五）监督保障：文中“被申请行政复议2件”，但表四“行政复议”的总计为1", oversight),
        Finding("warning", "R6", "一、总体情况.（五）监督保障", "一、总体情况（五）监督保障：文中“行政诉讼1起”，但表四“行政诉讼”两项总计之和为0", oversight),
    ]
    assert [f for f in check(load(TEXT_2023)) if f.rule == "R6"] == []  # the example's figures agree


def test_r6_carried_forward_in_either_order():
    text = edit(TEXT_2023, "1件因需征求第三方意见结转下年度办理", "2件因需征求第三方意见结转下年度办理")
    assert [f.message for f in check(load(text)) if f.rule == "R6"] == [
        "一、总体情况（二）依申请公开：文中“2件因需征求第三方意见结转下年度”，但表三“四、结转下年度继续办理”的总计为1"
    ]


# -- X1–X5 ---------------------------------------------------------------------------------------------
def test_x1_carried_over_must_equal_last_years_carried_forward():
    last = edit(previous_of(TEXT_2023), "carried_forward: [1, 0, 0, 0, 0, 0]", "carried_forward: [2, 0, 0, 0, 0, 0]")
    last = edit(last, "total: [5, 1, 0, 0, 1, 0, 7]", "total: [4, 1, 0, 0, 1, 0, 6]")
    last = edit(last, "disclosed: [3, 1, 0, 0, 0, 0]", "disclosed: [2, 1, 0, 0, 0, 0]")
    line = line_of(TEXT_2023, "carried_over: [")
    expected = [
        Finding("error", "X1", "表三.二.自然人", "表三：本年“二、上年结转政府信息公开申请数量”自然人列为1，上一年度报告“四、结转下年度继续办理”为2：应相等，如有调整请在报告中说明", line),
        Finding("error", "X1", "表三.二.总计", "表三：本年“二、上年结转政府信息公开申请数量”总计列为1，上一年度报告“四、结转下年度继续办理”为2：应相等，如有调整请在报告中说明", line),
    ]
    assert x_findings(TEXT_2023, last, "X1") == expected
    explained = edit(TEXT_2023, "加上年结转1件，", "加上年结转1件（上年报告结转2件，其中1件申请人撤回，已作调整），")
    assert [(f.level, f.message[-9:]) for f in x_findings(explained, last, "X1")] == [("warning", "（文中已说明差异）")] * 2
    assert x_findings(TEXT_2023, previous_of(TEXT_2023), "X1") == []


def test_x2_documents_in_force_v2021():
    last = edit(previous_of(TEXT_2023), "normative_documents: [1, 0, 6]", "normative_documents: [1, 0, 4]")
    assert x_findings(TEXT_2023, last, "X2") == [
        Finding("warning", "X2", "表二.行政规范性文件.现行有效件数",
                "表二：行政规范性文件的现行有效件数为6，按上年4+本年制发1−本年废止0应为5（如有文件失效未计入废止，可不理会）",
                line_of(TEXT_2023, "normative_documents:")),
    ]
    assert x_findings(TEXT_2023, edit(last, "[1, 0, 4]", "[1, 0, 5]"), "X2") == []


def test_x3_items_last_year_v2019_and_skipped_across_versions():
    last = previous_of(TEXT_2020)  # a 2019 report with the same figures: 15 licences, +2
    assert x_findings(TEXT_2020, last, "X3") == [
        Finding("warning", "X3", "表二.行政许可.上一年项目数量", "表二：行政许可的上一年项目数量为15，按上一年度报告15+2应为17", line_of(TEXT_2020, "licensing:")),
        Finding("warning", "X3", "表二.行政处罚.上一年项目数量", "表二：行政处罚的上一年项目数量为4，按上一年度报告4-1应为3", line_of(TEXT_2020, "penalties:")),
    ]
    # 2021 (v2021) after 2020 (v2019): 对外公开总数量 is not 现行有效件数, so neither X2 nor X3
    report_2021 = load(edit(TEXT_2023, "year: 2023", "year: 2021"))
    assert [f for f in check_previous(report_2021, load(TEXT_2020)) if f.rule in ("X2", "X3")] == []


def test_x4_stale_years_but_not_document_numbers_or_editions():
    assert stale_years("依据国办函〔2020〕109号和《条例》（2019年修订），2023年和2024年的工作，2021年的旧文字，2021 年再提", 2023) == ["2021"]
    text = edit(TEXT_2023, "全年组织业务培训2次", "全年组织业务培训2次（2021年起实行）")
    assert x_findings(text, previous_of(TEXT_2023), "X4") == [
        Finding("warning", "X4", "一、总体情况.（五）监督保障",
                "一、总体情况（五）监督保障：提到“2021年”，既不是本报告年度（2023年），也不是前后一年：是否沿用了旧报告的文字？",
                line_of(text, "oversight: ")),
    ]


def test_x5_copied_sections_with_their_share():
    last = previous_of(TEXT_2023)
    found = x_findings(TEXT_2023, last, "X5")
    assert [(f.path, f.message.split("：")[1][:4]) for f in found] == [
        ("一、总体情况.（一）主动公开", "100%"),
        ("一、总体情况.（二）依申请公开", "100%"),
        ("一、总体情况.（三）政府信息管理", "100%"),
        ("一、总体情况.（四）政府信息公开平台建设", "100%"),
        ("一、总体情况.（五）监督保障", "100%"),
        ("五、存在的主要问题及改进情况", "100%"),
        ("六、其他需要报告的事项", "100%"),
    ]
    assert found[0].message == "一、总体情况（一）主动公开：100%的文字与上一年度报告相同（内容雷同是评议扣分项），请按本年情况改写"
    assert copied_share("今年新建了两个专题栏目，并且全面清理了过期信息", "去年没有做这些事情") == 0.0


def test_check_previous_from_the_command_line(cli, tmp_path):
    last = tmp_path / "2022.yaml"
    last.write_text(previous_of(TEXT_2023), encoding="utf-8")
    result = cli("check", EXAMPLE_2023, "--previous", last)
    assert result.code == 0, result  # X5 warnings only
    assert result.out.count("[提示 X5]") == 7
    wrong = cli("check", EXAMPLE_2023, "--previous", EXAMPLE_2023)
    assert wrong.code == 2 and "应为2023-青山镇.yaml上一年度（2022年）的报告" in wrong.err


# -- next ----------------------------------------------------------------------------------------------------
def test_next_v2021_keeps_comments_and_order(cli, tmp_path):
    last = tmp_path / "青山镇2023.yaml"
    last.write_text(edit(TEXT_2023, "  website:", "  # 网址去年换过一次\n  website:"), encoding="utf-8")
    result = cli("next", last)
    assert result.code == 0, result
    new = tmp_path / "青山镇人民政府2024.yaml"
    text = new.read_text(encoding="utf-8")
    assert "  # 网址去年换过一次\n  website:" in text  # the clerk's own comment
    assert text.startswith("# 上一年度报告：青山镇2023.yaml\n# 青山镇人民政府2024年政府信息公开工作年度报告\n")  # check compares with it
    assert "写好后运行：nianbao check 青山镇人民政府2024.yaml\nyear: 2024" in text  # this year's title and file, not last year's

    def body(lines: list[str]) -> list[str]:
        return lines[next(i for i, line in enumerate(lines) if not line.startswith("#")):]

    old_lines, new_lines = body(last.read_text(encoding="utf-8").splitlines()), body(text.splitlines())
    changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    assert changed[:3] == [
        ("year: 2023                                  # 报告年度", "year: 2024                                  # 报告年度"),
        ("  date: 2024-01-18                          # 落款日期（印在落款处，写成 2024-01-18）",
         "  date: null                                # 落款日期（印在落款处，写成 2025-01-20 或 2025年1月20日，应在2025年1月1日至2025年3月31日之间）"),  # the new window's hint
        ("  normative_documents: [1, 0, 6]            # 行政规范性文件", "  normative_documents: [0, 0, 6]            # 行政规范性文件"),
    ]
    report = load(text)
    t3 = report.spec.table3
    assert report.row(t3.row("carried_over")) == [1, 0, 0, 0, 0, 0, 1]  # last year's 结转下年度
    assert report.row(t3.row("new")) == [0] * 7 and report.get(("unit", "date")) is None
    assert report.get(("unit", "website")) == "https://qingshan.example.gov.cn/xxgk"
    assert report.text("problems") == load(TEXT_2023).text("problems")
    assert "total:" not in text.split("applications:")[1].split("appeals:")[0].replace("# total", "")
    assert cli("next", last, "-o", last).code == 2  # never over last year's own file


def test_next_v2019_rolls_the_item_counts():
    last = load(previous_of(TEXT_2020))
    result = draft(last, previous_of(TEXT_2020))
    report = load(result.text)
    assert (report.year, report.spec.id) == (2020, "v2019")
    assert list(report.get(("proactive", "licensing"))) == [17, 0, 0]  # 15 + 2
    assert list(report.get(("proactive", "penalties"))) == [3, 0, 0]  # 4 − 1
    assert list(report.get(("proactive", "normative_documents"))) == [0, 0, 9]  # 对外公开总数量 carries
    assert list(report.get(("proactive", "procurement"))) == [0, 0]


def test_next_v2019_becomes_a_v2021_draft_with_notes(cli, tmp_path):
    result = cli("next", EXAMPLE_2020, "-o", tmp_path / "2021.yaml")
    assert result.code == 0, result
    assert "“其他对外管理服务事项”[3, 0, 8]在2021年修订格式中没有对应项，未带入" in result.out
    text = (tmp_path / "2021.yaml").read_text(encoding="utf-8")
    assert "  # 2020年度（2019年试行格式）为[2, 2, 9]（本年新制作数量、本年新公开数量、对外公开总数量），与本格式的本年制发件数、本年废止件数、现行有效件数含义不同，请按实际填写\n  normative_documents: [0, 0, 0]" in text
    report = load(text)
    assert (report.year, report.spec.id) == (2021, "v2021")
    assert report.get(("applications", "other", "fee_unpaid")) == [0] * 6


def test_next_from_a_published_report(cli, seeds, tmp_path):
    """A clean published report gives a draft; one with unread cells is refused, so that
    the zeros standing in for them are never carried into next year."""
    result = cli("next", next(seeds.glob("004_*.txt")), "-o", tmp_path / "2024.yaml")
    assert result.code == 0, result
    report = load((tmp_path / "2024.yaml").read_text(encoding="utf-8"))
    assert (report.year, report.unit_name) == (2024, "新华区焦店镇人民政府")
    refused = cli("next", next(seeds.glob("003_*.txt")), "-o", tmp_path / "2023.yaml")
    assert refused.code == 1 and "原文有无法读取的内容" in refused.err
    assert not (tmp_path / "2023.yaml").exists()
