"""Red-team trial of issues 19 and 20: small holes found by building hostile files byte for
byte and importing them as a clerk would.  Each case is the smallest file that showed the
hole; the builders of tests/test_visible.py make the base documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_visible import LICENSING, LICENSING_LABEL, ROW, _licensing, _report, _tables_equal_example, build_docx, build_html, raw_pdf

from nianbao.findings import Finding
from nianbao.read.importer import import_bytes
from nianbao.read.importer.pdf import read_pdf
from nianbao.render import txt as render_txt


# -- builders (named for bench/hostile.py) ------------------------------------------------------------------
def build_html_media_hidden() -> bytes:
    """A 0 glued to the 12 of 行政许可, hidden by ``display:none !important`` inside
    ``@media screen`` (and another inside ``@supports``): a screen shows 12."""
    return build_html('12<span class="zz">0</span><span class="yy">0</span>',
                      "@media screen { .zz { display: none !important } } @supports (display:none) { .yy { display:none } }")


def build_html_struck(cell: str = "12<del>0</del>") -> bytes:
    """A figure cell with struck-through text: what the page says is no longer so."""
    return build_html(cell)


# -- tests ---------------------------------------------------------------------------------------------------
def test_html_hidden_by_a_screen_media_query_is_not_read():
    imported = import_bytes(build_html_media_hidden(), Path("media.html"))
    assert _licensing(imported) == 12
    assert imported.findings == [Finding("warning", "I", None, f"第2格“12”中有网页上看不到的文字“00”，未读取{ROW}")]
    _tables_equal_example(imported)


@pytest.mark.parametrize("style", ["@media print { td span { display:none } }", "@media (max-width:600px) { td span { display:none } }"])
def test_html_print_and_phone_queries_are_not_applied(style):
    imported = import_bytes(build_html("12<span>0</span>", style), Path("print.html"))
    assert _licensing(imported) == 120  # what a desktop screen shows


@pytest.mark.parametrize(
    "cell, gone",
    [
        ("12<del>0</del>", "0"),
        ("12<s>0</s>", "0"),
        ("12<strike>0</strike>", "0"),
        ('12<span style="text-decoration:line-through red">0</span>', "0"),
        ('12<span style="text-decoration-line:line-through">0</span>', "0"),
        ("<del>13</del><ins>12</ins>", "13"),
    ],
    ids=["del", "s", "strike", "css", "css-line", "del-ins"],
)
def test_html_struck_text_is_not_part_of_the_figure(cell, gone):
    imported = import_bytes(build_html_struck(cell), Path("struck.html"))
    assert _licensing(imported) == 12
    assert imported.findings == [Finding("warning", "I", None, f"第2格“12”中有网页上看不到的文字“{gone}”，未读取{ROW}")]
    _tables_equal_example(imported)


def build_docx_run(rpr: str) -> bytes:
    """The example as a Word document with a run ``0`` of properties ``rpr`` after the 12 of 行政许可."""
    return build_docx(f"<w:r><w:rPr>{rpr}</w:rPr><w:t>0</w:t></w:r>")


@pytest.mark.parametrize("rpr", ["<w:specVanish/>", "<w:strike/>", '<w:dstrike w:val="1"/>'], ids=["specVanish", "strike", "dstrike"])
def test_docx_always_hidden_and_struck_runs_are_not_part_of_the_figure(rpr):
    imported = import_bytes(build_docx_run(rpr), Path("run.docx"))
    assert _licensing(imported) == 12
    assert imported.findings == [Finding("warning", "I", None, f"第2格“12”中有隐藏的文字“0”（Word 中设为隐藏或白色），未读取{ROW}")]
    _tables_equal_example(imported)


def test_docx_run_with_strike_turned_off_is_read():
    imported = import_bytes(build_docx_run('<w:strike w:val="0"/>'), Path("run.docx"))
    assert _licensing(imported) == 120 and imported.findings == []


TWO = [Finding("error", "I", LICENSING, f"{LICENSING_LABEL}：“12 0”一个单元格中有两个数，不能确定是哪一个，留空，请按原件填写（第1个表格第7行）")]


@pytest.mark.parametrize("after", ["<w:r><w:br/><w:t>0</w:t></w:r>", "<w:r><w:cr/><w:t>0</w:t></w:r>", '<w:r><w:ptab w:relativeTo="margin" w:alignment="right" w:leader="none"/><w:t>0</w:t></w:r>'],
                         ids=["br", "cr", "ptab"])
def test_docx_figures_parted_by_a_line_break_or_tab_are_two_numbers(after):
    imported = import_bytes(build_docx(after), Path("br.docx"))
    assert _licensing(imported) is None  # 12 above 0 in one cell: never 120
    assert imported.findings == TWO


@pytest.mark.parametrize("cell", ["<div>12</div>0", "<p>12</p>0", "12<div>0</div>"], ids=["div-then-text", "p-then-text", "text-then-div"])
def test_html_figures_parted_by_a_block_are_two_numbers(cell):
    imported = import_bytes(build_html(cell), Path("div.html"))
    assert _licensing(imported) is None
    assert imported.findings == TWO


# the fake bold of WPS and other producers: each line drawn two or three times, a fraction of a point apart
OVERPRINTED = b"""BT /F1 12 Tf 20 170 Td (A 12) Tj ET BT /F1 12 Tf 20.3 170 Td (A 12) Tj ET BT /F1 12 Tf 20.6 170.2 Td (A 12) Tj ET
BT /F1 12 Tf 20 150 Td (B 11) Tj ET BT /F1 12 Tf 20 150 Td (B 11) Tj ET
BT /F1 12 Tf 20 130 Td (C 11) Tj ET
"""


def build_overprinted_pdf() -> bytes:
    """Rows A and B drawn twice or three times over themselves (bold simulated), row C once."""
    return raw_pdf(OVERPRINTED)


def test_pdf_text_drawn_over_itself_reads_once():
    lines = read_pdf(build_overprinted_pdf())
    assert [line.text for line in lines if line.text] == ["A 12", "B 11", "C 11"]  # never 111222 or 1111


_SPOTS = st.sampled_from([0.0, 0.5, 1.0, 1.4, 2.0, 2.6, 7.0])
_GLYPH = st.fixed_dictionaries({"upright": st.booleans(), "text": st.sampled_from("12a"), "fontname": st.sampled_from("FG"), "size": st.sampled_from([10.0, 12.0]),
                                "doctop": st.builds(float.__add__, _SPOTS, st.floats(0, 0.3)), "x0": st.builds(float.__add__, _SPOTS, st.floats(0, 0.3))})


@settings(max_examples=300, deadline=None)
@given(st.lists(_GLYPH, max_size=10))
def test_a_glyph_is_found_drawn_twice_exactly_when_pdfplumber_would_drop_it(chars):
    """The importer's own test for overprinted glyphs (one pass over the page) answers as
    pdfplumber's ``dedupe_chars`` does: chained clusters down, then across, within 1 pt."""
    from pdfplumber.utils.text import dedupe_chars

    from nianbao.read.importer.pdf import _doubled

    assert _doubled(chars) == (len(dedupe_chars(chars, tolerance=1)) < len(chars))


def build_attached_txt(label: str) -> bytes:
    """The example's text with the attachment label a notice puts above the report it attaches."""
    return (label + render_txt.render(_report()).decode("utf-8-sig")).encode("utf-8")


@pytest.mark.parametrize("label", ["附件\n", "附件1\n\n", "附件二：\n", "附表 3\n"])
def test_an_attachment_label_above_the_title_is_not_the_unit(label):
    imported = import_bytes(build_attached_txt(label), Path("附件.txt"))
    assert imported.data["unit"]["name"] == "青山镇人民政府"  # never 附件青山镇人民政府
    assert imported.findings == []
    _tables_equal_example(imported)


def test_a_unit_named_like_an_attachment_label_stays():
    text = render_txt.render(_report()).decode("utf-8-sig").replace("青山镇人民政府", "附件镇人民政府")
    imported = import_bytes(text.encode("utf-8"), Path("附件镇.txt"))
    assert imported.data["unit"]["name"] == "附件镇人民政府"


def build_docx_footnoted() -> bytes:
    """The 12 of 行政许可 followed by a Word footnote reference (printed as a raised ¹)."""
    return build_docx('<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>')


def test_docx_footnote_reference_after_a_figure_is_an_error():
    imported = import_bytes(build_docx_footnoted(), Path("note.docx"))
    assert _licensing(imported) is None  # Word shows 12¹: never read as a plain 12
    assert imported.findings == [
        Finding("error", "I", LICENSING, f"{LICENSING_LABEL}：“12※”的数字旁带有注释符号，不能确定数值，留空，请按原件填写（第1个表格第7行）")
    ]


@pytest.mark.parametrize("cell", ["12（注）", "12(1)", "12（注1）", "12[1]", "12［2］", "12^1"])
def test_a_note_written_after_a_figure_leaves_that_cell_empty_and_says_why(cell):
    imported = import_bytes(build_html(cell), Path("note.html"))
    assert _licensing(imported) is None
    assert imported.findings == [
        Finding("error", "I", LICENSING, f"{LICENSING_LABEL}：“{cell}”的数字旁带有注释符号，不能确定数值，留空，请按原件填写（第1个表格第7行）")
    ]


def test_a_note_after_one_figure_of_table_three_keeps_the_others_of_its_row():
    page = build_html().decode("utf-8").replace('headers="t2-3-0 t2-0-3 t2-1-3">5</td>', 'headers="t2-3-0 t2-0-3 t2-1-3">5（注）</td>')
    imported = import_bytes(page.encode("utf-8"), Path("note3.html"))
    assert imported.data["applications"]["new"] == [None, 1, 0, 0, 1, 0, 7]  # was: the whole row emptied as “没有数字”
    assert [f.message for f in imported.findings] == [
        "表三 一、本年新收 · 自然人：“5（注）”的数字旁带有注释符号，不能确定数值，留空，请按原件填写（第2个表格第4行）"
    ]


# -- collection workbooks: a figure the unit cannot see as typed -------------------------------------------------
def build_workbook_unseen(folder: Path, how: str) -> Path:
    """The example's workbook with 表二 B7 (行政许可, 12) hidden or shown otherwise by ``how``."""
    from openpyxl.styles import Font, PatternFill
    from test_workbook_trust import filled, save

    book = filled()
    sheet = book["表二"]
    if how == "row":
        sheet.row_dimensions[7].hidden = True
    elif how == "column":
        sheet.column_dimensions["B"].hidden = True
    elif how == "sheet":
        sheet.sheet_state = "hidden"
    elif how == "white":
        sheet["B7"].font = Font(color="FFFFFFFF")
        sheet["B7"].fill = PatternFill("solid", fgColor="FFFFFFFF")
    else:
        sheet["B7"].number_format = how
    return save(book, folder)


@pytest.mark.parametrize(
    "how, why",
    [
        (";;;", "这一格的数字格式被改成了“;;;”"),
        ('0"0"', "这一格的数字格式被改成了“0\"0\"”"),
        ('[=12]"120";0', "这一格的数字格式被改成了“[=12]\"120\";0”"),
        ("row", "这一格所在的行或列被隐藏"),
        ("white", "这一格的文字是白色"),
    ],
    ids=["three-semicolons", "literal-digit", "condition", "hidden-row", "white-on-white"],
)
def test_a_workbook_figure_not_shown_as_typed_is_read_and_said(cli, tmp_path, how, why):
    path = build_workbook_unseen(tmp_path / "收回", how)
    result = cli("check", path)
    assert result.code == 0
    assert [line.strip() for line in result.out.splitlines() if line.startswith("  [")] == [
        f"[提示 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：填写的是 12，但{why}，在表格中看不到或显示得不同；已按填写的 12 读取，请核对（“表二”表 B7 格）"
    ]


def test_a_hidden_column_is_said_for_each_figure_in_it(cli, tmp_path):
    result = cli("check", build_workbook_unseen(tmp_path / "收回", "column"))
    said = [line.strip() for line in result.out.splitlines() if line.startswith("  [")]
    assert said and all("这一格所在的行或列被隐藏" in line and "“表二”表 B" in line for line in said)


@pytest.mark.parametrize("shown", ["0", "#,##0", "0_ ", '0"件"', "General"])
def test_a_plain_number_format_says_nothing(cli, tmp_path, shown):
    result = cli("check", build_workbook_unseen(tmp_path / "收回", shown))
    assert result.code == 0 and "提示0个" in result.out


# -- unit lists -------------------------------------------------------------------------------------------------
def build_lookalike_unit(folder: Path) -> tuple[Path, Path]:
    """A returned report whose unit was pasted from a browser-printed PDF (⻘ U+2ED8, ⺠ U+2EA0),
    and a list naming 青山镇人民政府 (with a BOM, CRLF and a full-width space)."""
    from conftest import EXAMPLE_2023

    (folder / "收回").mkdir(parents=True)
    text = EXAMPLE_2023.read_text(encoding="utf-8").replace("青山镇人民政府", "\u2ed8山镇人\u2ea0政府")
    (folder / "收回" / "青山.yaml").write_text(text, encoding="utf-8")
    units = folder / "名单.txt"
    units.write_bytes("\ufeff青山镇人民政府\u3000\r\n柳林镇人民政府\r\n".encode("utf-8"))
    return folder / "收回", units


def test_a_unit_written_in_look_alike_characters_is_pointed_to_its_listed_name(cli, tmp_path):
    returned, units = build_lookalike_unit(tmp_path)
    result = cli("batch", returned, "--units", units, "-o", tmp_path / "报告", "--to", "txt")
    assert result.code == 1
    from openpyxl import load_workbook

    told = [row[7] for row in load_workbook(tmp_path / "报告" / "汇总.xlsx")["问题清单"].iter_rows(min_row=2, values_only=True)]
    # was: “请核对机关名称”, no name offered
    assert "⻘山镇人⺠政府 不在名单中，是否为青山镇人民政府？请改正机关名称（若确是名单外的单位，请把它加入名单）；改正前不生成报告、不计入汇总" in told
    assert not list((tmp_path / "报告").glob("*.txt"))  # not published under the look-alike name


@pytest.mark.parametrize("command", ["batch", "aggregate"])
def test_a_name_the_unit_list_repeats_is_said(cli, tmp_path, command):
    from conftest import EXAMPLE_2023

    (tmp_path / "收回").mkdir()
    (tmp_path / "收回" / "青山.yaml").write_bytes(EXAMPLE_2023.read_bytes())
    units = tmp_path / "名单.txt"
    units.write_bytes("\ufeff青山镇人民政府\r\n柳林镇人民政府\r\n柳林镇人民政府  \r\n".encode("utf-8"))
    out = tmp_path / ("报告" if command == "batch" else "汇总.yaml")
    result = cli(command, tmp_path / "收回", "--units", units, "-o", out, *(["--to", "txt"] if command == "batch" else []))
    assert result.code == 1  # 柳林镇 did not reply
    assert "注意：名单中重复的单位只算一个：柳林镇人民政府\n" in result.err  # was: dropped without a word


def build_docx_deleted_row() -> bytes:
    """Above the 行政许可 row (12), a copy holding 99 that was deleted with changes tracked
    (``w:trPr/w:del``): Word shows it struck through, or not at all."""
    import io
    import re
    import zipfile

    from nianbao.render import docx as render_docx

    source = zipfile.ZipFile(io.BytesIO(render_docx.render(_report(), None)))
    document = source.read("word/document.xml").decode("utf-8")
    at = document.index("行政许可")
    start = max(document.rindex("<w:tr>", 0, at) if "<w:tr>" in document[:at] else -1, document.rindex("<w:tr ", 0, at) if "<w:tr " in document[:at] else -1)
    end = document.index("</w:tr>", at) + len("</w:tr>")
    row = document[start:end]
    deleted = '<w:del w:id="77" w:author="a" w:date="2024-01-01T00:00:00Z"/>'
    gone = row.replace(">12<", ">99<")
    gone = gone.replace("<w:trPr>", "<w:trPr>" + deleted, 1) if "<w:trPr>" in gone else re.sub(r"(<w:tr[^>]*>)", r"\1<w:trPr>" + deleted + "</w:trPr>", gone, count=1)
    document = document[:start] + gone + document[start:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, document.encode("utf-8") if item.filename == "word/document.xml" else source.read(item.filename))
    return out.getvalue()


def test_docx_row_deleted_with_changes_tracked_is_not_read():
    imported = import_bytes(build_docx_deleted_row(), Path("deleted-row.docx"))
    assert _licensing(imported) == 12  # was 99, with no finding
    assert imported.findings == []
    _tables_equal_example(imported)


def build_html_repeated_row(first: str = "99") -> bytes:
    """Table 二 with the 行政许可 row given twice: a copy holding ``first`` above the row of 12."""
    page = build_html().decode("utf-8")
    at = page.index('headers="t1-6-0 t1-4-0 t1-5-1">12</td>')
    start, end = page.rindex("<tr", 0, at), page.index("</tr>", at) + len("</tr>")
    row = page[start:end]
    return (page[:start] + row.replace(">12<", f">{first}<") + page[start:]).encode("utf-8")


def test_a_repeated_row_of_table_two_with_other_figures_is_left_empty_and_said():
    """Which of two 行政许可 rows is right is the clerk's to say, not the order's (was: the
    first, 99, read without a word)."""
    imported = import_bytes(build_html_repeated_row(), Path("twice.html"))
    assert _licensing(imported) is None
    assert [(f.level, f.rule, f.message) for f in imported.findings] == [
        ("error", "I", "表二 第二十条第（五）项 行政许可 · 本年处理决定数量：原文表二中“行政许可”一行出现两次，数字不同（99 和 12），无法确定，留空，请按原件填写（第1个表格第8行）")]
    same = import_bytes(build_html_repeated_row("12"), Path("twice.html"))
    assert _licensing(same) == 12
    assert [f.message for f in same.findings] == ["原文表二中“行政许可”一行出现两次，数字相同，只读一次（第1个表格第8行）"]


def test_a_hidden_sheet_is_said_for_each_figure_on_it(cli, tmp_path):
    result = cli("check", build_workbook_unseen(tmp_path / "收回", "sheet"))
    said = [line.strip() for line in result.out.splitlines() if line.startswith("  [")]
    assert len(said) == 10 and all("但“表二”表被隐藏，在表格中看不到或显示得不同" in line for line in said)
    assert "[提示 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：填写的是 12，但“表二”表被隐藏，在表格中看不到或显示得不同；已按填写的 12 读取，请核对（“表二”表 B7 格）" in said


def build_twice_lookalike(folder: Path) -> Path:
    """One unit's report sent twice: once as typed, once with its name pasted from a
    browser-printed PDF (⻘山镇人⺠政府) — two names to a program, one to a reader."""
    from conftest import EXAMPLE_2023

    folder.mkdir(parents=True)
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    (folder / "b.yaml").write_text(text.replace("青山镇人民政府", "\u2ed8山镇人\u2ea0政府"), encoding="utf-8")
    return folder


def test_one_unit_sent_twice_under_a_look_alike_name_is_never_added_twice(cli, tmp_path):
    returned = build_twice_lookalike(tmp_path / "收回")
    result = cli("aggregate", returned, "-o", tmp_path / "汇总.yaml")
    assert result.code == 1  # was: exit 0, every figure of 青山镇 counted twice
    assert not (tmp_path / "汇总.yaml").exists()
    assert "2个文件都是“青山镇人民政府”2023年度的报告，内容不同" in result.err
    assert "只差" not in result.err  # not a “可不理会” warning: one unit to a reader


def test_one_unit_sent_twice_with_and_without_its_suffix_is_never_added_twice(cli, tmp_path):
    """青山镇政府 and 青山镇人民政府 are one unit to a reader (a file or folder may write
    either): two reports of it are two files for one unit, not two units to add up."""
    from conftest import EXAMPLE_2023

    returned = tmp_path / "收回"
    returned.mkdir()
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    (returned / "a.yaml").write_text(text, encoding="utf-8")
    (returned / "b.yaml").write_text(text.replace("青山镇人民政府", "青山镇政府"), encoding="utf-8")
    result = cli("aggregate", returned, "-o", tmp_path / "汇总.yaml")
    assert result.code == 1  # was: exit 0, new: [10, 2, 0, 0, 2, 0] — every figure counted twice
    assert not (tmp_path / "汇总.yaml").exists()
    said = [line.split("：", 1)[0] for line in result.err.splitlines() if "：2个文件都是“青山镇人民政府”2023年度的报告，内容不同：a.yaml（“青山镇人民政府”，" in line]
    assert said == ["a.yaml", "b.yaml"] and "b.yaml（“青山镇政府”，" in result.err  # the unit once, under its full name; each file's own name said
    assert "可不理会" not in result.err


@pytest.mark.parametrize("above", ["Annual Report", "z", "link", "English version"])
def test_a_latin_line_above_the_title_is_not_part_of_the_unit(tmp_path, above):
    """A Chinese unit's name holds Chinese: a Latin line above the title (a site's link, a
    stray word) is not glued to it (was: unit AnnualReport青山镇人民政府, no finding)."""
    text = render_txt.render(_report()).decode("utf-8")
    imported = import_bytes(f"{above}\n{text}".encode(), tmp_path / "pre.txt")
    assert imported.data["unit"]["name"] == "青山镇人民政府"
    assert imported.data["year"] == 2023


@pytest.mark.parametrize(("name", "level", "said"), [
    ("⻘山镇人⺠政府", "错误", "机关名称“⻘山镇人⺠政府”中有部首或兼容字形（⺠、⻘），看起来与“青山镇人民政府”相同，但与名单和往年报告对不上，也无法被检索：请改为“青山镇人民政府”"),
    ("../../etc/x", "提示", "机关名称“../../etc/x”中有“/”，这些符号不能用在文件名中，生成的文件名中改为“_”：请核对机关名称"),
    ("CON", "提示", "机关名称“CON”中没有汉字，请核对是否填写了机关的全称"),
])
def test_a_unit_name_no_list_can_match_is_said_in_check(cli, tmp_path, name, level, said):
    """A report file (or workbook) whose unit is pasted in look-alike characters, holds path
    characters or no Chinese at all passed check and was rendered under that name."""
    from conftest import EXAMPLE_2023, edit

    path = tmp_path / "r.yaml"
    path.write_text(edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", f'name: "{name}"'), encoding="utf-8")
    result = cli("check", path)
    assert f"[{level} S] {said}（r.yaml 第6行）" in result.out
    assert result.code == (1 if level == "错误" else 0)


@pytest.mark.parametrize(("template", "said"), [
    ("{{ self }}", "TemplateReference 类型的值"),
    ("{{ 10.0**308*10 }}", "无穷大或非数"),
    ("{{ none }}", "空值 None"),
    ("{{ [1, 2] }}", "list 类型的值"),
])
def test_a_default_text_never_prints_junk_into_a_narrative(cli, tmp_path, template, said):
    """``{{ self }}`` put ``<TemplateReference None>`` and ``{{ 10.0**308*10 }}`` ``inf`` into
    a published narrative: a placeholder prints text or a finite number, or fails the unit."""
    from test_county_trust import defaults_bomb

    defaults = defaults_bomb(tmp_path, f"存在的问题：{template}")
    result = cli("batch", tmp_path / "收回", "-o", tmp_path / "out", "--defaults", defaults, "--jobs", "1")
    assert result.code == 1
    from test_county_trust import made, rows

    units = {r[3]: r for r in rows(tmp_path / "out" / "汇总.xlsx")}
    assert units["青山镇.yaml"][4] == "未通过"
    assert f"占位符输出的是{said}，不是文字或数字" in units["青山镇.yaml"][7]
    assert units["白沙乡.yaml"][4] == "已生成"
    assert all(name.startswith("白沙乡") for name in made(tmp_path / "out"))


def test_check_shows_a_file_name_in_gbk_bytes_decoded(cli, tmp_path):
    """What unzipping a Windows zip leaves: check printed ``????/?????.yaml``; batch already
    showed such names decoded, and check now says them the same way."""
    import os

    from conftest import EXAMPLE_2023

    folder = os.fsencode(tmp_path) + b"/" + "乡镇".encode("gbk")
    os.mkdir(folder)
    path = folder + b"/" + "青山镇年报.yaml".encode("gbk")
    with open(path, "wb") as handle:
        handle.write(EXAMPLE_2023.read_bytes().replace(b"licensing: 12", "licensing: 12件".encode()))
    result = cli("check", os.fsdecode(path))
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].endswith("乡镇/青山镇年报.yaml：未通过（错误1个，提示0个）"), lines[0]
    assert "青山镇年报.yaml 第" in lines[1] and "\\udc" not in ascii(result.out)
