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
import string
import unicodedata
from dataclasses import dataclass, field

from ...errors import NianbaoError
from .words import nfkc

# Controls (tab and line feed aside), zero-width characters, byte-order marks, and the
# bookmarks some Word → text converters leave.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff\ufffe\uffff]")
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f]")  # non-breaking and typographic spaces
# anything of the three above (a bookmark by its opening): one search tells that a text is clean
_CLEAN_OR_NOT = re.compile(_CONTROL.pattern[:-1] + _SPACES.pattern[1:-1] + r"]|\[bookmark: ")


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
    if printable(text) and "[bookmark: " not in text:
        return text  # most texts: nothing to take out (each character _CLEAN_OR_NOT finds is one Python does not print)
    if not _CLEAN_OR_NOT.search(text):
        return text
    return _SPACES.sub(" ", _BOOKMARK.sub("", _CONTROL.sub("", text)))


def printable(text: str) -> bool:
    """Every character of ``text`` one Python prints, but its line feeds, tabs and ideographic
    spaces (a Chinese paragraph's indent): none is a control, format character, separator but
    those spaces, surrogate or unassigned — told in C at a few times the speed of a
    pattern's search for them."""
    for ignored in "\n\t\u3000":
        if ignored in text:
            text = text.replace(ignored, "")
    return text.isprintable()


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


# The site's own furniture around a report, by what it does — never words of a report:
# downloads and attachments, share and QR codes, print/close/read-aloud tools, links to
# interpretations (解读), and the time, counter and font-size bars.  A line made only of these
# (with the metadata labels and their values, dates, times, counts and separators between
# them) is chrome, on any site; a line with a sentence in it never is.
_TOOL_WORDS = (
    r"(?:附件|文件|全文|原文|正文|相关)?下载(?:附件|文件|全文|原文|正文)?|相关附件|附件[\d一二三四五六七八九十]{0,3}[:：]?\s*[^\s:：]{1,80}?\.(?:pdf|docx?|wps|xlsx?|ofd|zip|rar|txt)|"
    r"扫一扫|扫码|扫描二维码|二维码|手机扫码|(?:在|用)?手机(?:上|端)?(?:查看|浏览|打开|阅读|访问)?(?:当前|本|此)?(?:页面?|网页|文章)?|"
    r"分享到?|微信|微博|QQ空间|QQ|朋友圈|"
    r"打印(?:本页|此页|本文|文章)?|关闭(?:窗口|本页|页面)?|收藏(?:本页)?|返回(?:顶部|首页|列表|上一页)?|(?:我要)?纠错|"
    r"(?:文字|图片|图文|视频|音频|动漫|动画|政策|相关|专家|媒体|部门|H5|一图)解读|图解|解读|"
    r"(?:语音)?(?:朗读|播报)|听全文|"
    r"字[号体]|[大中小]|默认|A\+|A-|A|T|"
    r"浏览|次|阅读|人次|次数"
)
_META_LABELS = (
    r"索\s*引\s*号|主题分类|发布机构|发文机关|发布日期|成文日期|生成日期|发布时间|更新时间|信息来源|来\s*源|作\s*者|文\s*号|"
    r"浏览次数|访问量|点击数|点击量|阅读次数|阅读量|浏览量|信息类别|公开方式|公开范围|公开时限|有效性|时\s*效|有效期|"
    r"责任部门|所属机构|组配分类|体裁分类|服务对象分类|主\s*题\s*词|关\s*键\s*词|索取号|字[号体]|日\s*期|时\s*间"
)
_CHROME_WORD = re.compile(
    rf"(?:{_META_LABELS})\s*[:：]\s*[^\s:：|｜【】\[\]]{{0,40}}?(?=\s|[|｜【】\[\]]|$|(?:{_META_LABELS})\s*[:：])"  # 来源：沭阳县发展和改革局
    rf"|(?:{_META_LABELS}|{_TOOL_WORDS})[:：]?",
    re.I,
)
_CHROME_FIGURE = re.compile(r"\d{2,4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}:\d{2}(?::\d{2})?|\d+")  # dates, times, counts
_CHROME_SEPARATORS = re.compile(r"[\s|｜/·•【】\[\]()（）<>《》「」,，、>＞»›]+")
MAX_CHROME = 120  # characters: a bar of tools and metadata; longer is a paragraph
_SENTENCE_MARK = re.compile(r"[。；;！!？?﹔﹖﹗]")
# every character the three patterns above can match but for a label's value (after a colon)
# and an attachment's name (after 附件): their literal characters, any letter in either case
# (the patterns ignore case, and "ſ", "K" fold to ASCII), digits and spaces
_CHROME_CHARACTERS = frozenset(_CHROME_WORD.pattern + _CHROME_FIGURE.pattern + _CHROME_SEPARATORS.pattern
                               + string.ascii_letters + "\u017f\u212a\u0130\u0131")


class _Unchrome(dict):
    """A ``str.translate`` table: a character that is, or NFKC decomposes into, a colon or
    附 → ":" (after a label's colon, or 附件, any character may stand); one
    :data:`_CHROME_CHARACTERS` may match → dropped; any other → itself.  So a line that
    keeps a character and no ":" is not chrome, told without normalising it or trying
    the patterns.  (No character the patterns match is a canonical composition: NFKC
    cannot make one from those kept.)  Each character is judged once, then looked up in C."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        chars = ch + unicodedata.normalize("NFKD", ch)
        if ":" in chars or "附" in chars:
            kept: str | None = ":"
        elif any(c in _CHROME_CHARACTERS or c.isdigit() or c.isspace() for c in chars):
            kept = None
        else:
            kept = ch
        if len(self) < 65536:
            self[code] = kept
        return kept


_UNCHROME = _Unchrome()


def is_site_chrome(text: str) -> bool:
    """A line of the site around a report, not of the report (``附件下载``, ``扫一扫在手机上查看
    当前页面``, ``文字解读 图片解读``, ``发布时间：2024-01-15 浏览次数：35 【字体：大 中 小】``,
    ``时效``): every piece of it a tool, a metadata label (with its value), a date, a time
    or a count — one tool or label at least, so that a date alone (the signature's) is
    not — and not one sentence mark (。；！？) in it."""
    if len(text) > MAX_CHROME or _SENTENCE_MARK.search(text):
        return False
    told = "".join(text.split()).translate(_UNCHROME)  # (spaces are dropped: a row's many go first, in C)
    if told and ":" not in told:
        return False  # a character no tool, label, figure or separator holds, and no colon or 附件 anything could follow
    return _chrome_pieces(nfkc(text).strip())


def _chrome_pieces(t: str) -> bool:
    """:func:`is_site_chrome` of a text in NFKC: each piece a tool, a label or a figure."""
    if not t or not (_CHROME_SEPARATORS.match(t) or _CHROME_WORD.match(t) or _CHROME_FIGURE.match(t)):
        return False  # most lines of a report fail here, at their first word
    words = 0
    for piece in _CHROME_SEPARATORS.sub(" ", t).split():
        at = 0
        while at < len(piece):
            match = _CHROME_WORD.match(piece, at)
            if match and match.end() > at:
                words += 1
            else:
                match = _CHROME_FIGURE.match(piece, at)
                if not match or match.end() == at:
                    return False
            at = match.end()
    return words > 0


def is_page_number(text: str) -> bool:
    """A line that is only a page number: ``— 3 —``, ``第3页 共8页``, ``3/8``."""
    if _WORD.search(text):
        return False  # an ideograph a page number has not (NFKC keeps ideographs): a paragraph, told before it is normalised
    return bool(_PAGE_NUMBER.match(nfkc(text).strip()))


_WORD = re.compile("[\u4e00-\u5170\u5172-\u7b2b\u7b2d-\u9874\u9876-\u9fff]")  # 一…鿿 but 共, 第, 页


def is_metadata(text: str) -> bool:
    """A web page's metadata or tool line (``索引号：…``, ``发布日期：…``, ``【打印】【关闭】``)."""
    t = nfkc(text).strip()
    return bool(_METADATA.match(t) or _TOOLS.match(t))
