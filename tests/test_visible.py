"""What a person sees is what nianbao reads (issue 19, points 1 and 2).

Every hostile file is built here, byte for byte, from the bundled example: a web page, a
Word document and a PDF holding text no reader sees inside a figure; figures with a
footnote mark glued on; a browser-printed PDF whose text layer spells 青 as the radical
⻘.  The visible figure is read, or the cell is left empty with an I error — never a
merged number.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import unicodedata
import warnings
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, edit

from nianbao.findings import Finding
from nianbao.model.standard import ValueType
from nianbao.read.importer import checkable, glyphs, import_bytes, import_file
from nianbao.read.importer.pdf import read_pdf
from nianbao.read.importer.words import number
from nianbao.read.load import load_file
from nianbao.render import docx as render_docx
from nianbao.render import html as render_html
from nianbao.render import txt as render_txt
from nianbao.system.decode import control_name

LICENSING = "表二.行政许可.本年处理决定数量"
LICENSING_LABEL = "表二 第二十条第（五）项 行政许可 · 本年处理决定数量"  # as messages name it
TWELVE_HTML = 'headers="t1-6-0 t1-4-0 t1-5-1">12</td>'  # the 行政许可 cell of the rendered page
TWELVE_RUN = '<w:t xml:space="preserve">12</w:t></w:r>'  # its run in the rendered document
ROW = "（原文第1个表格第7行）"


def _report():
    return load_file(EXAMPLE_2023).report


# -- builders (named for bench/hostile.py) ------------------------------------------------------------------
def build_html(cell: str = "12", style: str = "") -> bytes:
    """The example as a saved web page whose 行政许可 cell holds ``cell`` (HTML) and whose
    head holds the page-level ``style``."""
    page = render_html.render(_report()).decode("utf-8")
    page = edit(page, TWELVE_HTML, TWELVE_HTML.replace(">12<", f">{cell}<"))
    return edit(page, "</style>", style + "</style>").encode("utf-8")


def build_docx(after: str = "", *, cell: str | None = None, styles: str = "") -> bytes:
    """The example as Word writes it, with ``after`` (runs) following the 12 of 行政许可,
    or the whole cell's paragraphs replaced by ``cell``; ``styles`` added to styles.xml."""
    source = zipfile.ZipFile(io.BytesIO(render_docx.render(_report(), None)))
    document = source.read("word/document.xml").decode("utf-8")
    at = document.index(TWELVE_RUN, document.index("行政许可")) + len(TWELVE_RUN)
    if cell is not None:
        start = document.rindex("<w:p>", 0, at)
        end = document.index("</w:p>", at) + len("</w:p>")
        document = document[:start] + cell + document[end:]
    else:
        document = document[:at] + after + document[at:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = document.encode("utf-8")
            elif item.filename == "word/styles.xml" and styles:
                data = edit(data.decode("utf-8"), "</w:styles>", styles + "</w:styles>").encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def raw_pdf(content: bytes, media: tuple[int, int, int, int] = (0, 0, 300, 200), image: bool = False) -> bytes:
    """A one-page PDF written by hand: Helvetica text drawn by ``content`` (and a grey
    picture named /Im1 when ``image``)."""
    xobject = b" /XObject << /Im1 6 0 R >>" if image else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [%d %d %d %d] /Resources << /Font << /F1 5 0 R >>%s >> /Contents 4 0 R >>" % (*media, xobject),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if image:
        objects.append(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x80\x80\x80\x80\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


HOSTILE_PDF = b"""BT 0 g /F1 12 Tf 20 170 Td (A 12) Tj 1 1 1 rg (0) Tj 0 g ET
BT /F1 12 Tf 20 150 Td (B 34) Tj 3 Tr (9) Tj 0 Tr ET
BT /F1 12 Tf 20 130 Td (C 56) Tj /F1 0.5 Tf (8) Tj ET
BT /F1 12 Tf 20 110 Td (D 78) Tj ET
BT /F1 12 Tf 400 110 Td (77) Tj ET
BT /F1 12 Tf 20 90 Td (E 12) Tj /F1 7 Tf 5 Ts (1) Tj 0 Ts ET
0.2 0.2 0.6 rg 20 40 100 30 re f
BT /F1 12 Tf 30 50 Td 1 1 1 rg (F 90) Tj 0 g ET
"""


def build_hostile_pdf() -> bytes:
    """Rows A–F: a white 0, a render-mode-3 9, a half-point 8, a 77 off the page, a raised 1,
    and white text on a dark box (which a reader sees)."""
    return raw_pdf(HOSTILE_PDF)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        pytest.skip("Chromium is not installed (CI installs it: apt-get install chromium)")
    return found


def print_pdf(page: bytes, folder: Path) -> bytes:
    """``page`` printed to PDF by headless Chromium, as a clerk's browser "save as PDF" does."""
    source = folder / "page.html"
    source.write_bytes(page)
    target = folder / "page.pdf"
    subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", f"--print-to-pdf={target}", source.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    return target.read_bytes()


def build_radical_page() -> bytes:
    """The example as a web page whose text spells 青 民 行 as the radicals ⻘ ⺠ ⾏."""
    page = render_html.render(_report()).decode("utf-8")
    looks = str.maketrans({"青": "⻘", "民": "⺠", "行": "⾏"})
    page = re.sub(r">([^<]*)<", lambda m: ">" + m.group(1).translate(looks) + "<", page)
    assert "⻘山镇人⺠政府" in page
    return page.encode("utf-8")


def _licensing(imported):
    return imported.data["proactive"]["licensing"]


def _errors(imported):
    return [f for f in imported.findings if f.level == "error"]


def _tables_equal_example(imported) -> None:
    report, back = _report(), checkable(imported)[0].report
    assert back is not None
    assert back.plain()["proactive"] == report.plain()["proactive"]
    assert [back.row(line) for line in back.spec.table3.data_lines()] == [report.row(line) for line in report.spec.table3.data_lines()]
    assert [back.appeal(g) for g in back.spec.table4.groups] == [report.appeal(g) for g in report.spec.table4.groups]


# -- web pages ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cell, style",
    [
        ('12<span style="display:none">0</span>', ""),
        ("12<span hidden>0</span>", ""),
        ('12<span class="fn">0</span>', ".fn{display:none}"),
        ('12<span class="fn">0</span>', "td span.fn{visibility:hidden}"),
        ('12<span id="n1">0</span>', "#n1{font-size:0}"),
        ('12<span style="color:#fff">0</span>', ""),
        ('12<font color="white">0</font>', ""),
        ('12<span style="color:rgb(255,255,255)">0</span>', "a:hover{color:red} p::before{content:'x'} .bad{color:notacolour}"),
        ('12<span style="opacity:0">0</span>', ""),
        ('12<span style="display:inline-block;width:0;overflow:hidden">0</span>', ""),
        ('12<span class="sr">0</span>', ".sr{position:absolute;left:-9999px}"),
        ('12<b class="x">0</b>', "b.x{display:none !important} b{display:inline}"),
    ],
    ids=["inline-display-none", "hidden-attribute", "page-class", "page-descendant-visibility", "page-id-font-size-0",
         "white-on-white", "font-color-white", "rgb-white-and-odd-rules", "opacity-0", "zero-width", "off-screen", "important"],
)
def test_html_hidden_text_in_a_figure_is_not_read(cell, style):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no library warning may reach the clerk
        imported = import_bytes(build_html(cell, style), Path("hidden.html"))
    assert _licensing(imported) == 12
    assert imported.findings == [Finding("warning", "I", None, f"第2格“12”中有网页上看不到的文字“0”，未读取{ROW}")]
    _tables_equal_example(imported)


@pytest.mark.parametrize(
    "cell, style, shown",
    [
        ('12<span class="fn">0</span>', ".fn{display:none} td span.fn{display:inline}", 120),  # a more specific rule shows it again
        ('<span style="visibility:hidden">1<span style="visibility:visible">2</span></span>0', "", 20),
        ('<span style="color:#fff;background:#000">120</span>', "", 120),  # white on black is seen
        ('<span style="color:#fff;background:url(x.png)">120</span>', "", 120),  # on a picture: colour says nothing
        ('<span style="font-size:0">1<span style="font-size:12px">20</span></span>', "", 20),
    ],
    ids=["cascade-shows-again", "visible-child", "white-on-black", "white-on-picture", "font-size-reset"],
)
def test_html_what_the_page_shows_is_read(cell, style, shown):
    imported = import_bytes(build_html(cell, style), Path("shown.html"))
    assert _licensing(imported) == shown
    assert _errors(imported) == []


def test_html_print_styles_and_hidden_narrative_are_handled():
    """@media print rules are not what a screen shows; hidden text outside tables is dropped silently
    (site menus and pop-ups are hidden in every saved page)."""
    page = build_html("12", "@media print{td{display:none}}")
    page = page.replace("全年通过县政府门户网站".encode(), '全年<span style="display:none">（隐藏）</span>通过县政府门户网站'.encode(), 1)
    imported = import_bytes(page, Path("print.html"))
    assert _licensing(imported) == 12 and imported.findings == []
    assert imported.data["overview"]["proactive"].startswith("全年通过县政府门户网站")


def test_html_page_hidden_whole_until_a_script_shows_it_is_read_with_a_warning():
    imported = import_bytes(build_html('12<span style="display:none">0</span>', "body{visibility:hidden}"), Path("fouc.html"))
    assert _licensing(imported) == 120  # nothing told hidden from shown: read as the script shows it, and said so
    assert imported.findings == [Finding("warning", "I", None, "网页的样式把整个正文设为不显示（通常由网页脚本在打开后再显示），已按全部文字读取：被隐藏的个别文字无法区分，请对照网页核对数字（原文网页的样式表）")]


def test_html_superscript_after_a_figure_is_an_error():
    imported = import_bytes(build_html("12<sup>1</sup>"), Path("sup.html"))
    assert _licensing(imported) is None
    assert imported.findings == [
        Finding("error", "I", LICENSING, f"{LICENSING_LABEL}：“12¹”中有上标、圈码等注释符号（“¹”），不能确定数值，留空，请按原件填写（第1个表格第7行）")
    ]


# -- Word documents ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "after, styles",
    [
        ("<w:r><w:rPr><w:vanish/></w:rPr><w:t>0</w:t></w:r>", ""),
        ("<w:r><w:rPr><w:webHidden/></w:rPr><w:t>0</w:t></w:r>", ""),
        ('<w:r><w:rPr><w:rStyle w:val="nbGone"/></w:rPr><w:t>0</w:t></w:r>',
         '<w:style w:type="character" w:styleId="nbGoneBase"><w:name w:val="gone base"/><w:rPr><w:vanish/></w:rPr></w:style>'
         '<w:style w:type="character" w:styleId="nbGone"><w:name w:val="gone"/><w:basedOn w:val="nbGoneBase"/></w:style>'),
        ('<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>0</w:t></w:r>', ""),
        ('<w:r><w:rPr><w:sz w:val="1"/></w:rPr><w:t>0</w:t></w:r>', ""),
    ],
    ids=["vanish", "webHidden", "character-style-based-on-hidden", "white", "half-point"],
)
def test_docx_hidden_run_in_a_figure_is_not_read(after, styles):
    imported = import_bytes(build_docx(after, styles=styles), Path("hidden.docx"))
    assert _licensing(imported) == 12
    assert imported.findings == [Finding("warning", "I", None, f"第2格“12”中有隐藏的文字“0”（Word 中设为隐藏或白色），未读取{ROW}")]
    _tables_equal_example(imported)


def test_docx_paragraph_style_hides_a_paragraph_of_the_cell():
    hidden_style = '<w:style w:type="paragraph" w:styleId="nbGonePara"><w:name w:val="gone para"/><w:rPr><w:vanish/></w:rPr></w:style>'
    cell = '<w:p><w:r><w:t>12</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="nbGonePara"/></w:pPr><w:r><w:t>3</w:t></w:r></w:p>'
    imported = import_bytes(build_docx(cell=cell, styles=hidden_style), Path("para.docx"))
    assert _licensing(imported) == 12
    assert imported.findings == [Finding("warning", "I", None, f"第2格“12”中有隐藏的文字“3”（Word 中设为隐藏或白色），未读取{ROW}")]


@pytest.mark.parametrize("named", ["", '<w:pPr><w:pStyle w:val="nbNoSuchStyle"/></w:pPr>'], ids=["no-style", "a-style-the-document-lacks"])
def test_docx_default_paragraph_style_hides_a_paragraph_that_names_no_style(named):
    """Word shows a paragraph that names no style (or one the document lacks) in the default
    paragraph style (Normal, 正文): when that style hides text, so is the paragraph's."""
    from lxml import etree

    from nianbao.read.importer.docx import _parse_styles, paragraph_text

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    styles = _parse_styles(f'''<w:styles xmlns:w="{w}"><w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/>
        <w:rPr><w:vanish/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="nbSeen"><w:name w:val="seen"/></w:style></w:styles>'''.encode())
    hidden: list[str] = []
    assert paragraph_text(etree.fromstring(f'<w:p xmlns:w="{w}">{named}<w:r><w:t>3</w:t></w:r></w:p>'), styles, hidden) == ""
    assert hidden == ["3"]
    seen = etree.fromstring(f'<w:p xmlns:w="{w}"><w:pPr><w:pStyle w:val="nbSeen"/></w:pPr><w:r><w:t>12</w:t></w:r></w:p>')
    assert paragraph_text(seen, styles) == "12"  # a style not based on Normal does not take its looks


def test_docx_run_marked_not_hidden_is_read():
    imported = import_bytes(build_docx('<w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t>0</w:t></w:r>'), Path("shown.docx"))
    assert _licensing(imported) == 120 and imported.findings == []


def test_docx_white_text_on_a_shaded_cell_is_read():
    shaded = '<w:p><w:pPr><w:shd w:val="clear" w:fill="000000"/></w:pPr><w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>120</w:t></w:r></w:p>'
    imported = import_bytes(build_docx(cell=shaded), Path("shaded.docx"))
    assert _licensing(imported) == 120 and _errors(imported) == []


def test_docx_white_text_in_a_table_whose_style_shades_it_is_read():
    """Word's coloured table styles shade cells from styles.xml, not from the cell."""
    data = build_docx('<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>0</w:t></w:r>',
                      styles='<w:style w:type="table" w:styleId="nbDark"><w:name w:val="dark"/><w:tcPr><w:shd w:val="clear" w:fill="1F3864"/></w:tcPr></w:style>')
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in archive.infolist():
            part = archive.read(item.filename)
            if item.filename == "word/document.xml":
                part = part.replace(b"<w:tblPr>", b'<w:tblPr><w:tblStyle w:val="nbDark"/>')
            target.writestr(item, part)
    imported = import_bytes(out.getvalue(), Path("styled.docx"))
    assert _licensing(imported) == 120 and imported.findings == []


@pytest.mark.parametrize(
    "kind, cell, shown",
    [
        ("superscript", '<w:p><w:r><w:t>12</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>1</w:t></w:r></w:p>', "12¹"),
        ("two-paragraphs", "<w:p><w:r><w:t>12</w:t></w:r></w:p><w:p><w:r><w:t>3</w:t></w:r></w:p>", "12 3"),
    ],
)
def test_docx_doubtful_figure_is_an_error(kind, cell, shown):
    imported = import_bytes(build_docx(cell=cell), Path("doubtful.docx"))
    assert _licensing(imported) is None
    why = "一个单元格中有两个数，不能确定是哪一个" if kind == "two-paragraphs" else "中有上标、圈码等注释符号（“¹”），不能确定数值"
    assert imported.findings == [Finding("error", "I", LICENSING, f"{LICENSING_LABEL}：“{shown}”{why}，留空，请按原件填写（第1个表格第7行）")]


# -- PDF -----------------------------------------------------------------------------------------------------
def test_pdf_invisible_glyphs_are_not_read():
    lines = read_pdf(build_hostile_pdf())
    assert [line.text for line in lines if line.text] == ["A 12", "B 34", "C 56", "D 78", "E 12¹", "F 90"]
    assert [line.notes for line in lines if line.notes] == [
        ("第1页有5个看不见的字符（如“0”、“9”、“8”、“7”：设为不显示、与背景同色、小于1磅或在页面之外），未读取",)
    ]


def test_pdf_ocr_layer_over_a_scan_is_read_and_told():
    content = b"q 200 100 0 0 cm /Im1 Do Q\nq 1 0 0 1 20 60 cm 200 0 0 100 0 0 cm Q\n" \
              b"q 260 0 0 150 20 20 cm /Im1 Do Q BT 3 Tr /F1 12 Tf 30 100 Td (A 15) Tj ET"
    lines = read_pdf(raw_pdf(content, image=True))
    assert [line.text for line in lines if line.text] == ["A 15"]
    assert [line.notes for line in lines if line.notes] == [("第1页的文字取自扫描图片上的识别文字层（OCR），数字可能识别有误，请与原件逐一核对",)]


def test_pdf_white_glyph_in_a_browser_printed_report(tmp_path):
    data = print_pdf(build_html('12<span style="color:#fff">0</span>'), tmp_path)
    imported = import_bytes(data, Path("white.pdf"))
    assert _licensing(imported) == 12
    assert _errors(imported) == []
    told = [f.message for f in imported.findings]
    assert "第3页有1个看不见的字符（如“0”：设为不显示、与背景同色、小于1磅或在页面之外），未读取（原文第3页）" in told, told
    _tables_equal_example(imported)


def test_browser_printed_pdf_with_radicals_reads_like_the_report(tmp_path):
    """Chromium's PDF text layer writes CJK radicals (⻘ for 青, ⼭ for 山, ⾏ for 行): the unit,
    the headings, the tables and the narratives are found all the same."""
    data = print_pdf(build_radical_page(), tmp_path)
    text = data.decode("latin-1")
    assert "%PDF" in text[:10]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        imported = import_bytes(data, Path("browser.pdf"))
    assert _errors(imported) == [], imported.findings
    assert imported.data["unit"]["name"] == "青山镇人民政府" and imported.data["year"] == 2023
    _tables_equal_example(imported)
    report = _report()
    assert imported.data["overview"] == report.plain()["overview"]
    assert imported.data["problems"] == report.data["problems"] and imported.data["other_matters"] == report.data["other_matters"]
    assert [f.message.split("（")[0] for f in imported.findings] == ["原文的文字中有153个部首或兼容字符"]
    assert "“⻘”→“青”" in imported.findings[0].message and "“⺠”→“民”" in imported.findings[0].message

    path = tmp_path / "browser.pdf"
    path.write_bytes(data)
    # the real command in its own process: pdfminer's complaints about Chromium's fonts
    # ("Could not get FontBBox…") must not reach the clerk's screen
    result = subprocess.run([sys.executable, "-m", "nianbao", "import", str(path), "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result
    assert (tmp_path / "out" / "青山镇人民政府2023.yaml").is_file()
    assert result.stderr == "" and "FontBBox" not in result.stdout and "Warning" not in result.stdout


# -- numbers and characters ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, problem",
    [
        ("12¹", "“12¹”中有上标、圈码等注释符号（“¹”），不能确定数值"),
        ("12①", "“12①”中有上标、圈码等注释符号（“①”），不能确定数值"),
        ("①", "“①”中有上标、圈码等注释符号（“①”），不能确定数值"),
        ("12²³件", "“12²³件”中有上标、圈码等注释符号（“²³”），不能确定数值"),
        ("12*", "“12*”的数字旁带有注释符号，不能确定数值"),
        ("※12", "“※12”的数字旁带有注释符号，不能确定数值"),
        ("12 3", "“12 3”一个单元格中有两个数，不能确定是哪一个"),
        ("٣", "“٣”中有“٣”，不是半角阿拉伯数字，不能确定数值"),
    ],
)
def test_doubtful_figures_are_never_merged(text, problem):
    assert number(text, ValueType.COUNT, False).value is None
    assert number(text, ValueType.COUNT, False).problem == problem


@pytest.mark.parametrize("text, value", [("12", 12), ("１２", 12), ("1,234", 1234), ("12 件", 12), ("12件", 12)])
def test_plain_figures_still_read(text, value):
    assert number(text, ValueType.COUNT, False).value == value


def test_radical_table_maps_to_unified_ideographs():
    for radical, ideograph in glyphs.SUPPLEMENT.items():
        assert 0x2E80 <= ord(radical) <= 0x2EFF, radical
        assert unicodedata.name(ideograph).startswith("CJK UNIFIED IDEOGRAPH"), (radical, ideograph)
    for code in range(0x2F00, 0x2FD6):  # every Kangxi radical
        assert unicodedata.name(glyphs.characters(chr(code))).startswith("CJK UNIFIED IDEOGRAPH"), hex(code)
    assert glyphs.characters("⻘山镇人⺠政府⾏政⻓⻔⻢⻋⻅⻉⻜⻥⻩⻬⻰⻆⻄⻝⺟⺁⺇⺌⺕⺩⺮⻏") == "青山镇人民政府行政长门马车见贝飞鱼黄齐龙角西食母厂几小彐王竹阝"
    assert glyphs.characters("门⼾⾭⿈") == "门户青黄"  # the simplified forms a Chinese font draws
    assert glyphs.characters("\uf900\ufa10") == unicodedata.normalize("NFC", "\uf900\ufa10")
    assert glyphs.characters("12¹①") == "12¹①"  # footnote marks are not folded: number() must see them
    assert glyphs.characters("\u202e府政\u202c") == "府政"


def test_the_quick_search_covers_every_mapped_character():
    """unify searches a whole file once for the blocks it maps: every mapped character and
    bidirectional control must lie in them, or a file holding only that one would be left unmapped."""
    assert all(glyphs._ODD.match(chr(code)) for code in glyphs.TABLE)
    assert all(glyphs._ODD.match(char) for char in glyphs.BIDI)


def test_a_unit_name_is_folded_as_the_importer_folds_it_without_loading_it_for_plain_names():
    """unitnames.plain (the county rules' names) is glyphs.characters for every character the
    table maps and every bidirectional control; a name without one is returned as it is."""
    from nianbao.county.unitnames import plain

    for char in [*map(chr, glyphs.TABLE), *glyphs.BIDI]:
        name = f"青山{char}镇人民政府"
        assert plain(name) == glyphs.characters(name), hex(ord(char))
    assert plain("⻘山镇人⺠政府") == "青山镇人民政府"
    assert plain("青山镇人民政府") == glyphs.characters("青山镇人民政府") == "青山镇人民政府"


def _text_report(unit: str) -> bytes:
    report = _report()
    text = render_txt.render(report).decode("utf-8-sig")
    return text.replace("青山镇人民政府", unit).encode("utf-8")


def test_bidi_controls_are_removed_with_a_warning(cli, tmp_path):
    imported = import_bytes(_text_report("青山镇\u202e人民政府"), Path("bidi.txt"))
    assert imported.data["unit"]["name"] == "青山镇人民政府"
    count = _text_report("青山镇\u202e人民政府").decode("utf-8").count("\u202e")
    assert imported.findings[0] == Finding(
        "warning", "I", None,
        f"原文中有{count}个改变文字显示方向的控制字符（{control_name(chr(0x202E))}），会使文字看起来与实际内容不同，已删除",
    )
    path = tmp_path / "bidi.txt"
    path.write_bytes(_text_report("青山镇\u202e人民政府"))
    result = cli("import", path, "-o", tmp_path / "out")
    assert result.code == 0, result
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["青山镇人民政府2023.yaml"]


def test_a_name_left_with_a_radical_is_a_warning():
    imported = import_bytes(_text_report("青山镇⺀人民政府"), Path("odd.txt"))
    assert imported.data["unit"]["name"] == "青山镇⺀人民政府"
    assert Finding(
        "warning", "I", "机关信息.机关名称",
        "机关名称“青山镇⺀人民政府”中有“⺀”（U+2E80），不是常用汉字的编码（可能是 PDF 字体的部首或私用字符），与名单和往年报告对不上，请改为正确的汉字",
    ) in imported.findings


def test_radicals_in_a_text_report_are_mapped_before_matching():
    looks = str.maketrans({"青": "⻘", "民": "⺠", "行": "⾏", "二": "⼆"})  # ⼆、主动公开… as a heading
    text = render_txt.render(_report()).decode("utf-8-sig").translate(looks)
    assert "⼆、" in text
    imported = import_bytes(text.encode("utf-8"), Path("radicals.txt"))
    assert imported.data["unit"]["name"] == "青山镇人民政府"
    assert _errors(imported) == []
    _tables_equal_example(imported)


# -- the command line ----------------------------------------------------------------------------------------
def test_cli_reads_the_visible_figure_and_refuses_the_doubtful_one(cli, tmp_path):
    hidden = tmp_path / "hidden.html"
    hidden.write_bytes(build_html('12<span style="display:none">0</span>'))
    assert _licensing(import_file(hidden)) == 12
    result = cli("import", hidden, "-o", tmp_path / "a")
    assert result.code == 0, result
    written = (tmp_path / "a" / "青山镇人民政府2023.yaml").read_text(encoding="utf-8")
    assert re.search(r"^  licensing: 12 ", written, re.M)
    assert "第2格“12”中有网页上看不到的文字“0”，未读取" in result.out

    marked = tmp_path / "marked.docx"
    marked.write_bytes(build_docx(cell='<w:p><w:r><w:t>12①</w:t></w:r></w:p>'))
    result = cli("import", marked, "-o", tmp_path / "b")
    assert result.code == 1, result
    assert f"[错误 I] {LICENSING_LABEL}：“12①”中有上标、圈码等注释符号（“①”），不能确定数值，留空，请按原件填写" in result.out
    written = (tmp_path / "b" / "青山镇人民政府2023.yaml").read_text(encoding="utf-8")
    assert re.search(r"^  licensing: null", written, re.M) and "licensing: 121" not in written and "licensing: 12 " not in written

    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(build_hostile_pdf())
    result = cli("import", pdf, "-o", tmp_path / "c")
    assert result.code == 1 and "找不到“一、总体情况”等章节标题" in result.out  # not a report: refused, no file
    assert not (tmp_path / "c").exists() or list((tmp_path / "c").iterdir()) == []
