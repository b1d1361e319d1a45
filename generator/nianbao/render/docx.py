"""DOCX output, the pandoc way: ``word/document.xml`` written from the outline, appended to
a pre-zipped copy of the reference document's other parts (styles, footers, settings),
made once per process and reference.

Rendering a report is then one body and two zip entries — about a millisecond, under
three times the least a DOCX can cost (deflating its body) — and the output is byte-identical for the same input: fixed entry times, and document
properties that come from the report (title, author = the unit, dates = the report's
date), never from the clock.  python-docx builds the reference
(:mod:`nianbao.render.reference`) and reads the output back in the tests.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import escape

from ..errors import NianbaoError
from ..model.report import Report
from ..system.output import zip_entry
from .grid import Grid, column_widths
from .outline import UNRESOLVED, Document, Unresolved, build, paragraphs
from .resources import templates_dir

DOCUMENT = "word/document.xml"
CORE = "docProps/core.xml"  # title, author, dates: the report's own
TITLE_CHARS = 20  # a longer title wraps into two lines (GB/T 9704: trapezoid shape)



class ReferenceDocumentError(NianbaoError):
    """The reference document is not a usable DOCX."""


@dataclass
class _Package:
    head: bytes  # a zip holding the reference's look: every kept part but word/document.xml and the core properties
    sect: str  # the body's sectPr
    core: bool  # the package declares core properties (always: the report's own)
    notes: tuple[str, ...] = ()  # what was left out of the reference, for the clerk (Chinese)


APP = "docProps/app.xml"


@lru_cache(maxsize=8)
def _package(path: str, mtime: float) -> _Package:
    """The reference's look (:func:`.styles_only.clean`: styles, numbering, theme, fonts,
    settings, page setup, headers and footers — no macros, links out, attached template,
    custom data or embedded objects), zipped once; read within the bounds of
    :mod:`safezip`, and refused when a part declares a DTD."""
    from ..system import safezip
    from . import styles_only

    name = Path(path).name
    kind = "样式参考文档"
    try:
        with safezip.open_package(Path(path), kind) as source:
            names = source.namelist()
            if DOCUMENT not in names and "_rels/.rels" not in names:
                raise ReferenceDocumentError(f"{name} 不是有效的 Word 文档（缺少 {DOCUMENT}）")
            parts = {n: safezip.read_part(source, n, kind) for n in names if not n.endswith("/")}
        for part, data in parts.items():
            if part.endswith((".xml", ".rels")):
                safezip.declares(data, kind)
        cleaned = styles_only.clean(parts, core=CORE, app=APP)
    except safezip.BadPackage as exc:
        raise ReferenceDocumentError(f"{name}：{exc}") from exc
    except styles_only.UnusableReference as exc:
        raise ReferenceDocumentError(f"{name}：{exc}") from exc
    except UnicodeDecodeError as exc:
        raise ReferenceDocumentError(f"{name} 不是有效的 Word 文档（正文不是 UTF-8 的 XML）") from exc
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in sorted(cleaned.parts, key=lambda n: (n != "[Content_Types].xml", n)):
            target.writestr(zip_entry(part), cleaned.parts[part])
    return _Package(out.getvalue(), _checked_section(cleaned.sect), True, tuple(cleaned.notes))


HEADER = "word/header-nianbao-draft.xml"  # a draft's header: the mark on every page
HEADER_REL = "rIdNianbaoDraft"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
HEADER_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@lru_cache(maxsize=8)
def _draft_package(path: str, mtime: float) -> _Package:
    """The reference's look with one header on every page (first, odd and even) saying the
    document is a draft, in place of the reference's own headers: a page printed from a
    draft, or a page of its PDF, can never pass for the published report."""
    from lxml import etree

    from .outline import DRAFT_PAGE

    base = _package(path, mtime)
    with zipfile.ZipFile(io.BytesIO(base.head)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    types = etree.fromstring(parts["[Content_Types].xml"])
    ns = types.nsmap[None]
    etree.SubElement(types, f"{{{ns}}}Override", PartName=f"/{HEADER}", ContentType=HEADER_TYPE)
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels_name = "word/_rels/document.xml.rels"
    rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    rels = etree.fromstring(parts[rels_name]) if rels_name in parts else etree.Element(f"{{{rels_ns}}}Relationships", nsmap={None: rels_ns})
    etree.SubElement(rels, f"{{{rels.nsmap[None]}}}Relationship", Id=HEADER_REL, Type=HEADER_REL_TYPE, Target=HEADER.removeprefix("word/"))
    parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts[HEADER] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr xmlns:w="{W}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
        f'<w:r><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:color w:val="C00000"/><w:sz w:val="28"/></w:rPr><w:t>{escape(DRAFT_PAGE)}</w:t></w:r></w:p></w:hdr>'
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            target.writestr(zip_entry(part), parts[part])
    refs = "".join(f'<w:headerReference w:type="{kind}" r:id="{HEADER_REL}"/>' for kind in ("default", "even", "first"))
    sect = re.sub(r"<w:headerReference\b[^>]*/>", "", base.sect)
    sect = re.sub(r"<w:sectPr\b([^>]*?)/>", r"<w:sectPr\1></w:sectPr>", sect, count=1)
    sect = re.sub(r"(<w:sectPr\b[^>]*>)", lambda m: m.group(1) + refs, sect, count=1)
    return _Package(out.getvalue(), _checked_section(sect), base.core, base.notes)


def notes(reference: Path | None) -> tuple[str, ...]:
    """What was left out of a unit's reference document, one Chinese sentence per kind."""
    return package(reference).notes if reference else ()


def package(reference: Path | None = None, draft: bool = False) -> _Package:
    """The reference's look, made once per file and version (its path and time of change):
    a clerk who saves the reference again between two renders gets the new one."""
    path = os.path.abspath(reference if reference else templates_dir() / "reference.docx")
    return (_draft_package if draft else _package)(path, os.stat(path).st_mtime)


def _kept(nrows: int, header_rows: int, r: int, groups: set[int]) -> bool:
    """Whether row ``r`` is kept on one page with the next (``w:keepNext`` on its paragraphs).

    In a table of blocks (表二: an article's row, its header row, its items) every row of a
    block stays with the next, so that a block is never split and never starts a page
    without its label and header; a long 表二 breaks between blocks.  A table without
    blocks (表三, 表四) is kept whole: its side labels are cells merged down many rows
    (``vMerge``), which a page break would cut in two (``三、本年`` / ``度办理结果``), so
    every row but the last stays with the next and the table moves to the next page
    when it does not fit below its heading.  Word and LibreOffice keep the chain only
    while it fits on a page: a table longer than a page still breaks, between rows that
    ``cantSplit`` keeps whole, with its header rows repeated."""
    if r + 1 >= nrows:
        return False
    if r < header_rows or not groups:
        return True
    return r + 1 not in groups


WORD_JOINER = "\u2060"
_HYPHEN = re.compile(r"(?<=\d)-(?=\d)")
# what XML 1.0 cannot hold: the loaders refuse it in a report's text; a text that still
# carried one would make a document Word cannot open, so it is never written
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class UnwritableCharacter(NianbaoError):
    """A text holds a character XML cannot (a bug upstream: the loaders refuse them)."""


def runs(text: str) -> str:
    """A paragraph's text as a run; a hyphen between digits (0731-5550123) is glued to
    them with word joiners, which Word and LibreOffice both respect (LibreOffice breaks
    after a w:noBreakHyphen).  Every text of the body goes through here, escaped, so the
    body is well-formed by construction."""
    if not text:
        return ""
    if _NOT_XML.search(text):
        raise UnwritableCharacter(f"文字中有 Word 文档不能包含的控制字符：{text[:40]!r}")
    glued = _HYPHEN.sub(f"{WORD_JOINER}-{WORD_JOINER}", text) if "-" in text else text
    return f'<w:r><w:t xml:space="preserve">{escape(glued)}</w:t></w:r>'


def para(style: str, text: str, keep: bool = False, right: int | None = None) -> str:
    """One paragraph of ``style``; ``keep`` keeps it on the page of the next, ``right`` is a
    right indent in hundredths of a character (the signature's)."""
    indent = "" if right is None else f'<w:ind w:rightChars="{right}" w:right="{right * 16 // 5}"/>'
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{"<w:keepNext/>" if keep else ""}{indent}</w:pPr>{runs(text)}</w:p>'


@lru_cache(maxsize=4096)
def _paragraph(style: str, text: str, keep: bool) -> str:
    """A table cell's paragraph: a table's labels and most of its figures are the same in
    every report, so each is written once per process."""
    return para(style, text, keep)


_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
_TABLE_LOOK = ('<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="28" w:type="dxa"/><w:right w:w="28" w:type="dxa"/></w:tblCellMar>'
               '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>')


Position = tuple[int, int, int, int, str]  # a grid cell's row, column, row span, column span, kind


@lru_cache(maxsize=32)
def _plan(positions: tuple[Position, ...], nrows: int, ncols: int, header_rows: int, label_cols: int) -> tuple[tuple[tuple[int, str, str, bool], ...], str]:
    """The table's XML around its texts — the same for every report of a format, so worked
    out once: (pieces in order, each (index of the grid cell whose text follows, the XML
    before it, the text's paragraph style, whether the paragraph keeps with the next);
    the XML after the last)."""
    widths = column_widths(ncols, label_cols)
    edges = [0]
    for w in widths:
        edges.append(edges[-1] + w)
    starts = {(row, col): i for i, (row, col, _, _, _) in enumerate(positions)}
    below: dict[tuple[int, int], int] = {}
    for i, (row, col, rowspan, _, _) in enumerate(positions):
        for r in range(row + 1, row + rowspan):
            below[(r, col)] = i
    groups = {row for row, _, _, _, kind in positions if kind == "group"}  # the rows that open a block
    pieces: list[tuple[int, str, str, bool]] = []
    xml = (f'<w:tbl><w:tblPr><w:tblW w:w="{edges[-1]}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>{_BORDERS}</w:tblBorders>{_TABLE_LOOK}</w:tblPr>\n<w:tblGrid>'
           + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>")
    for r in range(nrows):
        keep = _kept(nrows, header_rows, r, groups)
        xml += "\n<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if r < header_rows else "\n<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        c = 0
        while c < ncols:
            at = starts.get((r, c))
            if at is None and (r, c) not in below:
                raise ValueError(f"no cell at row {r}, column {c}")
            _, _, rowspan, colspan, kind = positions[below[(r, c)] if at is None else at]
            vmerge = '<w:vMerge/>' if at is None else '<w:vMerge w:val="restart"/>' if rowspan > 1 else ""
            spans = f'<w:gridSpan w:val="{colspan}"/>' if colspan > 1 else ""
            xml += f'<w:tc><w:tcPr><w:tcW w:w="{edges[c + colspan] - edges[c]}" w:type="dxa"/>{spans}{vmerge}<w:vAlign w:val="center"/></w:tcPr>'
            if at is None:
                xml += para("nbTable", "", keep) + "</w:tc>"
            else:
                pieces.append((at, xml, "nbTableLabel" if kind in ("label", "group") else "nbTable", keep))
                xml = "</w:tc>"
            c += colspan
        xml += "</w:tr>"
    return tuple(pieces), xml + "\n</w:tbl>"


_planned: dict[tuple, tuple] = {}  # a grid's shape (format, table, cells) → its plan: no positions to gather per report


def table(grid: Grid) -> str:
    """An official table: fixed layout, single borders, each row kept whole (``cantSplit``),
    header rows repeated on a new page, rows chained by :func:`_kept`.  A cell per grid
    position not covered by a horizontal span; positions under a vertical span get a
    ``vMerge`` continuation.  The XML around the texts is planned once per format
    (:func:`_plan`); a report adds its texts."""
    cells = grid.cells
    plan = _planned.get((grid.shape, len(cells))) if grid.shape else None
    if plan is None:
        plan = _plan(tuple((c.row, c.col, c.rowspan, c.colspan, c.kind) for c in cells), grid.nrows, grid.ncols, grid.header_rows, grid.label_cols)
        if grid.shape:
            _planned[(grid.shape, len(cells))] = plan
    pieces, end = plan
    return "".join([before + _paragraph(style, cells[at].text, keep) for at, before, style, keep in pieces]) + end


def _width(text: str) -> float:
    """Width in characters of the body's font: a digit or a Latin letter is half of one,
    and Word and LibreOffice put a quarter of one between Chinese and digits (autospace)."""
    width = sum(0.5 if ch.isascii() else 1.0 for ch in text)
    return width + 0.25 * len(re.findall(r"(?<=[0-9A-Za-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[0-9A-Za-z])", text))


def signature_indents(name: str, date: str) -> tuple[int, int]:
    """GB/T 9704-2012 §7.3.5, a document without a seal: the issuer's name two characters
    from the right; the date on the line below, its first character two characters right
    of the name's first; a date longer than that is itself two characters from the right
    and the name moves left to keep the offset.  (name, date) right indents, in
    hundredths of a character (``w:rightChars``)."""
    if not date:
        return 200, 200
    name_right = 2.0
    date_right = name_right + _width(name) - 2 - _width(date)
    if date_right < 2:
        date_right = 2.0
        name_right = date_right - _width(name) + 2 + _width(date)
    return round(name_right * 100), round(date_right * 100)


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


# what follows w:pgNumType in a w:sectPr (CT_SectPr's sequence)
_AFTER_PAGE_NUMBERS = re.compile(r"<w:(?:cols|formProt|vAlign|noEndnote|titlePg|textDirection|bidi|rtlGutter|docGrid|printerSettings|sectPrChange)\b|</w:sectPr>")


def numbered_from_one(sect: str) -> str:
    """``sect`` with its pages numbered from 1: the report after a draft's page of errors is
    numbered as it will be published."""
    if "<w:pgNumType" in sect:
        return re.sub(r"<w:pgNumType\b([^>]*?)(?:\s+w:start=\"\d*\")?([^>]*?)(/?)>", r'<w:pgNumType\1\2 w:start="1"\3>', sect, count=1)
    at = _AFTER_PAGE_NUMBERS.search(sect)
    if at is None:  # <w:sectPr/>
        return re.sub(r"<w:sectPr\b([^>]*?)/>", r'<w:sectPr\1><w:pgNumType w:start="1"/></w:sectPr>', sect, count=1)
    return sect[: at.start()] + '<w:pgNumType w:start="1"/>' + sect[at.start():]


@lru_cache(maxsize=8)
def _numbered(sect: str) -> str:
    return _checked_section(numbered_from_one(sect))


HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>')


def document_xml(document: Document, sect: str) -> str:
    """word/document.xml: the title, the preamble, the six sections with their tables and
    narratives, the signature, then the reference's ``sectPr``, copied verbatim so its
    margins, grid and footers apply.  The last paragraph of the text keeps with the
    signature, so that a page never holds the signature and date alone (GB/T 9704 §7.3.5).
    A draft's page of errors is a section of its own (the same page setup), so that the
    report after it is numbered from 1.  Written in Python, not a template: a report is
    ~60 paragraphs and ~300 table cells, and a template's call per piece cost more than
    the rest of the render (every text goes through :func:`runs`)."""
    out = [HEAD]
    add = out.append
    if document.draft:
        add(f'\n<w:p><w:pPr><w:pStyle w:val="nbTitle"/></w:pPr><w:r><w:rPr><w:color w:val="C00000"/></w:rPr><w:t>{escape(document.draft)}</w:t></w:r></w:p>')
    if document.unresolved:
        add("\n" + para("nbBody", ""))
        add('\n<w:p><w:pPr><w:pStyle w:val="nbHeading1"/><w:ind w:firstLineChars="0" w:firstLine="0"/></w:pPr>'
            f'<w:r><w:rPr><w:color w:val="C00000"/></w:rPr><w:t>{escape(UNRESOLVED)}</w:t></w:r></w:p>')
        for n, line in enumerate(document.unresolved.errors, 1):
            add('\n<w:p><w:pPr><w:pStyle w:val="nbTableLabel"/><w:spacing w:before="120" w:line="340" w:lineRule="exact"/>'
                f'<w:ind w:left="400" w:hanging="400"/><w:jc w:val="both"/></w:pPr>{runs(f"{n}. {line}")}</w:p>')
        if document.unresolved.more:
            add(f'\n<w:p><w:pPr><w:pStyle w:val="nbTableLabel"/><w:spacing w:before="240" w:line="340" w:lineRule="exact"/></w:pPr>{runs(document.unresolved.more)}</w:p>')
        add(f"\n<w:p><w:pPr>{sect}</w:pPr></w:p>")
        sect = _numbered(sect)
    for line in title_lines(document.title):
        add("\n" + para("nbTitle", line))
    add("\n" + para("nbBody", ""))
    for text in paragraphs(document.preamble):
        add("\n" + para("nbBody", text))
    for s, section in enumerate(document.sections, 1):
        add("\n" + para("nbHeading1", section.heading))
        for p, part in enumerate(section.parts, 1):
            last_part = s == len(document.sections) and p == len(section.parts)
            if part.heading:
                add("\n" + para("nbHeading2", part.heading))
            if part.table:
                add("\n" + table(part.table))
                add("\n" + para("nbBody", ""))
            texts = paragraphs(part.text)
            for t, text in enumerate(texts, 1):
                add("\n" + para("nbBody", text, keep=last_part and t == len(texts)))
    name_right, date_right = signature_indents(document.signature_name, document.signature_date)
    add("\n" + para("nbBody", "", keep=True))
    add("\n" + para("nbSignature", document.signature_name, keep=document.signature_date != "" and document.signature_date is not None, right=name_right))
    if document.signature_date:
        add("\n" + para("nbSignature", document.signature_date, right=date_right))
    add(f"\n{sect}</w:body></w:document>\n")
    return "".join(out)


def _well_formed(xml: bytes) -> None:
    """XML Word can open; a failure here is a bug in nianbao, never written."""
    from lxml import etree

    etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))


def _checked_section(sect: str) -> str:
    """``sect`` once it is known to be well-formed in the body, where only ``w:`` and ``r:`` are
    declared: the one piece of the body not written by :func:`para` and :func:`table`, checked
    once per reference rather than the whole body once per report."""
    _well_formed(f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{sect}</w:body></w:document>'.encode())
    return sect


def report_date(report: Report) -> dt.date:
    """The date a report's files carry: the date under its signature, else the last day of
    its year (never today, so that the same report gives the same bytes)."""
    return report.date or dt.date(report.year, 12, 31)


def core_properties(report: Report) -> bytes:
    stamp = f"{report_date(report).isoformat()}T00:00:00Z"
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(report.title)}</dc:title><dc:subject>{escape(report.spec.name)}</dc:subject>"
        f"<dc:creator>{escape(report.unit_name)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(report.unit_name)}</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def render(report: Report, reference: Path | None = None, draft: bool = False, unresolved: Unresolved | None = None) -> bytes:
    pkg = package(reference, draft)
    xml = document_xml(build(report, draft, unresolved), pkg.sect).encode("utf-8")
    out = io.BytesIO(pkg.head)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        if pkg.core:
            target.writestr(zip_entry(CORE), core_properties(report))
        target.writestr(zip_entry(DOCUMENT), xml)
    return out.getvalue()
