"""DOCX output: every cell read back, the merges and repeated headers of the official
layout, schema validity, byte-identical re-rendering, and LibreOffice's view of it."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, ROOT
from docx import Document
from docx.oxml.ns import qn

from nianbao.read.load import load_file
from nianbao.render import docx as render_docx
from nianbao.render import grid as layout

VALIDATOR = ROOT.parent / "shared" / "ooxml-xsd" / "validate.py"


def render(path):
    report = load_file(path).report
    return report, render_docx.render(report)


def grid_texts(grid) -> list[list[str]]:
    """What each DOCX table row should read, cell by cell, merges repeated as python-docx reports them."""
    rows = [[""] * grid.ncols for _ in range(grid.nrows)]
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                rows[r][c] = cell.text
    return rows


@pytest.mark.parametrize("path", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])
def test_every_table_cell_reads_back(path):
    report, data = render(path)
    document = Document(io.BytesIO(data))
    grids = list(layout.tables(report).values())
    assert len(document.tables) == 3
    for table, grid in zip(document.tables, grids):
        read = [[cell.text for cell in row.cells] for row in table.rows]
        assert read == grid_texts(grid), grid.name


def test_v2021_figures_in_the_docx():
    _, data = render(EXAMPLE_2023)
    t2, t3, t4 = Document(io.BytesIO(data)).tables
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in t3.rows}
    assert rows["一、本年新收政府信息公开申请数量"][3:] == ["5", "1", "0", "0", "1", "0", "7"]
    assert rows["四、结转下年度继续办理"][3:] == ["1", "0", "0", "0", "0", "0", "1"]
    assert [c.text for c in t4.rows[3].cells] == ["1", "0", "0", "0", "1"] + ["0"] * 10
    assert [c.text for c in t2.rows[3].cells] == ["行政规范性文件", "1", "0", "6"]


def test_table3_merges_and_header_rows():
    _, data = render(EXAMPLE_2023)
    table = Document(io.BytesIO(data)).tables[1]._tbl
    rows = table.findall(qn("w:tr"))
    headers = [tr for tr in rows if tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None]
    assert headers == rows[:3]
    assert all(tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for tr in rows)

    def first_cell(tr):
        tc = tr.find(qn("w:tc"))
        pr = tc.find(qn("w:tcPr"))
        span = pr.find(qn("w:gridSpan"))
        merge = pr.find(qn("w:vMerge"))
        return (
            "".join(t.text for t in tc.iter(qn("w:t"))),
            int(span.get(qn("w:val"))) if span is not None else 1,
            None if merge is None else (merge.get(qn("w:val")) or "continue"),
        )

    assert first_cell(rows[0]) == ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, "restart")
    assert first_cell(rows[1]) == ("", 3, "continue")
    assert first_cell(rows[3]) == ("一、本年新收政府信息公开申请数量", 3, None)
    assert first_cell(rows[5]) == ("三、本年度办理结果", 1, "restart")
    assert all(first_cell(tr)[2] == "continue" for tr in rows[6:27])
    assert first_cell(rows[27]) == ("四、结转下年度继续办理", 3, None)
    assert len(rows) == 28
    # （三）不予公开 spans its eight items; （二） spans the two label columns
    second = [tr.findall(qn("w:tc"))[1] for tr in rows[5:16]]
    assert "".join(t.text for t in second[1].iter(qn("w:t"))).startswith("（二）部分公开")
    assert second[1].find(qn("w:tcPr")).find(qn("w:gridSpan")).get(qn("w:val")) == "2"
    assert second[2].find(qn("w:tcPr")).find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    assert all(tc.find(qn("w:tcPr")).find(qn("w:vMerge")).get(qn("w:val")) is None for tc in second[3:10])


def test_tables_fit_the_text_width():
    report, data = render(EXAMPLE_2023)
    for table in Document(io.BytesIO(data)).tables:
        widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(widths) <= layout.TEXT_WIDTH
        assert min(widths) >= 400  # two 10 pt characters a line at the least


def test_rendering_is_byte_identical():
    _, first = render(EXAMPLE_2023)
    render_docx._package.cache_clear()
    _, second = render(EXAMPLE_2023)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_word_2010_copy_of_the_styles_is_not_carried_and_styles_xml_holds_all_it_held():
    """stylesWithEffects.xml (a third of a report's bytes) is a copy of the styles that Word
    2010 alone reads; a reader without it reads styles.xml.  So it may go only if styles.xml
    defines every style the copy did, and nothing points at the missing part."""
    import docx as python_docx
    from lxml import etree

    _, data = render(EXAMPLE_2023)
    template = zipfile.ZipFile(Path(python_docx.__file__).parent / "templates" / "default.docx")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "word/stylesWithEffects.xml" not in package.namelist()
        for name in ("[Content_Types].xml", "word/_rels/document.xml.rels"):
            assert b"stylesWithEffects" not in package.read(name)
        ours = {s.get(qn("w:styleId")) for s in etree.fromstring(package.read("word/styles.xml")).iter(qn("w:style"))}
    theirs = {s.get(qn("w:styleId")) for s in etree.fromstring(template.read("word/stylesWithEffects.xml")).iter(qn("w:style"))}
    assert len(theirs) > 100 and theirs <= ours


def test_reference_document_is_reproducible():
    from nianbao.render.reference import build

    assert build() == (ROOT / "templates" / "reference.docx").read_bytes()


def test_east_asian_fonts_are_set_on_every_style():
    _, data = render(EXAMPLE_2023)
    styles = Document(io.BytesIO(data)).styles
    expected = {"nbTitle": "方正小标宋简体", "nbBody": "仿宋_GB2312", "nbHeading1": "黑体", "nbHeading2": "楷体_GB2312",
                "nbTable": "仿宋_GB2312", "nbFooter": "宋体"}
    for style_id, font in expected.items():
        style = next(s for s in styles if s.style_id == style_id)
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == font


@pytest.mark.skipif(not VALIDATOR.exists(), reason="../shared/ooxml-xsd is absent")
@pytest.mark.skipif(importlib.util.find_spec("lxml") is None, reason="lxml is not installed")
@pytest.mark.parametrize("path", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])
def test_every_part_validates_against_the_wordprocessingml_schema(path, tmp_path):
    sys.path.insert(0, str(VALIDATOR.parent))
    import validate

    _, data = render(path)
    target = tmp_path / "r.docx"
    target.write_bytes(data)
    assert validate.validate_docx(str(target)) == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui fonts-noto-cjk poppler-utils")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_libreoffice_converts_it_and_the_pdf_holds_every_label(tmp_path, cli):
    import re

    from test_render_txt import official_labels

    assert cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "docx").code == 0
    source = next(tmp_path.glob("*.docx"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=240)
    pdf = source.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", text)
    report = load_file(EXAMPLE_2023).report
    for label in official_labels(report):
        label = re.sub(r"\s+", "", label)
        # a label that wraps inside a narrow cell (商业/企业) is read row by row across the
        # table by pdftotext: then its characters stand in order, interleaved with others
        assert label in flat or re.search(".*?".join(map(re.escape, label)), flat), label
