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

from nianbao.read.load import load_file
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
    def headers(td) -> list[str]:
        return [table3.get_element_by_id(h).text_content() for h in td.get("headers").split()]

    cell = next(td for td in table3.iter("td") if "2.其他法律行政法规禁止公开" in headers(td) and "科研机构" in headers(td))
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


# -- on a phone: tables that scroll say so, an address breaks (issue #20.7) -------------------------------------
MEASURE = """<script>
(function () {
  var out = {tables: [], chars: []};
  document.querySelectorAll("table").forEach(function (table) {
    var wrap = table.parentElement;
    out.tables.push({scrolls: wrap.scrollWidth > wrap.clientWidth + 1, hint: getComputedStyle(wrap, "::after").content,
                     shadow: getComputedStyle(wrap).backgroundImage.indexOf("radial-gradient") >= 0});
  });
  var p = Array.prototype.find.call(document.querySelectorAll("p"), function (e) { return e.textContent.indexOf("电子版可在") >= 0; });
  var walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT), node, text = "";
  while ((node = walker.nextNode())) {
    for (var i = 0; i < node.data.length; i++) {
      var range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      var r = range.getClientRects()[0];
      if (r) out.chars.push([node.data[i], r.left, r.right, r.top]);
    }
  }
  document.body.setAttribute("data-measured", JSON.stringify(out));
})();
</script>"""


def measured(page_text: str, width: int, folder) -> dict:
    """Chromium lays the page out ``width`` px wide; a script added to this copy (the page has
    none) reports each table's overflow and its hint, and where each character of the
    paragraph with the download address stands.  Headless Chromium's window for --dump-dom is
    at least 500 px wide, so a phone's width is given to the page's <html> (its @media rules
    read the same at 390 and at 500 px)."""
    import json
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        pytest.skip("Chromium is not installed (CI installs it: apt-get install chromium)")
    source = folder / f"measure{width}.html"
    narrow = f"<style>html{{width:{width}px}}</style></head>" if width < 500 else "</head>"
    source.write_text(page_text.replace("</head>", narrow).replace("</body>", MEASURE + "\n</body>"), encoding="utf-8")
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},2400", "--dump-dom", source.as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    body = lxml_html.fromstring(done.stdout.decode("utf-8")).find("body")
    return json.loads(body.get("data-measured"))


def stretch(chars: list, word: str) -> float:
    """How far justification widened the characters of ``word`` (all Chinese, so all one
    width unstretched): its widest character box over its narrowest."""
    text = "".join(c[0] for c in chars)
    at = text.index(word)
    widths = [c[2] - c[1] for c in chars[at : at + len(word)]]
    return max(widths) / min(widths)


@pytest.mark.parametrize("form", ["page", "fragment"])
def test_on_a_phone_a_table_that_scrolls_shows_it_and_the_download_address_breaks(form, tmp_path):
    """At 390 px (a phone) every table is wider than the screen: it has a shadow on the side
    where more of it is, and in the page the line "左右滑动查看" under it; at 1280 px no table
    scrolls and the line is not there.  The address may break anywhere, so the line before it
    keeps its spacing (it was stretched to 「电 子 版 可 在」)."""
    report = load_file(EXAMPLE_2023).report
    if form == "page":
        text = render_html.render(report).decode("utf-8")
    else:  # the fragment as a site's page carries it
        fragment = render_html.render_fragment(report).decode("utf-8-sig")
        text = f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>{fragment}</body></html>'
    phone, desk = measured(text, 390, tmp_path), measured(text, 1280, tmp_path)
    assert len(phone["tables"]) == len(desk["tables"]) == 3
    assert all(t["scrolls"] and t["shadow"] for t in phone["tables"]), phone["tables"]
    assert not any(t["scrolls"] for t in desk["tables"]), desk["tables"]
    hint = f'"{render_html.SCROLL_HINT}"'
    assert [t["hint"] for t in phone["tables"]] == [hint if form == "page" else "none"] * 3
    assert [t["hint"] for t in desk["tables"]] == ["none"] * 3
    for layout_ in (phone, desk):
        assert stretch(layout_["chars"], "本报告的电子版可在") < 1.2  # not 「电 子 版 可 在」
        assert stretch(layout_["chars"], "对本报告如有疑问") < 1.2


def test_the_scroll_hint_is_style_not_text_and_addresses_are_spans():
    """The hint comes from the style sheet: not text of the report, which the importer reads
    back.  An address is a span that may break anywhere, inline-styled in the fragment."""
    report = load_file(EXAMPLE_2023).report
    text = render_html.render(report).decode("utf-8")
    root = lxml_html.fromstring(text)
    assert render_html.SCROLL_HINT not in root.find("body").text_content()
    assert '<span class="address">https://qingshan.example.gov.cn/xxgk</span>下载' in text
    assert "span.address{word-break:break-all}" in text
    fragment = render_html.render_fragment(report).decode("utf-8-sig")
    assert '<span style="word-break:break-all">https://qingshan.example.gov.cn/xxgk</span>下载' in fragment
    assert render_html.SCROLL_HINT not in fragment and fragment.count("radial-gradient(farthest-side at 100% 50%") == 3
    assert render_html.breakable("写信至 qsz@example.gov.cn。网址www.example.cn/a?b=1，", fragment=False) == (
        '写信至 <span class="address">qsz@example.gov.cn</span>。网址<span class="address">www.example.cn/a?b=1</span>，'
    )
    assert render_html.breakable("<b>&", fragment=True) == "&lt;b&gt;&amp;"
