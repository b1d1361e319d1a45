"""Positioned lines of a page → the importer's lines: what a PDF's text layer and a scan's OCR
have in common once each has found where its text lies.

Both readers give items ``(page, top, x0, x1, content)`` — content a text line, a ruled table's
rows (:class:`Rows`) or a ruled box of words (:class:`Framed`) — and this joins the lines a page
wrapped back into paragraphs, drops page numbers and running heads, and reads tables row by row.
It is its own module so that :mod:`.pdf` and :mod:`.scan` (which PDF pages without a text layer
go to) both stand on it, instead of leaning on each other.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

from .lines import Cell, Line, clean
from .text import word_cells
from .words import is_value_token, per_token, split_ordinal

_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_ENDS_SENTENCE = re.compile(r"[。！？!?]$")


class Framed(list):
    """The lines of a ruled box that holds text, not figures (each row one cell of words:
    洪泽区's report prints its whole body so), each (top, x0, x1, text): read as the page's
    text, so that its wrapped lines are joined into paragraphs like any other."""


class Rows(list):
    """A table's rows, with where the words of each row holding one cell of words run
    (x0, x1) — None for other rows: such a row that goes on from the line before it (a
    paragraph of the body whose frame runs into the table below) is joined to it."""

    def __init__(self, rows, extents) -> None:
        super().__init__(rows)
        self.extents = extents


Item = tuple[int, float, float, float, str | list | None]  # (page, top, x0, x1, a text line, a table's rows (Rows, or a list of them) or a box of text (Framed), None: a picture)


def framing(rows: list[list[str | Cell | None]]) -> bool:
    return bool(rows) and all(sum(cell is not None for cell in row) <= 1 for row in rows)


def wordy(row: list[str | Cell | None]) -> str | None:
    """The words of a row that is one cell of words (not a figure), else None."""
    return _wordy([cell_text(cell) for cell in row])


def _wordy(texts: list[str | None]) -> str | None:
    """:func:`wordy` of a row's cell texts (:func:`cell_text`), worked out once a row."""
    filled = [text for text in texts if text and text.strip()]
    return filled[0] if len(filled) == 1 and not is_value_token(filled[0]) else None


def cell_text(text: str | Cell | None) -> str | None:
    """A table cell's text as pdfplumber gives it, its wrapped lines joined; a scan's cell
    (:class:`Cell` already, which keeps where it was read) as the OCR reader made it."""
    if text is None:
        return None
    if isinstance(text, Cell):
        return text.text
    return _joined(text)


@per_token  # a ruled table's cells repeat (empty ones, dashes, the same figures): each text read once a file
def _joined(text: str) -> str:
    if "\n" not in text:  # most cells: one line
        return _SPACE_BY_CJK.sub("", clean(text.strip()))
    pieces = [p.strip() for p in text.split("\n") if p.strip()]
    out = ""
    for piece in pieces:
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return _SPACE_BY_CJK.sub("", clean(out))


def lines_of(items: list[Item]) -> list[Line]:
    """The lines of positioned page items (page, top, x0, x1, content: a line of text, a
    table's rows, a ruled box of text, None for a picture), in reading order: running heads
    and feet dropped, the lines a page only wrapped joined into their paragraph."""
    texts = [(page, top, x0, x1, content) for page, top, x0, x1, content in items if isinstance(content, str)]
    running = _running_heads(texts, max((item[0] for item in items), default=0))
    layout = _PageLines(items)
    for page, top, x0, x1, content in items:
        where = f"第{page}页"
        if content is None:
            layout.lines.append(Line("", [], None, f"{where}（扫描图片）", kind="image"))
            layout.previous = None
        elif isinstance(content, Framed):  # a ruled box of text: its lines read as the page's
            layout.tables += 1
            for _, fx0, fx1, text in content:
                text = clean(text).strip()
                if text:
                    layout.text_line(text, fx0, fx1, page, f"{where}第{layout.tables}个表格", words=True)
        elif isinstance(content, list):
            layout.table(content, page, where)
        else:
            text = clean(content).strip()
            if text and (text, round(top)) not in running:
                layout.text_line(text, x0, x1, page, where)
    return layout.lines


class _PageLines:
    """The walk of :func:`lines_of`: the page's text margins and character width (from the
    lines of 10 characters or more), whether its paragraphs open with an indent, the lines
    so far, and the open paragraph's last line (``previous``: x1, page, text), which the
    next line may go on."""

    def __init__(self, items: list[Item]) -> None:
        texts = [(page, top, x0, x1, content) for page, top, x0, x1, content in items if isinstance(content, str)]
        framed = [(page, *line) for page, _, _, _, content in items if isinstance(content, Framed) for line in content]
        long = [item for item in [*texts, *framed] if len(item[4]) >= 10]
        self.left = min((item[2] for item in long), default=0.0)
        self.right = max((item[3] for item in long), default=0.0)
        widths = [(item[3] - item[2]) / len(item[4]) for item in long]
        self.char = char = statistics.median(widths) if widths else 12.0
        # Paragraphs that open with an indent (GB/T 9704) say where they begin; without
        # indents, a full line that ends a sentence is taken to end its paragraph.
        indents = sum(1 for item in long if self.left + 1.4 * char <= item[2] <= self.left + 2.6 * char)
        self.by_indent = indents >= max(2, len(long) // 10)
        self.lines: list[Line] = []
        self.tables = 0
        self.previous: tuple[float, float, str] | None = None  # the open paragraph's last line: (x1, page, text)

    def goes_on(self, text: str, x0: float, tabular: bool) -> bool:
        """``text`` is the next line of the open paragraph, which the page only wrapped: the
        line before reached the right margin, this one is not indented, opens no numbered
        heading and is no row of figures."""
        previous = self.previous
        return (
            previous is not None
            and not tabular
            and x0 <= self.left + 0.6 * self.char
            and previous[0] >= self.right - 3 * self.char
            and (self.by_indent or not _ENDS_SENTENCE.search(previous[2]))
            and not split_ordinal(text)[0]
        )

    def join(self, text: str, x1: float, page: int) -> None:
        last = self.lines[-1]
        joined = _SPACE_BY_CJK.sub("", last.text + text)
        self.lines[-1] = Line(joined, [Cell(joined)], None, last.where, in_table=last.in_table, exact=last.exact, kind=last.kind)
        self.previous = (x1, page, joined)

    def text_line(self, text: str, x0: float, x1: float, page: int, where: str, *, words: bool = False) -> None:
        """A line of text, joined to the open paragraph or a paragraph of its own; ``words``:
        a line of a box of text, never a row of figures."""
        cells = word_cells(text)
        tabular = not words and _tabular(cells)
        if self.goes_on(text, x0, tabular):
            self.join(text, x1, page)
            return
        shown = text if tabular else _SPACE_BY_CJK.sub("", text)
        self.lines.append(Line(shown, [Cell(c) for c in cells] if tabular else [Cell(shown)], None, where))
        self.previous = None if tabular else (x1, page, shown)

    def table(self, content: list, page: int, where: str) -> None:
        """A table's rows: framed as a grid, or row by row (a row of words that goes on the
        body's paragraph, framed on into the table, joins it)."""
        self.tables += 1
        extents = content.extents if isinstance(content, Rows) else [None] * len(content)
        if not isinstance(content, Rows) and framing(content):
            self.previous = None
            _table(content, f"{where}第{self.tables}个表格", self.lines)
            return
        for r, (row, extent) in enumerate(zip(content, extents), start=1):
            texts = [cell_text(cell) for cell in row]
            words = _wordy(texts)
            if words is not None and extent is not None and self.goes_on(words, extent[0], False):
                self.join(words, extent[1], page)  # the body's paragraph, framed on into the table
                continue
            _row(row, f"{where}第{self.tables}个表格第{r}行", self.lines, texts)
            self.previous = (extent[1], page, words) if words is not None and extent is not None else None


def _tabular(cells: list[str]) -> bool:
    """A row of a table without ruling lines (a label and its numbers), not a sentence that
    happens to end with a number at the line's end (``…统计期限为 2023 年 12 月 31``)."""
    values = 0
    while values < len(cells) and is_value_token(cells[len(cells) - 1 - values]):
        values += 1
    if values == 0:
        return False
    if values == len(cells):  # numbers only: the rest of a row, or table 四's
        return True
    label = "".join(cells[: len(cells) - values])
    return values >= 2 or (len(label) <= 20 and not re.search(r"[，,。；;]", label))


def _running_heads(texts: list[tuple[int, float, float, float, str]], pages: int) -> set[tuple[str, int]]:
    """Lines printed at the same place on most pages (a running head or foot)."""
    if pages < 3:
        return set()
    seen = Counter((item[4].strip(), round(item[1])) for item in texts)
    return {key for key, count in seen.items() if count >= max(3, pages * 0.6)}


def _table(rows: list[list[str | Cell | None]], where: str, lines: list[Line]) -> None:
    """A ruled table's rows; a cell may come as a :class:`Cell` already (a scan's, which keeps
    where it was read)."""
    if framing(rows):  # a framed block of text
        for row in rows:
            for cell in row:
                text = cell_text(cell)
                if text:
                    lines.append(Line(text, [Cell(text)], None, where))
        return
    for r, row in enumerate(rows, start=1):
        _row(row, f"{where}第{r}行", lines)


def _row(row: list[str | Cell | None], where: str, lines: list[Line], texts: list[str | None] | None = None) -> None:
    """A table row as a line; ``texts``: its cells' :func:`cell_text`, when already read."""
    if texts is None:
        texts = [cell_text(cell) for cell in row]
    cells = [cell if isinstance(cell, Cell) else Cell(text) for cell, text in zip(row, texts) if text is not None]
    lines.append(Line(" ".join(c.text for c in cells if c.text), cells, None, where, in_table=True, exact=True, kind="row"))
