"""A unit's key figures: the dozen numbers a 政务公开办 reviewer lines units up by.

Each figure is read from the report through its own methods (:meth:`Report.row`,
:meth:`Report.appeal`, :meth:`Report.fees`) and rows named by the spec's keys, so that it is
the same number ``check`` verifies and ``aggregate`` adds up; every heading and definition
that names a row quotes the spec's label, never a copy of it.  A share whose whole is zero
(no application was decided) is no share at all: it is ``None`` and shown as "—", never 0%.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ..check.crossyear import COPIED  # the text rate against last year from which a unit is flagged, as X5 flags a section
from ..findings import ERROR, LEVEL_NAMES, TOTAL_RULES, WARNING, Finding
from ..model.report import Report
from ..model.standard import Line3, Spec
from .copying import FLAGGED as PEER_FLAGGED  # the text rate against another unit of the year from which it is flagged

Kind = Literal["count", "share", "amount"]
Number = int | Decimal | Fraction

# Table 四's columns in the order FORMAT.md §5 fixes for both versions: 结果维持, 结果纠正,
# 其他结果, 尚未审结 — the two a correction rate needs, by position (their labels come from the spec).
CORRECTED, PENDING = 1, 3
FEE_KEY = "collected"  # v2021's 实际收取的总金额（元）: what applicants actually paid
NO_SHARE = "—"

# A label's numbering (一、 （三） 2.) and a note in brackets after it, left off for a heading:
# 予以公开 from the row （一）予以公开.
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
_NOTE = re.compile(r"（[^）]*）$")


def bare(label: str) -> str:
    """A spec label without its numbering and trailing note, for a column heading."""
    return _NOTE.sub("", _NUMBERING.sub("", label))


@dataclass(frozen=True)
class Figure:
    """One key figure: its key, the column heading, what it counts in, and one sentence
    saying exactly how it is computed (printed under the table and in the workbook)."""

    key: str
    heading: str
    kind: Kind
    unit: str  # 件, 个, 元; a share is a percentage
    definition: str


@dataclass(frozen=True)
class Measure:
    """A figure's value for one unit: a count or amount, or a share with its part and
    whole (``value`` None when the whole is zero: nothing to share)."""

    value: Number | None
    part: int | None = None
    whole: int | None = None
    defect: str = ""  # a printed total it is computed from that R2–R4 find wrong, said (the figure stays as printed)

    @property
    def number(self) -> float | None:
        """The value as a float, for charts and colour scales."""
        return None if self.value is None else float(self.value)


def figures(spec: Spec, *, fees: bool, repetition: bool, peer: bool = False) -> list[Figure]:
    """The key figures of reports in ``spec``'s format, in the order a reviewer reads them;
    the fee column only when some unit's format has 信息处理费 (``fees``), the text rate
    against last year only when last year's reports were given, the copying between units
    of the year (``peer``) when there are two units or more."""
    t3, t4 = spec.table3, spec.table4
    total = t3.row("total")
    total_label = f"{_parent(spec, total)}{total.label}"
    out = [
        Figure("received", "新收申请", "count", "件", f"表三“{t3.row('new').label}”的总计。"),
        Figure("carried_over", "上年结转", "count", "件", f"表三“{t3.row('carried_over').label}”的总计。"),
    ]
    for key in ("disclosed", "withheld", "unavailable"):
        line = t3.row(key)
        out.append(Figure(f"{key}_share", f"{bare(line.label)}占比", "share", "%",
                          f"表三“{line.label}”{'各项之和' if line.is_group else ''}的总计，占“{total_label}”的百分比；没有办理结果的单位不计算（显示“{NO_SHARE}”）。"))
    review = [g for g in t4.groups if g.parent is None]
    lawsuit = [g for g in t4.groups if g.parent is not None]
    out.append(Figure("reviews", "、".join(g.label for g in review), "count", "件", f"表四“{'、'.join(g.label for g in review)}”的{t4.total.label}。"))
    parent = lawsuit[0].parent if lawsuit else ""
    out.append(Figure("lawsuits", parent or "", "count", "件", f"表四“{parent}”下{'、'.join(g.label for g in lawsuit)}的{t4.total.label}之和。"))
    corrected, pending = t4.columns[CORRECTED].label, t4.columns[PENDING].label
    out.append(Figure("corrected_share", f"{corrected}占比", "share", "%",
                      f"表四各行“{corrected}”之和，占已审结案件（{t4.total.label}减“{pending}”）的百分比；没有审结案件的单位不计算（显示“{NO_SHARE}”）。"))
    if fees:
        label = fee_label()
        out.append(Figure("fees", "信息处理费", "amount", "元", f"“{label}”；所用格式没有信息处理费一项的单位显示“{NO_SHARE}”。"))
    out.append(Figure("errors", LEVEL_NAMES[ERROR], "count", "个", f"该单位报告的{LEVEL_NAMES[ERROR]}个数，与 nianbao batch 的计数相同：nianbao check 列出的{LEVEL_NAMES[ERROR]}，加上发布前的 P 规则（占位文字、会空着的部分、没有落款日期；"
                      "batch 不生成这样的报告）。有错误的报告，其数字照报告所印列出、加以标记，不计入合计和中位数。"))
    out.append(Figure("warnings", LEVEL_NAMES[WARNING], "count", "个", f"该单位报告的{LEVEL_NAMES[WARNING]}个数，与 nianbao batch 的计数相同（发布前成为 P {LEVEL_NAMES[ERROR]}的，不再算作{LEVEL_NAMES[WARNING]}）。"))
    if repetition:
        out.append(Figure("repetition", "与上年文字重复率", "share", "%",
                          f"与该单位上一年度报告相比的文字重复率（定义见下）；达到{_percent_of(COPIED)}的标记“{FLAG}”，与 X5 的标准相同。"))
    if peer:
        out.append(Figure("peer", "单位间文字重复率", "share", "%",
                          f"与本年度其他单位的报告逐一相比，文字重复率（定义同上，把上一年度报告换成那个单位的报告）最高的一个，格中写出是哪个单位；"
                          f"达到{_percent_of(PEER_FLAGGED)}的标记“{FLAG}”。"))
    return out


FLAG = "⚑"  # marks a rate at or over its threshold (a sign, not only a colour: printed in grey it still shows)


def flagged(key: str, measure: Measure | None) -> bool:
    """A copying rate at or over its threshold (X5's 80% against last year, 50% between units)."""
    limit = {"repetition": COPIED, "peer": PEER_FLAGGED}.get(key)
    return limit is not None and measure is not None and measure.value is not None and measure.value >= limit


def _percent_of(rate: float) -> str:
    return f"{rate:.0%}"


def fee_label() -> str:
    """The label of the fee figure, from the first format that has 信息处理费."""
    from ..model.standard import SPECS

    for spec in SPECS.values():
        for field in spec.fees:
            if field.key == FEE_KEY:
                return field.label
    return FEE_KEY


def _parent(spec: Spec, target: Line3) -> str:
    """The label of the row above ``target`` (三、本年度办理结果 for （七）总计), or empty."""
    for line in spec.table3.lines:
        if target in line.children:
            return line.label
    return ""


def line_total(report: Report, line: Line3) -> int:
    """A row's 总计; a group's (（三）不予公开…) is the sum of its items' totals."""
    if line.is_group:
        return sum(line_total(report, child) for child in line.children)
    return report.row(line)[-1]


def _share(part: int, whole: int) -> Measure:
    return Measure(Fraction(part, whole) if whole else None, part, whole)


def measure(report: Report, findings: Iterable[Finding] = (), repetition: float | None = None) -> dict[str, Measure]:
    """The key figures of one report: {figure key: its measure}.  ``findings``: what check
    says of it; ``repetition``: its overall repetition rate against last year, if known."""
    t3, t4 = report.spec.table3, report.spec.table4
    whole = line_total(report, t3.row("total"))
    out = {
        "received": Measure(line_total(report, t3.row("new"))),
        "carried_over": Measure(line_total(report, t3.row("carried_over"))),
    }
    for key in ("disclosed", "withheld", "unavailable"):
        out[f"{key}_share"] = _share(line_total(report, t3.row(key)), whole)
    rows = {g.key: report.appeal(g) for g in t4.groups}
    out["reviews"] = Measure(sum(rows[g.key][-1] for g in t4.groups if g.parent is None))
    out["lawsuits"] = Measure(sum(rows[g.key][-1] for g in t4.groups if g.parent is not None))
    concluded = sum(row[-1] - row[PENDING] for row in rows.values())
    out["corrected_share"] = _share(sum(row[CORRECTED] for row in rows.values()), concluded)
    fees = report.fees()
    value = fees.get(FEE_KEY) if fees else None
    out["fees"] = Measure(Decimal(value) if value is not None else None)
    findings = list(findings)
    if any(f.rule in TOTAL_RULES for f in findings):  # mark, never mend: the figure is the report's, the sum of the parts said beside it
        for key, said in _defects(report).items():
            out[key] = replace(out[key], defect=said)
    out["errors"] = Measure(sum(f.level == ERROR for f in findings))
    out["warnings"] = Measure(sum(f.level == WARNING for f in findings))
    out["repetition"] = measure_of_rate(repetition)
    return out


def _defects(report: Report) -> dict[str, str]:
    """{figure key: what is wrong with a printed total it is read from} — a 总计 R2–R4 find
    not the sum of its parts (:func:`nianbao.check.rules.wrong_totals`), named with that sum."""
    from ..check.rules import wrong_totals

    wrong = wrong_totals(report)
    t3, t4 = report.spec.table3, report.spec.table4

    def rows(line: Line3) -> list[Line3]:
        return [leaf for child in line.children for leaf in rows(child)] if line.is_group else [line]

    def said(cells: list[tuple[tuple, str]]) -> str:
        return "；".join(f"{label}的总计印错（{wrong[cell][0]}），各项之和为{wrong[cell][1]}" for cell, label in cells if cell in wrong)

    def t3_cells(*keys: str) -> list[tuple[tuple, str]]:
        return [(report.row_keys(line) + (len(t3.columns),), f"表三“{line.label}”") for key in keys for line in rows(t3.row(key))]

    def t4_cells(parented: bool | None) -> list[tuple[tuple, str]]:
        return [(("appeals", g.key, len(t4.columns)), f"表四“{g.parent + '·' if g.parent else ''}{g.label}”") for g in t4.groups
                if parented is None or (g.parent is not None) == parented]

    found = {"received": said(t3_cells("new")), "carried_over": said(t3_cells("carried_over")),
             **{f"{key}_share": said(t3_cells(key, "total")) for key in ("disclosed", "withheld", "unavailable")},
             "reviews": said(t4_cells(False)), "lawsuits": said(t4_cells(True)), "corrected_share": said(t4_cells(None))}
    return {key: text for key, text in found.items() if text}


def measure_of_rate(rate: float | None) -> Measure:
    """A repetition rate (a float of :mod:`nianbao.check.repetition`) as a share, exact to 1/100 000."""
    return Measure(None if rate is None else Fraction(rate).limit_denominator(100_000))


def shown(figure: Figure, measure: Measure | None) -> str:
    """A figure as a Chinese reader expects it: ``7件``, ``42.9%``, ``1,250元``, or "—"."""
    if measure is None or measure.value is None:
        return NO_SHARE
    if figure.kind == "share":
        return percent(measure.value)
    if figure.kind == "amount":
        assert not isinstance(measure.value, Fraction)  # summed in yuan, never a share
        return f"{amount(Decimal(measure.value))}{figure.unit}"
    return f"{int(measure.value):,}{figure.unit}"


def percent(value: Number | float) -> str:
    """42.9% — one decimal, rounded half away from zero as a reader rounds by hand."""
    return f"{Decimal(_rounded(Fraction(value) * 1000)) / 10:.1f}%"


def _rounded(value: Fraction) -> int:
    """``value`` to the nearest whole number, halves away from zero (not to even)."""
    whole = int(abs(value) + Fraction(1, 2))
    return -whole if value < 0 else whole


def amount(value: Decimal) -> str:
    """An amount without trailing zeros or an exponent: 1,250 / 12.5 / 0."""
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def change(figure: Figure, now: Measure | None, before: Measure | None) -> str:
    """This year against last: ``7 → 21件（+200.0%）``; a share moves in 百分点."""
    if now is None or before is None or now.value is None or before.value is None:
        return NO_SHARE
    if figure.kind == "share":
        points = (Fraction(now.value) - Fraction(before.value)) * 100
        sign = "+" if points > 0 else ""
        return f"{percent(before.value)} → {percent(now.value)}（{sign}{Decimal(_rounded(points * 10)) / 10:.1f}个百分点）"
    a, b = Fraction(before.value), Fraction(now.value)
    unit = figure.unit
    head = f"{_plain(figure, before)} → {_plain(figure, now)}{unit}"
    if a == b:
        return f"{head}（持平）"
    if a == 0:
        return f"{head}（新增）"
    rate = (b - a) / a
    return f"{head}（{'+' if rate > 0 else ''}{percent(rate)}）"


def _plain(figure: Figure, measure: Measure) -> str:
    value = measure.value
    assert value is not None and not isinstance(value, Fraction)  # a count or an amount: change() said a share or none apart
    return amount(Decimal(value)) if figure.kind == "amount" else f"{int(value):,}"
