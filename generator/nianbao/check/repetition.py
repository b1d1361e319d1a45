"""The repetition rates (重复率) of a report against last year's, defined once.

Reviewers grade 内容雷同: how much of this year's report is last year's left as it was.
``compare`` shows these rates, ``overview`` lists them per unit, and the cross-year rule
X5 (:mod:`nianbao.check.crossyear`) warns on a section by the same number, so that a
clerk never sees two different "copied" figures for one section.

**Copied text.**  Both texts are reduced to their letters, digits and symbols (NFKC;
punctuation, whitespace and control characters dropped: a reflowed or re-punctuated
sentence is the same sentence).  A character of this year's text is *copied* when it lies
inside a run of at least :data:`MIN_RUN` (12) reduced characters that also stands, as
a run, in last year's narratives.  Why 12: a Chinese clause (分句) runs 8–20 characters,
so 12 is a clause or more taken over; the set phrases every report shares (政府信息公开 6,
依申请公开申请 7, 政府信息公开工作年度报告 12 at most) make no run alone unless joined to more
of the same sentence; the Regulation's full name (中华人民共和国政府信息公开条例, 15) does, which
counts those 15 characters wherever they are cited — small against a copied paragraph.
Measured on nine published reports of unrelated units (the shared corpus and seeds, each
against each): at 8 characters their texts "copy" one another by a median 4.6% (up to
16%: set phrases); at 10, 0.9% (9.4%); at 12, 0% (7.8%); at 16, 0% (6.4%) — 12 is where
the phrases every report shares stop counting, and a shorter copied clause still does.
Each section is measured against all of last year's narratives (text moved from one
section to another is still copied), never against the standard's opening paragraph
(前言/引言), which is the same every year by design and is left out on both sides.

The measure is a set of N-grams: every run of 12 reduced characters of last year's text
goes into a set; each window of this year's text found there covers its 12 characters.
A character is covered exactly when it lies inside a common run of 12 or more, so this
is the definition computed directly — linear, deterministic, independent of the order
of the passages (``difflib``'s matching blocks are greedy and order-bound, and slow).

**Tables.**  A cell is a figure as printed in 表二, 表三 and 表四 (a 总计 left out of the
report file counts as computed, as it is printed); cells standing in both years'
format versions are compared by place; a cell only this year's version has is never
equal.  Cells that are zero in both years are not counted: two empty tables are not a
copy.  The rate is the share of the counted cells whose figure equals last year's.

**Overall** is the mean of the text and table rates (the peer system's 42% and 84% make
its 63%); when one side has nothing to count, overall is the other.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..model.places import KeyPath
from ..model.report import Report
from .rules import narratives

MIN_RUN = 12  # reduced characters: see the module's docstring for why

DEFINITIONS: dict[str, str] = {
    "sections": f"某一部分的文字重复率：本年该部分的文字中，与上一年度报告正文某处连续{MIN_RUN}个字以上相同的字所占的比例（不计标点和空白）。",
    "text": f"文字重复率：本年报告正文（不含开头的说明段落）中，与上一年度报告正文连续{MIN_RUN}个字以上相同的字所占的比例（不计标点和空白）。",
    "tables": "表格重复率：表二、表三、表四中，本年与上一年度数字相同的格子所占的比例；两年都为0的格子不计入。",
    "overall": "总体重复率：文字重复率与表格重复率的平均数；其中一项无可比内容时取另一项。",
}


@dataclass(frozen=True)
class Rates:
    sections: dict[str, float]  # official heading of a narrative with text this year → share 0..1 copied
    text: float  # all narratives together, weighted by their length
    tables: float  # share of counted cells equal to last year's
    overall: float  # mean of text and tables (the other alone when one has nothing to count)
    text_chars: int = 0  # reduced characters of this year's narratives (the text rate's denominator)
    copied_chars: int = 0  # of them, copied
    cells: int = 0  # counted cells (not zero in both years)
    same_cells: int = 0  # of them, equal to last year's


# -- text ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 16)
def _piece(char: str) -> str:
    """What a character of the text becomes: its NFKC form without punctuation (P*),
    separators (Z*) and controls (C*) — "" for those.  Cached: a report uses a few
    thousand distinct characters, each normalised once."""
    return "".join(c for c in unicodedata.normalize("NFKC", char) if unicodedata.category(c)[0] not in "PZC")


def reduce(text: str) -> tuple[str, list[int]]:
    """The text as compared (NFKC, punctuation and whitespace dropped) and, for each of its
    characters, the index in ``text`` it came from (to mark the original)."""
    kept: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        piece = _piece(char)
        if piece:
            kept.append(piece)
            where.extend([i] * len(piece))
    return "".join(kept), where


@lru_cache(maxsize=64)
def _flat(text: str) -> str:
    """:func:`reduce`'s text alone (the rates need no positions)."""
    return "".join(map(_piece, text))


@lru_cache(maxsize=8)
def _grams_of(texts: tuple[str, ...]) -> frozenset[str]:
    grams: set[str] = set()
    for text in texts:
        flat = _flat(text)
        grams.update(flat[i : i + MIN_RUN] for i in range(len(flat) - MIN_RUN + 1))
    return frozenset(grams)


def _grams(texts: Sequence[str]) -> frozenset[str]:
    """Every run of MIN_RUN reduced characters of ``texts``, none across two of them
    (cached: a comparison asks for last year's grams once per section)."""
    return _grams_of(tuple(texts))


def _runs(flat: str, grams: frozenset[str]) -> Iterator[tuple[int, int]]:
    """The maximal covered runs [start, end) of ``flat``: unions of windows found in ``grams``."""
    start = end = -1
    for i in range(len(flat) - MIN_RUN + 1):
        if flat[i : i + MIN_RUN] in grams:
            if i > end:
                if end > start:
                    yield start, end
                start = i
            end = i + MIN_RUN
    if end > start:
        yield start, end


def _lasts(last_text: str | Sequence[str]) -> Sequence[str]:
    return (last_text,) if isinstance(last_text, str) else last_text


def copied_spans(this_text: str, last_text: str | Sequence[str]) -> list[tuple[int, int]]:
    """The spans [start, end) of ``this_text`` (indices into it as given) copied from
    ``last_text`` — one text, or several (last year's sections: no run is formed across
    two of them).  A span runs from the first to the last copied character, so the
    punctuation inside a copied passage is marked with it."""
    flat, where = reduce(this_text)
    return [(where[s], where[e - 1] + 1) for s, e in _runs(flat, _grams(_lasts(last_text)))]


def _copied_count(flat: str, grams: frozenset[str]) -> int:
    return sum(e - s for s, e in _runs(flat, grams))


def copied_share(this_text: str, last_text: str | Sequence[str]) -> float:
    """The share 0..1 of ``this_text``'s reduced characters that are copied from
    ``last_text`` (one text or several); 0.0 for a text with nothing to count."""
    flat = _flat(this_text)
    if not flat:
        return 0.0
    return _copied_count(flat, _grams(_lasts(last_text))) / len(flat)


def rated_narratives(report: Report) -> list[tuple[KeyPath, str, str]]:
    """(keys, official heading, text) of the narratives the rates count: the sections and
    subsections of the body, without the unit's name and the standard's opening paragraph."""
    return [(keys, path, text) for keys, path, text in narratives(report) if keys not in {("unit", "name"), ("preamble",)}]


# -- tables ----------------------------------------------------------------------------------------
def table_cells(report: Report) -> dict[KeyPath, int | Decimal]:
    """Every figure printed in 表二, 表三 and 表四, by its place (report-file keys + column):
    the 总计 left out of a report file as computed, the way the table is printed."""
    spec = report.spec
    cells: dict[KeyPath, int | Decimal] = {}
    for group in spec.table2:
        for item in group.items:
            keys = ("proactive", item.key)
            values = report.item_values(group, item)
            if group.scalar:
                cells[keys] = values[0]
            else:
                cells.update({keys + (c,): v for c, v in enumerate(values)})
    for line in spec.table3.data_lines():
        keys = report.row_keys(line)
        cells.update({keys + (c,): v for c, v in enumerate(report.row(line))})
    for appeal in spec.table4.groups:
        keys = ("appeals", appeal.key)
        cells.update({keys + (c,): v for c, v in enumerate(report.appeal(appeal))})
    return cells


def _tables(this: Report, last: Report) -> tuple[int, int]:
    """(counted cells, cells equal to last year's) — see the module's docstring."""
    before = table_cells(last)
    counted = same = 0
    for keys, value in table_cells(this).items():
        old = before.get(keys)
        if not value and not old:
            continue
        counted += 1
        same += old is not None and old == value
    return counted, same


# -- together -------------------------------------------------------------------------------------------
def repetition(this: Report, last: Report) -> Rates:
    """The rates of ``this`` against ``last`` (see :data:`DEFINITIONS`)."""
    grams = _grams([text for _, _, text in rated_narratives(last)])
    sections: dict[str, float] = {}
    chars = copied = 0
    for _, heading, text in rated_narratives(this):
        flat = _flat(text)
        if not flat:
            continue
        n = _copied_count(flat, grams)
        sections[heading] = n / len(flat)
        chars, copied = chars + len(flat), copied + n
    cells, same = _tables(this, last)
    text_rate = copied / chars if chars else 0.0
    table_rate = same / cells if cells else 0.0
    if chars and cells:
        overall = (text_rate + table_rate) / 2
    else:
        overall = text_rate if chars else table_rate
    return Rates(sections, text_rate, table_rate, overall, chars, copied, cells, same)
