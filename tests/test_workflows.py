"""The workflows both faces call (nianbao.workflows), called directly: what each writes,
returns and refuses, exactly — the command line and the site only word and print these."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA, EXAMPLE_2023, edit, load, previous_of

from nianbao.errors import LastYearUnusable, NianbaoError, PreviousYearMismatch, UnsupportedYear, WouldOverwrite
from nianbao.workflows import blank, importing, lastyear, nextyear, publishing

TEXT = EXAMPLE_2023.read_text(encoding="utf-8")
TITLE = "青山镇人民政府2023年政府信息公开工作年度报告"


@pytest.fixture
def last(tmp_path):
    """Last year's report (the 2023 example) in a folder of its own."""
    path = tmp_path / "2023.yaml"
    shutil.copy(EXAMPLE_2023, path)
    return path


# -- next year's draft -------------------------------------------------------------------------------
def test_draft_file_writes_next_years_draft_beside_last_years(last):
    done = nextyear.draft_file(last)
    assert done.target == last.parent / "青山镇人民政府2024.yaml" and done.saved is None
    assert (done.draft.year, done.draft.spec.name, done.draft.notes) == (2024, "2021年修订格式", [])
    lines = done.target.read_text(encoding="utf-8").split("\n")
    assert lines[:4] == [
        "# 上一年度报告：2023.yaml",
        "# 青山镇人民政府2024年政府信息公开工作年度报告",
        "# 由上一年度的报告生成：本年各项数字为0，上年结转和现行数量已带入，文字沿用上一年度的，请逐段修改。",
        "# 写好后运行：nianbao check 青山镇人民政府2024.yaml",
    ]
    report = load(done.target.read_text(encoding="utf-8"))
    assert report.year == 2024 and report.row(report.spec.table3.row("new")) == [0, 0, 0, 0, 0, 0, 0]
    assert report.row(report.spec.table3.row("carried_over")) == [1, 0, 0, 0, 0, 0, 1]  # last year's 结转下年度

    again = nextyear.draft_file(last)  # a second draft keeps the first as .bak
    assert again.target == done.target and again.saved == done.target.with_name("青山镇人民政府2024.yaml.bak")


def test_draft_file_refuses_to_overwrite_last_year_and_a_report_with_errors(last, tmp_path):
    with pytest.raises(WouldOverwrite, match=f"^新文件不能覆盖上一年度的文件 {last}$"):
        nextyear.draft_file(last, last)
    broken = tmp_path / "broken.yaml"
    broken.write_text(edit(TEXT, "year: 2023", "year: [2023"), encoding="utf-8")
    with pytest.raises(LastYearUnusable, match="^上一年度的报告有错误，无法生成草稿。$") as refused:
        nextyear.draft_file(broken)
    assert [f.rule for f in refused.value.findings] == ["S"] and not list(tmp_path.glob("*2024*"))


def test_draft_text_gives_the_sites_draft_and_its_header():
    result, header = nextyear.draft_text(TEXT, 2024)
    assert header.split("\n") == ["青山镇人民政府2024年政府信息公开工作年度报告", nextyear.MADE_FROM_LAST]
    assert load(result.text).year == 2024
    with pytest.raises(LastYearUnusable, match="^这是2023年度的报告，不是2024年度的，不能用来生成2025年度的草稿$"):
        nextyear.draft_text(TEXT, 2025)
    with pytest.raises(LastYearUnusable, match="^上一年度的报告有错误，无法生成草稿：") as refused:
        nextyear.draft_text(edit(TEXT, "year: 2023", "year: [2023"), 2024)
    assert refused.value.findings == []


# -- check against last year ---------------------------------------------------------------------------
def test_check_file_compares_a_draft_with_the_report_it_records(last):
    draft = nextyear.draft_file(last).target
    checked = lastyear.check_file(draft)
    assert checked.loaded.previous == last
    rules = [f.rule for f in checked.findings]
    assert rules.count("X5") == 7 and rules.count("X4") == 1  # every narrative kept from last year, one stale year
    last.unlink()
    without = lastyear.check_file(draft).findings
    said = [f for f in without if f.rule == "X"]
    assert [(f.level, f.message) for f in said] == [
        ("warning", f"文件记录的上一年度报告 {last} 找不到或无法读取，跨年度核对（X1–X5）未做；可用 --previous 指定")
    ]
    assert not any(f.rule in ("X1", "X2", "X3", "X5") for f in without)


def test_check_file_with_a_given_previous_of_the_right_and_a_wrong_year(tmp_path):
    this = tmp_path / "this.yaml"
    this.write_text(TEXT, encoding="utf-8")
    before = load(previous_of(TEXT))
    plain = lastyear.check_file(this).findings
    assert plain == []
    compared = lastyear.check_file(this, before).findings
    assert [f.rule for f in compared] == ["X5"] * 5 + ["X2", "X5", "X5"]  # the same texts as "last year's", sorted by place
    assert compared[5].message == "表二：行政规范性文件的现行有效件数为6，按上年6+本年制发1−本年废止0应为7（如有文件失效未计入废止，可不理会）"
    with pytest.raises(PreviousYearMismatch) as wrong:
        lastyear.check_file(this, load(TEXT))
    assert (wrong.value.year, wrong.value.previous_year) == (2023, 2023)
    assert isinstance(wrong.value, NianbaoError)


def test_with_last_year_and_skipped():
    report, before = load(TEXT), load(previous_of(TEXT))
    assert [f.rule for f in lastyear.with_last_year(report, [], before)] == ["X5"] * 5 + ["X2", "X5", "X5"]
    finding = lastyear.skipped(lastyear.SITE_LAST_UNUSABLE)
    assert (finding.level, finding.rule, finding.message) == ("warning", "X", "网站上的上一年度报告有错误，跨年度核对（X1–X5）未做")


# -- a blank report --------------------------------------------------------------------------------
def test_blank_refuses_a_year_before_the_format_in_one_sentence(tmp_path):
    with pytest.raises(UnsupportedYear, match="^不支持2018年度：年度报告格式自2019年度起实行$"):
        blank.spec_for(2018)
    with pytest.raises(UnsupportedYear):
        blank.blank_file(tmp_path / "x.yaml", 2018, None)
    assert not (tmp_path / "x.yaml").exists()


def test_blank_file_and_text(tmp_path):
    target = tmp_path / "青山镇2023.yaml"
    spec, saved = blank.blank_file(target, 2023, "青山镇人民政府")
    assert (spec.id, saved) == ("v2021", None)
    written = target.read_text(encoding="utf-8")
    assert written.startswith(f"# {TITLE}\n") and "year: 2023" in written
    assert blank.blank_file(target, 2023, "青山镇人民政府")[1] == tmp_path / "青山镇2023.yaml.bak"
    assert blank.blank_text(2023, "青山镇人民政府").startswith(f"# {TITLE}\nyear: 2023")


# -- import --------------------------------------------------------------------------------------------
def test_importing_numbers_two_reports_of_one_unit_and_year(tmp_path):
    page = DATA / "published" / "2022-东湖街道.html"
    run = importing.Importing(tmp_path)
    first, second = run.one(page, [page]), run.one(page, [page])
    assert (first.target, second.target) == (tmp_path / "东湖街道办事处2022.yaml", tmp_path / "东湖街道办事处2022-2.yaml")
    assert first.saved is second.saved is None and not first.failed and first.shown == str(page)
    assert first.checked == [] and [(f.level, f.rule) for f in first.reading] == [("warning", "I")]
    assert second.target.read_text(encoding="utf-8").split("\n")[:2] == [
        "# 由 nianbao import 从“2022-东湖街道.html”导入（2021年修订格式）。",
        "# 核对后运行：nianbao check 东湖街道办事处2022-2.yaml",
    ]
    third = importing.Importing(tmp_path).one(page, [page])  # another run: the file is replaced, kept as .bak
    assert third.target == first.target and third.saved == tmp_path / "东湖街道办事处2022.yaml.bak"


def test_one_report_each_groups_a_folders_pictures(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    pages = [scans / f"第{n}页.jpg" for n in (10, 2, 1)]
    other = tmp_path / "a.docx"
    assert importing.one_report_each([pages[0], other, pages[1], pages[2], pages[1]]) == [
        (pages[2], [pages[2], pages[1], pages[0]]),
        (other, [other]),
    ]


# -- render ----------------------------------------------------------------------------------------
def test_publish_writes_the_formats_asked_and_backs_up_a_changed_one(tmp_path):
    from nianbao.render import file_name

    out = tmp_path / "out"
    done = publishing.publish(EXAMPLE_2023, out, ["txt", "html"])
    assert done.stop is None and done.pdf_problem is None and done.left_out == ()
    assert done.written == [(file_name(TITLE, "txt"), None), (file_name(TITLE, "html"), None)]
    assert (out / file_name(TITLE, "txt")).read_bytes() == done.produced.outputs["txt"]
    (out / file_name(TITLE, "txt")).write_text("改过", encoding="utf-8")
    again = publishing.publish(EXAMPLE_2023, out, ["txt", "html"])
    assert again.written == [(file_name(TITLE, "txt"), out / f"{file_name(TITLE, 'txt')}.bak"), (file_name(TITLE, "html"), None)]


def test_publish_says_why_it_wrote_nothing(tmp_path):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(edit(TEXT, "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]"), encoding="utf-8")
    unreadable = tmp_path / "unreadable.yaml"
    unreadable.write_text(edit(TEXT, "year: 2023", "year: [2023"), encoding="utf-8")
    out = tmp_path / "out"
    assert publishing.publish(wrong, out, ["txt"]).stop is publishing.Stop.ERRORS
    assert publishing.publish(unreadable, out, ["txt"], draft=True).stop is publishing.Stop.UNREADABLE
    assert not out.exists()
    drafted = publishing.publish(wrong, out, ["txt"], draft=True)  # a draft of a report with errors lists them first
    assert drafted.stop is None and drafted.produced.refused and [n for n, _ in drafted.written] == [f"{TITLE}.txt"]


def test_to_pdf_says_why_there_is_none(monkeypatch):
    from nianbao import produce

    produced = produce.produce(EXAMPLE_2023, ["docx"])
    monkeypatch.setattr(produce, "pdfs", lambda documents: ({}, None))
    assert publishing.to_pdf(produced) == (None, "LibreOffice 未能把报告转换为 PDF")
    monkeypatch.setattr(produce, "pdfs", lambda documents: ({}, "找不到 LibreOffice（soffice）"))
    assert publishing.to_pdf(produced) == (None, "找不到 LibreOffice（soffice）")
    monkeypatch.setattr(produce, "pdfs", lambda documents: ({TITLE: b"%PDF"}, None))
    assert publishing.to_pdf(produced) == (b"%PDF", None)


# -- both faces say the same -------------------------------------------------------------------------
def test_the_site_starts_and_drafts_reports_as_the_workflows_do():
    """The site's blank report and next year's draft are the workflows' (issue 28): the same
    text, the same header sentences, the same refusal of an unsupported year."""
    editor = pytest.importorskip("nianbao.workflows.editing")

    assert editor.blank(2023, "青山镇人民政府") == blank.blank_text(2023, "青山镇人民政府")
    with pytest.raises(UnsupportedYear) as said:
        blank.spec_for(2018)
    with pytest.raises(editor.EditorError, match=f"^{said.value}$"):
        editor.blank(2018, "青山镇人民政府")
    drafted = editor.next_from(TEXT, 2024)
    _, header = nextyear.draft_text(TEXT, 2024)
    assert drafted.split("\n")[:2] == [f"# {line}" for line in header.split("\n")]
