"""Dates as clerks write them: ``2026-01-15``, ``2026/1/15``, ``2026.1.15`` and
``2026年1月15日`` (full-width digits from an input method too), read the same everywhere —
in a report file, the wizard, a collection workbook and a published report."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


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


FIRST_POSSIBLE_YEAR = 2008  # 《政府信息公开条例》 took effect on 1 May 2008: no report is on an earlier year


def impossible_year(year: int, today: dt.date | None = None) -> str | None:
    """What to say of a report year no report can have (before the regulation, or after
    next year), or None.  Such a year cannot be checked at all — a date "the next
    January" after it may not even exist — so it stops the file, not a rule."""
    last = (today or dt.date.today()).year + 1
    if FIRST_POSSIBLE_YEAR <= year <= last:
        return None
    return f"报告年度“{year}”不可能：应为{FIRST_POSSIBLE_YEAR}年至{last}年之间的四位数年份，例如 {last - 2}"
