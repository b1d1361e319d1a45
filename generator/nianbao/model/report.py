"""A validated report: its values, the spec it follows, and where each value came from.

The checker and the renderers read tables through this class, by spec row, so that they
never need to know how a version nests its keys; the facts everybody needs (the unit's
name, the year, the date signed) are typed properties, so that a type checker sees what
callers read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .places import KeyPath, place
from .places import label as place_label
from .schema import ReportData, UnitData, as_json, plain
from .standard import Group2, Group4, Item, Line3, Spec
from .yamlfile import nearest_line


@dataclass
class Report:
    """A report as every stage sees it: the values by key, their format version, and the
    line each value was written on (for the messages)."""

    spec: Spec
    data: ReportData
    source: Path | None = None
    lines: dict[KeyPath, int | None] = field(default_factory=dict)  # None: imported from a file without line numbers

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
            node = node[key]
        return node

    # -- the facts everybody needs ----------------------------------------------------
    @property
    def year(self) -> int:
        return self.data["year"]

    @property
    def unit(self) -> UnitData:
        """机关信息: the name, the contacts, the date signed."""
        return self.data["unit"]

    @property
    def unit_name(self) -> str:
        """机关名称, as the title and the signature print it."""
        return self.data["unit"]["name"]

    @property
    def date(self) -> dt.date | None:
        """落款日期 as written, or None where the file leaves it empty."""
        return self.data["unit"]["date"]

    @property
    def title(self) -> str:
        return self.spec.title(self.unit_name, self.year)

    def plain(self) -> dict[str, Any]:
        """The values as plain dicts and lists, as the report file holds them."""
        return plain(self.data)

    def as_json(self) -> str:
        """The values as one line of JSON, keys sorted: the same report gives the same text."""
        return as_json(self.data)

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
        return {f.key: fees[f.key] for f in self.spec.fees}
