"""One unit's two reports, compared: everything the page, the workbook and the PDF show.

Built once from the two loaded reports and their findings, then drawn three ways
(:mod:`.page`, :mod:`.sheet`, :mod:`.printed`), so that the three cannot disagree.  The
figures come from where the rest of nianbao computes them: the repetition rates from
:mod:`nianbao.check.repetition` (X5's definition), the carry-over checks from ``check --previous``
(:func:`nianbao.check.crossyear.check_previous`), the years pointing at last year from
X4's own functions, the findings from ``check`` (:func:`nianbao.read.sources.load_checked`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..check.crossyear import MIN_SAID, check_previous, own_words
from ..check.repetition import Rates, copied_share, copied_spans, rated_narratives, repetition
from ..check.years import NOT_STALE, OPENING_YEAR, YEAR, opening_years, stale_years
from ..county.unitnames import note as same_unit_note
from ..county.unitnames import same_unit
from ..findings import CARRIED_RULES, CROSS_YEAR_RULES, ERROR, Finding, Rule
from ..model.places import places
from ..model.report import Report
from .changes import CellChange, changes, largest_moves, proactive_moves

COPIED, STALE = "copied", "stale"  # the two kinds of marks in the narratives


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

    @property
    def errors(self) -> int:
        return sum(f.level == ERROR for f in self.findings)


@dataclass(frozen=True)
class Comparison:
    last: Side
    this: Side
    rates: Rates
    changes: list[CellChange]
    moves: list[CellChange]  # tables 三 and 四 first, then the fee notices (changes.largest_moves)
    narratives: list[Narrative]
    crossyear: list[Finding]  # X1–X5 of this year's against last year's (X4 and X5 only, years apart)
    quoted: list[Finding] = field(default_factory=list)  # R6: this year's text against its own tables
    proactive: list[CellChange] = field(default_factory=list)  # table 二's largest moves, a list of its own
    notes: list[str] = field(default_factory=list)  # what the reviewer must know to read the figures
    unweighed: list[str] = field(default_factory=list)  # sections X5 does not weigh: little said besides the fee statement

    @property
    def carried(self) -> list[Finding]:
        return [f for f in self.crossyear if f.rule in CARRIED_RULES]

    @property
    def adjacent(self) -> bool:
        """Last year's report is the year before: the carry-overs X1–X3 were checked."""
        return self.this.report.year == self.last.report.year + 1

    @property
    def defects(self) -> list[CellChange]:
        """The printed totals of either year that are not the sum of their parts."""
        return [c for c in self.changes if c.defective]

    @property
    def failed(self) -> bool:
        """Either report has an error, or a carry-over is wrong (X1): what exit status 1 means."""
        return bool(self.this.errors or self.last.errors or any(f.level == ERROR for f in self.crossyear))

    def errors_said(self) -> str:
        """本年度报告2个错误，跨年度核对1个错误 — where the errors of :attr:`failed` are."""
        said = [f"{name}{n}个错误" for name, n in (
            ("本年度报告", self.this.errors), ("上一年度报告", self.last.errors), ("跨年度核对", sum(f.level == ERROR for f in self.crossyear)),
        ) if n]
        return "，".join(said) or "没有错误"

    def rule_counts(self) -> dict[str, int]:
        """{X1…X5: findings}, for the index of a folder's pairs."""
        counts: dict[str, int] = dict.fromkeys(CROSS_YEAR_RULES, 0)
        for f in self.crossyear:
            if f.rule in counts:
                counts[f.rule] += 1
        return counts

    @property
    def unit(self) -> str:
        return self.this.report.unit_name

    @property
    def title(self) -> str:
        return f"{self.unit}{self.last.report.year}年与{self.this.report.year}年政府信息公开工作年度报告比对"

    @property
    def running_head(self) -> str:
        """The line every printed page carries: the unit and the two years."""
        return f"{self.unit}　{self.last.report.year}年与{self.this.report.year}年年度报告比对"


def notes_of(last: Report, this: Report, *, same_unit_said: bool = False) -> list[str]:
    """What a comparison of ``last`` and ``this`` says before its figures: names that differ
    by a region's prefix, or that a person said are one unit; years apart (X1–X3 not run);
    format versions that differ."""
    notes: list[str] = []
    a, b = last.unit_name, this.unit_name
    sameness = same_unit(a, b)
    if sameness is not None and not sameness.exact:
        notes.append(same_unit_note(a, b, sameness))
    elif sameness is None and same_unit_said:
        notes.append(f"两份报告的机关名称不同（{a}、{b}），按 --same-unit 作为同一单位（更名）比对")
    gap = this.year - last.year
    if gap > 1:
        notes.append(f"两份报告相隔{gap}年（{last.year}年度、{this.year}年度），中间缺{gap - 1}年：跨年度衔接（X1 上年结转、X2/X3 表二存量）"
                     "只在相邻年度之间成立，未核对；重复率、表格增减和 X4、X5 照常计算")
    if last.spec.id != this.spec.id:
        notes.append(f"两份报告的格式版本不同（{last.year}年度为{last.spec.name}，{this.year}年度为{this.spec.name}）：表二两版的栏目不同，按同一位置对照（栏目名称以本年度的为准）；"
                     "本年度的版本才有的格没有上年数字；表三、表四按同名的格比较")
    return notes


def compare(last: Side, this: Side, *, same_unit_said: bool = False) -> Comparison:
    """The comparison of ``this`` year's report against ``last`` year's (any earlier year:
    the carry-overs are checked only between adjacent years)."""
    a, b = this.report, last.report
    found = changes(a, b)
    rates = repetition(a, b)
    adjacent = a.year == b.year + 1
    notes = notes_of(b, a, same_unit_said=same_unit_said)
    defects = [c for c in found if c.defective]
    if defects:
        notes.append(f"有{len(defects)}个印出的总计与各项之和不符（R2–R4），表中照印出的数字列出并注明各项之和，增减按各项之和计算")
    return Comparison(
        last=last,
        this=this,
        rates=rates,
        changes=found,
        moves=largest_moves(found),
        narratives=_narratives(a, b, rates.sections),
        crossyear=check_previous(a, b, carried=adjacent),
        quoted=[f for f in this.findings if f.rule == Rule.R6],
        proactive=proactive_moves(found),
        notes=notes,
        unweighed=[heading for _, heading, text in rated_narratives(a) if text and len(own_words(text).strip()) < MIN_SAID],
    )


# -- the narratives, marked ---------------------------------------------------------------------------
def _narratives(this: Report, last: Report, rates: dict[str, float]) -> list[Narrative]:
    """Each section of either year, this year's order first; in this year's text the
    passages copied and the stale years marked, in last year's the passages copied
    into this year's (where they came from).  Where one year writes 一、总体情况 as one
    text (v2019) and the other in its five parts, the five face the one text as one
    block, so that a paragraph meets itself (the block's rate by the same definition)."""
    now, before = _sections(this), _sections(last)
    overview = places(this.spec.id)[("overview",)].path
    block = _split(this) != _split(last)
    if block:
        now, before = _as_block(now, overview), _as_block(before, overview)
    last_texts = [text for _, _, text in rated_narratives(last)]
    this_texts = [text for _, _, text in rated_narratives(this)]
    out = []
    for heading in [*now, *(h for h in before if h not in now)]:
        this_text, last_text = now.get(heading, ""), before.get(heading, "")
        this_marks = _marks(this_text, copied_spans(this_text, last_texts))
        for start, end in _stale(this_text, this.year):
            for i in range(start, end):
                this_marks[i].add(STALE)
        last_marks = _marks(last_text, copied_spans(last_text, this_texts))
        rate = rates.get(heading)
        if block and heading == overview and this_text:
            rate = copied_share(_unlabelled(this, this_text), last_texts)
        out.append(Narrative(heading, _pieces(last_text, last_marks), _pieces(this_text, this_marks), rate))
    return out


def _sections(report: Report) -> dict[str, str]:
    return {heading: text for _, heading, text in rated_narratives(report)}


def _split(report: Report) -> bool:
    """一、总体情况 written in its parts (（一）–（五）), not as one text."""
    return any(keys[0] == "overview" and len(keys) > 1 for keys, _, _ in rated_narratives(report))


def _as_block(sections: dict[str, str], overview: str) -> dict[str, str]:
    """一、总体情况's parts as one text, each part's label a line of its own before it."""
    out: dict[str, str] = {}
    for heading, text in sections.items():
        if heading.startswith(overview + "."):
            label = heading[len(overview) + 1 :]
            joined = out.get(overview, "")
            out[overview] = f"{joined}\n{label}\n{text}" if joined else f"{label}\n{text}"
        else:
            out[heading] = text
    return out


def _unlabelled(report: Report, text: str) -> str:
    """A block's text without the parts' labels added to it (the rate counts the report's words)."""
    labels = {f.label for f in report.spec.section("overview").subsections}
    return "\n".join(line for line in text.split("\n") if line not in labels)


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
