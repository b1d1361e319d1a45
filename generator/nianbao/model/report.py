"""A validated report: the pydantic data, the spec it follows, and where each value came from.

The checker and the renderers read tables through this class, by spec row, so that they
never need to know how a version nests its keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .places import KeyPath, place
from .places import label as place_label
from .schema import Data
from .standard import Group2, Group4, Item, Line3, Spec
from .yamlfile import nearest_line


@dataclass
class Report:
    spec: Spec
    data: Data
    source: Path | None = None
    lines: dict[KeyPath, int] = field(default_factory=dict)

    # -- where things are -------------------------------------------------------------
    def line(self, keys: KeyPath) -> int | None:
        return nearest_line(self.lines, keys)

    def path(self, keys: KeyPath) -> str:
        """The key a finding carries (``--json``): 表三.一.自然人."""
        return place(self.spec.id, keys).path

    def label(self, keys: KeyPath) -> str:
        """How a message names it: 表三 一、本年新收 · 自然人."""
        return place_label(self.spec.id, keys)

    def get(self, keys: KeyPath) -> Any:
        node: Any = self.data
        for key in keys:
            if node is None:
                return None
            node = node[key] if isinstance(node, (list, tuple)) else getattr(node, key)
        return node

    # -- the facts everybody needs ----------------------------------------------------
    @property
    def year(self) -> int:
        return self.data.year  # type: ignore[attr-defined]

    @property
    def unit(self) -> Data:
        return self.data.unit  # type: ignore[attr-defined]

    @property
    def title(self) -> str:
        return self.spec.title(self.unit.name, self.year)  # type: ignore[attr-defined]

    # -- table 二 ------------------------------------------------------------------------
    def item_values(self, group: Group2, item: Item) -> tuple[Any, ...]:
        value = self.get(("proactive", item.key))
        return (value,) if group.scalar else tuple(value)

    # -- table 三 ------------------------------------------------------------------------
    def row_keys(self, line: Line3) -> KeyPath:
        return ("applications", *self.spec.table3.keypath(line))

    def row_given(self, line: Line3) -> list[int] | None:
        """The row as written (6 or 7 numbers), or None for an omitted （七）总计."""
        value = self.get(self.row_keys(line))
        return None if value is None else list(value)

    def row(self, line: Line3) -> list[int]:
        """Seven numbers: as written where given, totals computed where left out."""
        given = self.row_given(line)
        if given is None:  # （七）总计 left out: the sum of the leaves
            leaves = [self.row(leaf) for leaf in self.spec.table3.leaves()]
            return [sum(column) for column in zip(*leaves)]
        if len(given) == len(self.spec.table3.columns):
            given.append(sum(given))
        return given

    # -- table 四 ------------------------------------------------------------------------
    def appeal_given(self, group: Group4) -> list[int]:
        return list(self.get(("appeals", group.key)))

    def appeal(self, group: Group4) -> list[int]:
        given = self.appeal_given(group)
        if len(given) == len(self.spec.table4.columns):
            given.append(sum(given))
        return given

    # -- narratives and fees -------------------------------------------------------------
    def text(self, *keys: str) -> str:
        value = self.get(keys)
        return value.strip() if isinstance(value, str) else ""

    def overview_parts(self) -> list[tuple[str | None, str]]:
        """(subsection label or None, text) in printed order."""
        overview = self.get(("overview",))
        if overview is None:
            return []
        if isinstance(overview, str):
            return [(None, overview.strip())]
        return [(f.label, self.text("overview", f.key)) for f in self.spec.section("overview").subsections]

    def fees(self) -> dict[str, Decimal | int] | None:
        if not self.spec.fees:
            return None
        fees = self.get(("processing_fees",))
        if fees is None:
            return None
        return {f.key: getattr(fees, f.key) for f in self.spec.fees}
