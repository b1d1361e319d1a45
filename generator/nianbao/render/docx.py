"""DOCX output, the pandoc way: ``word/document.xml`` from a jinja2 template, appended to
a pre-zipped copy of the reference document's other parts (styles, footers, settings).

Rendering a report is then one template render and one zip entry — milliseconds —
and the output is byte-identical for the same input: fixed entry times, the reference's
fixed core properties.  python-docx builds the reference (:mod:`nianbao.reference`)
and reads the output back in the tests.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from .outline import Document, build, environment, paragraphs
from .grid import Grid
from ..output import zip_entry
from ..report import Report
from ..resources import templates_dir

DOCUMENT = "word/document.xml"
TEXT_WIDTH = 8844  # twips: 156 mm
TITLE_CHARS = 20  # a longer title wraps into two lines (GB/T 9704: trapezoid shape)

# Relative widths of the label columns per table; number columns share the rest equally.
LABEL_WIDTHS = {0: [2844], 3: [1000, 1200, 2700]}


class ReferenceError(Exception):
    """The reference document is not a usable DOCX."""


@dataclass
class _Package:
    head: bytes  # a zip holding every part except word/document.xml
    sect: str  # the body's sectPr


@lru_cache(maxsize=8)
def _package(path: str, mtime: float) -> _Package:
    try:
        with zipfile.ZipFile(path) as source:
            names = source.namelist()
            if DOCUMENT not in names:
                raise ReferenceError(f"{Path(path).name} 不是有效的 Word 文档（缺少 {DOCUMENT}）")
            body = source.read(DOCUMENT).decode("utf-8")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for name in sorted(names, key=lambda n: (n != "[Content_Types].xml", n)):
                    if name != DOCUMENT:
                        target.writestr(zip_entry(name), source.read(name))
    except zipfile.BadZipFile as exc:
        raise ReferenceError(f"{Path(path).name} 不是有效的 Word 文档（{exc}）") from exc
    sect = re.findall(r"<w:sectPr[ >].*?</w:sectPr>", body, flags=re.S)
    if not sect:
        raise ReferenceError(f"{Path(path).name} 没有页面设置（w:sectPr）")
    return _Package(out.getvalue(), sect[-1])


def package(reference: Path | None = None) -> _Package:
    path = Path(reference) if reference else templates_dir() / "reference.docx"
    return _package(str(path.resolve()), path.stat().st_mtime)


@dataclass
class _Cell:
    text: str
    width: int
    span: int
    vmerge: str | None
    style: str


@dataclass
class _Row:
    header: bool
    cells: list[_Cell]


@dataclass
class _Table:
    width: int
    columns: list[int]
    rows: list[_Row]


def column_widths(grid: Grid) -> list[int]:
    labels = LABEL_WIDTHS.get(grid.label_cols, [])[: grid.label_cols]
    rest = grid.ncols - len(labels)
    share = (TEXT_WIDTH - sum(labels)) // rest
    return labels + [share] * rest


def docx_rows(grid: Grid) -> _Table:
    """The grid as WordprocessingML rows: a cell per grid position not covered by a
    horizontal span; positions under a vertical span get a ``vMerge`` continuation."""
    widths = column_widths(grid)
    starts = {(c.row, c.col): c for c in grid.cells}
    below: dict[tuple[int, int], object] = {}
    for cell in grid.cells:
        for r in range(cell.row + 1, cell.row + cell.rowspan):
            below[(r, cell.col)] = cell
    rows = []
    for r in range(grid.nrows):
        cells, c = [], 0
        while c < grid.ncols:
            cell = starts.get((r, c)) or below.get((r, c))
            if cell is None:
                raise ValueError(f"{grid.name}: no cell at row {r}, column {c}")
            width = sum(widths[c : c + cell.colspan])
            if (r, c) in starts:
                vmerge = "restart" if cell.rowspan > 1 else None
                style = "nbTableLabel" if cell.kind in ("label", "group") else "nbTable"
                cells.append(_Cell(cell.text, width, cell.colspan, vmerge, style))
            else:
                cells.append(_Cell("", width, cell.colspan, "continue", "nbTable"))
            c += cell.colspan
        rows.append(_Row(r < grid.header_rows, cells))
    return _Table(sum(widths), widths, rows)


def title_lines(title: str) -> list[str]:
    """A long title in two lines, the first longer (the trapezoid of GB/T 9704)."""
    if len(title) <= TITLE_CHARS:
        return [title]
    suffix = "年政府信息公开工作年度报告"
    if title.endswith(suffix) and len(title) - len(suffix) + 1 <= TITLE_CHARS:
        cut = len(title) - len("政府信息公开工作年度报告")
        return [title[:cut], title[cut:]]
    half = (len(title) + 1) // 2
    return [title[:half], title[half:]]


@lru_cache(maxsize=1)
def _template():
    return environment().overlay(autoescape=True).get_template("document.xml.j2")


def document_xml(document: Document, sect: str) -> str:
    template = _template()
    return template.render(
        doc=document,
        sect=Markup(sect),
        tables=docx_rows,
        paragraphs=paragraphs,
        title_lines=title_lines(document.title),
    )


def render(report: Report, reference: Path | None = None) -> bytes:
    pkg = package(reference)
    xml = document_xml(build(report), pkg.sect).encode("utf-8")
    out = io.BytesIO(pkg.head)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr(zip_entry(DOCUMENT), xml)
    return out.getvalue()
