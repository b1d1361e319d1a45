"""Where each value of a report file stands in the official report.

Maps a report-file key path — ``("applications", "withheld", "prohibited_by_law", 0)`` —
to the path a clerk reads in findings — ``表三.三（三）2.其他法律行政法规禁止公开.自然人`` —
and says what belongs there.  Built once per format version from its spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from .standard import SPECS, Column, Spec, ValueType
from .standard.common import PREAMBLE

KeyPath = tuple[Any, ...]

YEAR_LABEL = "报告年度"
FORMAT_LABEL = "格式版本"
UNIT_LABEL = "机关信息"
FEES_LABEL = "信息处理费"


@dataclass(frozen=True)
class Place:
    path: str  # official path, e.g. 表三.一.自然人
    kind: str  # "mapping", "row", "cell", "text", "date", "year", "format"
    children: tuple[str, ...] = ()  # known keys of a mapping, for suggestions
    columns: tuple[Column, ...] = ()  # of a row: what each position holds
    optional_last: bool = False  # a row whose last column (总计) may be left out

    @property
    def shape(self) -> str:
        """What a row must look like, as told to a clerk."""
        names = "、".join(c.label for c in self.columns)
        if self.optional_last:
            first = "、".join(c.label for c in self.columns[:-1])
            return f"{len(self.columns) - 1}个数（{first}），可再加第{len(self.columns)}个数“{self.columns[-1].label}”"
        return f"{len(self.columns)}个数（{names}）"


def _row(index: dict[KeyPath, Place], keys: KeyPath, path: str, columns: tuple[Column, ...], optional_last: bool) -> None:
    index[keys] = Place(path, "row", columns=columns, optional_last=optional_last)
    for i, column in enumerate(columns):
        index[keys + (i,)] = Place(f"{path}.{column.label}", "cell", columns=(column,))


def _mapping(index: dict[KeyPath, Place], keys: KeyPath, path: str, children: tuple[str, ...]) -> None:
    index[keys] = Place(path, "mapping", children=children)


@cache
def places(spec_id: str) -> dict[KeyPath, Place]:
    spec: Spec = SPECS[spec_id]
    index: dict[KeyPath, Place] = {}
    section_keys = tuple(s.key for s in spec.sections)
    top = ("year", "format", "unit", PREAMBLE.key, *section_keys) + (("processing_fees",) if spec.fees else ())
    _mapping(index, (), "报告文件", top)
    index[("year",)] = Place(YEAR_LABEL, "year")
    index[("format",)] = Place(FORMAT_LABEL, "format")
    index[(PREAMBLE.key,)] = Place(PREAMBLE.label, "text")
    _mapping(index, ("unit",), UNIT_LABEL, tuple(f.key for f in spec.unit))
    for f in spec.unit:
        index[("unit", f.key)] = Place(f"{UNIT_LABEL}.{f.label}", "date" if f.type == "date" else "text")

    overview = spec.section("overview")
    _mapping(index, ("overview",), overview.heading, tuple(f.key for f in overview.subsections))
    for f in overview.subsections:
        index[("overview", f.key)] = Place(f"{overview.heading}.{f.label}", "text")

    t2, t3, t4 = spec.table_names
    _mapping(index, ("proactive",), t2, tuple(item.key for g in spec.table2 for item in g.items))
    for group in spec.table2:
        for item in group.items:
            keys, path = ("proactive", item.key), f"{t2}.{item.label}"
            if group.scalar:
                index[keys] = Place(f"{path}.{group.columns[0].label}", "cell", columns=group.columns)
            else:
                _row(index, keys, path, group.columns, optional_last=False)

    table3 = spec.table3
    _mapping(index, ("applications",), t3, tuple(line.key for line in table3.lines if line.key) + tuple(
        line.key for line in next(group for group in table3.lines if group.key is None).children
    ))
    for line, _ in table3.walk():
        if line.key is None:
            continue
        keys = ("applications", *table3.keypath(line))
        path = f"{t3}.{line.path}"
        if line.is_group:
            _mapping(index, keys, path, tuple(child.key for child in line.children))
        else:
            _row(index, keys, path, table3.all_columns, optional_last=True)

    _mapping(index, ("appeals",), t4, tuple(g.key for g in spec.table4.groups))
    for group in spec.table4.groups:
        label = f"{group.parent}.{group.label}" if group.parent else group.label
        _row(index, ("appeals", group.key), f"{t4}.{label}", spec.table4.all_columns, optional_last=True)

    for key in ("problems", "other_matters"):
        index[(key,)] = Place(spec.section(key).heading, "text")
    if spec.fees:
        fees_path = f"{spec.section('other_matters').heading}.{FEES_LABEL}"
        _mapping(index, ("processing_fees",), fees_path, tuple(f.key for f in spec.fees))
        for f in spec.fees:
            index[("processing_fees", f.key)] = Place(f"{fees_path}.{f.label}", "cell", columns=(Column(f.label, ValueType(f.type)),))
    return index


def place(spec_id: str, keys: KeyPath) -> Place:
    """The place of ``keys``, or of the nearest known ancestor."""
    index = places(spec_id)
    probe = tuple(keys)
    while probe not in index:
        probe = probe[:-1]
    return index[probe]


def put(data: dict, keys: KeyPath, value: Any) -> None:
    """Set ``value`` at ``keys`` in report-file data, making the mappings (and, before a
    column index, the lists) on the way."""
    node: Any = data
    for key, following in zip(keys[:-1], keys[1:]):
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(node, dict):
            node = node.setdefault(key, fresh)
            continue
        node.extend([None] * (key + 1 - len(node)))
        if node[key] is None:
            node[key] = fresh
        node = node[key]
    if isinstance(node, list):
        node.extend([None] * (keys[-1] + 1 - len(node)))
    node[keys[-1]] = value
