"""Builds ``templates/reference.docx``: every style the DOCX uses, GB/T 9704 page setup,
and the page-number footers — with python-docx, reproducibly (``python -m
nianbao.render.reference``).  A unit's own reference document needs the same style ids.

Typography (FORMAT.md §7): A4, margins 37/35/28/26 mm; body 仿宋_GB2312 16 pt on a
22-line × 28-character document grid; title 方正小标宋简体 22 pt; headings 黑体 and
楷体_GB2312 16 pt; tables 仿宋_GB2312 10 pt; page numbers 宋体 14 pt as ``— N —``,
odd pages right, even pages left, each indented one character.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..system.output import zip_entry
from .styles_only import APP

# style id → (name, east-Asian font, size pt, alignment, first-line indent in chars, bold)
STYLES = {
    "nbTitle": ("报告标题", "方正小标宋简体", 22, "center", 0),
    "nbBody": ("报告正文", "仿宋_GB2312", 16, "both", 200),
    "nbHeading1": ("一级标题", "黑体", 16, "both", 200),
    "nbHeading2": ("二级标题", "楷体_GB2312", 16, "both", 200),
    "nbSignature": ("落款", "仿宋_GB2312", 16, "right", 0),
    "nbTable": ("表格文字", "仿宋_GB2312", 10, "center", 0),
    "nbTableLabel": ("表格标签", "仿宋_GB2312", 10, "left", 0),
    "nbFooter": ("页码", "宋体", 14, "right", 0),
}
LATIN = "Times New Roman"
LINE_PITCH = 579  # twips: 225 mm / 22 lines = 28.95 pt
# twentieths of a point: 28 characters of 16 pt − 0.25 pt = 441 pt = 8820 twips fit the
# 8845-twip text block (−0.2 pt would need 8848: one character short, 27 a line)
CONDENSE = -5
FIXED_TIME = datetime(2021, 9, 26)  # the date of 国办公开办函〔2021〕30号; any fixed date would do


def _fonts(rpr, east_asia: str, size: float, latin: str = LATIN) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), value)


def _style(document, style_id: str, name: str, east_asia: str, size: int, align: str, indent: int):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = None
    style.quick_style = True
    font = style.font
    font.size = Pt(size)
    _fonts(style.element.get_or_add_rPr(), east_asia, size, "宋体" if style_id == "nbFooter" else LATIN)
    fmt = style.paragraph_format
    fmt.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    ppr = style.element.get_or_add_pPr()
    if indent:
        ind = OxmlElement("w:ind")
        ind.set(qn("w:firstLineChars"), str(indent))
        ind.set(qn("w:firstLine"), str(indent * 16 // 100 * 20))
        _insert_ppr(ppr, ind)
    spacing = ppr.find(qn("w:spacing"))
    if style_id in ("nbTable", "nbTableLabel", "nbFooter"):
        # off the body's grid: a table's lines, and the page number, which with the
        # body's exact 28.95 pt line would reach into the text block and cost it a line
        spacing.set(qn("w:line"), "300" if style_id != "nbFooter" else "320")
        spacing.set(qn("w:lineRule"), "exact")
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        _insert_ppr(ppr, snap)
    elif style_id == "nbTitle":
        spacing.set(qn("w:line"), "700")
        spacing.set(qn("w:lineRule"), "exact")
    else:
        spacing.set(qn("w:line"), str(LINE_PITCH))
        spacing.set(qn("w:lineRule"), "exact")
    if style_id.startswith("nbHeading"):
        keep = OxmlElement("w:keepNext")
        _insert_ppr(ppr, keep)
    if style_id == "nbBody":  # every full page 22 lines: no line moved over for a widow or an orphan
        widow = OxmlElement("w:widowControl")
        widow.set(qn("w:val"), "0")
        _insert_ppr(ppr, widow)
    if size == 16:
        # punctuation may hang past the margin, said explicitly: left to its default,
        # LibreOffice drops a full-width "，" or "：" that ends a full line of condensed text
        hang = OxmlElement("w:overflowPunct")
        hang.set(qn("w:val"), "1")
        _insert_ppr(ppr, hang)
    if size == 16 and style_id != "nbSignature":
        _condense(style.element.get_or_add_rPr())
    return style


_RPR_AFTER_SPACING = {qn(t) for t in ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                                        "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                                        "w:eastAsianLayout", "w:specVanish", "w:oMath")}


def _condense(rpr) -> None:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE))
    for i, child in enumerate(rpr):
        if child.tag in _RPR_AFTER_SPACING:
            rpr.insert(i, spacing)
            return
    rpr.append(spacing)


_PPR_ORDER = ["w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
              "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"]


def _insert_ppr(ppr, child) -> None:
    """Insert ``child`` where the schema wants it (Word rejects out-of-order pPr)."""
    rank = {qn(tag): i for i, tag in enumerate(_PPR_ORDER)}
    mine = rank[child.tag]
    for i, existing in enumerate(ppr):
        if rank.get(existing.tag, 99) > mine:
            ppr.insert(i, child)
            return
    ppr.append(child)


def _footer(section_part, style, align: str, indent_side: str) -> None:
    paragraph = section_part.paragraphs[0]
    paragraph.style = style
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
    if indent_side == "right":
        paragraph.paragraph_format.right_indent = Pt(14)
    else:
        paragraph.paragraph_format.left_indent = Pt(14)
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    paragraph.add_run(" —")


def _document_defaults(styles) -> None:
    """16 pt 仿宋_GB2312, zh-CN, no spacing after: LibreOffice sizes the character grid
    from these defaults (python-docx's template has 11 pt Calibri), Word from Normal."""
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    _fonts(rpr, STYLES["nbBody"][1], 16)
    rpr.find(qn("w:sz")).set(qn("w:val"), "32")
    rpr.find(qn("w:szCs")).set(qn("w:val"), "32")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_PITCH))
    spacing.set(qn("w:lineRule"), "exact")


def build() -> bytes:
    document = Document()
    styles = {sid: _style(document, sid, *spec) for sid, spec in STYLES.items()}
    normal = document.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), STYLES["nbBody"][1], 16)
    normal.font.size = Pt(16)
    _document_defaults(document.styles.element)

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28)  # dashes ~7 mm under the text block
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    # A line grid gives the 22 lines; the 28 characters come from condensing each
    # character by 0.25 pt (CONDENSE).  A character grid with a negative charSpace would do
    # it in Word, but LibreOffice then spreads the text to one character a line.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    document.settings.odd_and_even_pages_header_footer = True
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    _footer(section.footer, styles["nbFooter"], "right", "right")
    _footer(section.even_page_footer, styles["nbFooter"], "left", "left")

    zoom = document.settings.element.find(qn("w:zoom"))
    if zoom is not None:
        zoom.set(qn("w:percent"), "100")  # required by the schema; python-docx's template omits it

    props = document.core_properties
    props.author = props.last_modified_by = "nianbao"
    props.title = "政府信息公开工作年度报告"
    props.created = props.modified = FIXED_TIME
    props.revision = 1

    raw = io.BytesIO()
    document.save(raw)
    return normalise_zip(raw.getvalue())


THUMBNAIL = "docProps/thumbnail.jpeg"  # python-docx's template carries a blank one: dropped
WORD_2010_STYLES = "word/stylesWithEffects.xml"  # python-docx's template carries it: a copy of styles.xml only Word 2010 reads
# The official fonts with what Word should use on a PC that lacks them (a stock Windows
# has 仿宋, 楷体, 黑体 and 宋体, not the _GB2312 ones), in the GB2312 character set (86).
FONTS = (
    ("仿宋_GB2312", "仿宋", "modern", "fixed"),
    ("楷体_GB2312", "楷体", "modern", "fixed"),
    ("方正小标宋简体", "宋体", "roman", "variable"),
    ("黑体", "SimHei", "modern", "fixed"),
    ("宋体", "SimSun", "auto", "variable"),
)


def _font_table(part: bytes) -> bytes:
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        for name, alt, family, pitch in FONTS
        if f'w:name="{name}"'.encode() not in part
    )
    return part.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")


CUSTOM_XML = "customXml/"  # python-docx's template carries a bibliography store: not a style, dropped


def normalise_zip(data: bytes) -> bytes:
    """Same parts in a fixed order with fixed entry times: equal inputs give equal bytes.
    The application is nianbao; the template's blank thumbnail, its customXml (which a
    unit's reference would be told it carries, every time) and its Word 2010 copy of the
    styles (:data:`WORD_2010_STYLES`, which a report does not carry) are left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = [n for n in source.namelist() if n not in (THUMBNAIL, WORD_2010_STYLES) and not n.startswith(CUSTOM_XML)]
        names.sort(key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            part = source.read(name)
            if name == "docProps/app.xml":
                part = APP
            elif name == "word/fontTable.xml":
                part = _font_table(part)
            elif name == "_rels/.rels":
                part = re.sub(rb"<Relationship [^>]*Target=\"docProps/thumbnail.jpeg\"[^>]*/>", b"", part)
            elif name == "word/_rels/document.xml.rels":
                part = re.sub(rb"<Relationship [^>]*Target=\"(?:\.\./customXml/[^\"]*|stylesWithEffects\.xml)\"[^>]*/>", b"", part)
            elif name == "[Content_Types].xml":
                part = re.sub(rb"<Override [^>]*PartName=\"/(?:customXml/[^\"]*|word/stylesWithEffects\.xml)\"[^>]*/>", b"", part)
            target.writestr(zip_entry(name), part)
    return out.getvalue()


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "templates" / "reference.docx"
    target.write_bytes(build())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
