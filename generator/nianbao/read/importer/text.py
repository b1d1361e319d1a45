"""Plain text → lines, whatever tool made the text.

Published reports reach us as text in many shapes: copied from a web page (tab-separated
cells), converted to markdown (``| a | b |`` pipe tables, ``#`` headings), flattened one
cell per line (cells after a tab with rows between empty lines, or cells between lines
holding only ``|``), extracted from a PDF or by OCR (cells separated by spaces, labels
hard-wrapped), or nianbao's own TXT (columns aligned with spaces).  Each shape is told by
what its lines look like, never by where the file came from; the rows come out exact
where the shape keeps empty cells (tabs, pipes, separator lines) and inexact otherwise.
"""

from __future__ import annotations

import re

from .lines import Cell, Line, clean
from .words import is_value_token, split_ordinal

_RULE = re.compile(r"^[|\s]*:?-{3,}:?(?:[|\t ]+:?-{3,}:?)*[|\s]*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_BOLD = re.compile(r"\*\*|__")
_COLUMNS = re.compile(r"\s{2,}")  # between columns aligned with spaces (ideographic ones too: \s holds U+3000)
_PUNCTUATION = re.compile(r"[，,。；;：:]")  # a sentence, not a label glued to its figure
_GLUED = re.compile(r"^(.*[\u4e00-\u9fff）)\]】])(\d+(?:\.\d+)?)$")  # 行政许可517645


def word_cells(text: str) -> list[str]:
    """Cells of a line whose cells are separated by spaces: columns aligned with two or
    more spaces; within a column, a new label where a word opens with a number
    (``三、本年度办理结果 （一）予以公开``) and the numbers after a label as cells of their own."""
    out: list[str] = []
    stripped = text.strip()
    parts = [stripped] if len(stripped.split(None, 1)) < 2 else _COLUMNS.split(stripped)  # a line without a space (a paragraph): one part, told in C
    for part in parts:
        tokens = part.split()
        k = len(tokens)
        while k > 0 and is_value_token(tokens[k - 1]):
            k -= 1
        if not k:
            out += tokens  # figures only (a column of a row)
            continue
        labels: list[str] = []
        for token in tokens[:k]:
            if labels and not split_ordinal(token)[0]:
                labels[-1] += " " + token
            else:
                labels.append(token)
        if k == len(tokens) and labels and len(labels[-1]) <= 30 and labels[-1][-1].isdigit():  # (what _GLUED ends with)
            glued = _GLUED.match(labels[-1])
            if glued and not _PUNCTUATION.search(labels[-1]):
                labels[-1:] = [glued.group(1), glued.group(2)]
        out += labels + tokens[k:]
    return out


def _pipe_cells(text: str) -> list[str]:
    body = text.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [c.strip() for c in body.split("|")]


def _line(number: int, text: str, raw: str, **kw) -> Line:
    return Line(text, kw.pop("cells", None) or ([Cell(text, number)] if text else []), number, "", raw, **kw)


def read_text(text: str) -> list[Line]:
    raw_lines = clean(text).split("\n")
    closed = _closes_rows(raw_lines)
    lines: list[Line] = []
    i = 0
    n = len(raw_lines)
    while i < n:
        raw = raw_lines[i].rstrip("\r")
        number = i + 1
        stripped = raw.strip()
        # cells between lines holding only "|" (a table flattened by a converter)
        if stripped == "|" or (_ends_cell(stripped) and _starts_cell_stream(raw_lines, i)):
            i = _cell_stream(raw_lines, i, lines)
            continue
        # one cell per line after a tab, rows between empty lines
        if raw.startswith("\t") and raw.count("\t") == 1 and _starts_tab_column(raw_lines, i):
            i = _tab_column(raw_lines, i, lines)
            continue
        i += 1
        if not stripped:
            lines.append(Line("", [], number, "", raw))
            continue
        if "---" in stripped and _RULE.match(stripped):
            continue  # a markdown table's separator row, with pipes or tabs: not data
        if _closed_row(stripped) or (closed and stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
            # 规章 | 0 | 0 | 0 |  — a row a line, each cell closed by its pipe; where rows
            # are written so, a line opening with a pipe opens with an empty cell
            cells = [Cell(c.strip(), number) for c in stripped.split("|")[:-1]]
            lines.append(_line(number, " ".join(c.text for c in cells if c.text), raw, cells=cells, in_table=True, exact=True, kind="row"))
            continue
        if stripped.startswith("|") and stripped.count("|") >= 2:
            cells = [Cell(c, number) for c in _pipe_cells(stripped)]
            lines.append(_line(number, " ".join(c.text for c in cells if c.text), raw, cells=cells, in_table=True, exact=True, kind="row"))
            continue
        if "\t" in raw:
            cells = [Cell(f.strip(), number) for f in raw.split("\t")]
            lines.append(_line(number, stripped, raw, cells=cells, in_table=True, exact=True, kind="row"))
            continue
        if stripped[0] == "#" or "**" in stripped or "__" in stripped:  # (what the patterns need: the line is stripped)
            heading = bool(_MD_HEADING.match(stripped))
            plain = _BOLD.sub("", _MD_HEADING.sub("", stripped)).strip()
        else:
            heading, plain = False, stripped
        cells = [Cell(c, number) for c in word_cells(plain)]
        lines.append(_line(number, plain, raw, cells=cells, heading=heading))
    return lines


# -- cells between separator lines -------------------------------------------------------------------------
def _starts_cell_stream(raw_lines: list[str], i: int) -> bool:
    """Several of the next lines end a cell with " |" (or are "|" alone), and none is a
    whole row closed by its pipe (then each line is a row, and ``标题 |`` a one-cell row)."""
    window = [ln.strip() for ln in raw_lines[i : i + 8] if ln.strip()]
    if any(_closed_row(ln) and ln.count("|") >= 2 for ln in window):
        return False
    return sum(ln == "|" or _ends_cell(ln) for ln in window) >= 4


def _closes_rows(raw_lines: list[str]) -> bool:
    """The text writes rows closed by a pipe and never opened by one (no markdown table:
    its rows open with a pipe and its header is ruled with ``|---|``)."""
    stripped = [ln.strip() for ln in raw_lines[:20_000]]
    if any("---" in ln and "|" in ln and _RULE.match(ln) for ln in stripped):
        return False
    return sum(_closed_row(ln) and ln.count("|") >= 2 for ln in stripped) >= 3


def _closed_row(text: str) -> bool:
    """``规章 | 0 | 0 | 0 |``: a row on one line whose cells are closed by pipes, without
    the opening pipe of a markdown row."""
    return len(text) > 1 and text.endswith("|") and not text.startswith("|")


def _ends_cell(text: str) -> bool:
    """``规章 |``: one cell closed by a pipe (a markdown row has pipes on both sides)."""
    return text.endswith(" |") and text.count("|") == 1


def _cell_stream(raw_lines: list[str], i: int, lines: list[Line]) -> int:
    """Cells are the text between "|" lines (or up to a line's own " |"); the lines of one
    cell are one label broken by the converter, and two separators in a row hold an empty
    cell.  The stream ends at an empty line that no separator follows, or where prose resumes.
    A cell that opens with a section number (``三、…``) is given as a text line, so that a
    heading caught in the stream is still a heading."""
    current: list[str] = []
    first = i + 1
    n = len(raw_lines)

    def close() -> None:
        text = "".join(current)
        table = not _is_section_start(text)
        lines.append(Line(text, [Cell(text, first)], first, "", text, in_table=table, exact=table, kind="cell" if table else "text"))
        current.clear()

    previous_separator = False
    while i < n:
        stripped = raw_lines[i].strip()
        if stripped == "|" or _ends_cell(stripped):
            if stripped != "|":
                if not current:
                    first = i + 1
                current.append(stripped[:-1].strip())
            if current or previous_separator:
                close()
            previous_separator = stripped == "|"
            i += 1
            first = i + 1
            continue
        if not stripped:
            # an empty line between two separators is the empty cell some converters
            # write as an empty paragraph: the separator that follows still closes it
            if not (previous_separator and i + 1 < n and raw_lines[i + 1].strip() == "|") and not _starts_cell_stream(raw_lines, i + 1):
                break
            i += 1
            continue
        previous_separator = False
        if len(stripped) > 40 and "。" in stripped:
            break  # prose: the table is over
        numbered = _is_section_start(stripped)
        if current and numbered:
            close()  # a numbered line (a heading, or a row's label) is a cell of its own
        if not current:
            first = i + 1
        current.append(stripped)
        i += 1
        if numbered:
            close()
            if not _starts_cell_stream(raw_lines, i):
                break  # a heading after the table: the words that follow are text
    if current:
        close()
    return i


def _is_section_start(text: str) -> bool:
    return bool(re.match(r"^[一二三四五六七八九十]+、", text))


# -- one cell per line after a tab ------------------------------------------------------------------------
def _is_tab_cell(raw: str) -> bool:
    return raw.startswith("\t") and raw.count("\t") == 1


def _starts_tab_column(raw_lines: list[str], i: int) -> bool:
    window = raw_lines[i : i + 12]
    return sum(_is_tab_cell(ln) for ln in window) >= 6


def _tab_column(raw_lines: list[str], i: int, lines: list[Line]) -> int:
    """Rows of cells, one cell a line after a tab, rows separated by empty lines; a line
    without a tab right after a cell continues that cell (a label broken over lines)."""
    n = len(raw_lines)
    current: list[Cell] = []
    after_blank = False

    def close() -> None:
        if current:
            text = " ".join(c.text for c in current if c.text)
            lines.append(Line(text, list(current), current[0].line, "", text, in_table=True, exact=True, kind="row"))
            current.clear()

    while i < n:
        raw = raw_lines[i]
        if _is_tab_cell(raw):
            current.append(Cell(raw.strip(), i + 1))
            after_blank = False
        elif not raw.strip():
            close()
            after_blank = True
            if not any(_is_tab_cell(ln) for ln in raw_lines[i + 1 : i + 6]):
                i += 1
                break
        elif current and not after_blank:
            current[-1] = Cell(current[-1].text + raw.strip(), current[-1].line)
        else:
            break
        i += 1
    close()
    return i
