"""`nianbao overview` (issue 23, part 2): a county's units side by side — the same units
counted, left out and missing as ``aggregate`` says, every figure the one check and
aggregate compute, as a standalone page with real-text SVG charts or a workbook with
native Excel charts and conditional formatting."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import html5lib
import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit
from openpyxl import load_workbook
from overview_county import dump, make_county, unit_data, unit_name
from test_batch import fill

from nianbao.check.repetition import repetition
from nianbao.compare import overview as gathering
from nianbao.compare import overview_page, overview_sheet
from nianbao.compare.figures import Measure, change, figures, measure, percent, shown
from nianbao.model.standard import SPECS
from nianbao.read.load import load_file
from nianbao.read.sources import load_checked
from nianbao.read.workbook import build_sheet

NS = {"h": "http://www.w3.org/1999/xhtml", "svg": "http://www.w3.org/2000/svg"}


def parsed(html: str):
    """The page through html5lib's strict parser: any parse error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(html)


def table_rows(html: str) -> list[list[str]]:
    """The cells' text of the first table (一、各单位主要数字), one list per body row."""
    doc = parsed(html)
    table = doc.find(".//h:table", NS)
    def text(cell) -> str:  # a unit's cell: its name, without the file shown under it
        return (cell.text or "") if cell.find("h:br", NS) is not None else "".join(cell.itertext())

    return [[text(cell) for cell in tr if cell.tag.endswith(("}td", "}th"))] for tr in table.find("h:tbody", NS)]


def county(folder: Path, count: int = 6) -> Path:
    """``count`` generated units, one with an R1 error (a 新收 figure raised by one)."""
    inbox = folder / "收回"
    make_county(inbox, count)
    broken = inbox / f"{3:03d}-{unit_name(2)}.yaml"
    text = broken.read_text(encoding="utf-8")
    first = re.search(r"new: \[(\d+)", text)
    assert first is not None
    broken.write_text(text.replace(first.group(0), f"new: [{int(first.group(1)) + 1}", 1), encoding="utf-8")
    return inbox


# -- the figures -----------------------------------------------------------------------------------------
def test_key_figures_of_the_2023_example_are_its_tables_figures():
    loaded, findings = load_checked(EXAMPLE_2023)
    got = measure(loaded.report, findings)
    assert got["received"] == Measure(7) and got["carried_over"] == Measure(1)
    assert got["disclosed_share"] == Measure(Fraction(3 + 1, 7), 4, 7)  # （一）予以公开 [3, 1, 0, 0, 0, 0] of （七）总计 7
    assert got["withheld_share"] == Measure(Fraction(1, 7), 1, 7)  # 三（三）4. 保护第三方合法权益
    assert got["unavailable_share"] == Measure(Fraction(1, 7), 1, 7)
    assert got["reviews"] == Measure(1) and got["lawsuits"] == Measure(0)
    assert got["corrected_share"] == Measure(Fraction(0), 0, 1)  # one review concluded, 结果维持
    assert got["fees"].value == 0 and got["errors"] == Measure(0) and got["warnings"] == Measure(0)
    columns = {c.key: c for c in figures(loaded.report.spec, fees=True, repetition=False)}
    assert [shown(columns[k], got[k]) for k in ("received", "disclosed_share", "withheld_share", "reviews", "fees")] == ["7件", "57.1%", "14.3%", "1件", "0元"]
    assert "repetition" not in columns
    assert columns["disclosed_share"].definition.startswith("表三“（一）予以公开”的总计，占“三、本年度办理结果（七）总计”的百分比")


def test_a_v2019_report_has_no_fee_figure_and_no_share_without_a_decided_case():
    loaded, findings = load_checked(EXAMPLE_2020)
    got = measure(loaded.report, findings)
    assert got["fees"] == Measure(None)
    assert got["corrected_share"] == Measure(None, 0, 0)  # no appeal concluded: no share, not 0%
    columns = {c.key: c for c in figures(SPECS["v2021"], fees=True, repetition=False)}
    assert shown(columns["fees"], got["fees"]) == "—" and shown(columns["corrected_share"], got["corrected_share"]) == "—"


def test_numbers_are_written_the_chinese_way():
    columns = {c.key: c for c in figures(SPECS["v2021"], fees=True, repetition=True)}
    assert percent(Fraction(3, 7)) == "42.9%" and percent(Fraction(1, 8)) == "12.5%" and percent(Fraction(1, 16)) == "6.3%"
    assert shown(columns["received"], Measure(12345)) == "12,345件"
    assert shown(columns["fees"], Measure(__import__("decimal").Decimal("1250.50"))) == "1,250.5元"
    assert change(columns["received"], Measure(21), Measure(7)) == "7 → 21件（+200.0%）"
    assert change(columns["received"], Measure(3), Measure(0)) == "0 → 3件（新增）"
    assert change(columns["received"], Measure(5), Measure(5)) == "5 → 5件（持平）"
    assert change(columns["disclosed_share"], Measure(Fraction(1, 2)), Measure(Fraction(3, 7))) == "42.9% → 50.0%（+7.1个百分点）"


# -- the page ----------------------------------------------------------------------------------------------
def test_the_page_holds_every_unit_with_the_figures_check_and_aggregate_compute(cli, tmp_path):
    inbox = county(tmp_path, 6)
    roster = tmp_path / "名单.txt"
    names = [unit_name(i) for i in (5, 4, 3, 2, 1, 0)] + ["城关镇人民政府"]  # the list's order, and a unit that sent nothing
    roster.write_text("\n".join(names), encoding="utf-8")
    page = tmp_path / "out" / "对比.html"
    result = cli("overview", inbox, "--units", roster, "-o", page, "--unit", "临溪县人民政府")
    assert result.code == 1, result  # a unit with errors, a unit that did not reply
    html = page.read_text(encoding="utf-8")
    rows = table_rows(html)
    assert [row[1] for row in rows[:-1]] == names
    assert [row[2] for row in rows[:-1]] == ["已计入", "已计入", "已计入", "有错误", "已计入", "已计入", "未交回"]
    assert rows[6][3] == "名单上的这个单位没有交回报告"
    # each unit's figures are its own report's as printed, as check reads them — the unit with errors too (marked, outside the sums)
    loaded = {unit_name(i): load_checked(inbox / f"{i + 1:03d}-{unit_name(i)}.yaml") for i in range(6)}
    columns = figures(SPECS["v2021"], fees=True, repetition=False, peer=True)
    assert columns[-1].key == "peer"
    for row in rows[:-1]:
        name = row[1]
        if row[2] == "未交回":
            continue
        report, findings = loaded[name][0].report, loaded[name][1]
        assert row[3:-1] == [shown(c, measure(report, findings).get(c.key)) for c in columns[:-1]], name
        assert row[-1] == "100.0%"  # every generated unit keeps the example's narratives: each copies the others whole
    assert rows[3][3] == f"{measure(loaded[unit_name(2)][0].report)['received'].value}件" and rows[3][-3] == "2个"  # as printed, its two R1 errors counted
    doc = parsed(html)
    marked = [tr for tr in doc.find(".//h:table", NS).find("h:tbody", NS) if tr.get("class") == "marked"]
    assert len(marked) == 1 and "".join(marked[0].itertext()).startswith(f"4{unit_name(2)}003-{unit_name(2)}.yaml有错误不计入合计")
    assert marked[0][2].get("title").startswith("有错误，数字照报告所印列出，未计入合计：表三：第一项+第二项≠第三项（七）总计+第四项")  # why, on its status
    assert f"合计为“已计入”的5个单位之和，与 nianbao aggregate 的汇总相同。1个单位（{unit_name(2)}）有错误或未计入，表中照报告所印列出其数字（加斜纹），不计入合计" in html
    # the sums are aggregate's
    assert cli("aggregate", inbox, "--units", roster, "-o", tmp_path / "汇总" / "全县.yaml").code == 1
    summed = load_file(tmp_path / "汇总" / "全县.yaml").report
    t3, t4 = summed.spec.table3, summed.spec.table4
    total = rows[-1]
    assert total[0] == "合计（已计入的5个单位）"
    assert total[1] == f"{summed.row(t3.row('new'))[-1]}件"
    assert total[2] == f"{summed.row(t3.row('carried_over'))[-1]}件"
    assert total[3] == percent(Fraction(summed.row(t3.row("disclosed"))[-1], summed.row(t3.row("total"))[-1]))
    assert total[6] == f"{summed.appeal(t4.groups[0])[-1]}件"
    assert total[7] == f"{sum(summed.appeal(g)[-1] for g in t4.groups[1:])}件"
    assert total[9] == f"{summed.fees()['collected']:,}元".replace(".00", "")
    assert "临溪县人民政府2023年度政府信息公开工作年度报告各单位情况对比" in html


def test_the_page_is_standalone_strict_html_with_real_text_svg_charts_and_no_script(cli, tmp_path):
    inbox = county(tmp_path, 5)
    page = tmp_path / "对比.html"
    assert cli("overview", inbox, "-o", page).code == 1
    html = page.read_text(encoding="utf-8")
    doc = parsed(html)
    assert doc.get("lang") == "zh-CN"
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", html) and "url(http" not in html and "@import" not in html
    assert "@page{size:A4 landscape" in html
    svgs = doc.findall(".//svg:svg", NS)
    assert len(svgs) >= 8  # a chart per figure that is not zero everywhere
    texts = ["".join(t.itertext()) for svg in svgs for t in svg.iter(f"{{{NS['svg']}}}text")]
    assert any(unit_name(0)[:3] in text for text in texts) and any("件" in text for text in texts)
    assert "Noto Sans CJK SC" in html and "Microsoft YaHei" in html  # fonts named, with fallbacks
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # charts' ids never collide on the page
    assert "<metadata>" not in html and "dc:date" not in html and "<nianbao-chart" not in html
    # the same files give the same bytes
    again = tmp_path / "again.html"
    cli("overview", inbox, "-o", again)
    assert again.read_bytes() == page.read_bytes()


def test_a_name_holding_markup_is_text_on_the_page(tmp_path):
    data = unit_data(0)
    data["unit"]["name"] = '<script>alert(1)</script>镇&"人民政府"'
    inbox = tmp_path / "收回"
    inbox.mkdir()
    (inbox / "<b>坏<b>.yaml").write_text(dump(data), encoding="utf-8")
    html = overview_page.page(gathering.gather([inbox], [], None, outside=tmp_path / "o.html"))
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parsed(html)


def test_the_workbook_has_the_table_native_charts_conditional_formats_and_prints_a4_landscape(cli, tmp_path):
    inbox = county(tmp_path, 6)
    book_path = tmp_path / "对比.xlsx"
    assert cli("overview", inbox, "-o", book_path).code == 1
    book = load_workbook(book_path)
    assert book.sheetnames == ["各单位主要数字", "排名", "图表", "评分", "问题清单", "说明"]
    table = book["各单位主要数字"]
    head = [c.value for c in table[1]]
    assert head[:6] == ["序号", "机关名称", "文件", "状态", "新收申请", "上年结转"]
    rows = list(table.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows[:-1]] == ["已计入", "已计入", "有错误", "已计入", "已计入", "已计入"]
    assert cli("aggregate", inbox, "-o", tmp_path / "汇总" / "全县.yaml").code == 1
    summed = load_file(tmp_path / "汇总" / "全县.yaml").report
    t3 = summed.spec.table3
    assert rows[-1][1] == "合计（已计入的5个单位）" and rows[-1][4] == summed.row(t3.row("new"))[-1]
    assert rows[-1][6] == pytest.approx(summed.row(t3.row("disclosed"))[-1] / summed.row(t3.row("total"))[-1])
    assert table.cell(2, 5).number_format == '0"件"' and table.cell(2, 7).number_format == "0.0%"
    rules = [rule.type for area in table.conditional_formatting for rule in area.rules]
    assert "dataBar" in rules and "colorScale" in rules
    charts = book["图表"]._charts
    assert len(charts) >= 8 and all(chart.type == "bar" for chart in charts)
    assert table.page_setup.orientation == "landscape" and int(table.page_setup.paperSize) == int(table.PAPERSIZE_A4)
    ranks = book["排名"]
    assert ranks.cell(1, 1).value == "新收申请"
    firsts = [ranks.cell(r, 2).value for r in range(2, 7)]
    assert firsts == sorted(firsts, reverse=True) and ranks.cell(7, 2).value is None  # five counted units, ranked
    assert any(row[5] == "R1" for row in book["问题清单"].iter_rows(min_row=2, values_only=True))


# -- last year -------------------------------------------------------------------------------------------
def test_with_last_year_each_unit_has_its_changes_and_repetition_rates(cli, tmp_path):
    this, last = tmp_path / "2023", tmp_path / "2022"
    make_county(this, 4)
    make_county(last, 3, year=2022, seed=1)  # unit 4 sent nothing last year
    broken = last / f"{2:03d}-{unit_name(1)}.yaml"
    broken.write_text(edit(broken.read_text(encoding="utf-8"), "licensing: ", "licensing: -"), encoding="utf-8")
    result = gathering.gather([this], [last], None, outside=tmp_path / "o.html")
    rows = {row.name: row for row in result.rows}
    first = rows[unit_name(0)]
    expected = repetition(load_file(this / f"001-{unit_name(0)}.yaml").report, load_file(last / f"001-{unit_name(0)}.yaml").report)
    assert first.rates == expected and first.figures["repetition"].number == pytest.approx(expected.text, abs=1e-5)  # the copying column: the text rate
    assert first.last["received"] == measure(load_file(last / f"001-{unit_name(0)}.yaml").report)["received"]
    assert rows[unit_name(1)].rates is None and "有错误" in rows[unit_name(1)].note  # last year's file cannot be read
    assert rows[unit_name(3)].note == "上一年度的文件中没有这个单位的报告，未作比较"
    html = overview_page.page(result)
    assert "三、与上年比较" in html and percent(expected.overall) in html and percent(expected.text) in html
    assert f"{first.last['received'].value} → {first.figures['received'].value}件" in html
    book = load_workbook(io.BytesIO(overview_sheet.workbook(result)))
    assert "与上年比较" in book.sheetnames
    assert cli("overview", this, "--previous", last, "-o", tmp_path / "o.html").code == 0  # this year's units all counted


def test_identical_texts_repeat_fully_and_a_unit_is_matched_by_its_name_as_the_list_compares_it(tmp_path):
    this, last = tmp_path / "2023", tmp_path / "2022"
    this.mkdir()
    last.mkdir()
    shutil.copy(EXAMPLE_2023, this / "青山镇.yaml")
    data = unit_data(0, 2022)
    data["unit"]["name"] = "青山镇 人民政府"  # spaced: the same unit to the list
    (last / "青山.yaml").write_text(dump(data), encoding="utf-8")
    result = gathering.gather([this], [last], None, outside=None)
    row = result.rows[0]
    assert row.rates is not None and row.rates.text == 1.0  # the generated files keep the example's narratives


# -- inputs of every kind ------------------------------------------------------------------------------------
def test_report_files_a_filled_workbook_and_a_published_pdf_side_by_side(cli, tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    for i in (1, 2):
        (inbox / f"{unit_name(i)}.yaml").write_text(dump(unit_data(i)), encoding="utf-8")
    report = load_file(EXAMPLE_2023).report
    (inbox / "青山镇采集表.xlsx").write_bytes(fill(build_sheet(report.spec, 2023, report.unit_name), report))
    source = tmp_path / f"{unit_name(3)}.yaml"
    source.write_text(dump(unit_data(3)), encoding="utf-8")
    assert cli("render", source, "-o", tmp_path / "pdf", "--to", "pdf").code == 0
    pdf = next((tmp_path / "pdf").glob("*.pdf"))
    shutil.copy(pdf, inbox / pdf.name)
    result = gathering.gather([inbox], [], None, outside=tmp_path / "o.html")
    rows = {row.name: row for row in result.rows}
    assert set(rows) == {unit_name(1), unit_name(2), "青山镇人民政府", unit_name(3)}
    assert all(row.status == "已计入" for row in rows.values()), [(row.name, row.findings) for row in rows.values()]
    published = rows[unit_name(3)].figures
    expected = measure(load_file(source).report)
    for key in ("received", "carried_over", "disclosed_share", "withheld_share", "unavailable_share", "reviews", "lawsuits", "corrected_share", "fees"):
        assert published[key] == expected[key], key
    assert rows["青山镇人民政府"].figures["received"] == Measure(7)
    parsed(overview_page.page(result))


# -- the web front's entry ------------------------------------------------------------------------------------
def test_the_site_builds_the_page_from_reports_in_memory():
    loaded, findings = load_checked(EXAMPLE_2023)
    html = overview_page.overview_html([("青山镇人民政府", loaded.report, findings), ("白沙镇人民政府", None, [])],
                                       {}, ["白沙镇人民政府", "青山镇人民政府", "柳林镇人民政府"], county="临溪县")
    rows = table_rows(html)
    assert [row[1] for row in rows[:-1]] == ["白沙镇人民政府", "青山镇人民政府", "柳林镇人民政府"]
    assert [row[2] for row in rows[:-1]] == ["有错误", "已计入", "未交回"]
    assert rows[1][3] == "7件"


# -- the command line --------------------------------------------------------------------------------------
def test_usage_mistakes_exit_2_and_write_nothing(cli, tmp_path):
    inbox = county(tmp_path, 3)
    result = cli("overview", inbox, "-o", tmp_path / "对比.pdf")
    assert result.code == 2 and ".html（网页）或 .xlsx（工作簿）" in result.err
    result = cli("overview", tmp_path / "没有", "-o", tmp_path / "对比.html")
    assert result.code == 2 and "找不到" in result.err
    empty = tmp_path / "空"
    empty.mkdir()
    assert cli("overview", empty, "-o", tmp_path / "对比.html").code == 2
    assert not (tmp_path / "对比.html").exists() and not (tmp_path / "对比.pdf").exists()


def test_an_overview_written_into_the_inbox_is_not_read_back_as_a_report(cli, tmp_path):
    inbox = tmp_path / "收回"
    make_county(inbox, 3)
    assert cli("overview", inbox, "-o", inbox / "对比.html").code == 0
    again = cli("overview", inbox, "-o", inbox / "对比.html")
    assert again.code == 0, again
    assert "3个单位：已计入3个" in again.out


def test_check_never_imports_matplotlib():
    code = ("import sys\nfrom nianbao.cli import run\nsys.argv=['nianbao','check',sys.argv[1]]\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\nprint('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(EXAMPLE_2023)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")


# -- hostile inputs ------------------------------------------------------------------------------------------
def hostile_inbox(folder: Path) -> Path:
    """Two good units beside a PDF that is random bytes, a YAML that is a billion-laughs
    alias bomb, and report files whose unit name is markup or TeX: each is a row with
    its findings or figures, the page is still whole."""
    inbox = folder / "收回"
    make_county(inbox, 2)
    (inbox / "坏.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(8):  # each level nine times the last: 9**9 items if expanded
        before, name = chr(97 + i), chr(98 + i)
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]")
    (inbox / "炸弹.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    data = unit_data(5)
    data["unit"]["name"] = '<img src=x onerror=alert(1)>镇'
    (inbox / "标记.yaml").write_text(dump(data), encoding="utf-8")
    data = unit_data(6)
    data["unit"]["name"] = "甲$\\foo{$乙镇"  # TeX to matplotlib unless told otherwise: it failed on \foo
    (inbox / "公式.yaml").write_text(dump(data), encoding="utf-8")
    return inbox


def test_hostile_files_are_rows_with_findings_and_the_page_stays_whole(cli, tmp_path):
    inbox = hostile_inbox(tmp_path)
    page = tmp_path / "对比.html"
    result = cli("overview", inbox, "-o", page)
    assert result.code == 1, result
    html = page.read_text(encoding="utf-8")
    rows = table_rows(html)
    status = {row[1]: row[2] for row in rows[:-1]}
    assert status[unit_name(0)] == status[unit_name(1)] == "已计入"
    assert status["坏.pdf"] == status["炸弹.yaml"] == "有错误"
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;镇" in html
    assert rows[-1][0] == "合计（已计入的4个单位）"
    assert status["甲$\\foo{$乙镇"] == "已计入" and "甲$\\foo{$乙镇</text>" in html  # in the charts as it is written
    book = tmp_path / "对比.xlsx"
    assert cli("overview", inbox, "-o", book).code == 1 and load_workbook(book)["图表"]._charts


def test_a_county_of_v2019_reports_has_no_fee_column_and_a_report_of_another_year_is_left_out(cli, tmp_path):
    old = tmp_path / "2020"
    old.mkdir()
    text = EXAMPLE_2020.read_text(encoding="utf-8")
    name = load_file(EXAMPLE_2020).report.unit_name
    for i, place in enumerate(("甲", "乙")):
        (old / f"{i}.yaml").write_text(edit(text, f"name: {name}", f"name: {place}乡人民政府"), encoding="utf-8")
    result = gathering.gather([old], [], None, outside=None)
    assert [c.key for c in result.columns if c.key == "fees"] == [] and result.year == 2020
    assert "信息处理费" not in overview_page.page(result)
    mixed = tmp_path / "混"
    make_county(mixed, 3)
    shutil.copy(old / "0.yaml", mixed / "甲.yaml")
    page = tmp_path / "对比.html"
    assert cli("overview", mixed, "-o", page).code == 1
    rows = {row[1]: row for row in table_rows(page.read_text(encoding="utf-8"))[:-1]}
    assert rows["甲乡人民政府"][2] == "不是本年度"
    assert rows["甲乡人民政府"][3].startswith("未计入汇总和图表：这份是2020年度的报告，其他3个单位都是2023年度")


def test_files_read_by_worker_processes_give_the_same_overview(tmp_path):
    inbox, last = tmp_path / "收回", tmp_path / "上年"
    make_county(inbox, gathering.PARALLEL_FROM + 2)
    make_county(last, gathering.PARALLEL_FROM + 2, year=2022, seed=1)
    alone = gathering.gather([inbox], [last], None, outside=None, jobs=1)
    shared = gathering.gather([inbox], [last], None, outside=None, jobs=2)
    assert [(row.name, row.status, row.figures, row.rates) for row in shared.rows] == [(row.name, row.status, row.figures, row.rates) for row in alone.rows]
    assert [(row.findings, row.cross, row.peer, row.peer_name, row.last, row.trend) for row in shared.rows] == [
        (row.findings, row.cross, row.peer, row.peer_name, row.last, row.trend) for row in alone.rows]  # rates, X1–X5 and copying by forked workers: the same
    assert all(row.rates is not None for row in shared.rows)
    assert shared.said == alone.said
    assert overview_page.page(shared, jobs=2) == overview_page.page(alone)  # charts drawn by two workers, the same bytes


def test_a_unit_name_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path):
    inbox = tmp_path / "收回"
    make_county(inbox, 2)
    data = unit_data(3)
    data["unit"]["name"] = "=SUM(1,2)镇人民政府"
    (inbox / "公式.yaml").write_text(dump(data), encoding="utf-8")
    book = load_workbook(io.BytesIO(overview_sheet.workbook(gathering.gather([inbox], [], None, outside=None))))
    cells = [cell for sheet in ("各单位主要数字", "排名") for row in book[sheet].iter_rows() for cell in row if cell.value == "=SUM(1,2)镇人民政府"]
    assert len(cells) >= 2 and all(cell.data_type == "s" for cell in cells)
