"""``nianbao compare`` as a reviewer trusts it (issue 27): a wrong printed total shown as
printed with the sum of its parts (洪泽区 2023, table 四 总计 printed 0 under 10+1), exit
statuses as ``check``, units by name (renamed, a region's prefix, two different units), a
skipped year, v2019 against v2021, a pair read from PDF, a county's folders of pairs, and
X4 without last year's report.  Figures are asserted against ``check``'s own."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import openpyxl
import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit, load, previous_of
from overview_county import make_county, unit_name

from nianbao.check.repetition import copied_share, rated_narratives, repetition
from nianbao.check.rules import check, wrong_totals
from nianbao.compare.changes import changes, largest_moves
from nianbao.compare.folders import pair_page_name
from nianbao.compare.page import percent
from nianbao.county.unitnames import pair_names, same_unit

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
HONGZE_2023 = CORPUS / "20_洪泽区政府_2023.pdf"
TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")


# -- 洪泽区 2023 (the published PDF) → 2024 (a report file with figures of our choosing) ---------------------
def hongze_2024(imported_2023: str, name: str = "洪泽区人民政府") -> str:
    """Next year's report: 行政复议 1+1 = 2 (the printed 2023 total is 0, its parts 11),
    复议后起诉 1, 30 applications; the text carried over, years moved on."""
    text = imported_2023.replace("year: 2023", "year: 2024", 1).replace("2023年", "2024年")
    for old, new in (("review: [10, 1, 0, 0, 0]", "review: [1, 1, 0, 0, 2]"),
                     ("lawsuit_after_review: [5, 0, 0, 0, 0]", "lawsuit_after_review: [1, 0, 0, 0, 1]"),
                     ("new: [21, 0, 0, 0, 0, 0]", "new: [30, 0, 0, 0, 0, 0]"),
                     ("not_held: [10, 0, 0, 0, 0, 0]", "not_held: [19, 0, 0, 0, 0, 0]"),
                     ("normative_documents: [0, 5, 5]", "normative_documents: [2, 1, 6]"),
                     ("  date: null", "  date: 2025-01-20")):
        text = edit(text, old, new)
    return edit(text, "  name: 洪泽区人民政府", f"  name: {name}")


@pytest.fixture(scope="module")
def hongze(tmp_path_factory) -> dict[str, Path]:
    """The 2023 PDF as published, its import as a report file, and 2024's report file."""
    if not HONGZE_2023.is_file():
        pytest.skip(f"the corpus report {HONGZE_2023} is absent (it sits beside the checkout as ../shared)")
    from nianbao.read.importer import import_file
    from nianbao.render.reportfile import dump

    folder = tmp_path_factory.mktemp("hongze")
    imported = import_file(HONGZE_2023)
    assert imported.spec is not None
    text_2023 = dump(imported.spec, imported.data, notes=imported.notes)
    (folder / "2023.yaml").write_text(text_2023, encoding="utf-8")
    (folder / "2024.yaml").write_text(hongze_2024(text_2023), encoding="utf-8")
    return {"pdf": HONGZE_2023, "2023": folder / "2023.yaml", "2024": folder / "2024.yaml", "folder": folder}


def test_a_wrong_printed_total_is_shown_as_printed_and_its_move_ranked_by_its_parts(cli, hongze):
    last = load(hongze["2023"].read_text(encoding="utf-8"))
    this = load(hongze["2024"].read_text(encoding="utf-8"))
    # what check finds wrong in 2023 is what compare marks: R4 on the two totals printed 0
    r4 = [f.path for f in check(last) if f.rule == "R4"]
    assert r4 == ["表四.行政复议.总计", "表四.行政诉讼.复议后起诉.总计"]
    assert wrong_totals(last) == {("appeals", "review", 4): ("R4", 11), ("appeals", "lawsuit_after_review", 4): ("R4", 5)}
    found = {c.cell.path: c for c in changes(this, last)}
    review = found["表四.行政复议.总计"]
    assert (review.last, review.last_parts, review.this, review.change, str(review.percent)) == (0, 11, 2, -9, "-81.8")
    assert review.sentence() == "表四 行政复议 · 总计 0（印错，各项之和11） → 2 件，按各项之和计减少81.8%"
    moves = [m.sentence() for m in largest_moves(list(found.values()))]
    assert moves == [
        "表三 三（四）无法提供 1.本机关不掌握相关政府信息 · 总计 10 → 19 件，增加90%",
        "表四 行政复议 · 总计 0（印错，各项之和11） → 2 件，按各项之和计减少81.8%",  # ranked by 11 → 2, not 0 → 2
        "表三 一、本年新收 · 总计（与“三（七）总计”相同） 21 → 30 件，增加42.9%",  # nothing carried over: named once
        "表四 行政诉讼 复议后起诉 · 总计 0（印错，各项之和5） → 1 件，按各项之和计减少80%",
    ]

    out = hongze["folder"] / "比对.html"
    result = cli("compare", hongze["pdf"], hongze["2024"], "-o", out)
    assert result.code == 1, result  # 2023's report has two errors (R4): exit 1 as check, the page written
    assert "有错误：上一年度报告2个错误" in result.err
    page = out.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert "<h2 id=\"moves\">二、有变化的4项（不足十项，全部列出）</h2>" in page
    assert '<td class="n defect">0<span class="parts">印错，各项之和11</span></td><td class="n">2</td><td class="n change">减少9</td><td class="n">减少81.8%</td>' in page
    assert "有2个印出的总计与各项之和不符（R2–R4）" in page
    assert '六、其他需要报告的事项<span class="note">（除信息处理费的说明外不足20字，X5 不提示）</span>' in page  # 90.9% copied, its fees alone

    book_path = hongze["folder"] / "比对.xlsx"
    assert cli("compare", hongze["pdf"], hongze["2024"], "-o", book_path).code == 1
    rows = {(r[0].value, r[1].value, r[2].value): [c.value for c in r[3:10]] for r in openpyxl.load_workbook(book_path)["表格逐格对照"].iter_rows(min_row=2)}
    assert rows[("表四", "行政复议", "总计")] == [0, 2, -9, -0.818, "上年印为0，各项之和为11；增减按各项之和计", 11, None]
    assert rows[("表四", "行政复议", "结果维持")] == [10, 1, -9, -0.9, None, None, None]


def test_exit_status_as_check(cli, tmp_path):
    """0 when neither report has an error, 1 when either has one (the files written all the same)."""
    last, this = tmp_path / "2022.yaml", tmp_path / "2023.yaml"
    last.write_text(previous_of(TEXT_2023), encoding="utf-8")
    this.write_text(TEXT_2023, encoding="utf-8")
    assert cli("compare", last, this, "-o", tmp_path / "a.html").code == 0
    this.write_text(edit(TEXT_2023, "review: [1, 0, 0, 0, 1]", "review: [1, 0, 0, 0, 0]"), encoding="utf-8")  # R4
    result = cli("compare", last, this, "-o", tmp_path / "b.html")
    assert result.code == 1 and "有错误：本年度报告1个错误" in result.err and (tmp_path / "b.html").is_file()
    assert cli("check", this).code == 1


# -- units by name ----------------------------------------------------------------------------------------
def test_the_same_unit_rule():
    prefixed = same_unit("淮安市洪泽区人民政府", "洪泽区人民政府")
    assert prefixed is not None and prefixed.prefix == "淮安市"
    assert same_unit("江苏省淮安市洪泽区人民政府", "洪泽区人民政府").prefix == "江苏省淮安市"  # type: ignore[union-attr]
    assert same_unit("沭阳县胡集镇人民政府", "胡集镇人民政府").prefix == "沭阳县"  # type: ignore[union-attr]
    assert same_unit("青山镇 人民政府", "青山镇人民政府").exact  # type: ignore[union-attr]
    for a, b in (("平潭县人民政府", "洪泽区人民政府"), ("淮安市人民政府", "人民政府"), ("沭阳县人民政府", "阳县人民政府"),
                 ("洪泽区人民政府", "淮阴区洪泽人民政府"), ("新区管委会", "淮安新区管委会")):
        assert same_unit(a, b) is None, (a, b)
    paired = pair_names(["淮安市洪泽区人民政府", "青山镇人民政府", "新设镇人民政府"], ["洪泽区人民政府", "青山镇人民政府", "撤并乡人民政府"])
    assert [(a, b, s.prefix) for a, b, s in paired.pairs] == [("淮安市洪泽区人民政府", "洪泽区人民政府", "淮安市"), ("青山镇人民政府", "青山镇人民政府", "")]
    assert (paired.this_only, paired.last_only) == (["新设镇人民政府"], ["撤并乡人民政府"])
    # a name two of last year's could be: neither is guessed
    doubt = pair_names(["淮安市青山镇人民政府"], ["青山镇人民政府", "江苏省淮安市青山镇人民政府"])
    assert doubt.pairs == [] and "无法确定" in doubt.why["淮安市青山镇人民政府"]


def test_renamed_and_different_units(cli, hongze):
    renamed = hongze["folder"] / "2024-淮安市.yaml"
    renamed.write_text(hongze_2024(hongze["2023"].read_text(encoding="utf-8"), "淮安市洪泽区人民政府"), encoding="utf-8")
    out = hongze["folder"] / "renamed.html"
    result = cli("compare", hongze["2023"], renamed, "-o", out)
    note = "两份报告的机关名称不完全相同（洪泽区人民政府、淮安市洪泽区人民政府），只差前面的上级地名“淮安市”，按同一单位比对"
    assert result.code == 1 and note in result.err  # compared (2023 has errors: exit 1), the note said
    assert note in out.read_text(encoding="utf-8")

    other = hongze["folder"] / "平潭.yaml"
    other.write_text(hongze_2024(hongze["2023"].read_text(encoding="utf-8"), "平潭县人民政府"), encoding="utf-8")
    refused = cli("compare", hongze["2023"], other, "-o", hongze["folder"] / "x.html")
    assert refused.code == 2 and "洪泽区人民政府" in refused.err and "平潭县人民政府" in refused.err and "--same-unit" in refused.err
    assert not (hongze["folder"] / "x.html").exists()
    said = cli("compare", hongze["2023"], other, "--same-unit", "-o", hongze["folder"] / "x.html")
    assert said.code == 1 and "按 --same-unit 作为同一单位（更名）比对" in said.err


# -- years apart, format versions apart -------------------------------------------------------------------------
def test_a_skipped_year_is_compared_without_the_carry_overs(cli, tmp_path):
    last = tmp_path / "2021.yaml"
    text = edit(TEXT_2023, "year: 2023", "year: 2021").replace("date: 2024-", "date: 2022-")
    last.write_text(edit(text, "carried_forward: [1, 0, 0, 0, 0, 0]", "carried_forward: [0, 0, 0, 0, 1, 0]")
                    .replace("disclosed: [3, 1, 0, 0, 0, 0]", "disclosed: [4, 1, 0, 0, 0, 0]")
                    .replace("not_held: [0, 0, 0, 0, 1, 0]", "not_held: [0, 0, 0, 0, 0, 0]")
                    .replace("total: [5, 1, 0, 0, 1, 0, 7]", "total: [6, 1, 0, 0, 0, 0, 7]"), encoding="utf-8")
    assert cli("check", last).code == 0
    out = tmp_path / "比对.xlsx"
    result = cli("compare", last, EXAMPLE_2023, "-o", out)
    assert result.code == 0, result  # a carried-over mismatch (X1) is no error two years apart: never checked
    assert "两份报告相隔2年（2021年度、2023年度），中间缺1年" in result.err
    rates = repetition(load(TEXT_2023), load(last.read_text(encoding="utf-8")))
    assert f"文字重复率{percent(rates.text)}，表格重复率{percent(rates.tables)}" in result.out
    checks = openpyxl.load_workbook(out)["核对结果"]
    assert not [r for r in checks.iter_rows(min_row=2, values_only=True) if r[2] in ("X1", "X2", "X3")]
    assert [r[4][:9] for r in checks.iter_rows(min_row=2, values_only=True) if r[0] == "比对说明"] == ["两份报告相隔2年（"]
    # the later year first is still a usage mistake
    assert cli("compare", EXAMPLE_2023, last, "-o", tmp_path / "y.html").code == 2


def test_v2019_faces_v2021_as_one_block(tmp_path):
    """2020 (v2019: 总体情况 one text) against 2021 (v2021: its five parts): the parts are one
    block facing the one text, so a paragraph carried into （一） meets itself."""
    from nianbao.compare.pair import COPIED, Side, compare

    last_text = EXAMPLE_2020.read_text(encoding="utf-8")
    last = load(last_text)
    carried = last.text("overview").split("\n")[0]
    this_text = edit(TEXT_2023, "year: 2023", "year: 2021").replace("date: 2024-", "date: 2022-")
    this_text = this_text.replace("name: 青山镇人民政府", f"name: {last.unit_name}")
    this_text = edit(this_text, "    全年通过县政府门户网站", f"    {carried}\n    全年通过县政府门户网站")
    this = load(this_text)
    c = compare(Side(tmp_path / "a.yaml", last, check(last)), Side(tmp_path / "b.yaml", this, check(this)))
    assert [n.heading for n in c.narratives][0] == "一、总体情况"
    block = c.narratives[0]
    texts = ["".join(p.text for p in paragraph) for paragraph in block.this]
    assert texts[0] == "（一）主动公开" and "（五）监督保障" in texts  # each part under its own label
    met = next(paragraph for paragraph in block.this if "".join(p.text for p in paragraph) == carried)
    assert all(COPIED in piece.marks for piece in met if piece.text.strip("。，"))  # the paragraph meets itself
    joined = "\n".join(text for keys, _, text in rated_narratives(this) if keys[0] == "overview")
    assert block.rate == copied_share(joined, [text for _, _, text in rated_narratives(last)])
    assert "两份报告的格式版本不同（2020年度为2019年试行格式，2021年度为2021年修订格式）" in c.notes[0]


# -- a pair read from PDF ---------------------------------------------------------------------------------------
def test_a_pair_read_from_pdf_gives_the_figures_of_its_report_files(cli, hongze):
    """2023 as published (PDF: its body in ruled boxes, a line of the page each) against 2024
    printed by nianbao to PDF: paragraphs joined again, the same rates and moves as the
    report files they were read into."""
    rendered = hongze["folder"] / "pdf"
    assert cli("render", hongze["2024"], "-o", rendered, "--to", "pdf").code in (0, 1)
    pdf_2024 = next(rendered.glob("*.pdf"))
    from_pdf = cli("compare", hongze["pdf"], pdf_2024, "-o", hongze["folder"] / "pdf.html")
    from_files = cli("compare", hongze["2023"], hongze["2024"], "-o", hongze["folder"] / "files.html")
    assert from_pdf.code == from_files.code == 1
    assert from_pdf.out.splitlines()[0].split("：", 1)[1] == from_files.out.splitlines()[0].split("：", 1)[1]
    page = (hongze["folder"] / "pdf.html").read_text(encoding="utf-8")
    last = load(hongze["2023"].read_text(encoding="utf-8"))
    assert last.text("overview", "proactive").count("\n") == 1  # two paragraphs, as printed: the page's lines joined
    assert "2023年，洪泽区人民政府坚持以习近平新时代中国特色社会主义思想为指导" in last.text("overview", "proactive")
    section = page.split("一、总体情况.（一）主动公开（重复率")[1].split("</section>")[0]
    assert section.count("<p>") == 2 * 2  # two paragraphs a year, not a paragraph a printed line
    assert "表四 行政复议 · 总计 0（印错，各项之和11） → 2 件，按各项之和计减少81.8%" in page
    assert "有一段以" not in page  # a wrapped line opening with a year is no paragraph: no false X4


# -- a county's folders -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def county(tmp_path_factory) -> dict[str, Path]:
    """Six units this year, five last year: one renamed with its county's name before it, one
    new (no pair), one whose report has an error (R1)."""
    root = tmp_path_factory.mktemp("county")
    this = make_county(root / "2023", 6)
    last = make_county(root / "2022", 5, year=2022, seed=1)
    prefixed = last[1].read_text(encoding="utf-8").replace(unit_name(1), f"某某县{unit_name(1)}")
    last[1].write_text(prefixed, encoding="utf-8")
    broken = this[2].read_text(encoding="utf-8")
    first = re.search(r"new: \[(\d+)", broken)
    assert first is not None
    this[2].write_text(broken.replace(first.group(0), f"new: [{int(first.group(1)) + 1}", 1), encoding="utf-8")
    return {"root": root, "this": root / "2023", "last": root / "2022"}


def test_folders_of_pairs(cli, county):
    out = county["root"] / "比对"
    result = cli("compare", county["last"], county["this"], "-o", out)
    assert result.code == 1, result  # a pair with an error, a unit without a pair
    assert "已生成" in result.out and "6个单位，已比对5个" in result.out and "未比对1个" in result.out
    index = (out / "index.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(index)
    for i in range(5):
        page = out / pair_page_name(unit_name(i))
        assert page.is_file(), page
        last_file = next(county["last"].glob(f"{i + 1:03d}-*.yaml"))
        this_file = next(county["this"].glob(f"{i + 1:03d}-*.yaml"))
        single = cli("compare", last_file, this_file, "--same-unit", "-o", county["root"] / f"one-{i}.html")
        rates = repetition(load(this_file.read_text(encoding="utf-8")), load(last_file.read_text(encoding="utf-8")))
        assert f"文字重复率{percent(rates.text)}，表格重复率{percent(rates.tables)}，总体重复率{percent(rates.overall)}" in single.out
        assert f'<td class="n" data-label="表格重复率">{percent(rates.tables)}</td>' in index.split(f">{unit_name(i)}</th>")[1].split("</tr>")[0]
        assert (f'href="{pair_page_name(unit_name(i))}"' in index) or (f"href=\"{_quoted(pair_page_name(unit_name(i)))}\"" in index)
    assert "某某县白沙镇人民政府、白沙镇人民政府），只差前面的上级地名“某某县”" in index
    assert unit_name(5) in index.split("<h2>二、未比对的单位</h2>")[1] and "上一年度的文件夹中没有这个单位的报告" in index
    row = index.split(f">{unit_name(2)}</th>")[0].rsplit("<tr", 1)[1]
    assert row.startswith(' class="failed"')  # the unit whose report has an error
    # a unit list: its order, a listed unit found nowhere, a unit not on it left out (said)
    roster = county["root"] / "名单.txt"
    roster.write_text("\n".join([unit_name(4), unit_name(0), "不存在镇人民政府"]), encoding="utf-8")
    listed = cli("compare", county["last"], county["this"], "-o", county["root"] / "比对2", "--units", roster)
    assert listed.code == 1
    names = re.findall(r'<th scope="row" data-label="单位">([^<]+)</th>', (county["root"] / "比对2" / "index.html").read_text(encoding="utf-8"))
    assert names == [unit_name(4), unit_name(0), "不存在镇人民政府"]
    assert "本年度有4个单位不在名单中，未比对" in listed.err


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def test_folder_mistakes_are_usage_mistakes(cli, county, tmp_path):
    assert cli("compare", county["last"], county["this"]).code == 2  # -o is needed
    mixed = cli("compare", county["last"], EXAMPLE_2023, "-o", tmp_path / "x")
    assert mixed.code == 2 and "两个都应为文件夹" in mixed.err


# -- X4 without last year's report ---------------------------------------------------------------------------------
def test_x4_in_plain_check_render_and_the_site(cli, tmp_path):
    text = TEXT_2023.replace("year: 2023", "year: 2024").replace("date: 2024-", "date: 2025-")
    text = edit(text, "    全年通过县政府门户网站", "    2023年，全年通过县政府门户网站")
    path = tmp_path / "2024.yaml"
    path.write_text(text, encoding="utf-8")
    said = "一、总体情况（一）主动公开：有一段以“2023年”开头，而本报告是2024年度的：是否沿用了上一年度报告的文字？"
    result = cli("check", path)
    assert f"[提示 X4] {said}" in result.out
    rendered = cli("render", path, "-o", tmp_path / "out", "--to", "txt")
    assert rendered.code == 0 and "另有1个提示" in rendered.out  # X4, the one warning: render counts it as check does
    clean = tmp_path / "clean.yaml"
    clean.write_text(edit(text, "2023年，全年通过", "全年通过"), encoding="utf-8")
    assert "另有" not in cli("render", clean, "-o", tmp_path / "out2", "--to", "txt").out
    from nianbao.workflows.editing import evaluate

    assert said in [f.message for f in evaluate(text, None)]
    # with last year's report X4 is said whole, each year once
    last = tmp_path / "2023.yaml"
    last.write_text(TEXT_2023, encoding="utf-8")
    both = cli("check", path, "--previous", last)
    assert both.out.count("有一段以“2023年”开头") == 1
    # the exemptions stand: plans, last year's problems, document numbers, edition notes
    for fine in ("2025年，我镇将继续完善专栏。", "2023年存在的问题已全部整改。", "〔2023〕3号文件要求，各村……", "（2019年修订），条例第五十条"):
        assert "X4" not in {f.rule for f in check(load(edit(text, "2023年，全年通过", f"{fine}\n    全年通过")))}, fine


def test_x5_does_not_fire_on_a_section_that_only_states_its_fees():
    from nianbao.check.crossyear import check_previous

    sentence = "全年严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费0元。"  # 洪泽区's, the same each year
    other = "本年度按照县政府办公室印发的政务公开工作要点，完成了重点领域信息公开各项任务。县人大代表建议2件、县政协委员提案1件的办理结果已在专栏公开。"
    text = edit(TEXT_2023, other, sentence)
    assert load(text).text("other_matters") == sentence and len(sentence) > 20
    found = [f.path for f in check_previous(load(text), load(previous_of(text))) if f.rule == "X5"]
    assert "六、其他需要报告的事项" not in found and "五、存在的主要问题及改进情况" in found
    # a section with more to say than its fees is weighed as before
    more = edit(text, sentence, f"{sentence}{other}")
    assert "六、其他需要报告的事项" in [f.path for f in check_previous(load(more), load(previous_of(more))) if f.rule == "X5"]


def test_folder_pages_named_by_unit_never_overwrite_each_other(cli, tmp_path):
    """Names that safe_name makes one, a unit named like the index, two files of one unit."""
    last, this = tmp_path / "2022", tmp_path / "2023"
    last.mkdir()
    this.mkdir()
    names = ["水务局/河长办", "水务局\\河长办", "index"]
    for i, name in enumerate(names):
        text = edit(TEXT_2023, "name: 青山镇人民政府", f"name: '{name}'")
        (this / f"{i}.yaml").write_text(text, encoding="utf-8")
        (last / f"{i}.yaml").write_text(previous_of(text), encoding="utf-8")
    (this / "3.yaml").write_text(edit(TEXT_2023, "name: 青山镇人民政府", "name: 青山镇 人民政府"), encoding="utf-8")
    (this / "4.yaml").write_text(TEXT_2023, encoding="utf-8")
    result = cli("compare", last, this, "-o", tmp_path / "out")
    assert result.code == 1, result  # 青山镇 sent two files this year and none last year
    written = sorted(p.name for p in (tmp_path / "out").glob("*.html"))
    assert written == sorted(["index.html", "index（2）.html", pair_page_name(names[0]), "水务局_河长办（2）.html"])
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "上一年度的文件夹中没有这个单位的报告；本年度有2个文件都是这个单位的报告（3.yaml、4.yaml）" in index.split("<h2>二、未比对的单位</h2>")[1]
