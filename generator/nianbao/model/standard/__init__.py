"""The standard, as data: one :class:`Spec` per format version.

Adding a revision of the format means adding a module beside ``v2021.py`` and listing
its spec in :data:`SPECS`; nothing else in the package names a label.
"""

from __future__ import annotations

from . import v2019, v2021
from .types import Column, Field, Group2, Group4, Item, Line3, Section, Spec, Table3, Table4, ValueType

SPECS: dict[str, Spec] = {spec.id: spec for spec in (v2019.SPEC, v2021.SPEC)}


def spec_for_year(year: int) -> Spec | None:
    """The format a report on ``year`` must use, or None before the standard existed."""
    for spec in SPECS.values():
        if spec.covers(year):
            return spec
    return None


def first_year() -> int:
    return min(spec.first_year for spec in SPECS.values())


def in_force_since() -> str:
    """年度报告格式自2019年度起实行: why an earlier year has no format, in the words every face says it."""
    return f"年度报告格式自{first_year()}年度起实行"


__all__ = [
    "SPECS",
    "Column",
    "Field",
    "Group2",
    "Group4",
    "Item",
    "Line3",
    "Section",
    "Spec",
    "Table3",
    "Table4",
    "ValueType",
    "first_year",
    "in_force_since",
    "spec_for_year",
]
