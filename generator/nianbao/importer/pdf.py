"""A PDF → lines, from its text layer (pdfplumber), in a bounded child process.

Tables drawn with ruling lines are read as real tables: a cell covered by a merge is not
a cell, an empty cell is printed empty, so the rows are exact.  A table that runs on to
the next page needs nothing special: the rows come in reading order, and the repeated
header and the page number between them are not rows of the table.  Text outside the
tables comes as lines; lines of one paragraph wrapped by the page are joined again, and
page numbers and running heads are dropped.  A PDF without a text layer is a scan: the
clerk is told so, and what to do.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter

from .. import isolate
from .lines import Cell, Line, Unreadable, clean, is_page_number
from .text import word_cells
from .words import is_value_token, split_ordinal

KIND = "PDF 文件"
MAX_PAGES = 80
MAX_CHARS = 300_000  # characters on one page: no report page has a hundredth of this
SECONDS = 20.0
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_ENDS_SENTENCE = re.compile(r"[。！？!?]$")

SCAN = (
    "这个 PDF 是扫描件（只有图片，没有文字层），无法读取其中的文字和数字。"
    "请找到报告的 Word 或网页版本再导入；或用 OCR 软件把它转成文字（.txt/.docx），核对数字后再导入"
)


def read_pdf(data: bytes) -> list[Line]:
    if b"%PDF" not in data[:1024]:
        raise Unreadable(f"不是有效的{KIND}（文件开头没有 PDF 标记，可能是改了扩展名的其他文件）")
    try:
        return isolate.run(extract, data, seconds=SECONDS, what=KIND)
    except isolate.Failed as exc:
        raise Unreadable(str(exc)) from exc
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer's many kinds of damage, met on some page
        raise Unreadable(f"{KIND}已损坏，读到一半无法继续：请用 PDF 阅读器打开核对，必要时重新下载或改用 Word 版") from exc


def extract(data: bytes) -> list[Line]:
    """The work done in the child process."""
    import logging

    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)  # a damaged file's warnings are not the clerk's
    logging.getLogger("pdfplumber").setLevel(logging.CRITICAL)
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise Unreadable(f"{KIND}设有密码，无法读取：请取消密码后再导入") from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds for a damaged file
        raise Unreadable(f"不是有效的{KIND}，或文件已损坏：请用 PDF 阅读器打开核对，必要时重新下载") from exc
    with pdf:
        try:
            pages = pdf.pages
            count = len(pages)
            items: list[tuple[int, float, float, float, object]] = []  # (page, top, x0, x1, text or rows)
            scanned = 0
            for number, page in enumerate(pages[:MAX_PAGES], start=1):
                items += _page(page, number)
                if not page.chars and page.images:
                    scanned += 1
                    items.append((number, 0.0, 0.0, 0.0, None))
            if scanned and scanned == min(count, MAX_PAGES):
                raise Unreadable(SCAN)
            lines = _lines(items)
        except Unreadable:
            raise
        except Exception as exc:  # noqa: BLE001
            raise Unreadable(f"{KIND}已损坏，读取时出错（{type(exc).__name__}）") from exc
        if count > MAX_PAGES:
            lines.append(Line(f"（PDF 共{count}页，只读取了前{MAX_PAGES}页）", [], None, f"第{MAX_PAGES}页之后"))
        return lines


def _page(page, number: int) -> list[tuple[int, float, float, float, object]]:
    if len(page.chars) > MAX_CHARS:
        raise Unreadable(f"{KIND}第{number}页的文字异常多（{len(page.chars)}个字符），可能是恶意构造的文件，已拒绝读取")
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    items: list[tuple[int, float, float, float, object]] = []
    for line in page.filter(outside).extract_text_lines(strip=True, return_chars=False):
        top = float(line["top"])
        if is_page_number(line["text"]) and (top < page.height * 0.12 or top > page.height * 0.8):
            continue
        items.append((number, top, float(line["x0"]), float(line["x1"]), line["text"]))
    for table in tables:
        rows = table.extract()
        items.append((number, float(table.bbox[1]), float(table.bbox[0]), float(table.bbox[2]), rows))
    items.sort(key=lambda item: (item[1], item[2]))
    return items


def _cell(text: str | None) -> str | None:
    if text is None:
        return None
    pieces = [p.strip() for p in text.split("\n") if p.strip()]
    out = ""
    for piece in pieces:
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return _SPACE_BY_CJK.sub("", clean(out))


def _lines(items: list[tuple[int, float, float, float, object]]) -> list[Line]:
    texts = [item for item in items if isinstance(item[4], str)]
    running = _running_heads(texts, max((item[0] for item in items), default=0))
    long = [item for item in texts if len(item[4]) >= 10]  # type: ignore[arg-type]
    left = min((item[2] for item in long), default=0.0)
    right = max((item[3] for item in long), default=0.0)
    widths = [(item[3] - item[2]) / len(item[4]) for item in long]  # type: ignore[arg-type]
    char = statistics.median(widths) if widths else 12.0
    # Paragraphs that open with an indent (GB/T 9704) say where they begin; without
    # indents, a full line that ends a sentence is taken to end its paragraph.
    indents = sum(1 for item in long if left + 1.4 * char <= item[2] <= left + 2.6 * char)
    by_indent = indents >= max(2, len(long) // 10)
    lines: list[Line] = []
    tables = 0
    previous: tuple[float, float, str] | None = None  # the open paragraph's last line: (x1, page, text)
    for page, top, x0, x1, content in items:
        where = f"第{page}页"
        if content is None:
            lines.append(Line("", [], None, f"{where}（扫描图片）", kind="image"))
            previous = None
            continue
        if isinstance(content, list):
            tables += 1
            previous = None
            _table(content, f"{where}第{tables}个表格", lines)
            continue
        text = clean(content).strip()
        if not text or (text, round(top)) in running:
            continue
        cells = word_cells(text)
        tabular = _tabular(cells)
        indented = x0 > left + 0.6 * char
        if (
            previous is not None
            and not tabular
            and not indented
            and previous[0] >= right - 3 * char
            and (by_indent or not _ENDS_SENTENCE.search(previous[2]))
            and not split_ordinal(text)[0]
        ):
            joined = lines[-1].text + text
            joined = _SPACE_BY_CJK.sub("", joined)
            lines[-1] = Line(joined, [Cell(joined)], None, lines[-1].where)
            previous = (x1, page, joined)
            continue
        shown = text if tabular else _SPACE_BY_CJK.sub("", text)
        lines.append(Line(shown, [Cell(c) for c in cells] if tabular else [Cell(shown)], None, where))
        previous = None if tabular else (x1, page, shown)
    return lines


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


def _running_heads(texts: list[tuple[int, float, float, float, object]], pages: int) -> set[tuple[str, int]]:
    """Lines printed at the same place on most pages (a running head or foot)."""
    if pages < 3:
        return set()
    seen = Counter((item[4].strip(), round(item[1])) for item in texts)  # type: ignore[union-attr]
    return {key for key, count in seen.items() if count >= max(3, pages * 0.6)}


def _table(rows: list[list[str | None]], where: str, lines: list[Line]) -> None:
    if all(sum(cell is not None for cell in row) <= 1 for row in rows):  # a framed block of text
        for row in rows:
            for cell in row:
                text = _cell(cell)
                if text:
                    lines.append(Line(text, [Cell(text)], None, where))
        return
    for r, row in enumerate(rows, start=1):
        cells = [Cell(text) for text in map(_cell, row) if text is not None]
        lines.append(Line(" ".join(c.text for c in cells if c.text), cells, None, f"{where}第{r}行", in_table=True, exact=True, kind="row"))
