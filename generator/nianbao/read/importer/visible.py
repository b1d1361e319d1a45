"""What a reader of a web page sees: the text the page's own styles hide is removed
before the page is read.

A saved page can hold text no reader sees — ``12<span style="display:none">0</span>``
shows 12 and would be read 120.  Removed here: elements with the ``hidden`` attribute;
elements that inline styles or the page's own ``<style>`` sheets (tag, class, id,
compound and descendant selectors, with the cascade's specificity and ``!important``)
hide by ``display:none``, ``opacity:0``, zero width or height with ``overflow:hidden``,
or an off-screen position; and text whose ``visibility`` is hidden, whose font size is
under one pixel, or whose colour is the background's (white on the default white page,
``<font color>`` and ``bgcolor`` too).  Style sheets are parsed by tinycss2 and
selectors matched by cssselect, the companions of lxml; ``@media`` blocks other than
``screen``/``all`` (print styles) and linked style sheets (never fetched) are not applied.
Struck-through text (``<del>``, ``<s>``, ``line-through``) is removed like hidden text.

Superscripts and subscripts (``<sup>``, ``vertical-align: super``) are kept, but their
digits become superscript digits, so that ``12<sup>1</sup>`` reads ``12¹`` — a figure
with a footnote mark, which the importer reports — never 121.
"""

from __future__ import annotations

import functools
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import tinycss2
import tinycss2.color3
from cssselect import SelectorError
from cssselect import parse as parse_selectors
from lxml import etree
from lxml.cssselect import CSSSelector

MAX_SELECTORS = 4000  # a site's whole style sheet inlined; more is not read (bounded time)
# elements visited by selector matching (selectors × elements): ~3 s; past it, the rest of
# the sheet is not applied and the clerk is told
MAX_VISITS = 10_000_000
MAX_CSS = 2 * 1024 * 1024
_CELLS = ("td", "th")
_PROPERTIES = frozenset(
    {"display", "visibility", "opacity", "font-size", "font", "color", "background-color", "background", "width", "height",
     "max-width", "max-height", "overflow", "position", "left", "top", "text-indent", "vertical-align", "clip",
     "text-decoration", "text-decoration-line"}
)
_WHITE = (1.0, 1.0, 1.0)
_SUPER = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUB = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_LENGTH = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|em|rem|%|ex|ch|vw|vh|cm|mm|in|pc|q)?$", re.I)
_ABSOLUTE = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6}
_KEYWORD_SIZES = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0, "x-large": 24.0, "xx-large": 32.0,
                  "smaller": 13.0, "larger": 19.0}


@dataclass
class _Declared:
    """One property's winning declaration for an element so far: (important, specificity, order)."""

    value: str
    rank: tuple


def _declarations(content) -> list[tuple[str, str, bool]]:
    found = []
    for item in tinycss2.parse_declaration_list(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration" and item.lower_name in _PROPERTIES:
            found.append((item.lower_name, tinycss2.serialize(item.value).strip().lower(), bool(item.important)))
    return found


_NAMED = re.compile(r"([.#])(-?[_a-zA-Z\u00a0-\uffff][\w\u00a0-\uffff-]*)")
_QUOTED = re.compile(r"\[[^\]]*\]|\"[^\"]*\"|'[^']*'")


def _names(root) -> tuple[set[str], set[str], int]:
    """The classes and ids the page uses, and its number of elements."""
    classes = set(" ".join(_CLASSES(root)).split())  # (lxml's XPath: no Python object an element)
    ids = {str(ident) for ident in _IDS(root) if ident}
    return classes, ids, int(_COUNT(root))


# the attributes and the nodes root.iter() would give (elements, comments, processing instructions)
_CLASSES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
_IDS = etree.XPath("descendant-or-self::*/@id", smart_strings=False)
_COUNT = etree.XPath("count(descendant-or-self::*) + count(descendant::comment()) + count(descendant::processing-instruction())")


def _possible(selector: str, classes: set[str], ids: set[str]) -> bool:
    """A selector that names a class or id the page does not use matches nothing: a
    site's sheet is written for all its pages, and most of it is skipped this way."""
    for kind, name in _NAMED.findall(_QUOTED.sub("", selector)):
        if name not in (classes if kind == "." else ids):
            return False
    return True


_SCREEN_MEDIA = re.compile(r"^(?:only\s+)?(?:screen|all)$")


def _screen_rules(rules, depth: int = 0):
    """The rules a screen applies: plain rules, and those inside ``@media screen``/``@media all``
    and ``@supports`` (a page hides ``display:none !important`` there as well as anywhere);
    print styles, width-dependent queries, ``@font-face`` and ``@import`` are not what a screen shows."""
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.content is not None and depth < 8 and (
            rule.lower_at_keyword == "supports"
            or (rule.lower_at_keyword == "media"
                and any(_SCREEN_MEDIA.match(" ".join(q.split()).lower())
                        for q in tinycss2.serialize(rule.prelude).split(",")))
        ):
            yield from _screen_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), depth + 1)


def _inline(style: str) -> tuple[tuple[str, str, bool], ...]:
    """An inline style's declarations: a page repeats a few inline styles on hundreds of
    elements, so the short ones are kept (at most 4096 of 512 characters)."""
    return _kept_inline(style) if len(style) <= 512 else tuple(_declarations(style))


@functools.lru_cache(maxsize=4096)
def _kept_inline(style: str) -> tuple[tuple[str, str, bool], ...]:
    return tuple(_declarations(style))


# elements with a style attribute, in document order (lxml's XPath: no Python object for the others)
_STYLED = etree.XPath("descendant-or-self::*[@style]")


def _sheet(css: str) -> list[tuple[list[tuple[str, str, bool]], list]]:
    """A style sheet's rules a screen applies that declare a property read here: (its
    declarations, its selectors).  A site serves the same sheet with every page, so the
    last few sheets read are kept (by their text; parsed selectors are not changed by use)."""
    kept = _SHEETS.get(css)
    if kept is not None:
        return kept
    rules = []
    for rule in _screen_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)):
        props = _declarations(rule.content)
        if not props:
            continue
        try:
            parsed = parse_selectors(tinycss2.serialize(rule.prelude))
        except SelectorError:
            continue
        rules.append((props, parsed))
    if len(css) <= _SHEET_KEPT_CHARS:
        with _SHEETS_LOCK:
            while len(_SHEETS) >= _SHEETS_KEPT:
                _SHEETS.pop(next(iter(_SHEETS)))  # the oldest
            _SHEETS[css] = rules
    return rules


_SHEETS: dict[str, list] = {}
_SHEETS_KEPT = 32
_SHEET_KEPT_CHARS = 256 * 1024  # a sheet held: 32 of them at most 8 M characters
_SHEETS_LOCK = threading.Lock()


def _styles(root) -> tuple[dict, bool]:
    """element → {property: value}, by the cascade of the page's own sheets and inline
    styles; and whether the whole sheet was applied (False: too big to apply in time)."""
    declared: dict = {}
    names: tuple[set[str], set[str], int] | None = None  # the page's classes, ids and elements: counted once a sheet has rules to match
    visits = 0
    complete = True

    def offer(element, prop: str, value: str, rank: tuple) -> None:
        props = declared.setdefault(element, {})
        held = props.get(prop)
        if held is None or rank >= held.rank:
            props[prop] = _Declared(value, rank)

    order = 0
    selectors = 0
    for style in root.iter("style"):
        for props, parsed in _sheet("".join(style.itertext())[:MAX_CSS]):
            if names is None:
                names = _names(root)
            classes, ids, elements = names
            for selector in parsed:
                if selector.pseudo_element is not None or not _possible(selector.canonical(), classes, ids):
                    continue
                if selectors >= MAX_SELECTORS or visits + elements > MAX_VISITS:
                    complete = False
                    continue
                selectors += 1
                visits += elements
                try:
                    matches = CSSSelector(selector.canonical(), translator="html")(root)
                except (SelectorError, Exception):  # noqa: BLE001 - :hover and the like select nothing a page shows at rest
                    continue
                order += 1
                for element in matches:
                    for prop, value, important in props:
                        offer(element, prop, value, (important, selector.specificity(), order))
    for element in _STYLED(root):
        inline = element.get("style")
        if inline:
            order += 1
            for prop, value, important in _inline(inline):
                offer(element, prop, value, (important, (1, 0, 0, 0), order))
    return {element: {p: d.value for p, d in props.items()} for element, props in declared.items()}, complete


def _color(value: str | None):
    if not value:
        return None
    try:
        parsed = tinycss2.color3.parse_color(value)
    except Exception:  # noqa: BLE001 - a malformed colour is no colour
        return None
    return parsed if parsed is not None and parsed != "currentColor" else None


def _background(props: dict, element):
    """The element's own background colour (None when transparent), and whether it has a picture."""
    value = props.get("background-color") or props.get("background") or ""
    picture = "url(" in (props.get("background") or "") or element.get("background") is not None
    color = _color(value) if value else None
    if color is None and value:  # "background: #fff url(x) no-repeat": the colour among the words
        for word in value.split():
            color = _color(word)
            if color is not None:
                break
    if color is None and element.get("bgcolor"):
        color = _color(element.get("bgcolor").strip())
    if color is not None and color.alpha == 0:
        color = None
    return color, picture


def _size(value: str | None, parent: float) -> float | None:
    """A font size in pixels, or None when not given."""
    if not value:
        return None
    if "/" in value or " " in value:  # the "font" shorthand: "bold 12px/1.5 宋体", "0/0 a"
        value = next((w for w in re.split(r"[\s/]+", value) if w in _KEYWORD_SIZES or _LENGTH.match(w)), "")
    if value in _KEYWORD_SIZES:
        return _KEYWORD_SIZES[value]
    match = _LENGTH.match(value)
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or "px").lower()
    if unit in ("em", "ex", "ch"):
        return number * parent
    if unit == "rem":
        return number * 16.0
    if unit == "%":
        return number * parent / 100
    if unit in ("vw", "vh"):
        return number * 10.0  # a viewport fraction: visible unless zero
    return number * _ABSOLUTE.get(unit, 1.0)


def _zero(value: str | None) -> bool:
    size = _size(value, 16.0) if value else None
    return size is not None and size <= 0


def _struck(element, props: dict) -> bool:
    """Struck-through text (``<del>``, ``<s>``, ``line-through``) is what the page says is
    no longer so: ``12<del>0</del>`` is 12 to a reader, never 120 (a strike covers all the
    element holds, so the element goes whole, like a hidden one)."""
    return element.tag in ("del", "s", "strike") or "line-through" in props.get("text-decoration", "") + props.get("text-decoration-line", "")


def _hidden_box(element, props: dict) -> bool:
    """The element and all it holds are not shown, whatever its children say."""
    if element.get("hidden") is not None:
        return True
    if props.get("display") == "none":
        return True
    opacity = props.get("opacity")
    if opacity is not None:
        try:
            if float(opacity.rstrip("%")) <= 0:
                return True
        except ValueError:
            pass
    clipped = props.get("overflow") in ("hidden", "clip") or props.get("clip", "").replace(" ", "") in ("rect(0000)", "rect(0,0,0,0)", "rect(0px,0px,0px,0px)")
    if clipped and any(_zero(props.get(p)) for p in ("width", "height", "max-width", "max-height")):
        return True
    if props.get("clip", "").replace(" ", "").startswith("rect(0") and props.get("position") in ("absolute", "fixed"):
        return True
    if props.get("position") in ("absolute", "fixed"):
        for side in ("left", "top"):
            size = _size(props.get(side), 16.0)
            if size is not None and size <= -1000:
                return True
    indent = _size(props.get("text-indent"), 16.0)
    return indent is not None and indent <= -1000 and not len(element)


@dataclass
class _Inherited:
    visible: bool = True  # visibility
    size: float = 16.0  # font size in px
    color: tuple = (0.0, 0.0, 0.0, 1.0)
    background: tuple = _WHITE
    picture: bool = False  # a background picture behind: colour says nothing
    raised: str = ""  # "super" or "sub"


def _unseen(state: _Inherited) -> bool:
    """Text in this state is not seen: hidden, too small, or the background's colour."""
    if not state.visible or state.size < 1.0:
        return True
    red, green, blue, alpha = state.color
    if alpha <= 0.05:
        return True
    if state.picture:
        return False
    return max(abs(red - state.background[0]), abs(green - state.background[1]), abs(blue - state.background[2])) <= 0.04


# what, with no style of its own, still changes how an element's text is seen
_MARKED_TAGS = frozenset(("font", "sup", "sub", "del", "s", "strike"))
_MARKED_ATTRIBUTES = frozenset(("hidden", "background", "bgcolor"))
_MARKING = etree.XPath(" | ".join(f"descendant-or-self::*/@{name}" for name in sorted(_MARKED_ATTRIBUTES)))


def _marked(top) -> bool:
    """Whether anything under ``top`` is marked up to hide, colour or raise its text (lxml's
    tag filter and attribute search: no Python object for the elements that are not)."""
    return next(top.iter(*_MARKED_TAGS), None) is not None or bool(_MARKING(top))


def _state(element, props: dict, parent: _Inherited) -> _Inherited:
    """What ``element`` shows its text in: its parent's state with what its style and markup change."""
    state = _Inherited(parent.visible, parent.size, parent.color, parent.background, parent.picture, parent.raised)
    visibility = props.get("visibility")
    if visibility in ("hidden", "collapse"):
        state.visible = False
    elif visibility == "visible":
        state.visible = True
    size = _size(props.get("font-size") or (props.get("font") if props.get("font", "").split()[:1] != ["inherit"] else None), parent.size)
    if element.tag == "font" and element.get("size") is not None and element.get("size", "").strip() in ("0", "-7"):
        size = 0.0
    if size is not None:
        state.size = size
    color = _color(props.get("color")) or (_color(element.get("color")) if element.tag == "font" else None)
    if color is not None:
        state.color = tuple(color)
    background, picture = _background(props, element)
    if background is not None:
        state.background = tuple(background)[:3]
        state.picture = picture
    elif picture:
        state.picture = True
    align = props.get("vertical-align")
    if element.tag in ("sup", "sub") or align in ("super", "sub"):
        state.raised = "sub" if element.tag == "sub" or align == "sub" else "super"
    return state


def hide(root) -> tuple[dict, bool, bool]:
    """Remove from ``root`` (in place) what a reader of the page does not see, and raise
    superscript digits.  Returns {table cell element: [texts removed from it]}, so that
    the reader can tell the clerk when a cell's figure had hidden characters; whether
    the page's style sheets could be applied whole; and whether the page was walked at
    all (False: nothing on it is styled or marked up to be hidden, and it is left as it was)."""
    with warnings.catch_warnings():  # selector and colour parsing must never speak to the clerk
        warnings.simplefilter("ignore")
        styles, complete = _styles(root)
    removed: dict = {}

    def note(cell, text: str | None) -> None:
        if cell is not None and text and text.strip():
            removed.setdefault(cell, []).append(text.strip())

    body = root.find("body")
    top = body if body is not None else root
    if not styles and not _marked(top):
        return removed, complete, False  # nothing styled and no markup that hides, colours or raises: all is seen as it is
    # (element, the state it inherits, the table cell it stands in)
    # (and whether text in that state is unseen, worked out once for all the children)
    stack: list[tuple[Any, _Inherited, bool, Any]] = [(top, _Inherited(), _unseen(_Inherited()), None)]  # lxml's elements (lxml has no types of its own)
    while stack:  # no recursion: a page nested thousands deep is walked all the same
        element, parent, parent_unseen, cell = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if element.tag in _CELLS:
            cell = element
        props = styles.get(element, {})
        if not props and element.tag not in _MARKED_TAGS and _MARKED_ATTRIBUTES.isdisjoint(element.keys()):
            state = parent  # no style and nothing in its markup that hides or colours: it looks as its parent does (most elements)
        else:
            if element is not top and (_hidden_box(element, props) or _struck(element, props)):
                note(cell, "".join(element.itertext()))
                element.drop_tree()  # its tail is the parent's text and stays
                continue
            state = _state(element, props, parent)
        unseen = parent_unseen if state is parent else _unseen(state)
        if unseen:
            note(cell, element.text)
            element.text = None
            for child in element:
                note(cell, child.tail)
                child.tail = None
        elif state.raised and element.text:
            element.text = element.text.translate(_SUPER if state.raised == "super" else _SUB)
        if state.raised and not unseen:
            for child in element:  # the tails inside a raised element are raised too
                if child.tail:
                    child.tail = child.tail.translate(_SUPER if state.raised == "super" else _SUB)
        for child in reversed(element):
            stack.append((child, state, unseen, cell))
    return removed, complete, True
