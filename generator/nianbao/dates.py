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
