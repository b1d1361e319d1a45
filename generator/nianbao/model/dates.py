"""Dates as clerks write them: ``2026-01-15``, ``2026/1/15``, ``2026.1.15`` and
``2026年1月15日`` (full-width digits from an input method too), read the same everywhere —
in a report file, the wizard, a collection workbook and a published report."""

from __future__ import annotations

import datetime as dt
import unicodedata

from ..system.patterns import lazy

_DATE = lazy(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


def parse(text: str) -> dt.date | None:
    """The date ``text`` writes, or None when it is not one (an impossible date — 2月30日 —
    is not one either)."""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def example(year: int | None) -> str:
    """How a report on ``year`` writes its date (the next January), for messages."""
    y = (year or dt.date.today().year - 1) + 1
    return f"{y}-01-20 或 {y}年1月20日"


DEADLINE = (3, 31)  # 《条例》第四十九条: the year's report is published by 31 March of the next


def window(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day a report on ``year`` may be dated: 1 January – 31 March of the next year."""
    return dt.date(year + 1, 1, 1), dt.date(year + 1, *DEADLINE)


def window_text(year: int) -> str:
    """``2025年1月1日至2025年3月31日之间``, for a report on 2024."""
    first, last = window(year)
    return f"{chinese(first)}至{chinese(last)}之间"


def chinese(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def hint(year: int | None) -> str:
    """What the places that ask for a report's date say beside it (the report file's comment,
    the wizard, the site): how to write it, and the window it must fall in."""
    if year is None:
        return f"写成 {example(year)}"
    return f"写成 {example(year)}，应在{window_text(year)}"


FIRST_POSSIBLE_YEAR = 2008  # 《政府信息公开条例》 took effect on 1 May 2008: no report is on an earlier year


def impossible_year(year: int, today: dt.date | None = None) -> str | None:
    """What to say of a report year no report can have (before the regulation, or after
    next year), or None.  Such a year cannot be checked at all — a date "the next
    January" after it may not even exist — so it stops the file, not a rule."""
    last = (today or dt.date.today()).year + 1
    if FIRST_POSSIBLE_YEAR <= year <= last:
        return None
    return f"报告年度“{year}”不可能：应为{FIRST_POSSIBLE_YEAR}年至{last}年之间的四位数年份，例如 {last - 2}"
