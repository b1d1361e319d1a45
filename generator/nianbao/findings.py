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

Level = Literal["error", "warning"]
ERROR: Level = "error"
WARNING: Level = "warning"

LEVEL_NAMES = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class Finding:
    level: Level
    rule: str  # R1–R7, X1–X5, S (schema), I (import)
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
