"""Rules across two years (FORMAT.md §6, X1–X5): this year's report against last year's.

Last January's file is the usual source of this January's mistakes: a carry-over that
does not match, a stale year left in the text, whole sections pasted unchanged.  These
rules need last year's report, given with ``check --previous``.  The one part of X4 that
needs only the report's own year — a paragraph opening with an earlier year — ``check``
runs on every report (:func:`nianbao.check.rules.x4_opening_years`); with last year's
report, X4 is said here whole, each year once (:func:`with_previous`).

The carry-overs X1–X3 hold between adjacent years only: ``compare`` of reports two or
more years apart runs X4 and X5 (``carried=False``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..findings import ERROR, WARNING, Finding, Rule
from ..model.report import Report
from ..model.standard import ValueType
from .repetition import copied_share, rated_narratives
from .rules import FEE_WORDS, NARRATIVES, narratives
from .years import opening_message, opening_years, stale_years

COPIED = 0.8  # share of a section copied from last year's (check.repetition.copied_share) from which X5 warns
# an explanation of a carry-over that differs from last year's (X1 is then a warning)
EXPLAINED = re.compile(r"结转[^。]*(差异|不一致|调整|更正|核减|核增|撤回)|(差异|不一致|调整|更正|核减|核增|撤回)[^。]*结转")



def check_previous(report: Report, last: Report, *, carried: bool = True) -> list[Finding]:
    """X1–X5 of ``report`` against ``last`` (X4 and X5 alone without ``carried``)."""
    findings: list[Finding] = []
    rules = (x1_carried_over, x2_documents_in_force, x3_items_last_year) if carried else ()
    for rule in (*rules, x4_stale_years, x5_copied_sections):
        findings.extend(rule(report, last))
    return findings


# What X1–X5 read of this year's report (as :data:`nianbao.check.rules.READS` says of the rules of
# one year): the texts (X1's explanation, X4, X5), table 三 (X1) and table 二 (X2, X3).
READS = (*NARRATIVES, ("applications",), ("proactive",), ("year",))


def with_previous(findings: list[Finding], report: Report, last: Report, said: Sequence[Finding] | None = None) -> list[Finding]:
    """``check``'s findings of ``report`` with X1–X5 against ``last``: X4 as
    :func:`x4_stale_years` says it whole (the opening years ``check`` found are among
    its years, each said once).  ``said``: :func:`check_previous` of the two, when the caller
    has it already (the site keeps it for the parts of a report a save did not change)."""
    return [f for f in findings if f.rule != Rule.X4] + list(check_previous(report, last) if said is None else said)


def _texts(report: Report) -> dict[tuple, tuple[str, str]]:
    return {keys: (path, text) for keys, path, text in narratives(report) if keys != ("unit", "name")}


# -- X1 --------------------------------------------------------------------------------------------
def x1_carried_over(report: Report, last: Report) -> Iterator[Finding]:
    """二、上年结转 = last year's 四、结转下年度继续办理, per column."""
    t3 = report.spec.table3
    line = t3.row("carried_over")
    now, before = report.row(line), last.row(last.spec.table3.row("carried_forward"))
    explained = any(EXPLAINED.search(text) for _, text in _texts(report).values())
    keys = report.row_keys(line)
    for c, column in enumerate(t3.all_columns):
        if now[c] != before[c]:
            yield Finding(
                WARNING if explained else ERROR,
                Rule.X1,
                report.path(keys + (c,)),
                f"表三：本年“{line.label}”{column.label}列为{now[c]}，上一年度报告“{t3.row('carried_forward').label}”为{before[c]}"
                + ("（文中已说明差异）" if explained else "：应相等，如有调整请在报告中说明"),
                report.line(keys),
            )


# -- X2 and X3 (table 二 against last year's) ----------------------------------------------------------
def _same_version(report: Report, last: Report) -> bool:
    return report.spec.id == last.spec.id  # 对外公开总数量 is not 现行有效件数


def x2_documents_in_force(report: Report, last: Report) -> Iterator[Finding]:
    """v2021: 现行有效件数 = last year's 现行有效件数 + 本年制发件数 − 本年废止件数."""
    if not _same_version(report, last) or report.spec.id != "v2021":
        return
    group = report.spec.table2[0]
    for item in group.items:
        issued, repealed, in_force = report.item_values(group, item)
        previous = last.item_values(group, item)[2]
        expected = previous + issued - repealed
        if in_force != expected:
            keys = ("proactive", item.key)
            yield Finding(
                WARNING,
                Rule.X2,
                report.path(keys + (2,)),
                f"表二：{item.label}的{group.columns[2].label}为{in_force}，按上年{previous}+本年制发{issued}−本年废止{repealed}应为{expected}"
                "（如有文件失效未计入废止，可不理会）",
                report.line(keys),
            )


def x3_items_last_year(report: Report, last: Report) -> Iterator[Finding]:
    """v2019: 上一年项目数量 = last year's 上一年项目数量 + last year's 本年增/减."""
    if not _same_version(report, last) or report.spec.id != "v2019":
        return
    for group in report.spec.table2:
        labels = [c.label for c in group.columns]
        if len(labels) < 2 or group.columns[1].type is not ValueType.SIGNED:
            continue  # only the groups that count items: 上一年项目数量, 本年增/减, …
        for item in group.items:
            now = report.item_values(group, item)[0]
            before, change = last.item_values(group, item)[:2]
            if now != before + change:
                keys = ("proactive", item.key)
                yield Finding(
                    WARNING,
                    Rule.X3,
                    report.path(keys + (0,)),
                    f"表二：{item.label}的{labels[0]}为{now}，按上一年度报告{before}{change:+d}应为{before + change}",
                    report.line(keys),
                )


# -- X4 (stale years) ------------------------------------------------------------------------------
def x4_stale_years(report: Report, last: Report) -> Iterator[Finding]:
    for keys, (path, text) in _texts(report).items():
        stale = stale_years(text, report.year)
        for old in stale:
            yield Finding(
                WARNING,
                Rule.X4,
                path,
                f"{report.label(keys)}：提到“{old}年”，既不是本报告年度（{report.year}年），也不是前后一年：是否沿用了旧报告的文字？",
                report.line(keys),
            )
        for old in opening_years(text, report.year):
            if old not in stale:  # said once for each year
                yield Finding(WARNING, Rule.X4, path, opening_message(report.label(keys), old, report.year), report.line(keys))


# -- X5 (sections copied from last year) ----------------------------------------------------------------
MIN_SAID = 20  # characters a section must hold, besides its fee statement, for X5 to weigh it
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


def own_words(text: str) -> str:
    """``text`` without its statement of 信息处理费 (「全年收取信息处理费0元。」, the sentence
    every report writes the same each year by the standard): a section saying only that
    has copied nothing a reviewer deducts for."""
    return "".join(s for s in _SENTENCE.findall(text) if not FEE_WORDS.search(s))


def x5_copied_sections(report: Report, last: Report) -> Iterator[Finding]:
    """A section whose share of copied text (the rate ``compare`` shows for it, defined
    once in :mod:`nianbao.check.repetition`) reaches COPIED — unless it says under
    MIN_SAID characters besides its fee statement (:func:`own_words`)."""
    before = [text for _, _, text in rated_narratives(last)]
    for keys, (path, text) in _texts(report).items():
        if keys == ("preamble",) or len(own_words(text).strip()) < MIN_SAID:
            continue
        share = copied_share(text, before)
        if share >= COPIED:
            yield Finding(
                WARNING,
                Rule.X5,
                path,
                f"{report.label(keys)}：{share:.0%}的文字与上一年度报告相同（内容雷同是评议扣分项），请按本年情况改写",
                report.line(keys),
            )
