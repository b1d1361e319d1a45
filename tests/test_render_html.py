"""The web page and the fragment: valid HTML5, every label and value, the DOCX's merges
cell for cell, a data table a screen reader can follow, and the same bytes every time."""

from __future__ import annotations

import io
import re
import zipfile

import html5lib
import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023
from lxml import etree
from lxml import html as lxml_html

from nianbao.load import load_file
from nianbao.render import docx as render_docx
from nianbao.render import grid as layout
from nianbao.render import html as render_html
from nianbao.render.outline import build

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EXAMPLES = pytest.mark.parametrize("example", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])


def page(example) -> str:
    return render_html.render(load_file(example).report).decode("utf-8")


def html_grids(text: str) -> list[set[tuple]]:
    """Each table as (row, column, rowspan, colspan, text) by the HTML table model."""
    root = lxml_html.fromstring(text)
    grids = []
    for table in root.iter("table"):
        taken: set[tuple[int, int]] = set()
        cells = set()
        for r, tr in enumerate(table.iter("tr")):
            c = 0
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in taken:
                    c += 1
                rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
                cells.add((r, c, rs, cs, cell.text_content().strip()))
                taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
                c += cs
        grids.append(cells)
    return grids


def docx_grids(data: bytes) -> list[set[tuple]]:
    """Each table as (row, column, rowspan, colspan, text) from gridSpan and vMerge."""
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    grids = []
    for tbl in body.iter(f"{W}tbl"):
        starts: dict[tuple[int, int], list] = {}
        for r, tr in enumerate(tbl.findall(f"{W}tr")):
            c = 0
            for tc in tr.findall(f"{W}tc"):
                span = tc.find(f"{W}tcPr/{W}gridSpan")
                cs = int(span.get(f"{W}val")) if span is not None else 1
                merge = tc.find(f"{W}tcPr/{W}vMerge")
                if merge is not None and merge.get(f"{W}val", "continue") == "continue":
                    above = next(v for (rr, cc), v in sorted(starts.items(), reverse=True) if cc == c and rr < r)
                    above[2] += 1
                else:
                    text = "".join(t.text or "" for t in tc.iter(f"{W}t"))
                    starts[(r, c)] = [r, c, 1, cs, text]
                c += cs
        grids.append({tuple(v) for v in starts.values()})
    return grids


@EXAMPLES
def test_the_page_is_valid_html5_standalone_and_the_fragment_too(example):
    text = page(example)
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(text)
    assert parser.errors == []
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">") and '<meta charset="utf-8">' in text
    for forbidden in ("<script", "src=", "href=", "@import", "url(", "<link"):
        assert forbidden not in text  # nothing fetched, nothing run
    fragment = render_html.render_fragment(load_file(example).report)
    assert fragment.startswith("\ufeff".encode("utf-8"))
    text = fragment.decode("utf-8-sig")
    parser = html5lib.HTMLParser(strict=True)
    parser.parseFragment(text)
    assert parser.errors == []
    assert "<style" not in text and "class=" not in text and text.count("style=") > 100  # every element styled inline


@EXAMPLES
def test_every_label_and_value_is_in_the_page(example):
    report = load_file(example).report
    text = page(example)
    document = build(report)
    root = lxml_html.fromstring(text)
    shown = [t.strip() for t in root.itertext() if t.strip()]
    for grid in layout.tables(report).values():
        for cell in grid.cells:
            assert cell.text in shown, cell.text
    assert [h.text_content() for h in root.iter("h2")] == [s.heading for s in document.sections]
    assert [h.text_content() for h in root.iter("h1")] == [report.title]


@EXAMPLES
def test_the_merges_are_the_docx_merges_cell_for_cell(example):
    report = load_file(example).report
    from_html = html_grids(render_html.render(report).decode("utf-8"))
    from_docx = docx_grids(render_docx.render(report, None))
    assert len(from_html) == len(from_docx) == 3
    for ours, word in zip(from_html, from_docx):
        assert ours == word


@EXAMPLES
def test_a_screen_reader_can_tie_each_number_to_its_headers(example):
    root = lxml_html.fromstring(page(example))
    for table in root.iter("table"):
        ids = {th.get("id"): th for th in table.iter("th")}
        assert all(th.get("scope") in ("col", "colgroup", "row", "rowgroup") for th in ids.values())
        for td in table.iter("td"):
            headers = td.get("headers").split()
            assert headers and all(h in ids for h in headers)
            scopes = {ids[h].get("scope") for h in headers}
            assert scopes & {"col", "colgroup"}, "every number has a column header"
        if table.find("thead") is not None:
            assert all(cell.tag == "th" for cell in table.find("thead").iter("td", "th"))
    # 三（三）2: its row headers are 三、本年度办理结果 › （三）不予公开 › 2.…, its column 申请人情况 › 法人或其他组织 › 科研机构
    table3 = list(root.iter("table"))[1]
    cell = next(td for td in table3.iter("td") if "2.其他法律行政法规禁止公开" in [table3.get_element_by_id(h).text_content() for h in td.get("headers").split()] and "科研机构" in [table3.get_element_by_id(h).text_content() for h in td.get("headers").split()])
    names = [table3.get_element_by_id(h).text_content() for h in cell.get("headers").split()]
    assert names == ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", "申请人情况", "法人或其他组织", "科研机构"]


def test_same_input_same_bytes_and_a_page_for_a_phone_and_for_print():
    report = load_file(EXAMPLE_2023).report
    assert render_html.render(report) == render_html.render(load_file(EXAMPLE_2023).report)
    text = render_html.render(report).decode("utf-8")
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in text
    assert "text-size-adjust:100%" in text and "overflow-x:auto" in text  # text keeps its size, tables scroll
    assert re.search(r"@media print\{@page\{size:A4", text) and "break-inside:avoid" in text


def test_render_to_html_and_fragment_writes_both(cli, tmp_path):
    result = cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "html,fragment")
    assert result.code == 0, result
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert names == ["青山镇人民政府2023年政府信息公开工作年度报告.html", "青山镇人民政府2023年政府信息公开工作年度报告（网页粘贴用）.html"]
