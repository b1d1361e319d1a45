"""One unit's two reports, compared: everything the page, the workbook and the PDF show.

Built once from the two loaded reports and their findings, then drawn three ways
(:mod:`.page`, :mod:`.sheet`, :mod:`.printed`), so that the three cannot disagree.  The
figures come from where the rest of nianbao computes them: the rates from :mod:`.rates`
(X5's definition), the carry-over checks from ``check --previous``
(:func:`nianbao.check.crossyear.check_previous`), the years pointing at last year from
X4's own functions, the findings from ``check`` (:func:`nianbao.read.sources.load_checked`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..check.crossyear import NOT_STALE, OPENING_YEAR, YEAR, check_previous, opening_years, stale_years
from ..check.repetition import Rates, copied_spans, rated_narratives, repetition
from ..findings import Finding
from ..model.report import Report
from .changes import CellChange, changes, largest_moves

COPIED, STALE = "copied", "stale"  # the two kinds of marks in the narratives
PREVIOUS_RULES = ("X1", "X2", "X3")  # carry-overs: last year's closing figures are this year's opening ones


@dataclass(frozen=True)
class Piece:
    """A stretch of a paragraph with the marks it carries (none, copied, stale or both)."""

    text: str
    marks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Narrative:
    """One section side by side: its paragraphs, each a list of pieces."""

    heading: str
    last: list[list[Piece]]
    this: list[list[Piece]]
    rate: float | None  # the section's repetition rate (None: no text this year)


@dataclass(frozen=True)
class Side:
    """One of the two inputs as given, with what ``check`` says of it."""

    source: Path
    report: Report
    findings: list[Finding]

    @property
    def shown(self) -> str:
        return self.source.name


@dataclass(frozen=True)
class Comparison:
    last: Side
    this: Side
    rates: Rates
    changes: list[CellChange]
    moves: list[CellChange]
    narratives: list[Narrative]
    crossyear: list[Finding]  # X1–X5 of this year's against last year's
    quoted: list[Finding] = field(default_factory=list)  # R6: this year's text against its own tables

    @property
    def carried(self) -> list[Finding]:
        return [f for f in self.crossyear if f.rule in PREVIOUS_RULES]

    @property
    def title(self) -> str:
        unit = self.this.report.unit.name  # type: ignore[attr-defined]
        return f"{unit}{self.last.report.year}年与{self.this.report.year}年政府信息公开工作年度报告比对"


def compare(last: Side, this: Side) -> Comparison:
    """The comparison of ``this`` year's report against ``last`` year's."""
    a, b = this.report, last.report
    found = changes(a, b)
    rates = repetition(a, b)
    return Comparison(
        last=last,
        this=this,
        rates=rates,
        changes=found,
        moves=largest_moves(found),
        narratives=_narratives(a, b, rates.sections),
        crossyear=check_previous(a, b),
        quoted=[f for f in this.findings if f.rule == "R6"],
    )


# -- the narratives, marked ---------------------------------------------------------------------------
def _narratives(this: Report, last: Report, rates: dict[str, float]) -> list[Narrative]:
    """Each section of either year, this year's order first; in this year's text the
    passages copied and the stale years marked, in last year's the passages copied
    into this year's (where they came from)."""
    now = {heading: text for _, heading, text in rated_narratives(this)}
    before = {heading: text for _, heading, text in rated_narratives(last)}
    out = []
    for heading in [*now, *(h for h in before if h not in now)]:
        this_text, last_text = now.get(heading, ""), before.get(heading, "")
        this_marks = _marks(this_text, copied_spans(this_text, list(before.values())))
        for start, end in _stale(this_text, this.year):
            for i in range(start, end):
                this_marks[i].add(STALE)
        last_marks = _marks(last_text, copied_spans(last_text, list(now.values())))
        out.append(Narrative(heading, _pieces(last_text, last_marks), _pieces(this_text, this_marks), rates.get(heading)))
    return out


def _marks(text: str, spans: list[tuple[int, int]]) -> list[set[str]]:
    marks: list[set[str]] = [set() for _ in text]
    for start, end in spans:
        for i in range(start, end):
            marks[i].add(COPIED)
    return marks


def _stale(text: str, year: int) -> list[tuple[int, int]]:
    """Where ``text`` names a year that X4 finds stale: every mention of a year far from
    the report's (:func:`stale_years`), and a last year opening a paragraph
    (:func:`opening_years`) at that opening only — 「较2025年增长」 is right in a 2026 report."""
    flat, where = _normalized(text)
    hidden = NOT_STALE.sub(lambda m: " " * len(m.group()), flat)
    far = set(stale_years(text, year))
    opening = set(opening_years(text, year))
    spans = [match.span() for match in YEAR.finditer(hidden) if match.group(1) in far]
    position = 0
    for paragraph in hidden.split("\n"):
        match = OPENING_YEAR.match(paragraph)
        named = YEAR.match(paragraph, match.start(1)) if match and match.group(1) in opening else None
        if named:
            spans.append((position + named.start(), position + named.end()))
        position += len(paragraph) + 1
    return [(where[s], where[e - 1] + 1) for s, e in spans]


def _normalized(text: str) -> tuple[str, list[int]]:
    """NFKC, character by character, with each character's index in ``text`` (X4 reads
    the normalised text; the marks go on the original)."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char)
        out.append(piece)
        where.extend([i] * len(piece))
    return "".join(out), where


def _pieces(text: str, marks: list[set[str]]) -> list[list[Piece]]:
    """The paragraphs of ``text`` (one a line, blank lines dropped), each cut where its marks change."""
    paragraphs: list[list[Piece]] = []
    start = 0
    for line in re.split(r"(\n)", text):
        if line == "\n":
            start += 1
            continue
        pieces: list[Piece] = []
        i = start
        for j in range(start, start + len(line) + 1):
            if j == start + len(line) or marks[j] != marks[i]:
                if j > i:
                    pieces.append(Piece(text[i:j], frozenset(marks[i])))
                i = j
        if "".join(p.text for p in pieces).strip():
            paragraphs.append(pieces)
        start += len(line)
    return paragraphs
