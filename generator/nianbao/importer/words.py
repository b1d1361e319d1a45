"""How the importer reads a label or a number the way a person would.

Published reports spell the official labels with half- and full-width brackets, spaces
inside words, lines broken mid-label, and typos (FORMAT.md §8).  Labels are compared
by their normalised *core* — the text without numbering, spaces and bracket width — and
by similarity, so that ``(三) 不予公开`` and ``其他法律法规禁止公开`` still find their row.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..standard import ValueType

_SPACE = re.compile(r"[\s\u3000]+")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、](?!\d))")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
SIMILAR = 0.8  # difflib ratio from which two label cores are taken as the same label


def normal(text: str) -> str:
    """NFKC (full-width brackets, digits and colons become ASCII), no spaces."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def split_ordinal(text: str) -> tuple[str, str]:
    """``(三)不予公开`` → (``(三)``, ``不予公开``); the label's numbering and its core."""
    text = normal(text)
    match = _ORDINAL.match(text)
    if not match:
        return "", text
    return match.group(), text[match.end() :]


@lru_cache(maxsize=8192)
def core(text: str) -> str:
    return split_ordinal(text)[1]


def similarity(text: str, label: str, floor: float = SIMILAR) -> float:
    """1.0 for the same core; else difflib's ratio of the cores (0 when even its upper
    bound is below ``floor``, the least score the caller would accept)."""
    a, b = core(text), core(label)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < floor:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= floor else 0.0


def is_prefix(text: str, label: str) -> bool:
    """``text`` is the first part of ``label`` broken over lines."""
    a, b = core(text), core(label)
    return len(a) >= 2 and len(a) < len(b) and b.startswith(a)


def chinese_year(text: str) -> str:
    """``二〇二三年`` → ``2023年``; other text unchanged."""
    return re.sub(r"[〇零一二三四五六七八九]{4}(?=\s*年)", lambda m: m.group().translate(_CN_DIGITS), text)


# -- cells ------------------------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SUFFIX = re.compile(r"(件|条|个|项|次|人次)$")
JUNK = frozenset("-—–/／\\*×xX无")  # a cell written as a dash or 无: not a number


@dataclass(frozen=True)
class Number:
    value: int | Decimal | None  # None: not readable as this column's type
    converted: str = ""  # a note when a unit was converted (``251000元`` → 25.1 万元)
    problem: str = ""


def is_blank(text: str) -> bool:
    return not normal(text)


def looks_numeric(text: str) -> bool:
    """A value cell (a number, possibly with a unit), as opposed to a label."""
    t = normal(text)
    t = _SUFFIX.sub("", t)
    t = re.sub(r"(万元|元)$", "", t)
    return bool(_NUMBER.fullmatch(t))


def looks_junk(text: str) -> bool:
    t = normal(text)
    return bool(t) and all(ch in JUNK for ch in t)


def is_label(text: str) -> bool:
    return not is_blank(text) and not looks_numeric(text) and not looks_junk(text)


def number(text: str, kind: ValueType, unit_wan: bool) -> Number:
    """The cell's value for a column of type ``kind``; ``unit_wan``: the column is in 万元."""
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
        return Number(None, problem=f"“{text.strip()}”不是数字")
    try:
        value = Decimal(t.replace(",", "")) * scale
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return Number(None, problem=f"“{text.strip()}”不是数字")
    if kind is ValueType.AMOUNT:
        if value < 0:
            return Number(None, problem=f"金额“{text.strip()}”为负数")
        value = value.normalize() if converted else value
        if value == value.to_integral_value() and "." not in t:
            value = Decimal(int(value))
        note = f"“{text.strip()}”已换算为{_plain(value)}{'万元' if unit_wan else '元'}" if converted else ""
        return Number(value, converted=note)
    if value != value.to_integral_value():
        return Number(None, problem=f"“{text.strip()}”不是整数")
    if converted:
        return Number(None, problem=f"“{text.strip()}”带有金额单位，这里应为件数")
    integer = int(value)
    if integer < 0 and kind is ValueType.COUNT:
        return Number(None, problem=f"“{text.strip()}”为负数")
    return Number(integer)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
