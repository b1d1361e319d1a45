"""What every reader gives the rest of the importer: the lines a person reads, in order.

A :class:`Line` is a paragraph, a table row, a lone table cell or the place of a picture.
Readers of real tables (DOCX, HTML, PDF with ruling lines, tab-separated and markdown
text) give *exact* rows: an empty cell there is a cell printed empty.  Readers that only
see words (text aligned with spaces, text extracted from a PDF without ruling lines)
give rows whose empty cells are invisible; :mod:`.tables` never counts on them.

Page chrome — page numbers, running heads, a web page's navigation and metadata — is
recognised here once, so that no reader lets it into the report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ...errors import NianbaoError

# Controls (tab and line feed aside), zero-width characters, byte-order marks, and the
# bookmarks some Word → text converters leave.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff\ufffe\uffff]")
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f]")  # non-breaking and typographic spaces


class Unreadable(NianbaoError):
    """The file is not a report this importer can open (told to the clerk as is)."""


@dataclass
class Cell:
    text: str
    line: int | None = None  # the text file's line; None in DOCX, HTML and PDF


@dataclass
class Line:
    """A paragraph (one cell), a table row, a lone cell of a flattened table, or a picture."""

    text: str
    cells: list[Cell] = field(default_factory=list)
    line: int | None = None
    where: str = ""  # "第3个表格第5行", "第2页" where there are no line numbers
    raw: str = ""  # plain text: the line as written, leading tabs kept
    in_table: bool = False  # a row (or cell) of a table
    exact: bool = False  # the cells are the table's own: an empty cell was printed empty
    kind: str = "text"  # "text", "row", "cell" (a lone cell of a flattened table), "image"
    heading: bool = False  # marked as a heading by its source (markdown #, <h2>, a Word heading style)
    notes: tuple[str, ...] = ()  # what the reader left out of this line and must tell (hidden text in a cell)
    source: str = ""  # of a picture: where it is (a web page's <img src>), for reading it by OCR
    scanned: bool = False  # read by OCR from a picture: its figures count only once the tables' sums confirm them

    @property
    def place(self) -> str:
        return f"第{self.line}行" if self.line is not None else self.where


def clean(text: str) -> str:
    """Text as a person reads it: no controls, no zero-width marks, plain spaces."""
    return _SPACES.sub(" ", _BOOKMARK.sub("", _CONTROL.sub("", text)))


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# -- page chrome ------------------------------------------------------------------------------------
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~～_\s]*\d{1,4}[-—–－~～_\s]*"  # — 3 —, -3-, 3
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页 共8页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/8
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.I,
)

# A web page's furniture around the report: where it stands, who published it, tools.
_METADATA = re.compile(
    r"^[【\[]?\s*(?:索\s*引\s*号|主题分类|发布机构|发文机关|发布日期|成文日期|生成日期|发布时间|信息来源|来\s*源|文\s*号|"
    r"浏览次数|访问量|点击数|阅读次数|字号|字体|分享到|打印|关闭|信息类别|公开方式|公开范围|有效性|"
    r"责任部门|所属机构|组配分类|体裁分类|服务对象分类|主\s*题\s*词|关\s*键\s*词|索取号|当前位置|您当前的位置|"
    r"当前位置：|首页\s*[>》/])"
)
_TOOLS = re.compile(r"^(?:[【\[]?\s*(?:大|中|小|打印|关闭|关闭窗口|打印本页|收藏|分享|返回顶部|返回)\s*[】\]]?\s*)+$")


def is_page_number(text: str) -> bool:
    """A line that is only a page number: ``— 3 —``, ``第3页 共8页``, ``3/8``."""
    return bool(_PAGE_NUMBER.match(nfkc(text).strip()))


def is_metadata(text: str) -> bool:
    """A web page's metadata or tool line (``索引号：…``, ``发布日期：…``, ``【打印】【关闭】``)."""
    t = nfkc(text).strip()
    return bool(_METADATA.match(t) or _TOOLS.match(t))
