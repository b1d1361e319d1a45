"""A Word document (.docx) → lines.

Paragraphs become lines; a table's rows become exact rows, where a cell covered by the
cell above (``vMerge`` continuation) is not a cell of the row and a cell spanning
columns (``gridSpan``) is one cell.  A table that holds tables is layout: its cells are
read as the document's own content.  Alternate content (``mc:AlternateContent``, which
Word writes twice: for new and for old readers) is read once; a picture standing alone
is kept as an ``image`` line.
"""

from __future__ import annotations

from .. import safezip
from .lines import Cell, Line, Unreadable, clean

MAX_PARAGRAPHS = 100_000  # a report's paragraphs, each table cell's included, are a few thousand
MAX_BODY = 24 * 1024 * 1024  # bytes of word/document.xml: a 40-page report with tables is ~2 MB

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
KIND = "Word 文档（.docx）"
_PICTURES = (f"{W}drawing", f"{W}pict", f"{W}object")
_SKIP = {f"{W}sectPr", f"{W}pPr", f"{W}rPr", f"{W}tblPr", f"{W}trPr", f"{W}tcPr", f"{MC}Fallback", f"{W}del", f"{W}moveFrom"}


def read_docx(data: bytes) -> list[Line]:
    try:
        package = safezip.open_package(data, KIND)
        try:
            xml = safezip.read_part(package, "word/document.xml", KIND)
        except KeyError:
            raise Unreadable(f"不是有效的{KIND}：缺少正文部件，可能是旧版 .doc 改了扩展名（请在 Word 中另存为 .docx）") from None
        if len(xml) > MAX_BODY:
            raise Unreadable(f"{KIND}的正文有 {len(xml) // (1024 * 1024)} MB：一份年度报告的正文不过几 MB，这不像年度报告，未读取")
        paragraphs = xml.count(b"<w:p>") + xml.count(b"<w:p ")
        if paragraphs > MAX_PARAGRAPHS:
            raise Unreadable(f"{KIND}有{paragraphs}个段落：一份年度报告不过几千个（连同表格的每个单元格），这不像年度报告，未读取")
        root = safezip.parse_xml(xml, KIND)
    except safezip.Refused as exc:
        raise Unreadable(f"{exc}；如果是旧版 Word 文件（.doc），请在 Word 或 WPS 中另存为 .docx 后再试") from exc
    body = root.find(f"{W}body")
    if body is None:
        raise Unreadable("Word 文档中没有正文")
    return _Reader().read(body)


class _Reader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.tables = 0
        self.paras = 0

    def read(self, body) -> list[Line]:
        # an explicit stack instead of recursion: a document nested deep is read all the same
        stack = [iter(body)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            if not isinstance(child.tag, str) or child.tag in _SKIP:
                continue
            if child.tag == f"{W}p":
                self.paragraph(child)
            elif child.tag == f"{W}tbl":
                if child.find(f".//{W}tbl") is not None:  # a layout table: its content is the document's
                    stack.append(iter([part for tr in child.findall(f"{W}tr") for tc in tr.findall(f"{W}tc") for part in tc]))
                else:
                    self.table(child)
            else:
                stack.append(iter(child))  # content controls, inserted runs, custom XML…
        return self.lines

    def paragraph(self, p) -> None:
        self.paras += 1
        text = paragraph_text(p)
        style = p.find(f"{W}pPr/{W}pStyle")
        heading = style is not None and any(w in (style.get(f"{W}val") or "").lower() for w in ("heading", "title", "标题"))
        pieces = [piece.strip() for piece in text.split("\n")]
        if not any(pieces) and any(p.iter(*_PICTURES)):
            self.lines.append(Line("", [], None, f"第{self.paras}段（图片）", kind="image"))
            return
        for piece in pieces:
            self.lines.append(Line(piece, [Cell(piece)] if piece else [], None, f"第{self.paras}段", heading=heading))

    def table(self, tbl) -> None:
        self.tables += 1
        rows = tbl.findall(f"{W}tr")
        one_column = all(len(tr.findall(f"{W}tc")) <= 1 for tr in rows)
        for r, tr in enumerate(rows, start=1):
            where = f"第{self.tables}个表格第{r}行"
            cells = []
            for tc in tr.findall(f"{W}tc"):
                merge = tc.find(f"{W}tcPr/{W}vMerge")
                if merge is not None and merge.get(f"{W}val", "continue") == "continue":
                    continue  # covered by the cell above
                texts = [paragraph_text(p).strip() for p in tc.iter(f"{W}p")]
                if one_column:  # a framed block of text: its paragraphs are the document's
                    for text in texts:
                        for piece in text.split("\n"):
                            if piece.strip():
                                self.lines.append(Line(piece.strip(), [Cell(piece.strip())], None, where))
                    continue
                cells.append(Cell("".join(texts).replace("\n", "")))
            if one_column:
                continue
            if not any(c.text for c in cells) and any(tr.iter(*_PICTURES)):
                self.lines.append(Line("", [], None, where + "（图片）", kind="image"))
                continue
            self.lines.append(Line(" ".join(c.text for c in cells if c.text), cells, None, where, in_table=True, exact=True, kind="row"))


def paragraph_text(p) -> str:
    parts: list[str] = []
    stack = [iter(p)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == f"{W}t":
            parts.append(node.text or "")
        elif tag == f"{W}tab":
            parts.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            stack.append(iter(node))
    return clean("".join(parts))
