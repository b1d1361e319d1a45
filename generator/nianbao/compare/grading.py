"""The grading sheet (评分): each unit's findings sorted into the deductions a 政务公开办
reviewer applies when grading annual reports, and a score where the reviewer gives the
points (``--weights 评分.yaml``).

A deduction counts findings of named rules — the very findings ``check`` (and ``check
--previous`` for X1–X5) lists, so that a reviewer can open the problem list and see each
one; 缺项 counts what ``render`` would refuse to publish (P) and the warnings of R7 for the
places P does not cover, each place once; 内容雷同 adds one for a text copied from another
unit of the year (50% or more, :mod:`.copying`).  Without weights the sheet gives counts
only: nianbao does not invent a scoring scheme.

The weights file names a deduction and the points it costs each time, optionally capped::

    满分: 100
    勾稽: 2              # 每处扣2分
    内容雷同: {每处: 5, 最多: 10}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NianbaoError
from ..findings import CARRIED_RULES, TOTAL_RULES, Finding, Rule

if TYPE_CHECKING:
    from ..model.report import Report
    from .overview import Row


@dataclass(frozen=True)
class Deduction:
    """One column of the sheet: its name (the key of the weights file), the rules it
    counts, and how the heading says them."""

    name: str
    rules: tuple[str, ...]
    heading: str


DEDUCTIONS = (
    Deduction("勾稽", (Rule.R1, *TOTAL_RULES), "勾稽关系 R1–R4"),
    Deduction("正文与表格不一致", (Rule.R6,), "正文与表格不一致 R6"),
    Deduction("跨年度衔接", CARRIED_RULES, "跨年度衔接 X1–X3"),
    Deduction("年份", (Rule.X4,), "年份 X4"),
    Deduction("内容雷同", (Rule.X5,), "内容雷同 X5 / 单位间重复率"),
    Deduction("缺项", (Rule.R7, Rule.P), "缺项 R7 / P"),
    Deduction("落款日期", (Rule.R5,), "落款日期 R5"),
)
FULL = "满分"
EACH, MOST = "每处", "最多"
MAX_BYTES = 64 * 1024  # a weights file is a dozen lines


class WeightsError(NianbaoError, ValueError):
    """The weights file cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class Weights:
    """Points off per finding of each deduction (and at most, when capped), and the full score."""

    full: Decimal = Decimal(100)
    each: dict[str, Decimal] = field(default_factory=dict)
    most: dict[str, Decimal] = field(default_factory=dict)

    @staticmethod
    def read(path: Path) -> Weights:
        from ..model.yamlfile import parse
        from ..system.decode import decode, read_at_most

        try:
            data = read_at_most(path, MAX_BYTES)
        except OSError as exc:
            raise WeightsError(f"评分文件 {path} 无法读取（是文件夹，或没有读取权限）：请给出一个 .yaml 文件") from exc
        if data is None:
            raise WeightsError(f"评分文件 {path.name} 超过 {MAX_BYTES // 1024} KB，不像扣分标准：请检查是否选错了文件")
        text = decode(data).text
        if text is None:
            raise WeightsError(f"评分文件 {path.name}：无法识别文件编码，请另存为 UTF-8")
        parsed = parse(text)
        if parsed.findings or not isinstance(parsed.data, dict):
            problem = parsed.findings[0].describe(path) if parsed.findings else "应为“扣分项: 每处扣几分”的 YAML"
            raise WeightsError(f"评分文件 {path.name} 有误：{problem}")
        known = {d.name for d in DEDUCTIONS}
        full = Decimal(100)
        each: dict[str, Decimal] = {}
        most: dict[str, Decimal] = {}
        for key, value in parsed.data.items():
            key = str(key).strip()
            if key == FULL:
                full = _points(path, key, value)
            elif key in known:
                if isinstance(value, dict):
                    unknown = set(map(str, value)) - {EACH, MOST}
                    if unknown or EACH not in value:
                        raise WeightsError(f"评分文件 {path.name}：{key} 应写成“{key}: 2”或“{key}: {{{EACH}: 2, {MOST}: 10}}”")
                    each[key] = _points(path, f"{key}.{EACH}", value[EACH])
                    if MOST in value:
                        most[key] = _points(path, f"{key}.{MOST}", value[MOST])
                else:
                    each[key] = _points(path, key, value)
            else:
                raise WeightsError(f"评分文件 {path.name}：未知的扣分项“{key}”，可用的有 {FULL}、{'、'.join(d.name for d in DEDUCTIONS)}")
        return Weights(full, each, most)

    def off(self, name: str, count: int) -> Decimal:
        """The points a deduction costs for ``count`` findings."""
        points = self.each.get(name, Decimal(0)) * count
        return min(points, self.most[name]) if name in self.most else points


def _points(path: Path, key: str, value: object) -> Decimal:
    """A number of points: a plain number, not negative, at most 1 000."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise WeightsError(f"评分文件 {path.name}：{key} 应为分数（如 2 或 0.5）")
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation:
        raise WeightsError(f"评分文件 {path.name}：{key} 的“{value}”不是数字") from None
    if not points.is_finite() or points < 0 or points > 1000:
        raise WeightsError(f"评分文件 {path.name}：{key} 应在 0 到 1000 之间")
    return points


@dataclass(frozen=True)
class Count:
    """A deduction's findings for one unit: how many, and the first, as the problem list says it."""

    count: int
    first: str


def counts(row: Row) -> dict[str, Count] | None:
    """Each deduction's defects for a unit whose report could be read (None otherwise): one
    mistake counted once (:func:`defects`), the first quoted as the problem list says it."""
    from .overview import copying_notes

    if row.report is None:
        return None
    findings: list[Finding] = []
    seen: set[tuple[str, str | None, str]] = set()
    for finding in list(row.findings) + list(row.cross):  # the row's findings are judged as batch judges (P too); a finding check and check --previous both give counts once
        if (finding.rule, finding.path, finding.message) not in seen:
            seen.add((finding.rule, finding.path, finding.message))
            findings.append(finding)
    kept = defects(row.report, findings)
    out: dict[str, Count] = {}
    for deduction in DEDUCTIONS:
        said = [f.labelled(row.shown) for f in kept if f.rule in deduction.rules]
        if deduction.name == "内容雷同":
            said += copying_notes(row, last_year=False)  # another unit's text (last year's is X5, by section)
        out[deduction.name] = Count(len(said), said[0] if said else "")
    return out


COUNTING = ("一处错误只算一处：同一个格被几条规则指出（如总计填错，R2 与由它引起的 R1 总计列、R6 指向该总计）算一处；"
            "表三 第一项+第二项=第三项+第四项（R1）各列不平衡合算一处（已由填错的总计说明的列不再计）；"
            "上年结转与上年报告不符（X1）各列合算一处；其余每个格、每段文字、每个部分各算一处。")


def defects(report: Report, findings: list[Finding]) -> list[Finding]:
    """The findings a reviewer deducts for, one per mistake (:data:`COUNTING`): ``check``
    lists a wrong printed total as R2 (or R4), and again as R1 in the 总计 column and as R6
    where the text states the right sum — one mistake; R1 and X1 name a column each, but the
    balance of table 三 and last year's carry-over are one line each."""
    from ..check.rules import wrong_totals

    t3 = report.spec.table3
    wrong = wrong_totals(report)
    wrong_paths = {report.path(cell) for cell in wrong}
    new_keys = report.row_keys(t3.row("new"))
    column = {report.path(new_keys + (c,)): c for c in range(len(t3.all_columns))}
    main_rows = {report.row_keys(t3.row(k)) for k in ("new", "carried_over", "total", "carried_forward")}
    explained = {c for cell in wrong for c in range(len(t3.all_columns)) if cell[:-1] in main_rows and cell[-1] == c}
    out: list[Finding] = []
    keys: set[tuple[str, str | None]] = set()
    for finding in findings:
        rule = finding.rule
        if rule == Rule.R1:
            if column.get(finding.path or "") in explained:
                continue  # the wrong total R2/R3 points at is this column's imbalance
            key: tuple[str, str | None] = (Rule.R1, None)
        elif rule in TOTAL_RULES:
            key = ("勾稽", finding.path)
        elif rule == Rule.R6 and finding.path in wrong_paths:
            continue  # R6 at a wrong total: the text is right, the total is counted under 勾稽
        elif rule == Rule.X1:
            key = (Rule.X1, None)
        elif rule in (Rule.P, Rule.R7):
            key = ("缺项", finding.path) if finding.path else ("缺项", finding.message)
        elif rule in (Rule.R6, Rule.X4):
            key = (rule, finding.message)
        else:
            key = (rule, finding.path or finding.message)
        if key not in keys:
            keys.add(key)
            out.append(finding)
    return out


def score(weights: Weights, found: dict[str, Count]) -> tuple[Decimal, Decimal]:
    """(points off, score) of a unit."""
    off = sum((weights.off(d.name, found[d.name].count) for d in DEDUCTIONS), Decimal(0))
    return off, max(weights.full - off, Decimal(0))


def rows(overview_rows: Sequence[Row], weights: Weights | None) -> list[tuple[Row, dict[str, Count] | None, tuple[Decimal, Decimal] | None]]:
    """The sheet's rows: every unit of the year (not the files of another year)."""
    from .overview import OTHER_YEAR

    out = []
    for row in overview_rows:
        if row.status == OTHER_YEAR:
            continue
        found = counts(row)
        out.append((row, found, score(weights, found) if weights is not None and found is not None else None))
    return out
