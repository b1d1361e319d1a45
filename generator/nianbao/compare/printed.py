"""The comparison as a printed document (``nianbao compare … -o 比对.pdf``).

The PDF comes the way every PDF of nianbao does (:mod:`nianbao.render.pdf`): a DOCX laid
out by LibreOffice, with stand-ins for the official fonts the machine lacks and dates
taken from the report, so the same input gives the same PDF and no browser is needed on
a clerk's machine.  The DOCX is built here with python-docx: A4 landscape, the rates,
the ten largest moves, the checks, the narratives side by side in a two-column table
(copied passages underlined and highlighted, stale years bold with a wavy underline:
readable in grey), every cell of the tables (changed rows first, the rows zero in both
years folded into one line; a wrong printed total shown as printed with the sum of its
parts), the findings.  Every page carries a running head (the unit and the two years)
and its number (第 N 页 共 M 页).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_UNDERLINE
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..check.repetition import DEFINITIONS
from ..render import pdf as pdf_path
from .changes import figure
from .page import LEGEND_COPIED, LEGEND_STALE, groups, moves_heading, percent, same_text, unweighed_note
from .pair import COPIED, STALE, Comparison, Piece

BODY_FONT, HEAD_FONT = "宋体", "黑体"  # official names: LibreOffice is told their stand-ins (render.fontsubst)


def _font(style_or_run, name: str, size: float | None = None) -> None:
    """Latin and East Asian font of a style or run (python-docx sets only the Latin one)."""
    font = style_or_run.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    properties = style_or_run.element.get_or_add_rPr() if hasattr(style_or_run.element, "get_or_add_rPr") else style_or_run.element.rPr
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):  # a theme font overrides the named one
        fonts.attrib.pop(qn(theme), None)


def _marked(paragraph, pieces: list[Piece]) -> None:
    for piece in pieces:
        run = paragraph.add_run(piece.text)
        if COPIED in piece.marks:
            run.font.underline = WD_UNDERLINE.SINGLE
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if STALE in piece.marks:
            run.font.bold = True
            run.font.underline = WD_UNDERLINE.WAVY_HEAVY


def _table(document, head: list[str], rows: list[list[str]], widths: list[float], figures_from: int | None = None):
    """A grid table with ``head`` repeated on every page; columns from ``figures_from`` on
    hold figures and align right."""
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)  # the grid LibreOffice lays out by
    for cell, text, width in zip(table.rows[0].cells, head, widths):
        cell.text = text
        cell.width = Mm(width)
        cell.paragraphs[0].runs[0].font.bold = True
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = header.makeelement(qn("w:tblHeader"), {})
    header.append(repeat)
    for values in rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(row._tr.makeelement(qn("w:cantSplit"), {}))  # a row is never cut by a page
        cells = row.cells
        for n, (cell, text, width) in enumerate(zip(cells, values, widths)):
            cell.text = text
            cell.width = Mm(width)
            if figures_from is not None and n >= figures_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _kept_together(table)
    return table


KEPT_WHOLE = 12  # rows: a table this short is never split across pages; a longer one keeps its last rows (the 总计) together


def _kept_together(table) -> None:
    """A short table on one page, and a long one's last three rows on the same page with
    their header: a 总计 row alone at the top of a page, or a heading left at the foot of
    one with its table on the next, reads as a table of its own.  (Word and LibreOffice keep
    a row with the next where its paragraphs say keep-with-next.)"""
    rows = list(table.rows)
    held = rows[:-1] if len(rows) <= KEPT_WHOLE + 1 else [rows[0], *rows[-3:-1]]
    for row in held:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _field(paragraph, instruction: str) -> None:
    """A field Word and LibreOffice fill in on each page (PAGE, NUMPAGES)."""
    simple = paragraph._p.makeelement(qn("w:fldSimple"), {qn("w:instr"): f" {instruction} "})
    run = simple.makeelement(qn("w:r"), {})
    text = run.makeelement(qn("w:t"), {})
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _head_and_foot(section, head: str) -> None:
    """The running head (the unit and the years) and the page number on every page."""
    top = section.header.paragraphs[0]
    top.text = head
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in top.runs:
        _font(run, BODY_FONT, 9)
    bottom = section.footer.paragraphs[0]
    bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if piece in ("PAGE", "NUMPAGES"):
            _field(bottom, piece)
        else:
            _font(bottom.add_run(piece), BODY_FONT, 9)


def _figure_cell(value, parts) -> str:
    return figure(value) if parts is None else f"{figure(value)}（印错，各项之和{figure(parts)}）"


def document(c: Comparison) -> bytes:
    """The DOCX of the comparison: A4 landscape, its parts in the page's order."""
    doc = Document()
    _page_and_styles(doc, c)

    doc.add_heading(c.title, level=0).runs[0].font.size = Pt(18)
    doc.add_paragraph(f"上一年度：{c.last.shown}（{c.last.report.year}年度）；本年度：{c.this.shown}（{c.this.report.year}年度）")
    for note in c.notes:
        doc.add_paragraph(note, style="List Bullet").runs[0].font.bold = True

    for part in (_rates, _moves, _crossyear, _texts, _tables, _findings):
        part(doc, c)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_and_styles(doc: Any, c: Comparison) -> None:
    """The page (A4 landscape, its running head and foot), the fonts and the document's properties."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(16)
    section.header_distance = section.footer_distance = Mm(7)
    _head_and_foot(section, c.running_head)
    _font(doc.styles["Normal"], BODY_FONT, 10.5)
    doc.styles["Normal"].paragraph_format.space_after = Pt(2)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.15
    for language in doc.styles.element.iter(qn("w:lang")):  # the defaults say en-US: Chinese line breaking
        language.set(qn("w:eastAsia"), "zh-CN")
    for name in ("Title", "Heading 1", "Heading 2"):
        _font(doc.styles[name], HEAD_FONT)
        doc.styles[name].font.color.rgb = None
    doc.core_properties.title = c.title
    doc.core_properties.author = c.this.report.unit_name


def _rates(doc: Any, c: Comparison) -> None:
    """一、the repetition rates, each with its definition."""
    r = c.rates
    unweighed = unweighed_note(c)
    doc.add_heading("一、重复率", level=1)
    _table(doc, ["重复率", "数值", "定义"], [
        ["文字重复率", percent(r.text), DEFINITIONS["text"] + f"（正文{figure(r.text_chars)}字中{figure(r.copied_chars)}字）"],
        ["表格重复率", percent(r.tables), DEFINITIONS["tables"] + f"（计入的{figure(r.cells)}格中{figure(r.same_cells)}格）"],
        ["总体重复率", percent(r.overall), DEFINITIONS["overall"]],
        *([heading, percent(share), unweighed(heading)] for heading, share in r.sections.items()),
    ], [75, 25, 167])
    doc.add_paragraph(DEFINITIONS["sections"])


def _moves(doc: Any, c: Comparison) -> None:
    """二、the largest moves of tables 三 and 四, then of table 二."""
    doc.add_heading(f"二、{moves_heading(len(c.moves))}", level=1)
    for m in c.moves:
        doc.add_paragraph(m.sentence(), style="List Number")
    if c.moves:
        doc.add_paragraph("依申请公开（表三）和行政复议、行政诉讼（表四）在前，按增减的件数排列；两年各栏都相同的行只列一次；印错的总计按各项之和计算增减。")
    else:
        doc.add_paragraph("两年表三、表四各行的总计没有变化。")
    doc.add_heading(f"主动公开（表二）：{moves_heading(len(c.proactive))}", level=2)
    for m in c.proactive:
        doc.add_paragraph(m.sentence(), style="List Number 2")


def _crossyear(doc: Any, c: Comparison) -> None:
    """三、the cross-year rules (X1–X5) and the figures the text quotes (R6)."""
    doc.add_heading("三、跨年度核对", level=1)
    if not c.adjacent:
        doc.add_paragraph("两份报告不是相邻年度，上年结转和表二的存量（X1–X3）无从核对，未核对。")
    elif not c.carried:
        doc.add_paragraph("上年结转和表二的存量与上一年度报告一致（X1–X3 未发现问题）。")
    for f in c.crossyear:
        doc.add_paragraph(f.labelled(), style="List Bullet")
    doc.add_heading("文字与表格的数字（R6）", level=2)
    for f in c.quoted:
        doc.add_paragraph(f.labelled(), style="List Bullet")
    if not c.quoted:
        doc.add_paragraph("本年度报告正文中提到的申请、复议、诉讼件数与表格一致。")


def _texts(doc: Any, c: Comparison) -> None:
    """四、the narratives side by side, the runs copied from last year and the stale years marked."""
    doc.add_heading("四、正文对照", level=1)
    legend = doc.add_paragraph()
    _marked(legend, [Piece("下划线并加底色", frozenset({COPIED}))])
    legend.add_run(f"：{LEGEND_COPIED}（左栏标出本年沿用的部分）；")
    _marked(legend, [Piece("2019年", frozenset({STALE}))])
    legend.add_run(f" 加粗并加波浪线：{LEGEND_STALE}。开头的说明段落各年相同，不比对。")
    texts = doc.add_table(rows=1, cols=2)
    texts.style = "Table Grid"
    texts.autofit = False
    for column in texts.columns:
        column.width = Mm(133)
    for cell, year in zip(texts.rows[0].cells, (c.last.report.year, c.this.report.year)):
        cell.text = f"{year}年度"
        cell.paragraphs[0].runs[0].font.bold = True
    for n in c.narratives:
        row = texts.add_row()
        title = row.cells[0].merge(row.cells[1])
        title.text = n.heading + (f"（重复率 {percent(n.rate)}）" if n.rate is not None else "")
        title.paragraphs[0].runs[0].font.bold = True
        row = texts.add_row()
        for cell, paragraphs, missing in ((row.cells[0], n.last, "（上一年度报告无此部分）"), (row.cells[1], n.this, "（本年度报告无此部分）")):
            first = cell.paragraphs[0]
            if not paragraphs:
                first.add_run(missing)
            for i, pieces in enumerate(paragraphs):
                _marked(first if i == 0 else cell.add_paragraph(), pieces)


def _tables(doc: Any, c: Comparison) -> None:
    """五、the tables cell by cell: changed items, then those the same both years, then the zeros."""
    doc.add_heading("五、表格逐格对照", level=1)
    intro = doc.add_paragraph("增减幅度 = （本年 − 上年）÷ 上年；上年为0时无法计算，记为“—”。每个表先列有变化的项目，再列两年相同的（每项一行）；两年各栏均为0的项目合为一行。"
                      + ("印错的总计照原样列出并注明各项之和，增减按各项之和计算。" if c.defects else ""))
    intro.paragraph_format.keep_with_next = True  # the section's heading and note go with its first table, never alone at a page's foot
    for t in groups(c.changes):
        doc.add_heading(t.title, level=2)
        lines: list[list[str]] = []
        merged: list[int] = []
        for row, cells in t.changed:
            lines += [[row if i == 0 else "", ch.cell.column, _figure_cell(ch.last, ch.last_parts), _figure_cell(ch.this, ch.this_parts), ch.change_text(), ch.percent_text()]
                      for i, ch in enumerate(cells)]
        for row, cells in t.same:
            merged.append(len(lines))
            lines.append([f"{row}：{same_text(cells)}", "", "", "", "", ""])
        if t.zero:
            merged.append(len(lines))
            lines.append([f"两年各栏均为0的项目（{len(t.zero)}项）：" + "；".join(t.zero), "", "", "", "", ""])
        table = _table(doc, ["项目", "栏目", f"{c.last.report.year}年", f"{c.this.report.year}年", "增减", "增减幅度"], lines, [90, 45, 38, 38, 28, 28], figures_from=2)
        for at in merged:  # a line of its own across the table
            row = table.rows[at + 1]
            cell = row.cells[0].merge(row.cells[-1])
            for empty in cell.paragraphs[1:]:  # the merged cells' empty paragraphs would make the row tall
                if not empty.text:
                    empty._p.getparent().remove(empty._p)


def _findings(doc: Any, c: Comparison) -> None:
    """六、each report's own findings."""
    doc.add_heading("六、两份报告的检查结果", level=1)
    for side, name in ((c.this, "本年度"), (c.last, "上一年度")):
        doc.add_heading(f"{name}（{side.shown}）：" + ("未发现问题" if not side.findings else f"{len(side.findings)}条"), level=2)
        for f in side.findings:
            doc.add_paragraph(f.labelled(), style="List Bullet")


def pdf(c: Comparison) -> bytes:
    """The PDF, through LibreOffice (raises :class:`nianbao.render.office.OfficeUnavailable`)."""
    data = document(c)
    date = c.this.report.get(("unit", "date")) or dt.date(c.this.report.year + 1, 1, 1)
    done = pdf_path.convert([("compare", data, date)])
    if "compare" not in done:
        from ..render.office import OfficeUnavailable

        raise OfficeUnavailable("LibreOffice 未能生成 PDF")
    return done["compare"]
