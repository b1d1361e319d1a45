"""The reviewer's desk (issue 27): county runs that count one year and say so; the overview as
a reviewer grading a county's reports reads it — every unit's figures as printed, X1–X5 per
unit, copying against last year and between units of the year, the county's medians, trends
over several years, a unit followed across a renaming, the grading sheet — each figure
asserted against what ``check``, ``check --previous`` and ``aggregate`` say."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from statistics import median
from urllib.parse import quote

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit
from markupsafe import escape
from openpyxl import load_workbook
from overview_county import dump, make_county, unit_data, unit_name
from test_overview import NS, parsed, table_rows

from nianbao.check.crossyear import check_previous
from nianbao.check.publish import publishable
from nianbao.check.repetition import repetition
from nianbao.compare import overview as gathering
from nianbao.compare import overview_page
from nianbao.compare.copying import nearest
from nianbao.compare.figures import measure, percent
from nianbao.county.unitnames import SameUnits, same_unit
from nianbao.read.load import load_file
from nianbao.read.sources import load_checked
from nianbao.system.output import safe_name

WORDS = ("政府信息公开工作坚持以人民为中心全面贯彻落实条例要求进一步规范办理流程加强平台建设提升质量和实效群众满意度评议专题栏目调整"
         "审核脱敏培训考核监督保障村务财务民生资金乡村振兴防汛减灾便民服务窗口查阅点档案管理规范性文件清理解读回应关切")


def own_text(seed: int, length: int = 160) -> str:
    """A narrative of its own: characters drawn at random, so that no run of 12 stands in another unit's."""
    rng = random.Random(seed)
    return "".join(rng.choice(WORDS) for _ in range(length)) + "。"


def with_narratives(i: int, year: int = 2023, seed: int = 0, texts: dict | None = None) -> dict:
    """Unit ``i``'s generated report with narratives of its own (or ``texts``)."""
    data = unit_data(i, year, seed)
    for n, key in enumerate(data["overview"]):
        data["overview"][key] = (texts or {}).get(key) or own_text(1000 * i + 10 * year + n)
    data["problems"] = (texts or {}).get("problems") or own_text(1000 * i + 10 * year + 7)
    data["other_matters"] = (texts or {}).get("other_matters") or own_text(1000 * i + 10 * year + 8)
    return data


def write(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(dump(data), encoding="utf-8")
    return path


# -- one year, one format, said ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """An inbox of two 2023 reports (v2021), a 2020 one (v2019), a 2024 one, and a 2023 report
    on the 2019 form: the year most files have is 2023."""
    inbox = tmp_path_factory.mktemp("mixed") / "收回"
    make_county(inbox, 2)
    shutil.copy(EXAMPLE_2020, inbox / "白河乡2020.yaml")
    write(inbox, "柳林镇2024.yaml", unit_data(2, 2024))
    old_form = edit(edit(EXAMPLE_2020.read_text(encoding="utf-8"), "year: 2020", "year: 2023"), "name: 白河乡人民政府", "name: 石桥镇人民政府")
    (inbox / "石桥镇旧表.yaml").write_text(old_form.replace("date: 2021-", "date: 2024-"), encoding="utf-8")
    return inbox


def test_aggregate_of_several_years_counts_the_year_most_files_have_and_sets_the_others_aside(cli, mixed, tmp_path):
    result = cli("aggregate", mixed, "-o", tmp_path / "县.yaml")
    assert result.code == 1, result  # files left out: the total is said incomplete, never an internal error
    first = result.err.splitlines()[0]
    assert first == ("本次计入2023年度（2021年修订格式）的报告：5个文件中2个是这一年度，最多；另有3个文件不是本年度（或不是本年度的格式），"
                     "列为“不是本年度”，不计入；如需计入其他年度，请加 --year 年份")
    assert "白河乡2020.yaml：这份是2020年度的报告，其他2个单位都是2023年度（2021年修订格式）：是否交错了年度或用了旧表？不计入" in result.err
    assert "柳林镇2024.yaml：这份是2024年度的报告，其他2个单位都是2023年度" in result.err
    assert "石桥镇旧表.yaml：这份是2019年试行格式的报告，其他2个单位都是2023年度（2021年修订格式）" in result.err
    header = (tmp_path / "县.yaml").read_text(encoding="utf-8").splitlines()[1]
    assert header == "# 注意：以下文件未计入：" + "、".join(f"{name}（不是本年度）" for name in ("柳林镇2024.yaml", "白河乡2020.yaml", "石桥镇旧表.yaml"))  # as collected
    # the sums are the two 2023 units', exactly as aggregate of those two alone
    alone = tmp_path / "两个"
    make_county(alone, 2)
    assert cli("aggregate", alone, "-o", tmp_path / "两个.yaml").code == 0
    assert load_file(tmp_path / "县.yaml").report.data["applications"] == load_file(tmp_path / "两个.yaml").report.data["applications"]
    # --year counts the year asked for, and says so
    given = cli("aggregate", mixed, "-o", tmp_path / "2024.yaml", "--year", "2024")
    assert given.code == 1 and given.err.splitlines()[0].startswith("本次计入2024年度（2021年修订格式）的报告（指定的年度）；另有4个文件不是本年度")
    summed = load_file(tmp_path / "2024.yaml").report
    assert "只计入1个单位" in given.out and summed.year == 2024
    assert summed.data["applications"] == load_file(mixed / "柳林镇2024.yaml").report.data["applications"]
    assert "本次只计入2024年度（2021年修订格式）的报告：不计入" in given.err
    assert cli("aggregate", mixed, "-o", tmp_path / "x.yaml", "--year", "99999").code == 2


def test_the_examples_folder_a_2020_and_a_2023_report_is_a_tie_said_never_an_internal_error(cli, tmp_path):
    result = cli("aggregate", EXAMPLE_2023.parent, "-o", tmp_path / "汇总.yaml")
    assert result.code == 1, result
    assert result.err.splitlines()[0].startswith("本次计入2023年度（2021年修订格式）的报告：2020年度、2023年度的文件一样多（各1个），取最新的2023年度")
    for command in (("overview", EXAMPLE_2023.parent, "-o", tmp_path / "对比.html"), ("batch", EXAMPLE_2023.parent, "-o", tmp_path / "批量", "--to", "txt")):
        assert cli(*command).code == 1


def test_overview_and_batch_of_several_years_list_the_other_files_as_not_of_the_year(cli, mixed, tmp_path):
    page = tmp_path / "对比.html"
    result = cli("overview", mixed, "-o", page)
    assert result.code == 1, result
    assert result.err.splitlines()[0].startswith("本次计入2023年度（2021年修订格式）的报告：5个文件中2个是这一年度，最多")
    assert "（2个单位：已计入2个；另有3个文件不是本年度）" in result.out
    html = page.read_text(encoding="utf-8")
    assert "<h1>2023年度政府信息公开工作年度报告各单位情况对比<small>（另有3个文件不是2023年度，未计入）</small></h1>" in html
    rows = table_rows(html)
    assert [(row[1], row[2]) for row in rows[:-1]] == [(unit_name(0), "已计入"), (unit_name(1), "已计入"), (unit_name(2), "不是本年度"),
                                                     ("白河乡人民政府", "不是本年度"), ("石桥镇人民政府", "不是本年度")]
    assert rows[-1][0] == "合计（已计入的2个单位）"
    book_path = tmp_path / "对比.xlsx"
    assert cli("overview", mixed, "-o", book_path).code == 1
    book = load_workbook(book_path)
    assert book.properties.title == "2023年度政府信息公开工作年度报告各单位情况对比（另有3个文件不是2023年度，未计入）"
    assert book["说明"]["A1"].value == book.properties.title and book["说明"]["B2"].value == result.err.splitlines()[0]
    statuses = [row[3] for row in book["各单位主要数字"].iter_rows(min_row=2, values_only=True)][:-1]
    assert statuses == ["已计入", "已计入", "不是本年度", "不是本年度", "不是本年度"]
    # batch: only the year's reports are rendered; the others are rows 不是本年度 in 汇总.xlsx
    out = tmp_path / "批量"
    batch = cli("batch", mixed, "-o", out, "--to", "txt", "--jobs", "1")
    assert batch.code == 1 and "另有不是本年度的文件3个（2023年度）" in batch.out.replace("\n", "")
    assert sorted(p.name for p in out.glob("*.txt")) == sorted(f"{unit_name(i)}2023年政府信息公开工作年度报告.txt" for i in range(2))
    units = {row[3]: row[4] for row in load_workbook(out / "汇总.xlsx")["单位"].iter_rows(min_row=2, values_only=True)}
    assert units == {f"001-{unit_name(0)}.yaml": "已生成", f"002-{unit_name(1)}.yaml": "已生成", "白河乡2020.yaml": "不是本年度",
                     "柳林镇2024.yaml": "不是本年度", "石桥镇旧表.yaml": "不是本年度"}


# -- copying between units of the year -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def copied(tmp_path_factory) -> Path:
    """Three units: 青山 and 白沙 each write their own narratives; 柳林 takes 青山's 总体情况 word
    for word and writes its problems and other matters itself."""
    inbox = tmp_path_factory.mktemp("copied") / "收回"
    first = with_narratives(0)
    write(inbox, "1.yaml", first)
    write(inbox, "2.yaml", with_narratives(1))
    write(inbox, "3.yaml", with_narratives(2, texts=dict(first["overview"])))
    return inbox


def test_three_units_of_which_one_copies_anothers_narrative(cli, copied, tmp_path):
    result = gathering.gather([copied], [], None, outside=None)
    rows = {row.name: row for row in result.rows}
    reports = {name: load_file(copied / f"{i + 1}.yaml").report for i, name in enumerate(unit_name(i) for i in range(3))}
    third, first, second = rows[unit_name(2)], rows[unit_name(0)], rows[unit_name(1)]
    assert third.peer_name == unit_name(0) and first.peer_name == unit_name(2)  # each is told the other: who copied whom is the reviewer's call
    assert third.peer.rate == repetition(reports[unit_name(2)], reports[unit_name(0)]).text  # the text rate, with the other unit in last year's place
    assert first.peer.rate == repetition(reports[unit_name(0)], reports[unit_name(2)]).text
    assert third.peer.flagged and first.peer.flagged and 0.5 <= third.peer.rate < 1
    assert second.peer is None or not second.peer.flagged  # its own text: no run of 12 shared
    page = tmp_path / "对比.html"
    assert cli("overview", copied, "-o", page).code == 0
    html = page.read_text(encoding="utf-8")
    cells = {row[1]: row[-1] for row in table_rows(html)[:-1]}
    assert cells[unit_name(2)] == percent(third.peer.rate) and f"<small>{unit_name(0)}</small>" in html
    assert f"[内容雷同] 与本年度“{unit_name(0)}”的报告文字重复率为{percent(third.peer.rate)}（⚑达到50%）" in html


def test_copying_between_units_is_the_text_rate_for_every_pair():
    """nearest() without comparing pairs gives, for each unit, exactly the highest
    repetition(this, other).text over the others (ties to the earlier)."""
    rng = random.Random(7)
    texts = [own_text(i, 120) for i in range(4)]
    reports = []
    for i in range(8):  # units made of pieces of four texts: overlaps of every size
        pieces = {key: rng.choice(texts)[: rng.randint(20, 120)] + own_text(100 + i, rng.randint(0, 40)) for key in ("proactive", "requests", "problems")}
        data = with_narratives(i, texts=pieces)
        reports.append(load_text_report(dump(data)))
    found = nearest(reports, [[6, 7]])
    for i, near in enumerate(found):
        others = [j for j in range(8) if j != i and {i, j} != {6, 7}]
        best = max(others, key=lambda j: (repetition(reports[i], reports[j]).text, -j))
        assert near is not None and near.other == best and near.rate == repetition(reports[i], reports[best]).text, i


def test_copying_walked_by_forked_workers_is_the_same_as_here():
    """nearest(..., jobs=2) — the units split between two forked workers that inherit the
    index — gives every unit the same nearest unit, rate and counts as one walk here."""
    rng = random.Random(11)
    texts = [own_text(i, 120) for i in range(3)]
    reports = []
    for i in range(9):
        pieces = {key: rng.choice(texts)[: rng.randint(20, 120)] + own_text(200 + i, rng.randint(0, 40)) for key in ("proactive", "requests", "problems")}
        reports.append(load_text_report(dump(with_narratives(i, texts=pieces))))
    reports.append(None)  # a file that could not be read
    assert nearest(reports, [[6, 7]], jobs=2) == nearest(reports, [[6, 7]]) == nearest(reports, [[6, 7]], jobs=3)


def load_text_report(text: str):
    from nianbao.read.load import load_text

    return load_text(text).report


# -- last years: X1–X5, the text rate, medians, trends, a renamed unit ------------------------------------------------
@pytest.fixture(scope="module")
def years(tmp_path_factory) -> Path:
    """Three years of a county of four units (2021, 2022, 2023); the fourth unit renamed in
    2023 (洪泽区人民政府 → 淮安市洪泽区人民政府); one 2023 report with an R1 error."""
    root = tmp_path_factory.mktemp("years")
    for year, seed in ((2021, 2), (2022, 1), (2023, 0)):
        folder = root / str(year)
        for i in range(3):
            write(folder, f"{i}.yaml", unit_data(i, year, seed))
        renamed = unit_data(3, year, seed)
        renamed["unit"]["name"] = "淮安市洪泽区人民政府" if year == 2023 else "洪泽区人民政府"
        write(folder, "洪泽.yaml", renamed)
    broken = root / "2023" / "1.yaml"
    text = broken.read_text(encoding="utf-8")
    first = re.search(r"new: \[(\d+)", text)
    broken.write_text(text.replace(first.group(0), f"new: [{int(first.group(1)) + 1}", 1), encoding="utf-8")
    return root


def test_with_last_year_each_unit_has_x1_to_x5_as_check_previous_gives_them(years):
    result = gathering.gather([years / "2023"], [years / "2022", years / "2021"], None, outside=None)
    assert result.years == [2021, 2022]
    by_file = {row.shown: row for row in result.rows}
    for this, last in (("0.yaml", "0.yaml"), ("1.yaml", "1.yaml"), ("洪泽.yaml", "洪泽.yaml")):
        row = by_file[this]
        report, before = load_file(years / "2023" / this).report, load_file(years / "2022" / last).report
        assert row.cross == check_previous(report, before), this
        assert row.figures["repetition"].number == pytest.approx(repetition(report, before).text, abs=1e-5)
        counts = {}
        for finding in row.cross:
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
        assert overview_page.cross_counts(row) == ("、".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "无")
    renamed = by_file["洪泽.yaml"]
    assert renamed.name == "淮安市洪泽区人民政府" and renamed.last_name == "洪泽区人民政府"  # followed across the renaming
    assert "淮安市洪泽区人民政府：上一年度的报告机关名称为“洪泽区人民政府”，只差上级地名或“人民政府”等字样，视为同一单位比较" in result.said
    assert by_file["1.yaml"].status == "有错误" and by_file["1.yaml"].cross  # a unit with errors is compared too, its figures as printed
    html = overview_page.page(result)
    rows = {row[1]: row for row in table_rows(html)[:-1]}
    assert rows["淮安市洪泽区人民政府"][-1] == overview_page.cross_counts(renamed)  # the X1–X5 column
    assert renamed.cross and all(f"<li>{escape(f.labelled(renamed.shown))}</li>" in html for f in renamed.cross)  # in the problem list too


def test_trends_follow_each_unit_over_the_years_given(years):
    result = gathering.gather([years / "2023"], [years / "2022", years / "2021"], None, outside=None)
    renamed = next(row for row in result.rows if row.shown == "洪泽.yaml")
    expected = {}
    for year in (2021, 2022, 2023):
        got = measure(load_file(years / str(year) / "洪泽.yaml").report)
        expected[year] = {"received": got["received"].value, "appeals": got["reviews"].value + got["lawsuits"].value}
    assert renamed.trend == expected
    html = overview_page.page(result)
    words = "；".join(f"{name} " + "→".join(str(expected[y][key]) for y in (2021, 2022, 2023)) for key, name in (("received", "申请"), ("appeals", "复议诉讼")))
    assert f'aria-label="淮安市洪泽区人民政府历年：{words}"' in html and f"<small>{words}</small>" in html
    parsed(html)


def test_each_bar_chart_marks_this_years_and_last_years_county_median(years):
    result = gathering.gather([years / "2023"], [years / "2022"], None, outside=None)
    counted = [load_file(years / "2023" / name).report for name in ("0.yaml", "2.yaml", "洪泽.yaml")]  # 1.yaml has an error: outside the median
    last = [load_file(years / "2022" / name).report for name in ("0.yaml", "1.yaml", "2.yaml", "洪泽.yaml")]
    now = median(measure(r)["received"].value for r in counted)
    before = median(measure(r)["received"].value for r in last)
    assert overview_page.medians(result, result.column("received")) == (now, before)
    html = overview_page.page(result)
    svg = next(svg for svg in parsed(html).iter(f"{{{NS['svg']}}}svg") if svg.get("aria-label") == "新收申请（由高到低）")
    texts = ["".join(t.itertext()) for t in svg.iter(f"{{{NS['svg']}}}text")]
    fmt = lambda v: f"{v:,.1f}".rstrip("0").rstrip(".")  # noqa: E731
    assert f"本年中位数 {fmt(now)}" in texts and f"上年中位数 {fmt(before)}" in texts
    assert f"{unit_name(1)}（有错误）" in texts  # shown as printed, marked


def test_same_unit_is_a_name_differing_only_by_a_higher_regions_prefix():
    assert same_unit("洪泽区人民政府", "淮安市洪泽区人民政府") and same_unit("江苏省淮安市洪泽区人民政府", "洪泽区人民政府")
    assert same_unit("青山镇人民政府", "青山镇政府") and same_unit("临溪县青山镇人民政府", "青山镇 人民政府")
    assert not same_unit("淮安市教育局", "教育局")  # the county's own 教育局 is another unit
    assert not same_unit("城东区人民政府", "东区人民政府") and not same_unit("平潭县人民政府", "洪泽区人民政府")
    assert not same_unit("淮安市人民政府", "淮安市洪泽区人民政府")
    # the index finds exactly the names same_unit finds, without comparing each
    regions, places, kinds = ("", "江苏省", "淮安市", "江苏省淮安市", "临溪县"), ("洪泽区", "清江浦区", "青山镇", "城东区", "东区"), ("人民政府", "政府", "教育局", "")
    names = [r + p + k for r in regions for p in places for k in kinds]
    index = SameUnits(names)
    for name in names + ["教育局", "东区政府", "淮安市洪泽区 人民政府"]:
        assert index.find(name) == [other for other in names if same_unit(other, name)], name


# -- the grading sheet -------------------------------------------------------------------------------------------
def test_the_grading_sheet_counts_each_deduction_as_check_lists_it_and_scores_with_weights(cli, years, tmp_path):
    weights = tmp_path / "评分.yaml"
    weights.write_text("满分: 100\n勾稽: 5\n正文与表格不一致: 1\n跨年度衔接: {每处: 2, 最多: 4}\n内容雷同: 0.5\n", encoding="utf-8")
    book_path = tmp_path / "对比.xlsx"
    result = cli("overview", years / "2023", "--previous", years / "2022", "--weights", weights, "-o", book_path)
    assert result.code == 1, result  # 1.yaml has errors
    sheet = load_workbook(book_path)["评分"]
    head = [c.value for c in sheet[1]]
    assert head[:5] == ["序号", "机关名称", "状态", "勾稽关系 R1–R4（处）", "勾稽：第一处"] and head[-3:] == ["合计（处）", "扣分", "得分"]
    rows = {row[1]: dict(zip(head, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    for name, file in ((unit_name(0), "0.yaml"), (unit_name(1), "1.yaml"), ("淮安市洪泽区人民政府", "洪泽.yaml")):
        loaded, findings = load_checked(years / "2023" / file)
        every = publishable(loaded.report, findings) + check_previous(loaded.report, load_file(years / "2022" / file).report)
        row = rows[name]
        def count(*rules, every=every):
            return sum(f.rule in rules for f in every)
        assert row["勾稽关系 R1–R4（处）"] == (1 if file == "1.yaml" else 0) == min(count("R1", "R2", "R3", "R4"), 1), name  # one cell mistyped: one mistake
        carried = min(count("X1"), 1)  # last year's carry-over is one line: its columns one mistake
        assert row["正文与表格不一致 R6（处）"] == count("R6") and row["跨年度衔接 X1–X3（处）"] == carried + count("X2", "X3")
        assert row["年份 X4（处）"] == count("X4") and row["缺项 R7 / P（处）"] == count("R7", "P") and row["落款日期 R5（处）"] == count("R5")
        peer = 1  # every generated unit keeps the example's narratives: each copies another unit's whole
        assert row["内容雷同 X5 / 单位间重复率（处）"] == count("X5") + peer
        firsts = [f for f in every if f.rule in ("R1", "R2", "R3", "R4")]
        assert row["勾稽：第一处"] == (firsts[0].labelled(file) if firsts else None)
        off = 5 * row["勾稽关系 R1–R4（处）"] + row["正文与表格不一致 R6（处）"] + min(4, 2 * row["跨年度衔接 X1–X3（处）"]) + 0.5 * row["内容雷同 X5 / 单位间重复率（处）"]
        assert row["扣分"] == off and row["得分"] == 100 - off
    assert rows[unit_name(1)]["勾稽关系 R1–R4（处）"] == 1  # its R1 error, in two columns: one mistake, counted once (it was 2)
    assert sum(f.rule == "R1" for f in load_checked(years / "2023" / "1.yaml")[1]) == 2  # as check lists it
    # without weights: counts only
    plain = tmp_path / "无权重.xlsx"
    cli("overview", years / "2023", "-o", plain)
    assert [c.value for c in load_workbook(plain)["评分"][1]][-1] == "合计（处）"
    # a weights file that names no deduction is refused before anything is read
    weights.write_text("勾股: 2\n", encoding="utf-8")
    refused = cli("overview", years / "2023", "--weights", weights, "-o", tmp_path / "x.xlsx")
    assert refused.code == 2 and "未知的扣分项“勾股”" in refused.err and not (tmp_path / "x.xlsx").exists()


# -- links to the pair pages -------------------------------------------------------------------------------------
def test_compare_pages_link_each_unit_to_its_pair_page(cli, years, tmp_path):
    pages = tmp_path / "对比页"
    pages.mkdir()
    (pages / "index.html").write_text("<!DOCTYPE html><title>目录</title>", encoding="utf-8")
    (pages / f"{safe_name(unit_name(0))}.html").write_text("<!DOCTYPE html><title>甲</title>", encoding="utf-8")
    (pages / f"{safe_name('洪泽区人民政府')}.html").write_text("<!DOCTYPE html><title>洪泽</title>", encoding="utf-8")  # named by last year's name
    out = tmp_path / "总览" / "对比.html"
    result = cli("overview", years / "2023", "--previous", years / "2022", "--compare-pages", pages, "-o", out)
    html = out.read_text(encoding="utf-8")
    assert f'<a href="{quote(f"../对比页/{safe_name(unit_name(0))}.html")}">{unit_name(0)}</a>' in html
    assert f'<a href="{quote("../对比页/洪泽区人民政府.html")}">淮安市洪泽区人民政府</a>' in html  # a name with a space or # in it stays one link
    assert f'<a href="{quote("../对比页/index.html")}">对比页目录</a>' in html
    assert "--compare-pages：2个单位没有对比页" in result.err
    missing = cli("overview", years / "2023", "--compare-pages", tmp_path / "没有", "-o", tmp_path / "o.html")
    assert "找不到这个文件夹" in missing.err
