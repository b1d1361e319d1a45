"""A Word document (.docx) → lines.

Paragraphs become lines; a table's rows become exact rows, where a cell covered by the
cell above (``vMerge`` continuation) is not a cell of the row and a cell spanning
columns (``gridSpan``) is one cell.  A table that holds tables is layout: its cells are
read as the document's own content.  Alternate content (``mc:AlternateContent``, which
Word writes twice: for new and for old readers) is read once; a picture standing alone
is kept as an ``image`` line.

What a reader does not see is not read: runs hidden by ``w:vanish`` or ``w:webHidden``
(set on the run, or by its character or paragraph style), printed under one point, or
white on a page and cell without shading.  Superscript and subscript digits are read as
such (``12`` with a superscript ``1`` is ``12¹``, a figure with a footnote mark, which
the importer reports) — never as 121.
"""

from __future__ import annotations

import struct
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from types import MappingProxyType
from typing import Any

from ...system import safezip
from .lines import Cell, Line, Unreadable, clean

MAX_PARAGRAPHS = 100_000  # a report's paragraphs, each table cell's included, are a few thousand
MAX_BODY = 24 * 1024 * 1024  # bytes of word/document.xml: a 40-page report with tables is ~2 MB

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
KIND = "Word 文档（.docx）"
_PICTURES = (f"{W}drawing", f"{W}pict", f"{W}object")
_P, _R, _T, _TBL, _TR, _TC, _RPR = (f"{W}{name}" for name in ("p", "r", "t", "tbl", "tr", "tc", "rPr"))
_PPR, _PSTYLE_TAG, _RSTYLE, _VAL, _NO_BREAK_HYPHEN = f"{W}pPr", f"{W}pStyle", f"{W}rStyle", f"{W}val", f"{W}noBreakHyphen"
_TRPR, _DEL, _TCPR, _VMERGE = f"{W}trPr", f"{W}del", f"{W}tcPr", f"{W}vMerge"
_SPACE_TAGS, _BREAK_TAGS, _NOTE_TAGS = (f"{W}tab", f"{W}ptab"), (f"{W}br", f"{W}cr"), (f"{W}footnoteReference", f"{W}endnoteReference")
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
    except safezip.BadPackage as exc:
        raise Unreadable(f"{exc}；如果是旧版 Word 文件（.doc），请在 Word 或 WPS 中另存为 .docx 后再试") from exc
    body = root.find(f"{W}body")
    if body is None:
        raise Unreadable("Word 文档中没有正文")
    return _Reader(_styles(package, data)).read(body)


# -- what a run looks like --------------------------------------------------------------------
_OFF = ("false", "0", "off", "none")
_SUPER = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUB = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_WHITE = ("FFFFFF", "FEFEFE", "FDFDFD")
_MAX_STYLES = 5000


@dataclass(frozen=True)
class Look:
    """The run properties that decide whether a run is seen; None: not set at this level."""

    hidden: bool | None = None  # w:vanish or w:webHidden
    white: bool | None = None  # w:color white (or the background's theme colour)
    shaded: bool | None = None  # w:shd fill or w:highlight behind the run
    tiny: bool | None = None  # w:sz under one point
    raised: str | None = None  # w:vertAlign: superscript, subscript, baseline
    struck: bool | None = None  # w:strike, w:dstrike: crossed out, so no longer so (12 and a struck 0 is 12)

    def over(self, other: Look) -> Look:
        """``self`` with what ``other`` sets laid over it."""
        if other is _NOTHING:
            return self
        if self is _NOTHING:
            return other
        kept = _LAID.get((id(self), id(other)))
        if kept is not None:  # the same few looks are laid over each other for every paragraph and run
            return kept[2]
        if other == _NOTHING:
            return self
        mine: tuple[Any, ...] = (self.hidden, self.white, self.shaded, self.tiny, self.raised, self.struck)  # Look's fields, in order
        theirs: tuple[Any, ...] = (other.hidden, other.white, other.shaded, other.tiny, other.raised, other.struck)
        laid = _interned(Look(*(b if b is not None else a for a, b in zip(mine, theirs))))
        if len(_LAID) < 4096:
            _LAID[(id(self), id(other))] = (self, other, laid)
        return laid

    @property
    def unseen(self) -> bool:
        return bool(self.hidden or self.struck or self.tiny or (self.white and not self.shaded))


_NOTHING = Look()
_LOOKS_MET: dict[Look, Look] = {_NOTHING: _NOTHING}  # one object for each look met: Look.over keys on identity


def _interned(look: Look) -> Look:
    """The one object of this look (a few dozen looks exist; a file that makes up more gets its own objects)."""
    met = _LOOKS_MET.get(look)
    if met is not None:
        return met
    if len(_LOOKS_MET) < 1024:
        _LOOKS_MET[look] = look
    return look


_SHADED = _interned(Look(shaded=True))
# (look, look laid over it) → the look: frozen values, kept by the two looks' identities (no
# hash of their fields at every run); the entry holds both, so that neither id is reused
_LAID: dict[tuple[int, int], tuple[Look, Look, Look]] = {}
# the run properties look_of reads: a run whose properties hold none of them looks as its style says
_SEEN_BY = frozenset(f"{W}{name}" for name in ("vanish", "webHidden", "specVanish", "strike", "dstrike", "color", "shd", "highlight", "sz", "vertAlign"))


def _on(element) -> bool | None:
    if element is None:
        return None
    return (element.get(f"{W}val") or "true").lower() not in _OFF


def _filled(shd) -> bool:
    fill = (shd.get(f"{W}fill") or "auto").upper() if shd is not None else "AUTO"
    return fill not in ("AUTO", *_WHITE)


def look_of(rpr) -> Look:
    if rpr is None:
        return _NOTHING
    kids: dict = {}
    for kid in rpr:  # the properties by name, each the first of its name (as find gives it): one pass, not ten searches
        kids.setdefault(kid.tag, kid)
    if not kids.keys() & _SEEN_BY:
        return _NOTHING  # bold, fonts, sizes of print…: nothing that decides whether the run is seen
    # w:specVanish: hidden always, even where hidden text is shown
    vanish, web, spec = _on(kids.get(f"{W}vanish")), _on(kids.get(f"{W}webHidden")), _on(kids.get(f"{W}specVanish"))
    hidden = None if vanish is None and web is None and spec is None else bool(vanish or web or spec)
    strike, double = _on(kids.get(f"{W}strike")), _on(kids.get(f"{W}dstrike"))
    struck = None if strike is None and double is None else bool(strike or double)
    color = kids.get(f"{W}color")
    white = None
    if color is not None:
        theme = (color.get(f"{W}themeColor") or "").lower()
        white = (color.get(f"{W}val") or "").upper() in _WHITE or theme in ("background1", "light1")
    shd, highlight = kids.get(f"{W}shd"), kids.get(f"{W}highlight")
    shaded = None
    if shd is not None or highlight is not None:
        shaded = _filled(shd) or (highlight is not None and (highlight.get(f"{W}val") or "none").lower() not in ("none", "white"))
    size = kids.get(f"{W}sz")
    tiny = None
    if size is not None:
        try:
            tiny = int(size.get(f"{W}val") or "20") < 2  # half-points: under 1 pt
        except ValueError:
            tiny = None
    align = kids.get(f"{W}vertAlign")
    raised = (align.get(f"{W}val") or "baseline") if align is not None else None
    return _interned(Look(hidden, white, shaded, tiny, raised, struck))


def _styles(package, data: bytes) -> Mapping[str, Look]:
    """styleId → the run look the style gives (its basedOn chain followed), with the
    document's defaults under it as key ``""`` and the default paragraph style's as
    :data:`_PARAGRAPH`."""
    try:
        info = package.getinfo("word/styles.xml")
    except KeyError:
        return {}
    stored = _stored(data, info)
    key = (info.file_size, info.CRC)
    if stored is not None:
        with _LOOKS_LOCK:
            kept = _LOOKS.get(key)
        if kept is not None and kept[0] == stored:  # the same bytes as stored, not merely the same checksum
            return kept[1]
    try:
        xml = safezip.read_part(package, "word/styles.xml", KIND)
    except (KeyError, safezip.BadPackage):
        return {}
    looks: Mapping[str, Look] = MappingProxyType(_parse_styles(xml))
    if len(xml) > _LOOKS_PART or stored is None:
        return looks  # not a template's part: read for this file alone, not held
    with _LOOKS_LOCK:
        while len(_LOOKS) >= _LOOKS_KEPT:
            _LOOKS.pop(next(iter(_LOOKS)))  # the oldest
        _LOOKS[key] = (stored, looks)
    return looks


# The looks of a styles part, kept with the part as the package stores it: the reports of
# one template (nianbao's own, an office's Word or WPS normal template) carry the same
# part — a few hundred KB, mostly Word's gallery of table styles — so it is read once, not
# for every report.  The part is found by its length and the CRC the package's directory
# gives for it, then its stored bytes (local header, name and compressed data, with the
# directory's entry for it) are compared byte for byte with those read before: the same
# stored bytes inflate to the same part, which was inflated, checked against its CRC and
# parsed the first time — so neither the inflation (most of reading a styles part) nor a
# digest of it is paid again, and a part made to share another's checksum is read for itself.
_LOOKS: dict[tuple[int, int], tuple[bytes, Mapping[str, Look]]] = {}
_LOOKS_KEPT = 16
_LOOKS_PART = 4 * 1024 * 1024  # bytes of a styles part held (Word's and WPS's are 0.1–1 MB): 16 of them at most 64 MB
_LOOKS_LOCK = threading.Lock()
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # a zip member's local header: signature, …, name and extra lengths


def _stored(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A member as stored — the directory's entry for it, its local header, name, extra
    field and compressed data: all that zipfile reads to inflate it — or None when it is
    stored in a way not worth keeping (encrypted, patched, overlapping, cut short)."""
    start = info.header_offset
    if info.flag_bits & 0x61 or start < 0 or start + _LOCAL_HEADER.size > len(data):
        return None
    magic, name, extra = _LOCAL_HEADER.unpack_from(data, start)
    end = start + _LOCAL_HEADER.size + name + extra + info.compress_size
    limit = getattr(info, "_end_offset", None)  # where the next member starts (zipfile refuses overlapping members)
    if magic != b"PK\x03\x04" or end > len(data) or (limit is not None and end > limit):
        return None
    entry = repr((info.orig_filename, info.flag_bits, info.compress_type, info.compress_size, info.file_size, info.CRC)).encode()
    return entry + data[start:end]


def _parse_styles(xml: bytes) -> dict[str, Look]:
    try:
        root = safezip.parse_xml(xml, KIND)
    except safezip.BadPackage:
        return {}
    own: dict[str, tuple[Look, str | None]] = {}
    paragraph: str | None = None  # the default paragraph style (Normal, 正文): a paragraph that names none is in it
    for style in root.findall(f"{W}style")[:_MAX_STYLES]:
        ident = style.get(f"{W}styleId")
        based = style.find(f"{W}basedOn")
        if ident:
            if paragraph is None and style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in ("1", "true", "on"):
                paragraph = ident
            look = look_of(style.find(f"{W}rPr"))
            if style.get(f"{W}type") == "table" and any(_filled(shd) for shd in style.iter(f"{W}shd")):
                look = look.over(Look(shaded=True))  # a table style that shades cells: white text there is seen
            own[ident] = (look, based.get(f"{W}val") if based is not None else None)
    default = look_of(root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr"))
    looks: dict[str, Look] = {"": default}
    for ident in own:
        chain: list[Look] = []
        seen: set[str] = set()
        at: str | None = ident
        while at in own and at not in seen and len(chain) < 50:  # a cycle or a chain without end stops
            seen.add(at)
            chain.append(own[at][0])
            at = own[at][1]
        look = _NOTHING
        for link in reversed(chain):
            look = look.over(link)
        looks[ident] = _NOTHING if look == _NOTHING else look  # the one object: Look.over tells it by identity
    if paragraph is not None:
        looks[_PARAGRAPH] = looks[paragraph]
    return looks


_PARAGRAPH = "\x00paragraph"  # the key of the default paragraph style's look (no styleId holds a NUL)


def _plain(look: Look) -> bool:
    """Text in this look is read as it stands: seen and not raised."""
    return not look.unseen and look.raised not in ("superscript", "subscript")


_PLAIN_STYLES: dict[int, tuple[Mapping[str, Look], bool]] = {}  # id(styles) → (styles, every paragraph style shows text plainly)


def _all_plain(styles: Mapping[str, Look]) -> bool:
    """Whether text shows plainly in every paragraph style (nianbao's, most offices'): then
    no paragraph's style need be looked up to read its plain runs."""
    kept = _PLAIN_STYLES.get(id(styles))
    if kept is not None and kept[0] is styles:
        return kept[1]
    default = styles.get("", _NOTHING)
    plain = _plain(default) and all(_plain(default.over(look)) for look in styles.values())
    if isinstance(styles, MappingProxyType):  # a styles part's looks (see _styles): the same for every report of its template
        with _LOOKS_LOCK:
            while len(_PLAIN_STYLES) >= _LOOKS_KEPT:
                _PLAIN_STYLES.pop(next(iter(_PLAIN_STYLES)))  # the oldest
            _PLAIN_STYLES[id(styles)] = (styles, plain)  # (held with its looks, so that their id is not reused)
    return plain


# the run properties that may hide, strike, colour, shade or raise a run's text, or name a
# character style that does (w:sz, which can only shrink it, is read for its value)
_SHOWING = frozenset(f"{W}{name}" for name in ("rStyle", "vanish", "webHidden", "specVanish", "strike", "dstrike", "color", "shd", "highlight", "vertAlign"))
_SZ = f"{W}sz"


def _plain_runs(p) -> list[str] | None:
    """The texts of paragraph ``p`` when it is plain runs — its properties, then runs of
    text whose properties change nothing a reader sees — or None (then it is walked
    run by run: paragraph_text).  Most paragraphs of a report are plain, and reading them
    so visits a third of the elements paragraph_text does."""
    parts = []
    for kid in p:
        tag = kid.tag
        if tag == _R:
            for part in kid:
                inner = part.tag
                if inner == _T:
                    if len(part):
                        return None
                    parts.append(part.text or "")
                elif inner == _RPR:
                    for prop in part:
                        if prop.tag in _SHOWING:
                            return None
                        if prop.tag == _SZ:
                            try:
                                if int(prop.get(_VAL) or "20") < 2:
                                    return None
                            except ValueError:
                                pass
                else:
                    return None
        elif tag != _PPR:
            return None
    return parts


def _covered(tbl) -> set:
    """The document's cells covered by the cell above: the first w:vMerge of a cell's
    properties continues the merge (as Word writes it, without a value, or "continue").
    The merges are found by lxml's tag filter (a few dozen in a report), not by visiting
    every cell: the first one met under a cell's own properties is the cell's."""
    covered, seen = set(), set()
    for merge in tbl.getroottree().iter(_VMERGE):
        props = merge.getparent()
        cell = props.getparent() if props is not None and props.tag == _TCPR else None
        if cell is None or cell.tag != _TC or cell in seen:
            continue
        seen.add(cell)
        if merge.get(_VAL, "continue") == "continue":
            covered.add(cell)
    return covered


class _Reader:
    def __init__(self, styles: Mapping[str, Look] | None = None) -> None:
        self.lines: list[Line] = []
        self.tables = 0
        self.paras = 0
        self.styles = styles or {}
        self.plain = _all_plain(self.styles)
        self.covered: set | None = None

    def text(self, p, hidden: list[str] | None = None) -> str:
        """paragraph_text(p, self.styles, hidden), without walking a paragraph of plain runs."""
        if not self.plain:
            style = _grandchild(p, _PPR, _PSTYLE_TAG)
            base = self.styles.get("", _NOTHING)
            if style is not None:
                base = base.over(self.styles.get(style.get(_VAL) or "", _NOTHING))
            if not _plain(base):
                return paragraph_text(p, self.styles, hidden)
        parts = _plain_runs(p)
        if parts is None:
            return paragraph_text(p, self.styles, hidden)
        return clean("".join(parts))

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
            if child.tag == _P:
                self.paragraph(child)
            elif child.tag == _TBL:
                if child.find(f".//{W}tbl") is not None:  # a layout table: its content is the document's
                    stack.append(iter([part for tr in child.findall(f"{W}tr") for tc in tr.findall(f"{W}tc") for part in tc]))
                else:
                    self.table(child)
            else:
                stack.append(iter(child))  # content controls, inserted runs, custom XML…
        return self.lines

    def paragraph(self, p) -> None:
        self.paras += 1
        text = self.text(p)
        style = _grandchild(p, _PPR, _PSTYLE_TAG)
        heading = style is not None and any(w in (style.get(f"{W}val") or "").lower() for w in ("heading", "title", "标题"))
        pieces = [piece.strip() for piece in text.split("\n")]
        if not any(pieces) and next(p.iter(*_PICTURES), None) is not None:  # an element without children is falsy: test for one found
            self.lines.append(Line("", [], None, f"第{self.paras}段（图片）", kind="image"))
            return
        for piece in pieces:
            self.lines.append(Line(piece, [Cell(piece)] if piece else [], None, f"第{self.paras}段", heading=heading))

    def table(self, tbl) -> None:
        self.tables += 1
        rows = [(tr, list(tr.iterchildren(_TC))) for tr in tbl.iterchildren(_TR)]
        one_column = all(len(tcs) <= 1 for _, tcs in rows)
        if self.covered is None:  # the document's covered cells, found in one search the first time a table is read
            self.covered = _covered(tbl)
        for r, (tr, tcs) in enumerate(rows, start=1):
            where = f"第{self.tables}个表格第{r}行"
            if _grandchild(tr, _TRPR, _DEL) is not None:
                continue  # a row deleted with changes tracked: struck through or not shown, never a table's figures
            cells = []
            notes: list[str] = []
            for tc in tcs:
                if tc in self.covered:
                    continue  # covered by the cell above
                hidden: list[str] = []
                texts = [self.text(p, hidden).strip() for p in tc.iter(_P)]
                if one_column:  # a framed block of text: its paragraphs are the document's
                    for text in texts:
                        for piece in text.split("\n"):
                            if piece.strip():
                                self.lines.append(Line(piece.strip(), [Cell(piece.strip())], None, where))
                    continue
                cells.append(Cell(joined(texts)))
                if hidden and "".join(hidden).strip():
                    notes.append(f"第{len(cells)}格“{cells[-1].text}”中有隐藏的文字“{''.join(hidden).strip()}”（Word 中设为隐藏或白色），未读取")
            if one_column:
                continue
            if not any(c.text for c in cells) and any(tr.iter(*_PICTURES)):
                self.lines.append(Line("", [], None, where + "（图片）", kind="image"))
                continue
            self.lines.append(Line(" ".join(c.text for c in cells if c.text), cells, None, where, in_table=True, exact=True, kind="row", notes=tuple(notes)))


def joined(texts: list[str]) -> str:
    """A cell's paragraphs as one text: nothing between CJK characters (a label broken
    over lines), a space between two figures — ``12`` over ``3`` is two numbers, not 123."""
    if len(texts) == 1 and "\n" not in texts[0]:
        return texts[0].strip()  # one paragraph of one line (most cells)
    out = ""
    for piece in (line.strip() for t in texts for line in t.split("\n")):  # a line break parts figures as a paragraph does
        if not piece:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return out


def _cell_shaded(p, styles: Mapping[str, Look]) -> bool:
    """The paragraph, the table cell it stands in or its table's style has a fill: white
    text there may be seen."""
    if _filled(p.find(f"{W}pPr/{W}shd")):
        return True
    for cell in p.iterancestors(f"{W}tc"):
        if _filled(cell.find(f"{W}tcPr/{W}shd")):
            return True
        for table in cell.iterancestors(f"{W}tbl"):
            style = table.find(f"{W}tblPr/{W}tblStyle")
            name = style.get(f"{W}val") if style is not None else None
            return bool(name and styles.get(name, Look()).shaded)
        return False
    return False


def _child(element, tag: str):
    """``element.find(tag)`` for a plain tag — its first child so named — by walking the
    children, which lxml does in a fraction of what its path search costs (the properties
    come first in WordprocessingML, so the walk is short)."""
    for child in element:
        if child.tag == tag:
            return child
    return None


def _children(element, tag: str) -> list:
    """``element.findall(tag)`` for a plain tag: its children so named, in order."""
    return [child for child in element if child.tag == tag]


def _grandchild(element, tag: str, inner: str):
    """``element.find(f"{tag}/{inner}")``: the first ``inner`` of the first ``tag`` that has one."""
    for child in element:
        if child.tag == tag:
            found = _child(child, inner)
            if found is not None:
                return found
    return None


def _raised(text: str, look: Look) -> str:
    """Text set above or below the line as Word shows it: ``12¹`` is a footnoted figure."""
    if look.raised in ("superscript", "subscript"):
        return text.translate(_SUPER if look.raised == "superscript" else _SUB)
    return text


def paragraph_text(p, styles: Mapping[str, Look] | None = None, hidden: list[str] | None = None) -> str:
    """The text a reader sees in paragraph ``p``; what is hidden goes to ``hidden``."""
    styles = styles or {}
    base = styles.get("", _NOTHING)
    pstyle = _grandchild(p, _PPR, _PSTYLE_TAG)
    named = pstyle.get(_VAL) if pstyle is not None else None
    own = styles.get(named) if named else None
    if own is None:  # no style named, or one the document lacks: Word shows the default paragraph style
        own = styles.get(_PARAGRAPH, _NOTHING)
    base = base.over(own)
    shading: list[bool] = []  # whether the cell or paragraph is filled: looked up only for white text (most runs are not)
    parts: list[str] = []
    stack = [(iter(p), base)]
    while stack:
        node = next(stack[-1][0], None)
        look = stack[-1][1]
        if node is None:
            stack.pop()
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _R:
            rpr = _child(node, _RPR)
            run = look
            if rpr is not None:  # a run without properties looks as its paragraph does
                rstyle = _child(rpr, _RSTYLE)
                if rstyle is not None:
                    run = run.over(styles.get(rstyle.get(_VAL) or "", _NOTHING))
                run = run.over(look_of(rpr))
            if run.white and not run.shaded:
                if not shading:
                    shading.append(_cell_shaded(p, styles))
                if shading[0]:
                    run = run.over(_SHADED)
            if run.unseen:
                if hidden is not None:
                    hidden.append("".join(t.text or "" for t in node.iter(_T)))
                continue
            kids = iter(node)
            for kid in kids:  # a run's own text read here; anything else in it by the walk
                if kid.tag == _T:
                    parts.append(_raised(kid.text or "", run))
                elif kid.tag != _RPR:
                    stack.append((chain((kid,), kids), run))
                    break
        elif tag == _T:
            parts.append(_raised(node.text or "", look))
        elif tag in _SPACE_TAGS:
            parts.append(" ")
        elif tag in _BREAK_TAGS:
            parts.append("\n")
        elif tag in _NOTE_TAGS and not look.unseen:
            parts.append("※")  # Word prints the note's number raised here: 12¹ is a footnoted figure, not 12
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        else:
            stack.append((iter(node), look))
    return clean("".join(parts))
