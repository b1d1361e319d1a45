"""Findings: what the loader, the checker and the importer tell a clerk.

Every message names its cell as the report prints it (``表三 三（三）不予公开 2.其他法律行政法规禁止公开
· 自然人``, :mod:`nianbao.model.places`) and, where known, the line of the source file, so that it
can be acted on without knowing the report file's English keys; ``path`` is the cell's stable key
(``表三.三（三）2.其他法律行政法规禁止公开.自然人``), for ``--json`` and for placing a finding beside its cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from .enums import StrEnum

Level = Literal["error", "warning"]
ERROR: Level = "error"
WARNING: Level = "warning"

LEVEL_NAMES = {ERROR: "错误", WARNING: "提示"}


class Family(StrEnum):
    """A rule family: the letter a finding's code begins with (``R1`` is of ``R``)."""

    REPORT = "R"  # one report's tables and text (check/rules.py)
    CROSS_YEAR = "X"  # against last year's report (check/crossyear.py)
    PUBLISH = "P"  # before publishing (check/publish.py)
    SCHEMA = "S"  # the report file's keys and values (model/schema.py, read/load.py)
    IMPORT = "I"  # what an import could not read (read/importer)
    COUNTY = "B"  # a county's files and unit list (county/rules.py)

    @property
    def label(self) -> str:
        """What a clerk calls the family."""
        return FAMILY_LABELS[self]


FAMILY_LABELS = {
    Family.REPORT: "报告内核对",
    Family.CROSS_YEAR: "跨年度核对",
    Family.PUBLISH: "发布前检查",
    Family.SCHEMA: "报告文件格式",
    Family.IMPORT: "读不出的内容",
    Family.COUNTY: "汇总核对",
}


class Rule(StrEnum):
    """A finding's rule code, as printed (``[错误 R1]``) and stored; the codes of a family
    with no numbered rules are the family's letter."""

    R1 = "R1"  # columns balance
    R2 = "R2"  # row totals
    R3 = "R3"  # the results' total
    R4 = "R4"  # the appeals' totals
    R5 = "R5"  # the date signed
    R6 = "R6"  # figures quoted in the text
    R7 = "R7"  # narratives missing or left as placeholders
    X = "X"  # last year's report unusable for the cross-year rules
    X1 = "X1"  # carried over from last year
    X2 = "X2"
    X3 = "X3"
    X4 = "X4"  # a paragraph opening with an earlier year
    X5 = "X5"  # a section copied from last year
    P = "P"
    S = "S"
    I = "I"  # noqa: E741 (the code as printed)
    B = "B"

    @property
    def family(self) -> Family:
        return Family(self.value[0])


TOTAL_RULES = (Rule.R2, Rule.R3, Rule.R4)  # a printed total that is not the sum of its parts
CARRIED_RULES = (Rule.X1, Rule.X2, Rule.X3)  # last year's closing figures are this year's opening ones
CROSS_YEAR_RULES = (*CARRIED_RULES, Rule.X4, Rule.X5)  # the numbered cross-year rules, as listed and counted


def family(rule: str) -> Family:
    """The family of a finding's rule code."""
    return Family(rule[:1])


@dataclass(frozen=True)
class Finding:
    """One thing a check, a reader or the county found: its level, rule, place and words.

    (Every dataclass carries a docstring: without one, ``dataclasses`` makes one with
    ``inspect.signature``, some 0.1 ms of each start for each class.)"""

    level: Level
    rule: str  # a Rule: R1–R7, X1–X5, S (schema), I (import), P, B
    path: str | None  # the place's key (places.Place.path), not shown in messages
    message: str
    line: int | None = None
    cell: str | None = None  # in a workbook: "表三!D5"

    def describe(self, source: str | Path | None = None) -> str:
        """The message as printed: ``…（2023.yaml 第48行）``, ``…（“表三”表 D5 格）``."""
        where = ""
        if self.cell is not None and self.cell not in self.message:
            sheet, _, coordinate = self.cell.rpartition("!")
            where = f"（“{sheet}”表 {coordinate} 格）"
        elif source is not None and self.line is not None:
            where = f"（{Path(source).name} 第{self.line}行）"
        elif self.line is not None:
            where = f"（第{self.line}行）"
        return f"{self.message}{where}"

    def labelled(self, source: str | Path | None = None) -> str:
        """The line a clerk reads: ``[错误 R1] …（2023.yaml 第48行）``."""
        return f"[{LEVEL_NAMES[self.level]} {self.rule}] {self.describe(source)}"

    def as_json(self) -> dict:
        data = asdict(self)
        keys = ("level", "rule", "path", "line", "cell", "message") if self.cell else ("level", "rule", "path", "line", "message")
        return {k: data[k] for k in keys}

    def at(self) -> str:
        """Where to look, for a worklist: ``表三!D5`` or ``第48行``."""
        return self.cell or (f"第{self.line}行" if self.line is not None else "")


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.level == ERROR for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by line, keeping the order rules produced them in otherwise."""
    indexed = list(enumerate(findings))
    indexed.sort(key=lambda p: (p[1].level != ERROR, p[1].line is None, p[1].line or 0, p[0]))
    return [f for _, f in indexed]
