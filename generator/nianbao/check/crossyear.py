"""Rules across two years (FORMAT.md §6, X1–X5): this year's report against last year's.

Last January's file is the usual source of this January's mistakes: a carry-over that
does not match, a stale year left in the text, whole sections pasted unchanged.  These
rules need last year's report, given with ``check --previous``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..findings import ERROR, WARNING, Finding
from ..model.report import Report
from ..model.standard import ValueType
from .repetition import copied_share, rated_narratives
from .rules import narratives

COPIED = 0.8  # share of a section copied from last year's (check.repetition.copied_share) from which X5 warns
# an explanation of a carry-over that differs from last year's (X1 is then a warning)
EXPLAINED = re.compile(r"结转[^。]*(差异|不一致|调整|更正|核减|核增|撤回)|(差异|不一致|调整|更正|核减|核增|撤回)[^。]*结转")
# years that are not stale: document numbers 〔2020〕 [2020] and edition notes （2019年修订）
NOT_STALE = re.compile(r"[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]|\d{4}\s*年\s*(?:修订|修正|修改|版)")
YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
# a paragraph whose time frame is a year — 「2025年，青山镇…」「2025年度，」「2025年全年」「2025年是」 —
# after an optional list mark (（一） 一、 1.); 「2025年存在的问题已整改」 speaks of that year and is not one
OPENING_YEAR = re.compile(r"\s*(?:(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])\s*)?(\d{4})\s*年度?\s*(?:[，,]|全年|是)")


def check_previous(report: Report, last: Report) -> list[Finding]:
    findings: list[Finding] = []
    for rule in (x1_carried_over, x2_documents_in_force, x3_items_last_year, x4_stale_years, x5_copied_sections):
        findings.extend(rule(report, last))
    return findings


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
                "X1",
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
                "X2",
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
                    "X3",
                    report.path(keys + (0,)),
                    f"表二：{item.label}的{labels[0]}为{now}，按上一年度报告{before}{change:+d}应为{before + change}",
                    report.line(keys),
                )


# -- X4 (stale years) ------------------------------------------------------------------------------
def stale_years(text: str, year: int) -> list[str]:
    """The years ``text`` mentions other than ``year`` and its neighbours, as written."""
    text = unicodedata.normalize("NFKC", text)
    text = NOT_STALE.sub(lambda m: " " * len(m.group()), text)
    found: list[str] = []
    for match in YEAR.finditer(text):
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
    text = unicodedata.normalize("NFKC", text)
    text = NOT_STALE.sub(lambda m: " " * len(m.group()), text)
    found: list[str] = []
    for paragraph in text.split("\n"):
        match = OPENING_YEAR.match(paragraph)
        if match and 1900 < int(match.group(1)) < year and match.group(1) not in found:
            found.append(match.group(1))
    return found


def x4_stale_years(report: Report, last: Report) -> Iterator[Finding]:
    for keys, (path, text) in _texts(report).items():
        stale = stale_years(text, report.year)
        for old in stale:
            yield Finding(
                WARNING,
                "X4",
                path,
                f"{report.label(keys)}：提到“{old}年”，既不是本报告年度（{report.year}年），也不是前后一年：是否沿用了旧报告的文字？",
                report.line(keys),
            )
        for old in opening_years(text, report.year):
            if old not in stale:  # said once for each year
                yield Finding(
                    WARNING,
                    "X4",
                    path,
                    f"{report.label(keys)}：有一段以“{old}年”开头，而本报告是{report.year}年度的：是否沿用了上一年度报告的文字？",
                    report.line(keys),
                )


# -- X5 (sections copied from last year) ----------------------------------------------------------------
def x5_copied_sections(report: Report, last: Report) -> Iterator[Finding]:
    """A section whose share of copied text (the rate ``compare`` shows for it, defined
    once in :mod:`nianbao.check.repetition`) reaches COPIED."""
    before = [text for _, _, text in rated_narratives(last)]
    for keys, (path, text) in _texts(report).items():
        if keys == ("preamble",) or len(text) < 20:
            continue
        share = copied_share(text, before)
        if share >= COPIED:
            yield Finding(
                WARNING,
                "X5",
                path,
                f"{report.label(keys)}：{share:.0%}的文字与上一年度报告相同（内容雷同是评议扣分项），请按本年情况改写",
                report.line(keys),
            )
