"""``nianbao compare`` and the repetition rates (issue 23): exact rates, exact cell changes
and sentences, the page's structure, the workbook read back, inputs of every kind."""

from __future__ import annotations

import re
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import html5lib
import openpyxl
import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit, load, previous_of

from nianbao.check.repetition import DEFINITIONS, MIN_RUN, Rates, copied_share, copied_spans, reduce, repetition
from nianbao.compare.changes import changes, figure, largest_moves, proactive_moves
from nianbao.compare.page import percent

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")



# -- the rates --------------------------------------------------------------------------------------------
FRESH = "今年镇政府新设立了企业开办一件事专区，并组织村干部逐户走访讲解补贴政策的申领流程"
COPIED = "全年组织业务培训两次，重点学习条例和答复文书的规范写法，各村指定专人负责信息报送工作"


def test_identical_texts_are_wholly_copied():
    report = load(TEXT_2023)
    rates = repetition(report, load(previous_of(TEXT_2023)))
    assert rates.text == 1.0 and rates.tables == 1.0 and rates.overall == 1.0
    assert set(rates.sections.values()) == {1.0} and len(rates.sections) == 7
    assert (rates.text_chars, rates.copied_chars, rates.cells, rates.same_cells) == (589, 589, 27, 27)


def test_a_rewritten_text_is_not_copied():
    assert copied_share(FRESH, COPIED) == 0.0
    assert copied_spans(FRESH, COPIED) == []
    # the same words in other sentences: common set phrases shorter than MIN_RUN are no copy
    assert copied_share("依申请公开工作中，政府信息公开的答复均按时作出", "政府信息公开平台建设和依申请公开答复工作") == 0.0


def test_a_known_copied_paragraph_has_its_exact_share():
    fresh, copied = reduce(FRESH)[0], reduce(COPIED)[0]
    this = f"{FRESH}。\n{COPIED}。"
    last = f"去年的工作：{COPIED}。"
    assert copied_share(this, last) == len(copied) / (len(fresh) + len(copied))
    start = this.index(COPIED)
    assert copied_spans(this, last) == [(start, start + len(COPIED))]  # marks the passage, punctuation inside included
    # punctuation, spaces and full-width forms do not hide a copy
    assert copied_share("全年组织业务培训两次 重点学习条例和答复文书的规范写法；各村指定专人负责信息报送工作", COPIED) == 1.0
    # a run one character short of MIN_RUN is not a copy; MIN_RUN characters are
    assert copied_share(copied[: MIN_RUN - 1], COPIED) == 0.0 and copied_share(copied[:MIN_RUN], COPIED) == 1.0


def test_no_run_is_formed_across_two_of_last_years_sections():
    run = reduce(COPIED)[0][:MIN_RUN]
    assert copied_share(run, [run[:6], run[6:]]) == 0.0
    assert copied_share(run, run[:6] + run[6:]) == 1.0


def test_section_rates_and_the_text_rate_weighted_by_length():
    last_text = previous_of(TEXT_2023)
    this_text = edit(TEXT_2023, "全年组织业务培训2次", FRESH)
    rates = repetition(load(this_text), load(last_text))
    oversight = "一、总体情况.（五）监督保障"
    section = load(this_text).text("overview", "oversight")
    flat = reduce(section)[0]
    new = len(reduce(FRESH)[0])
    assert rates.sections[oversight] == (len(flat) - new) / len(flat)  # all but the new sentence
    assert rates.text == rates.copied_chars / rates.text_chars
    assert [h for h, r in rates.sections.items() if r < 1.0] == [oversight]


def test_the_tables_rate_on_a_constructed_pair():
    last = edit(previous_of(TEXT_2023), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [3, 1, 0, 0, 1, 0, 5]")
    last = edit(last, "regulations: [0, 0, 0]", "regulations: [2, 0, 0]")
    rates = repetition(load(TEXT_2023), load(last))
    # 27 figures not zero this year, one more not zero only last year; three differ
    assert (rates.cells, rates.same_cells) == (28, 25)
    assert rates.tables == 25 / 28
    assert rates.overall == (1.0 + 25 / 28) / 2


def test_overall_is_the_text_rate_when_every_cell_is_zero_in_both_years():
    zero = Rates({}, 0.5, 0.0, 0.5)
    assert zero.overall == zero.text
    assert set(DEFINITIONS) == {"sections", "text", "tables", "overall"}
    assert all(sentence.endswith("。") for sentence in DEFINITIONS.values())


# -- cell changes and the largest moves -------------------------------------------------------------------
def moved_pair() -> tuple[str, str]:
    """(last year's, this year's) report files: three rows changed last year."""
    last = edit(previous_of(TEXT_2023), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [2, 0, 0, 0, 1, 0, 3]")
    last = edit(last, "review: [1, 0, 0, 0, 1]", "review: [0, 0, 0, 0, 0]")
    last = edit(last, "normative_documents: [1, 0, 6]", "normative_documents: [3, 0, 8]")
    return last, TEXT_2023


def test_cell_changes_said_the_chinese_way():
    last, this = moved_pair()
    found = {c.cell.path: c for c in changes(load(this), load(last))}
    person = found["表三.一.自然人"]
    assert (person.last, person.this, person.change, person.percent) == (2, 5, 3, Decimal("150.0"))
    assert (person.change_text(), person.percent_text()) == ("增加3", "增加150%")
    business = found["表三.一.商业企业"]
    assert (business.change_text(), business.percent_text()) == ("增加1", "—")  # last year 0: no percentage
    fewer = found["表二.行政规范性文件.现行有效件数"]
    assert (fewer.change, fewer.percent, fewer.change_text(), fewer.percent_text()) == (-2, Decimal("-25.0"), "减少2", "减少25%")
    same = found["表二.行政许可.本年处理决定数量"]
    assert (same.change_text(), same.percent_text()) == ("持平", "持平")
    total = found["表三.三（七）.总计"]  # a 总计 left out of the file counts as printed
    assert (total.last, total.this) == (7, 7)
    assert len(found) == 3 * 2 + 4 + 25 * 7 + 3 * 5 + 3  # tables 二, 三, 四 and the fees of v2021
    assert figure(12345) == "12,345" and figure(Decimal("0.50")) == "0.50" and figure(None) == "—"


def test_the_largest_moves_are_named_in_a_sentence_each():
    """Tables 三 and 四 in one list, table 二 in a list of its own (issue 27)."""
    last, this = moved_pair()
    found = changes(load(this), load(last))
    assert [m.sentence() for m in largest_moves(found)] == [
        "表三 一、本年新收 · 总计 3 → 7 件，增加133.3%",
        "表四 行政复议 · 总计 0 → 1 件，增加1件",  # no percentage of nothing: the change in figures
    ]
    assert [m.sentence() for m in proactive_moves(found)] == [
        "表二 第二十条第（一）项 行政规范性文件 · 本年制发件数 3 → 1，减少66.7%",  # the same change: the larger percentage first
        "表二 第二十条第（一）项 行政规范性文件 · 现行有效件数 8 → 6，减少25%",
    ]


def test_ten_moves_at_most_and_cells_a_version_lacks_are_not_ranked():
    found = changes(load(TEXT_2023), load(EXAMPLE_2020.read_text(encoding="utf-8")))
    assert sum(c.last is None for c in found) == 28  # table 二 of 2021 is not 2020's, nor are the fees
    assert [m.sentence() for m in largest_moves(found)] == [
        "表三 一、本年新收 · 总计（与“三（七）总计”相同） 2 → 7 件，增加250%",  # nothing carried over: one move, named once
        "表三 三（一）予以公开 · 总计 1 → 4 件，增加300%",
        "表三 二、上年结转 · 总计（与“四、结转下年度继续办理”相同） 0 → 1 件，增加1件",
        "表三 三（二）部分公开 · 总计 0 → 1 件，增加1件",
        "表三 三（三）不予公开 4.保护第三方合法权益 · 总计 0 → 1 件，增加1件",
        "表三 三（四）无法提供 1.本机关不掌握相关政府信息 · 总计 0 → 1 件，增加1件",
        "表四 行政复议 · 总计 0 → 1 件，增加1件",
    ]
    assert [m.sentence() for m in proactive_moves(found)] == [
        "表二 第二十条第（一）项 行政规范性文件 · 现行有效件数 9 → 6，减少33.3%",
        "表二 第二十条第（一）项 行政规范性文件 · 本年废止件数 2 → 0，减少100%",
        "表二 第二十条第（一）项 行政规范性文件 · 本年制发件数 2 → 1，减少50%",
    ]


# -- the outputs ------------------------------------------------------------------------------------------------
# moved_pair's last year changes 一 alone, so its table 三 does not balance (R1, three columns): compare
# exits 1 as check does (issue 27), and writes its files all the same
LAST_HAS_ERRORS = "有错误：上一年度报告3个错误"
STALE_OPENING = "全年通过县政府门户网站青山镇专栏"


def written_pair(tmp_path: Path) -> tuple[Path, Path]:
    last, this = moved_pair()
    this = edit(this, STALE_OPENING, f"2022年，{STALE_OPENING}")  # last year's opening left in (X4)
    this = edit(this, "全年组织业务培训2次", FRESH)
    (tmp_path / "last.yaml").write_text(last, encoding="utf-8")
    (tmp_path / "this.yaml").write_text(this, encoding="utf-8")
    return tmp_path / "last.yaml", tmp_path / "this.yaml"


def test_the_page_is_standalone_html_with_rates_marks_moves_and_checks(cli, tmp_path):
    last, this = written_pair(tmp_path)
    out = tmp_path / "比对.html"
    result = cli("compare", last, this, "-o", out)
    assert result.code == 1 and LAST_HAS_ERRORS in result.err, result
    rates = repetition(load(this.read_text(encoding="utf-8")), load(last.read_text(encoding="utf-8")))
    assert f"已生成 {out}：文字重复率{percent(rates.text)}，表格重复率{percent(rates.tables)}，总体重复率{percent(rates.overall)}" in result.out
    data = out.read_bytes()
    html5lib.HTMLParser(strict=True).parse(data)
    page = data.decode("utf-8")
    assert '<html lang="zh-CN">' in page and "<style>" in page
    assert "<script" not in page.lower() and "<link" not in page.lower() and "url(" not in page and "@import" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:|//)""", page, re.I)
    for sentence in DEFINITIONS.values():
        assert sentence in page
    assert f'<div class="value">{percent(rates.text)}</div>' in page and f'<div class="value">{percent(rates.tables)}</div>' in page
    assert '<mark class="stale">2022年</mark>，<mark class="copied">全年通过县政府门户网站青山镇专栏发布各类信息216条' in page
    assert f"{FRESH}" in page and f'<mark class="copied">{FRESH}' not in page  # the new sentence is not marked
    for m in largest_moves(changes(load(this.read_text(encoding="utf-8")), load(last.read_text(encoding="utf-8")))):
        assert f"<li>{m.sentence()}</li>" in page
    assert "表二：行政规范性文件的现行有效件数为6，按上年8+本年制发1−本年废止0应为9" in page  # X2, a carry-over checked
    assert "有一段以“2022年”开头" in page  # X4
    assert '<tr class="moved"><th scope="row">总计</th><td class="n">3</td><td class="n">7</td><td class="n change">增加4</td><td class="n">增加133.3%</td></tr>' in page


def test_the_workbook_holds_the_same_figures(cli, tmp_path):
    last, this = written_pair(tmp_path)
    out = tmp_path / "比对.xlsx"
    assert cli("compare", last, this, "-o", out).code == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["重复率", "变化最大的十项", "表格逐格对照", "正文对照", "核对结果"]
    rates = repetition(load(this.read_text(encoding="utf-8")), load(last.read_text(encoding="utf-8")))
    sheet = book["重复率"]
    assert [c.value for c in sheet[2]] == ["文字重复率", rates.text, rates.copied_chars, rates.text_chars, DEFINITIONS["text"]]
    assert [c.value for c in sheet[3]] == ["表格重复率", rates.tables, rates.same_cells, rates.cells, DEFINITIONS["tables"]]
    assert sheet["B2"].number_format == "0.0%"
    moves = book["变化最大的十项"]
    assert [c.value for c in moves[2]] == [1, "表三 一、本年新收 · 总计 3 → 7 件，增加133.3%", 3, 7, 4, 1.333, None, "表三、表四"]  # the percentage shown, as a number
    # no percentage of nothing: the cell empty (a number column holds no "—"), 说明 says why
    assert [c.value for c in moves[3]][1:] == ["表四 行政复议 · 总计 0 → 1 件，增加1件", 0, 1, 1, None, "上年为0，无法计算增减幅度", "表三、表四"]
    assert [c.value for c in moves[4]] == [1, "表二 第二十条第（一）项 行政规范性文件 · 本年制发件数 3 → 1，减少66.7%", 3, 1, -2, -0.667, None, "表二"]  # a list of its own
    assert all(isinstance(c.value, (int, float)) or c.value is None for row in moves.iter_rows(min_row=2, min_col=3, max_col=6) for c in row)
    cells = {(r[0].value, r[1].value, r[2].value): [c.value for c in r[3:7]] for r in book["表格逐格对照"].iter_rows(min_row=2)}
    assert cells[("表三", "一、本年新收政府信息公开申请数量", "自然人")] == [2, 5, 3, 1.5]
    assert all(isinstance(c.value, (int, float)) or c.value is None for row in book["表格逐格对照"].iter_rows(min_row=2, min_col=4, max_col=7) for c in row)
    texts = book["正文对照"]
    assert texts["A2"].value == "一、总体情况.（一）主动公开" and texts["B2"].value == rates.sections["一、总体情况.（一）主动公开"]
    assert any(row[2].value == "X4" for row in book["核对结果"].iter_rows(min_row=2))


def test_the_pdf_is_printed_through_libreoffice(cli, tmp_path):
    last, this = written_pair(tmp_path)
    out = tmp_path / "比对.pdf"
    result = cli("compare", last, this, "-o", out)
    assert result.code == 1 and LAST_HAS_ERRORS in result.err, result
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", text)
    for needle in ("青山镇人民政府2022年与2023年政府信息公开工作年度报告比对", "文字重复率", "有变化的2项（不足十项，全部列出）", "正文对照", "表格逐格对照", "增加133.3%",
                   "第1页共", "青山镇人民政府2022年与2023年年度报告比对"):  # the running head and the page numbers
        assert needle in flat
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, check=True).stdout.decode()
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", pages)
    assert size and float(size.group(1)) > float(size.group(2))  # landscape


def test_a_published_pdf_against_a_report_file(cli, tmp_path):
    """Last year's report file against this year's published PDF: the same figures as
    against the report file the PDF was made from."""
    rendered = tmp_path / "published"
    assert cli("render", EXAMPLE_2023, "-o", rendered, "--to", "pdf").code == 0
    published = next(rendered.glob("*.pdf"))
    last = tmp_path / "last.yaml"
    last.write_text(moved_pair()[0], encoding="utf-8")
    from_pdf = cli("compare", last, published, "-o", tmp_path / "a.html")
    from_file = cli("compare", last, EXAMPLE_2023, "-o", tmp_path / "b.html")
    assert from_pdf.code == 1 and from_file.code == 1, (from_pdf, from_file)
    assert from_pdf.out.splitlines()[0].split("：", 1)[1] == from_file.out.splitlines()[0].split("：", 1)[1]
    assert "表三 一、本年新收 · 总计 3 → 7 件，增加133.3%" in (tmp_path / "a.html").read_text(encoding="utf-8")


# -- the command's refusals ------------------------------------------------------------------------------------
def test_default_name_beside_this_year_and_an_existing_file_kept_as_bak(cli, tmp_path):
    """Recorded as every output is (.nianbao-生成记录.json): rewritten as it was, nothing backed
    up; a page someone changed since is kept as .bak (it once was backed up on every run)."""
    last, this = written_pair(tmp_path)
    assert cli("compare", last, this).code == 1
    made = tmp_path / "青山镇人民政府2022年与2023年政府信息公开工作年度报告比对.html"
    first = made.read_bytes()
    again = cli("compare", last, this)
    assert again.code == 1 and "已备份为" not in again.out and made.read_bytes() == first  # the same input, the same bytes
    assert not (tmp_path / (made.name + ".bak")).exists()
    made.write_bytes(first + b"<!-- annotated -->")
    result = cli("compare", last, this)
    assert result.code == 1 and f"原有的 {made.name} 在上次生成后被改过，已备份为 {made.name}.bak" in result.out
    assert (tmp_path / (made.name + ".bak")).read_bytes() == first + b"<!-- annotated -->" and made.read_bytes() == first


def test_usage_mistakes_exit_2(cli, tmp_path):
    last, this = written_pair(tmp_path)
    swapped = cli("compare", this, last, "-o", tmp_path / "x.html")
    assert swapped.code == 2 and "顺序写反" in swapped.err
    assert cli("compare", last, tmp_path / "nowhere.yaml").code == 2
    wrong = cli("compare", last, this, "-o", tmp_path / "x.docx")
    assert wrong.code == 2 and ".html、.xlsx 或 .pdf" in wrong.err
    assert not list(tmp_path.glob("x.*"))


def broken_pdf(path: Path) -> Path:
    """A file named .pdf that is no PDF: a header and noise."""
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    return path


def unreadable_report(path: Path) -> Path:
    """A report file whose YAML cannot be parsed."""
    path.write_text("year: 2023\nunit: [\n  name: : :\n", encoding="utf-8")
    return path


def long_narrative(path: Path) -> Path:
    """A report file whose 其他需要报告的事项 is 150,000 characters that never repeat a
    12-character run of last year's: bounded time on the rates and the marks."""
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(150_000))
    path.write_text(edit(TEXT_2023, "other_matters: |-", f"other_matters: |-\n  {text}"), encoding="utf-8")
    return path


@pytest.mark.parametrize("builder", [broken_pdf, unreadable_report])
def test_an_input_that_cannot_be_read_exits_1_and_writes_nothing(cli, tmp_path, builder):
    last, _ = written_pair(tmp_path)
    bad = builder(tmp_path / ("this.pdf" if builder is broken_pdf else "this.yaml"))
    out = tmp_path / "x.html"
    result = cli("compare", last, bad, "-o", out)
    assert result.code == 1, result
    assert "无法完整读取，未比对" in result.err and not out.exists()


def test_a_long_narrative_is_compared_in_bounded_time(cli, tmp_path):
    last, _ = written_pair(tmp_path)
    this = long_narrative(tmp_path / "long.yaml")
    start = time.perf_counter()
    result = cli("compare", last, this, "-o", tmp_path / "x.html")
    assert result.code == 1 and LAST_HAS_ERRORS in result.err, result
    assert time.perf_counter() - start < 30


def markup_in_the_text(path: Path) -> Path:
    """A report file whose narrative holds markup and an address: text on the page, never markup."""
    path.write_text(edit(TEXT_2023, "全年组织业务培训2次", '<script>alert(1)</script><img src="http://example.com/x.png">全年组织业务培训2次'), encoding="utf-8")
    return path


def test_markup_in_a_narrative_is_shown_as_text(cli, tmp_path):
    last, _ = written_pair(tmp_path)
    out = tmp_path / "x.html"
    assert cli("compare", last, markup_in_the_text(tmp_path / "this.yaml"), "-o", out).code == 1
    page = out.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&#34;http://example.com/x.png&#34;&gt;" in page
