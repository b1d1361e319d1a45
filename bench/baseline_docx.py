"""The baseline for bench/render.py: the same report built from scratch through
python-docx's public API, as a plain script would (styles set per run, merges with
``cell.merge``), saved to memory."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from nianbao.model.report import Report
from nianbao.render import grid as layout
from nianbao.render.outline import build, paragraphs


def _run(paragraph, text: str, font: str, size: float, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = font
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def render(report: Report) -> bytes:
    doc = build(report)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, doc.title, "方正小标宋简体", 22)
    for text in paragraphs(doc.preamble):
        _run(document.add_paragraph(), "\u3000\u3000" + text, "仿宋_GB2312", 16)
    for section_ in doc.sections:
        _run(document.add_paragraph(), section_.heading, "黑体", 16)
        for part in section_.parts:
            if part.heading:
                _run(document.add_paragraph(), part.heading, "楷体_GB2312", 16)
            if part.table:
                grid = part.table
                table = document.add_table(rows=grid.nrows, cols=grid.ncols)
                table.style = "Table Grid"
                for cell in grid.cells:
                    target = table.cell(cell.row, cell.col)
                    if cell.rowspan > 1 or cell.colspan > 1:
                        target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
                    paragraph = target.paragraphs[0]
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _run(paragraph, cell.text, "仿宋_GB2312", 10)
            for text in paragraphs(part.text):
                _run(document.add_paragraph(), "\u3000\u3000" + text, "仿宋_GB2312", 16)
    for text in (doc.signature_name, doc.signature_date):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, text, "仿宋_GB2312", 16)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


__all__ = ["render", "layout"]
