"""How the importer reads a label or a number the way a person would.

Published reports spell the official labels with half- and full-width brackets, spaces
inside words, lines broken mid-label, typos, old wording and OCR confusions (FORMAT.md
§8).  Labels are compared by their normalised *core* — the text without numbering,
spaces, bracket width and the usual OCR confusions — and by similarity, so that
``(三) 不予公开``, ``其他法律法规禁止公开`` and ``l.属于国家秘密`` still find their row.

Numbers get no such tolerance: a cell is a number only when it reads as one.  A cell
that mixes digits with letters an OCR engine confuses with digits (``1O``, ``l2``) is
*doubtful* and is reported, never read; so is a figure with a footnote mark, a superscript
or a circled number glued to it, or two numbers in one cell (:func:`footnoted`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ...model.schema import written
from ...model.standard import ValueType
from ...model.yamlfile import MAX_DIGITS, WrittenNumber

_SPACE = re.compile(r"[\s\u3000]+")
_CN = "一二三四五六七八九十"
# the numbering in front of a label or heading: 一、 (一) 1. 1、 ① 第一部分
_ORDINAL = re.compile(
    rf"^(?:第[{_CN}\d]+部分[:：、.]?|[{_CN}]+[、.．]|\([{_CN}\d]+\)|[\d]+[.、．](?!\d)|[①-⑳])"
)
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
SIMILAR = 0.8  # difflib ratio from which two label cores are taken as the same label

# Characters OCR engines put in place of others in labels (never applied to numbers).
_OCR_FOLD = str.maketrans({"己": "已", "巳": "已"})
_OCR_LEADING_ONE = re.compile(r"^[lIi|丨](?=[.、．])")  # l.属于国家秘密
_OCR_ONES = frozenset("lIi|丨")  # (what it opens with: most labels are not searched)


# A file repeats its tokens (the same figures, dashes and labels in every table), and each
# token's reading is a pure function of its text: the readings below are kept per token for
# the file being imported, so that each token is normalised and classified once.
# :func:`forget` empties them when the next file starts, so a file's time is its own.
_TOKENS = 8192  # distinct tokens kept; a hostile file with more is read, only slower


def per_token(function):
    """``function`` (of a token's or a line's text) worked out once a text in a file."""
    kept = lru_cache(maxsize=_TOKENS)(function)
    _KEPT.append(kept)
    return kept


_KEPT: list = []


def forget() -> None:
    """A new file: the readings of the last one's tokens are dropped."""
    for kept in _KEPT:
        kept.cache_clear()


@per_token
def nfkc(text: str) -> str:
    """NFKC (full-width brackets, digits and colons become ASCII): Chinese text with its
    full-width punctuation is never already so, and a line is asked for it by several
    readers (the page's chrome, page numbers, labels), so it is worked out once."""
    return unicodedata.normalize("NFKC", text)


@per_token
def normal(text: str) -> str:
    """NFKC, no spaces (``str.split`` splits at exactly what ``\\s`` matches).  Worked out
    here rather than from :func:`nfkc`: a token is asked for its normal form, a line for
    its NFKC, and each text is then normalised once."""
    return "".join(unicodedata.normalize("NFKC", text).split())


_CN_VALUES = {c: str(i) for i, c in enumerate(_CN, start=1)}


def ordinal_value(ordinal: str) -> str:
    """Numbering in a comparable form that keeps its style: ``(三)`` and ``（三）`` → ``(3)``,
    ``三、`` → ``C3``, ``3.`` and ``3、`` → ``A3``, ``第三部分`` → ``P3``.  ``三、`` is a
    section or a row of table 三; ``3.`` an item under a group."""
    style = "(" if ordinal.startswith("(") else "P" if ordinal.startswith("第") else "C" if ordinal[:1] in _CN else "A"
    if ordinal[:1] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return f"A{ord(ordinal[0]) - ord('①') + 1}"
    digits = "".join(_CN_VALUES.get(ch, ch) for ch in ordinal if ch.isdigit() or ch in _CN_VALUES)
    return f"({digits})" if style == "(" else f"{style}{digits}"


@per_token
def split_ordinal(text: str) -> tuple[str, str]:
    """``(三)不予公开`` → (``(三)``, ``不予公开``); the label's numbering and its core."""
    text = normal(text)
    if text[:1] in _OCR_ONES:
        text = _OCR_LEADING_ONE.sub("1", text)
    match = _ORDINAL.match(text)
    if not match:
        return "", text
    return match.group(), text[match.end() :]


@lru_cache(maxsize=16384)
def core(text: str) -> str:
    return split_ordinal(text)[1].translate(_OCR_FOLD)


def similarity(text: str, label: str, floor: float = SIMILAR) -> float:
    """1.0 for the same core; else difflib's ratio of the cores (0 when even its upper
    bound is below ``floor``, the least score the caller would accept)."""
    return _ratio(core(text), core(label), floor)


def _ratio(a: str, b: str, floor: float) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < floor:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= floor else 0.0


@lru_cache(maxsize=65536)
def label_score(text: str, label: str) -> float:
    """How surely ``text`` is the label ``label`` (0…1): the same core; ``text`` the first
    part of a label broken over lines; the label with stray words around it; or similar
    enough (typos, old wording, OCR).  Numbering that disagrees (``(三)`` against ``(四)``)
    halves the score."""
    t_ord, _ = split_ordinal(text)
    l_ord, _ = split_ordinal(label)
    a, b = core(text), core(label)
    if not a or not b:
        return 0.0
    agree = bool(t_ord and l_ord) and ordinal_value(t_ord) == ordinal_value(l_ord)
    if a == b:
        score = 1.0
    elif b.startswith(a) and ((agree and len(a) >= 2) or (len(a) >= 4 and (len(a) >= 0.3 * len(b) or len(a) >= 6))):
        score = 0.86 + 0.1 * len(a) / len(b)
    elif len(b) >= 4 and b in a and len(a) <= 2 * len(b) + 8:
        score = 0.9
    else:
        score = _ratio(a, b, 0.7)
    if t_ord and l_ord and not agree:
        score *= 0.5
    return score


def chinese_year(text: str) -> str:
    """``二〇二三年`` → ``2023年``; other text unchanged."""
    return re.sub(r"[〇零一二三四五六七八九]{4}(?=\s*年)", lambda m: m.group().translate(_CN_DIGITS), text)


# -- cells ------------------------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SUFFIX = re.compile(r"(件|条|个|项|次|人次|家|份)$")
_MONEY = re.compile(r"(万元|元)$")
_UNIT_ENDS = "件条个项次家份"  # the last characters of _SUFFIX's units
JUNK = frozenset("-—–/／\\*×xX无－~～·.。")  # a cell written as a dash or 无: not a number
# letters an OCR engine reads for digits: in a number cell they make it doubtful
_LOOKALIKES = frozenset("OoDQlIi|丨SsBZzbgq")


@dataclass(frozen=True)
class Number:
    value: int | Decimal | None  # None: not readable as this column's type
    converted: str = ""  # a note when a unit was converted (``251000元`` → 25.1 万元)
    problem: str = ""


def is_blank(text: str) -> bool:
    """Nothing but spaces.  (No character that is not a space becomes one under NFKC,
    and none becomes nothing: ``not normal(text)`` is ``not text.strip()``, checked over
    every code point in tests/test_import_tokens.py.)"""
    return not text.strip()


@per_token
def _bare(text: str) -> str:
    return _unitless(normal(text))


def _unitless(t: str) -> str:
    """A normalised token without its unit (``12件`` → ``12``, ``3万元`` → ``3``); most
    tokens end in no unit's character, and are given back without a pattern's search."""
    if t[-1:] in _UNIT_ENDS:
        t = _SUFFIX.sub("", t)
    if t[-1:] == "元":
        t = _MONEY.sub("", t)
    return t


@per_token
def looks_numeric(text: str) -> bool:
    """A value cell (a number, possibly with a unit), as opposed to a label."""
    return bool(_NUMBER.fullmatch(_bare(text)))


@per_token
def looks_junk(text: str) -> bool:
    t = normal(text)
    return bool(t) and all(ch in JUNK for ch in t)


@per_token
def looks_doubtful(text: str) -> bool:
    """Digits mixed with letters OCR confuses with digits (``1O``, ``l2``), or such a
    letter alone where a number stands: a number that cannot be trusted."""
    return _doubtful(_bare(text))


def _doubtful(t: str) -> bool:
    """:func:`looks_doubtful` of a token already normalised and stripped of its unit."""
    if not t or len(t) > 12 or not (t[0].isdigit() or t[0] in _LOOKALIKES or t[0] in ".,+-"):
        return False  # (the test below, of its first character)
    lookalike = all(ch.isdigit() or ch in _LOOKALIKES or ch in ".,+-" for ch in t) and any(ch in _LOOKALIKES for ch in t)
    return lookalike and (len(t) == 1 or any(ch.isdigit() for ch in t))


# a mark glued to a figure: a footnote (``12*``, ``12※``), or what a footnote is printed
# as (``12¹``, ``12①``: NFKC would make them 121)
_MARKS = "*＊※†‡#＃"
_MARKED = re.compile(rf"^[+-]?\d[\d,.]*[{re.escape(_MARKS)}]+$|^[{re.escape(_MARKS)}]+\d[\d,.]*$")
_TWO_NUMBERS = re.compile(r"\d[\s\u3000]+[+-]?\d")
# a note written out after a figure: 12（注）, 12(1), 12[1], 12^1 — a footnoted figure, not a label
_NOTE_AFTER = re.compile(r"^[+-]?\d[\d,.]*\s*(?:[（(]\s*(?:注|附注|备注)?\s*[\d一二三四五六七八九十]{0,3}\s*[)）]|[\[［]\s*\d{1,3}\s*[\]］]|\^\s*\d{1,3})$")
_ASCII_FIGURE = re.compile(r"[0-9]+")  # the commonest value cell, a number as is
_FULLWIDTH_DIGITS = frozenset("０１２３４５６７８９")


class _NumberChars(dict):
    """A ``str.translate`` table that keeps digits and other number characters (superscript,
    circled…: category No) and drops every other character: each character's category is
    looked up once, then in C."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = code if ch.isdigit() or unicodedata.category(ch) == "No" else None
        if len(self) < 65536:
            self[code] = kept
        return kept


_NUMBER_CHARS = _NumberChars()


def _has_number_char(text: str) -> bool:
    """Whether ``text`` holds a digit or another number character (superscript, circled…)."""
    return bool(text.translate(_NUMBER_CHARS))


class _FigureChars(dict):
    """A ``str.translate`` table that drops what a figure is written with (digits, footnote
    marks, separators, other numbers, spaces) and keeps every other character: each
    character is judged once, then looked up in C."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        dropped = ch.isdigit() or ch in _MARKS or ch in ",.，+-" or unicodedata.category(ch) in ("No", "Zs") or ch.isspace()
        kept = None if dropped else ch
        if len(self) < 65536:
            self[code] = kept
        return kept


_FIGURE_CHARS = _FigureChars()


@per_token
def footnoted(text: str) -> str:
    """Why a cell that looks like a number is not one figure, or ``""``: a footnote
    mark, a superscript or circled number glued to it, digits of another script, or two
    numbers in one cell (``12 3``).  Such a cell is left empty and reported — merging it
    into one number (``12¹`` → 121) would publish a figure nobody wrote."""
    shown = text.strip()
    if not _has_number_char(shown):
        return ""
    if _NOTE_AFTER.match(shown):
        return f"“{shown}”的数字旁带有注释符号，不能确定数值"
    rest = shown.translate(_FIGURE_CHARS)
    if _MONEY.sub("", _SUFFIX.sub("", rest)):
        return ""  # words around the digits: a label or a sentence, not a figure
    odd = [ch for ch in shown if unicodedata.category(ch) == "No"]
    if odd:
        return f"“{shown}”中有上标、圈码等注释符号（“{''.join(dict.fromkeys(odd))}”），不能确定数值"
    foreign = [ch for ch in shown if ch.isdigit() and not ch.isascii() and ch not in _FULLWIDTH_DIGITS]
    if foreign:
        return f"“{shown}”中有“{''.join(dict.fromkeys(foreign))}”，不是半角阿拉伯数字，不能确定数值"
    if _TWO_NUMBERS.search(shown):
        return f"“{shown}”一个单元格中有两个数，不能确定是哪一个"
    t = _SPACE.sub("", shown)
    if _MARKED.match(_bare(unicodedata.normalize("NFKC", t))):
        return f"“{shown}”的数字旁带有注释符号，不能确定数值"
    return ""


class _LabelChars(dict):
    """A ``str.translate`` table that keeps the characters no value cell can hold and drops
    the others: a token that keeps one is a label, told without normalising it.  Dropped
    are what a value cell is written with — digits and other numbers, dashes and 无
    (:data:`JUNK`), letters read for digits, signs and separators, units, footnote marks,
    spaces, and the brackets and words of a note after a figure (``12（注）``) — and any
    character NFKC decomposes into one of them (``Ⅰ`` → ``I``).  None of those is a
    canonical composition, so NFKC cannot make one from the characters kept.  Each
    character is judged once, then looked up in C."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = None if any(_in_values(c) for c in ch + unicodedata.normalize("NFKD", ch)) else code
        if len(self) < 65536:
            self[code] = kept
        return kept


_VALUE_WORDS = frozenset("件条个项次人家份万元" + _MARKS + "，,.+-（()）[]［］^注附备" + _CN)


def _in_values(ch: str) -> bool:
    """A character that may stand in a value cell (see :class:`_LabelChars`)."""
    return ch.isdigit() or ch.isspace() or ch in JUNK or ch in _LOOKALIKES or ch in _VALUE_WORDS or unicodedata.category(ch) in ("No", "Zs")


_LABEL_CHARS = _LabelChars()


@per_token
def is_value_token(text: str) -> bool:
    """A cell that stands where a number stands: a number, a dash, or a doubtful number.
    (:func:`looks_numeric`, :func:`looks_junk`, :func:`looks_doubtful` or :func:`footnoted`,
    read here from one normal form of the token, the likeliest first.)"""
    if _ASCII_FIGURE.fullmatch(text):
        return True
    if text and (_LABEL_CHARS[ord(text[-1])] is not None or _LABEL_CHARS[ord(text[0])] is not None or text.translate(_LABEL_CHARS)):
        return False  # a character no number, dash or footnoted figure holds (its ends told first, a paragraph's at once): a label
    t = normal(text)
    bare = _unitless(t)
    if _NUMBER.fullmatch(bare) or _doubtful(bare) or (t and all(ch in JUNK for ch in t)):
        return True
    return _has_number_char(text.strip()) and bool(footnoted(text))  # without a number character, nothing is footnoted


@per_token
def is_label(text: str) -> bool:
    return not is_blank(text) and not is_value_token(text)


@per_token
def number(text: str, kind: ValueType, unit_wan: bool) -> Number:
    """The cell's value for a column of type ``kind``; ``unit_wan``: the column is in 万元."""
    if _ASCII_FIGURE.fullmatch(text) and len(text) <= MAX_DIGITS:  # the commonest cell, digits as they are: no unit, mark or look-alike to weigh
        whole = int(text)
        return Number(Decimal(whole) if kind is ValueType.AMOUNT else whole)
    shown = text.strip()
    if looks_doubtful(text):
        return Number(None, problem=f"“{shown}”的数字看不清（可能是识别错误的字母），不能确定")
    why = footnoted(text)
    if why:
        return Number(None, problem=why)
    t = _SUFFIX.sub("", normal(text))
    converted = ""
    scale = Decimal(1)
    if t.endswith("万元"):
        t = t[:-2]
        if not unit_wan:
            scale = Decimal(10000)
            converted = "万元"
    elif t.endswith("元"):
        t = t[:-1]
        if unit_wan:
            scale = Decimal("0.0001")
            converted = "元"
    if not _NUMBER.fullmatch(t):
        return Number(None, problem=f"“{shown}”不是数字")
    if sum(map(str.isdigit, t)) > MAX_DIGITS:  # no count or amount has so many: left empty, as the loader refuses it
        return Number(None, problem=written(WrittenNumber(shown, None)))
    try:
        value = Decimal(t.replace(",", "")) * scale
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return Number(None, problem=f"“{shown}”不是数字")
    if kind is ValueType.AMOUNT:
        if value < 0:
            return Number(None, problem=f"金额“{shown}”为负数")
        value = value.normalize() if converted else value
        if value == value.to_integral_value() and "." not in t:
            value = Decimal(int(value))
        note = f"“{shown}”已换算为{_plain(value)}{'万元' if unit_wan else '元'}" if converted else ""
        return Number(value, converted=note)
    if value != value.to_integral_value():
        return Number(None, problem=f"“{shown}”不是整数")
    if converted:
        return Number(None, problem=f"“{shown}”带有金额单位，这里应为件数")
    integer = int(value)
    if integer < 0 and kind is ValueType.COUNT:
        return Number(None, problem=f"“{shown}”为负数")
    return Number(integer)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
