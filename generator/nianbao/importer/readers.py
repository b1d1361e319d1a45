"""Published report files (.txt, .docx, .html) → the lines a person reads, in order.

Each reader yields :class:`Line` objects: a paragraph is one line with one cell, a table
row is one line with its cells.  Merged cells are understood here — a DOCX ``vMerge``
continuation or a cell covered by an HTML ``rowspan`` is not a cell of that row — so
the rest of the importer never sees a file format.  What a reader cannot know (how the
cells of flattened text belong together) is left to :mod:`.tables`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html

from ..decode import decode

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")  # left by some Word → text converters


class Unreadable(Exception):
    """The file is not a report this importer can open (told to the clerk as is)."""


@dataclass
class Cell:
    text: str
    line: int | None = None  # the text file's line; None in DOCX and HTML


@dataclass
class Line:
    """A paragraph (one cell) or a table row, with where a clerk finds it again."""

    text: str
    cells: list[Cell] = field(default_factory=list)
    line: int | None = None
    where: str = ""  # "第3个表格第5行" where there are no line numbers
    raw: str = ""  # plain text: the line as written, leading tabs kept
    in_table: bool = False


def clean(text: str) -> str:
    return _BOOKMARK.sub("", _CONTROL.sub("", text))


# -- plain text ---------------------------------------------------------------------------------
def read_text(text: str) -> list[Line]:
    """Cells are tab-separated (copied from a web page or Word) or aligned by two or more
    spaces (nianbao's own TXT)."""
    lines = []
    for number, raw in enumerate(clean(text).split("\n"), start=1):
        stripped = raw.strip()
        if "\t" in raw:
            cells = [Cell(f.strip(), number) for f in raw.split("\t")]
        else:
            cells = [Cell(c, number) for c in re.split(r" {2,}", stripped)] if stripped else []
        lines.append(Line(stripped, cells, number, "", raw.rstrip()))
    return lines


def regroup_one_cell_per_line(lines: list[Line]) -> list[Line] | None:
    """A table flattened to one cell per line (each line ``\\t值``, rows separated by empty
    lines, a label broken over lines continuing without a tab) → its rows; None when the
    lines are not laid out so."""
    body = [ln for ln in lines if ln.raw.strip() or "\t" in ln.raw]
    singles = sum(1 for ln in body if ln.raw.startswith("\t") and ln.raw.count("\t") == 1)
    if not body or singles < 0.6 * len(body):
        return None
    rows: list[Line] = []
    current: list[Cell] = []

    def close() -> None:
        if current:
            rows.append(Line(" ".join(c.text for c in current), list(current), current[0].line))
            current.clear()

    for ln in lines:
        if not ln.raw.strip() and "\t" not in ln.raw:
            close()
        elif ln.raw.startswith("\t"):
            current.append(Cell(ln.raw.strip(), ln.line))
        elif current:
            current[-1] = Cell(current[-1].text + ln.raw.strip(), current[-1].line)
        else:
            current.append(Cell(ln.raw.strip(), ln.line))
    close()
    return rows


# -- DOCX -----------------------------------------------------------------------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes) -> list[Line]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            body = etree.fromstring(package.read("word/document.xml")).find(f"{W}body")
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise Unreadable("不是有效的 Word 文档（.docx）：无法打开，可能已损坏，或是旧版 .doc 改了扩展名（请在 Word 中另存为 .docx）") from exc
    if body is None:
        raise Unreadable("Word 文档中没有正文")
    lines: list[Line] = []
    counter = {"table": 0, "para": 0}

    def paragraph_text(p) -> str:
        parts = []
        for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
            parts.append(node.text or "" if node.tag == f"{W}t" else ("\n" if node.tag != f"{W}tab" else " "))
        return clean("".join(parts))

    def walk(element) -> None:
        for child in element:
            if child.tag == f"{W}p":
                counter["para"] += 1
                for piece in paragraph_text(child).split("\n"):
                    lines.append(Line(piece.strip(), [Cell(piece.strip())], None, f"第{counter['para']}段"))
            elif child.tag == f"{W}tbl":
                counter["table"] += 1
                for r, tr in enumerate(child.findall(f"{W}tr"), start=1):
                    cells = []
                    for tc in tr.findall(f"{W}tc"):
                        merge = tc.find(f"{W}tcPr/{W}vMerge")
                        if merge is not None and merge.get(f"{W}val", "continue") == "continue":
                            continue  # covered by the cell above
                        cells.append(Cell("".join(paragraph_text(p) for p in tc.iter(f"{W}p")).strip()))
                    where = f"第{counter['table']}个表格第{r}行"
                    lines.append(Line(" ".join(c.text for c in cells), cells, None, where, in_table=True))
            elif child.tag != f"{W}sectPr":
                walk(child)  # content controls, inserted runs…

    walk(body)
    return lines


# -- HTML -------------------------------------------------------------------------------------------
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "section", "article", "body", "center", "blockquote", "pre"}


def read_html(data: bytes) -> list[Line]:
    decoded = decode(data)
    if decoded.text is None:
        raise Unreadable("无法识别网页的文字编码")
    text = re.sub(r"^\s*<\?xml[^>]*>", "", decoded.text)
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise Unreadable("网页内容为空或无法解析") from exc
    for junk in root.iter("script", "style", "head"):
        junk.drop_tree() if junk.getparent() is not None else None
    lines: list[Line] = []
    tables = 0
    buffer: list[str] = []

    def flush() -> None:
        for piece in "".join(buffer).split("\n"):
            piece = clean(piece).strip()
            if piece:
                lines.append(Line(piece, [Cell(piece)], None, f"第{len(lines) + 1}段"))
        buffer.clear()

    def walk(element) -> None:
        nonlocal tables
        if element.tag == "table" and element.find(".//table") is None:  # not a layout table
            flush()
            tables += 1
            for r, tr in enumerate(element.iter("tr"), start=1):
                cells = [Cell(clean(_cell_text(td)).strip()) for td in tr if td.tag in ("td", "th")]
                lines.append(Line(" ".join(c.text for c in cells), cells, None, f"第{tables}个表格第{r}行", in_table=True))
            if element.tail:
                buffer.append(element.tail)
            return
        block = element.tag in _BLOCKS
        if block:
            flush()
        if element.tag == "br":
            buffer.append("\n")
        elif element.text:
            buffer.append(element.text)
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            elif child.tail:
                buffer.append(child.tail)
        if block:
            flush()
        if element.tail:
            buffer.append(element.tail)

    walk(root.find("body") if root.find("body") is not None else root)
    flush()
    return lines


def _cell_text(td) -> str:
    """A cell's text with line breaks joined (a label broken with <br> stays one label)."""
    return re.sub(r"\s*\n\s*", "", "".join(td.itertext()))


# -- any file ---------------------------------------------------------------------------------------
SUFFIXES = {".txt": "txt", ".docx": "docx", ".html": "html", ".htm": "html"}


def read(path: Path, data: bytes) -> tuple[str, list[Line]]:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "docx":
        return kind, read_docx(data)
    if kind == "html":
        return kind, read_html(data)
    if kind == "txt":
        decoded = decode(data)
        if decoded.text is None:
            raise Unreadable("无法识别文件编码：请用记事本“另存为”UTF-8 编码后再试")
        return kind, read_text(decoded.text)
    raise Unreadable(f"不支持的文件类型“{path.suffix}”：可导入 .txt、.docx、.html")
