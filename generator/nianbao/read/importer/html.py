"""A web page → lines: the report without the site around it.

Government sites wrap the report in navigation, breadcrumbs, metadata blocks, share
buttons and footers, often inside layout tables; the report's own tables are the ones
that hold no other table.  The page is walked without recursion, so a page nested
thousands of levels deep is read like any other.  A picture where a table should be is
kept as an ``image`` line, so that the clerk is told the table is a picture.  What the
page's styles hide from a reader is removed first (:mod:`.visible`).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree, html

from ...system.decode import decode
from . import visible
from .lines import Cell, Line, Unreadable, clean

_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "td", "th", "tr", "section",
     "article", "body", "center", "blockquote", "pre", "table", "caption", "header", "main", "figure", "figcaption"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DROP = ("script", "style", "noscript", "iframe", "form", "select", "button", "nav", "footer", "aside", "object", "embed", "svg", "template")
# class or id words of a site's furniture (navigation, breadcrumbs, footers, share bars)
_FURNITURE = re.compile(r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumbs?|footer|foot|copyright|sidebar|share|toolbar|topbar)(?:$|[-_\s\d])", re.I)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)


def _text_of(data: bytes) -> str:
    """The page's text: its declared charset when it decodes cleanly, else by detection."""
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        name = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}.get(name, name)
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    decoded = decode(data)
    if decoded.text is None:
        raise Unreadable("无法识别网页的文字编码")
    return decoded.text


# Every element an HtmlElement, chosen in C: lxml.html's own lookup calls Python for each element
# Python touches (to give forms and inputs their classes, which no reader here uses) — a tenth
# of reading a page.
_ONE_CLASS = etree.ElementDefaultClassLookup(element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction, entity=html.HtmlEntity)


def read_html(data: bytes) -> tuple[list[Line], dict[str, str]]:
    """(lines, {"title": the page's <title>})."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", _text_of(data))
    if not text.strip():
        raise Unreadable("网页内容为空")
    try:
        parser = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
        parser.set_element_class_lookup(_ONE_CLASS)
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise Unreadable("网页内容为空或无法解析") from exc
    meta = {}
    title = root.find(".//title")
    if title is not None and title.text:
        meta["title"] = clean(title.text).strip()
    before = _visible_length(root)
    hidden, complete, walked = visible.hide(root)  # what a reader does not see is not read (before <style> goes)
    whole = walked and before >= 200 and _visible_length(root) < before // 20  # a page not walked is as it was
    if whole:  # the page hides itself whole until a script shows it: read it as the browser shows it then
        root = html.document_fromstring(text, parser=parser)
        hidden, complete = {}, True
    for element in list(root.iter(*_DROP, "head")):
        if element.getparent() is not None:
            element.drop_tree()
    for element in _NAMED(root):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        named, ident = element.get("class"), element.get("id")
        if not (named or ident):
            continue  # most elements: neither a class nor an id to tell furniture by
        words = f"{named or ''} {ident or ''}"
        if words.strip() and _FURNITURE.search(words) and element.find(".//table") is None:
            element.drop_tree()
    body = root.find("body")
    lines = _walk(body if body is not None else root, hidden)
    if not complete:
        lines.append(Line("", [], None, "网页的样式表", notes=(
            "网页自带的样式表过大，只应用了一部分：被样式隐藏的文字可能未全部识别，请对照网页核对数字",)))
    if whole:
        lines.append(Line("", [], None, "网页的样式表", notes=(
            "网页的样式把整个正文设为不显示（通常由网页脚本在打开后再显示），已按全部文字读取：被隐藏的个别文字无法区分，请对照网页核对数字",)))
    return lines, meta


# the elements with a class or an id, in document order (lxml's XPath: no Python object for the
# others, which have no class or id to tell furniture by)
_NAMED = etree.XPath("descendant-or-self::*/@class/.. | descendant-or-self::*/@id/..")


def _visible_length(root) -> int:
    """Characters of the body's text, what the styles might hide included."""
    body = root.find("body")
    top = body if body is not None else root
    total = sum(map(len, map(str.strip, top.itertext())))  # every text and tail under top (lxml gathers them)
    for element in top.iter(*_NOT_SHOWN):  # less the own text of what a page does not show
        if element.text:
            total -= len(element.text.strip())
    return total + (len(top.tail.strip()) if top.tail else 0)


_NOT_SHOWN = frozenset(("script", "style", "template", "noscript"))  # elements whose own text a page does not show


def _walk(top, hidden: dict) -> list[Line]:
    lines: list[Line] = []
    buffer: list[str] = []
    tables = 0
    heading = False

    def flush() -> None:
        nonlocal heading
        if not buffer:  # (most blocks close with nothing gathered)
            heading = False
            return
        for piece in "".join(buffer).split("\n"):
            piece = clean(piece).strip()
            if piece:
                lines.append(Line(piece, [Cell(piece)], None, f"第{len(lines) + 1}段", heading=heading))
        buffer.clear()
        heading = False

    # an explicit stack of (element, entering?) instead of recursion
    stack: list[tuple[Any, bool]] = [(top, True)]  # lxml's elements (lxml has no types of its own)
    while stack:
        element, entering = stack.pop()
        if not entering:  # leaving: close the block, then the text after the element
            if element.tag in _BLOCKS:
                flush()
            if element.tail:
                buffer.append(element.tail)
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "table" and element.find(".//table") is None:  # a data table, not a layout table
            flush()
            tables += 1
            _table(element, tables, lines, hidden)
            if element.tail:
                buffer.append(element.tail)
            continue
        if tag in _BLOCKS:
            flush()
        if tag in _HEADINGS:
            heading = True
        if tag == "br":
            buffer.append("\n")
        elif tag == "img" and not "".join(buffer).strip():
            flush()
            lines.append(Line("", [], None, f"第{len(lines) + 1}段（图片）", kind="image", source=(element.get("src") or "").strip()))
        elif element.text and tag:
            buffer.append(element.text)
        stack.append((element, False))
        for child in reversed(element):
            if isinstance(child.tag, str):
                stack.append((child, True))
            elif child.tail:  # a comment or processing instruction: only its tail is text
                stack.append((_Tail(child.tail), False))
    flush()
    return lines


class _Tail:
    """Stands for the text after a comment, which has no element of its own."""

    tag = ""

    def __init__(self, tail: str) -> None:
        self.tail = tail


def _table(element, number: int, lines: list[Line], hidden: dict) -> None:
    rows = [(tr, list(tr.iterchildren(*_CELLS))) for tr in element.iter("tr")]
    if not rows:
        return
    if max(len(tds) for _, tds in rows) <= 1:  # a one-column table frames text: its cells are paragraphs
        for _, tds in rows:
            for td in tds:
                for piece in _cell_text(td, keep_breaks=True).split("\n"):
                    piece = clean(piece).strip()
                    if piece:
                        lines.append(Line(piece, [Cell(piece)], None, f"第{number}个表格"))
        return
    for r, (tr, tds) in enumerate(rows, start=1):
        cells = [Cell(clean(_cell_text(td) if len(td) else _join_broken(td.text or "")).strip()) for td in tds]  # (most cells hold their text alone)
        where = f"第{number}个表格第{r}行"
        if not any(c.text for c in cells) and tr.find(".//img") is not None:
            lines.append(Line("", [], None, where + "（图片）", kind="image"))
            continue
        notes = tuple(
            f"第{c}格“{cell.text}”中有网页上看不到的文字“{clean(''.join(hidden[td]))}”，未读取"
            for c, (td, cell) in enumerate(zip(tds, cells), start=1)
            if td in hidden
        ) if hidden else ()
        lines.append(Line(" ".join(c.text for c in cells if c.text), cells, None, where, in_table=True, exact=True, kind="row", notes=notes))


_CELLS = ("td", "th")


def _cell_text(td, keep_breaks: bool = False) -> str:
    """A cell's text; its line breaks joined (a label broken with <br> stays one label)."""
    if not len(td):  # nothing in the cell but its text
        text = td.text or ""
        return text if keep_breaks else _join_broken(text)
    for node in td.iter("br", "p", "div"):
        if node.tag == "br":
            node.tail = "\n" + (node.tail or "")
        elif node is not td:  # a block starts and ends a line: <div>12</div>0 shows two figures
            node.text = "\n" + (node.text or "")
            node.tail = "\n" + (node.tail or "")
    text = "".join(td.itertext())
    return text if keep_breaks else _join_broken(text)


_BREAK = re.compile(r"\s*\n\s*")


def _join_broken(text: str) -> str:
    """Lines of one cell joined: nothing between CJK characters, a space between words."""
    if "\n" not in text:
        return text.strip()  # one line (most cells): nothing to join
    pieces = [p.strip() for p in _BREAK.split(text) if p.strip()]
    out = ""
    for piece in pieces:
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return out
