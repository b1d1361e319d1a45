"""The years a report's own text names, read against the report's year (rule X4).

A stale year is the usual trace of last year's file copied by hand: 「2023年，我县…」 opening
a paragraph of a 2024 report.  Reading it needs only the report's own year, so ``check``
runs it on every report (:func:`nianbao.check.rules.x4_opening_years`), and ``check
--previous`` adds the years far from the report's mentioned anywhere
(:func:`nianbao.check.crossyear.x4_stale_years`); ``compare`` marks both in the text.
Document numbers (〔2020〕), edition notes (2019年修订), plans for a later year and
「2023年存在的问题已整改」 are not stale.
"""

from __future__ import annotations

from ..system.patterns import lazy
from .folding import nfkc

# years that are not stale: document numbers 〔2020〕 [2020] and edition notes （2019年修订）
NOT_STALE = lazy(r"[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]|\d{4}\s*年\s*(?:修订|修正|修改|版)")
YEAR = lazy(r"(?<!\d)(\d{4})\s*年")
# a paragraph whose time frame is a year — 「2025年，青山镇…」「2025年度，」「2025年全年」「2025年是」 —
# after an optional list mark (（一） 一、 1.); 「2025年存在的问题已整改」 speaks of that year and is not one
OPENING_YEAR = lazy(r"\s*(?:(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])\s*)?(\d{4})\s*年度?\s*(?:[，,]|全年|是)")


def _hidden(text: str) -> str:
    """``text`` in NFKC, its years that are not stale blanked; "" when it names no year (every
    year these rules read is followed by 年)."""
    text = nfkc(text)
    if "年" not in text:
        return ""
    return NOT_STALE.sub(lambda m: " " * len(m.group()), text)


def stale_years(text: str, year: int) -> list[str]:
    """The years ``text`` mentions other than ``year`` and its neighbours, as written."""
    found: list[str] = []
    for match in YEAR.finditer(_hidden(text)):
        value = int(match.group(1))
        if abs(value - year) > 1 and 1900 < value < 2200 and match.group(1) not in found:
            found.append(match.group(1))
    return found


def opening_years(text: str, year: int) -> list[str]:
    """The years before ``year`` that open a paragraph of ``text`` as its time frame
    (「2025年，…」 in a 2026 report): a paragraph of last year's report that ``next`` carried
    over, its opening left as it was.  Last year is a neighbour to :func:`stale_years` (「较
    2025年增长」 is right); at the head of a paragraph it is last year's text.  A later year
    opens the plans for next year and is not stale."""
    found: list[str] = []
    for paragraph in _hidden(text).split("\n"):
        match = OPENING_YEAR.match(paragraph)
        if match and 1900 < int(match.group(1)) < year and match.group(1) not in found:
            found.append(match.group(1))
    return found


def opening_message(where: str, old: str, year: int) -> str:
    """X4's words for a paragraph opening with an earlier year; ``where`` is the section as
    every message names it (:meth:`Report.label`)."""
    whose = "上一年度" if int(old) == year - 1 else "以往年度"
    return f"{where}：有一段以“{old}年”开头，而本报告是{year}年度的：是否沿用了{whose}报告的文字？"
