"""Tables never cut their labels (#20.2): table 三 and table 四 are each kept on one page
with their heading, whatever the page they start on; table 二 breaks only between its
blocks.  Measured in LibreOffice: the same report with narratives of several lengths
before the tables, so that each table starts higher or lower on its page, converted to
PDF; each page's table cells are read back with pdfplumber (a cell cut by a page break
shows as two fragments, ``三、本年`` and ``度办理结果``, on two pages)."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit

from nianbao.read.load import load_text
from nianbao.render import grid as layout
from nianbao.render import pdf
from nianbao.render.docx import render, report_date

EXTRA_LINES = (0, 3, 6, 9, 12, 15, 18)  # one-line paragraphs added before the tables
LINE = "开展政务公开业务培训一次。"  # 13 characters: one line of 28 with its indent


def _with_extra_lines(source: str, key: str, n: int) -> str:
    """The example with ``n`` one-line paragraphs added to the narrative ``key`` (the
    last one before the tables), as a YAML block."""
    line = next(row for row in source.split("\n") if row.lstrip().startswith(f"{key}:"))
    indent = line[: len(line) - len(line.lstrip())]
    text = re.search(rf"(?m)^{re.escape(line)}\n((?:{indent}  .*\n)+)", source)
    assert text, key
    extra = "".join(f"{indent}  {LINE}\n" for _ in range(n))
    return edit(source, text.group(0), text.group(0) + extra)


def _pages(example, key: str) -> tuple[object, list[tuple[list[str], str]]]:
    """The report's spec and, for each variant, each page's table cells and text."""
    source = example.read_text(encoding="utf-8")
    documents = []
    for n in EXTRA_LINES:
        loaded = load_text(_with_extra_lines(source, key, n))
        assert loaded.report is not None, loaded.findings
        documents.append((str(n), render(loaded.report), report_date(loaded.report)))
    spec = loaded.report.spec
    pdfs = pdf.convert(documents)
    out = []
    for n in EXTRA_LINES:
        with pdfplumber.open(io.BytesIO(pdfs[str(n)])) as document:
            pages = []
            for page in document.pages:
                cells = [re.sub(r"\s+", "", c or "") for table in page.extract_tables() for row in table for c in row]
                pages.append(([c for c in cells if c], re.sub(r"\s+", "", page.extract_text() or "")))
            out.append(pages)
    return spec, out


def _labels(table: layout.Grid) -> list[str]:
    """Every written label of a table (headers, row and group labels), as the spec says."""
    return [re.sub(r"\s+", "", c.text) for c in table.cells if c.kind != "number" and c.text.strip()]


def _on_one_page(labels: list[str], heading: str, pages: list[tuple[list[str], str]]) -> int | None:
    """The page holding every label of a table (and its heading), if one does."""
    for number, (cells, text) in enumerate(pages, start=1):
        if all(label in cells for label in labels) and heading in text:
            return number
    return None


@pytest.fixture(scope="module", params=[(EXAMPLE_2023, "oversight"), (EXAMPLE_2020, "overview")], ids=["v2021", "v2019"])
def variants(request):
    """Both formats, each with the narrative before section 二 made longer in steps."""
    return _pages(*request.param)


def test_table_three_and_four_are_each_on_one_page_with_their_heading(variants):
    spec, documents = variants
    tables = {"applications": layout.table3(spec, None), "appeals": layout.table4(spec, None)}
    homes = set()
    for n, pages in zip(EXTRA_LINES, documents):
        for key, table in tables.items():
            heading = re.sub(r"\s+", "", spec.section(key).heading)
            page = _on_one_page(_labels(table), heading, pages)
            assert page is not None, (n, table.name, [cells for cells, _ in pages])
            if key == "applications":  # where it starts: the page, and how full the page before it is
                homes.add((page, len(pages[page - 2][1])))
        # a side label cut by a page break would leave a fragment on a page
        side = next(c.text for c in tables["applications"].cells if c.kind == "label" and c.rowspan > 3)
        assert sum(side in cells for cells, _ in pages) == 1, n
    assert len(homes) >= 3, "table 三 started at the same place in most variants: the test would not see a page break"


def test_table_two_breaks_only_between_blocks(variants):
    spec, documents = variants
    table = layout.table2(spec, None)
    groups = sorted(c.row for c in table.cells if c.kind == "group")
    blocks = []
    for i, start in enumerate(groups):
        end = groups[i + 1] if i + 1 < len(groups) else table.nrows
        blocks.append([re.sub(r"\s+", "", c.text) for c in table.cells if start <= c.row < end and c.kind != "number" and c.text.strip()])
    split = 0
    for n, pages in zip(EXTRA_LINES, documents):
        homes = []
        for block in blocks:
            home = [p for p, (cells, _) in enumerate(pages, start=1) if all(label in cells for label in block)]
            assert home, (n, block[0], [cells for cells, _ in pages])  # the whole block on one page
            homes.append(home[0])
        split += len(set(homes)) > 1
    assert split, "no variant broke table 二 across pages: the test would not see a block cut"


def test_in_the_docx_every_row_of_tables_three_and_four_but_the_last_keeps_with_the_next():
    """What Word is told too: keep-with-next on each paragraph of each row but the last,
    rows never split, the header rows repeated, and the section heading kept with the table."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    report = load_text(EXAMPLE_2023.read_text(encoding="utf-8")).report
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(render(report))).read("word/document.xml"))
    tables = body.findall(f"{w}body/{w}tbl")
    assert len(tables) == 3
    for grid, table in zip((layout.table3(report.spec, report), layout.table4(report.spec, report)), tables[1:]):
        rows = table.findall(f"{w}tr")
        assert len(rows) == grid.nrows
        kept = [all(p.find(f"{w}pPr/{w}keepNext") is not None for p in row.iter(f"{w}p")) for row in rows]
        assert kept == [True] * (len(rows) - 1) + [False], grid.name
        assert all(row.find(f"{w}trPr/{w}cantSplit") is not None for row in rows)
        assert [row.find(f"{w}trPr/{w}tblHeader") is not None for row in rows] == [r < grid.header_rows for r in range(len(rows))]
        heading = table.getprevious()
        assert heading.find(f"{w}pPr/{w}pStyle").get(f"{w}val") == "nbHeading1"  # kept with the next by its style


def _tall_reference(folder) -> object:
    """The bundled reference with table lines three times as tall (45 pt): table 二 and
    table 三 become longer than a page."""
    import zipfile

    from nianbao.render.resources import templates_dir

    source = zipfile.ZipFile(templates_dir() / "reference.docx")
    path = folder / "高表格.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/styles.xml":
                assert data.count(b'w:line="300" w:lineRule="exact"') == 2  # nbTable, nbTableLabel
                data = data.replace(b'w:line="300" w:lineRule="exact"', b'w:line="900" w:lineRule="exact"')
            target.writestr(name, data)
    return path


def test_a_table_longer_than_a_page_breaks_between_blocks_with_its_header_repeated(tmp_path):
    report = load_text(EXAMPLE_2023.read_text(encoding="utf-8")).report
    data = pdf.convert([("tall", render(report, reference=_tall_reference(tmp_path)), report_date(report))])["tall"]
    with pdfplumber.open(io.BytesIO(data)) as document:
        pages = [[re.sub(r"\s+", "", c or "") for table in page.extract_tables() for row in table for c in row] for page in document.pages]
    two, three = layout.table2(report.spec, None), layout.table3(report.spec, None)
    groups = sorted(c.row for c in two.cells if c.kind == "group")
    homes = set()
    for i, start in enumerate(groups):
        end = groups[i + 1] if i + 1 < len(groups) else two.nrows
        block = [re.sub(r"\s+", "", c.text) for c in two.cells if start <= c.row < end and c.kind != "number" and c.text.strip()]
        home = [p for p, cells in enumerate(pages) if all(label in cells for label in block)]
        assert home, block[0]
        homes.add(home[0])
    assert len(homes) > 1  # table 二 took more than a page, and broke between blocks
    header = [re.sub(r"\s+", "", c.text) for c in three.cells if c.row < three.header_rows and c.text.strip()]
    rows = [re.sub(r"\s+", "", c.text) for c in three.cells if c.row >= three.header_rows and c.kind == "label" and c.rowspan == 1]
    spanned = [p for p, cells in enumerate(pages) if any(label in cells for label in rows)]
    assert len(spanned) > 1
    for p in spanned:  # each page of table 三 starts with its three header rows
        assert all(label in pages[p] for label in header), p
    assert sorted(label for p in spanned for label in rows if label in pages[p]) == sorted(rows)  # no row lost or cut
