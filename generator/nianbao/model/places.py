"""Where each value of a report file stands in the official report, and how it is named.

Maps a report-file key path — ``("applications", "withheld", "prohibited_by_law", 0)`` —
to two names, both built here once per format version from its spec:

* its ``label``, the one way every message names it, in the words printed in the report —
  ``表三 三（三）不予公开 2.其他法律行政法规禁止公开 · 自然人``, ``表二 第二十条第（五）项 行政许可 ·
  本年处理决定数量``: the table, the row as printed (long labels by their opening words), `` · ``
  and the column;
* its ``path`` — ``表三.三（三）2.其他法律行政法规禁止公开.自然人`` — the stable key by which
  ``--json``, the site and the workbooks match a finding to its cell;

and says what belongs there.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from .standard import SPECS, Column, Line3, Spec, ValueType
from .standard.common import PREAMBLE

KeyPath = tuple[Any, ...]

YEAR_LABEL = "报告年度"
FORMAT_LABEL = "格式版本"
UNIT_LABEL = "机关信息"
FEES_LABEL = "信息处理费"
COLUMN_MARK = " · "  # between a row and its column in a cell's label: 表三 一、本年新收 · 自然人


class Place(NamedTuple):
    """Where a key path stands in the official report: its stable path, kind and label.
    (A named tuple, not a frozen dataclass: made in a tenth of the time, on every start.)"""

    path: str  # the key in official labels, e.g. 表三.一.自然人 (--json, matching a finding to its cell)
    kind: str  # "mapping", "row", "cell", "text", "date", "year", "format"
    label: str  # as every message names it, e.g. 表三 一、本年新收 · 自然人
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


def _row(index: dict[KeyPath, Place], keys: KeyPath, path: str, label: str, columns: tuple[Column, ...], optional_last: bool) -> None:
    index[keys] = Place(path, "row", label, columns=columns, optional_last=optional_last)
    for i, column in enumerate(columns):
        index[keys + (i,)] = Place(f"{path}.{column.label}", "cell", f"{label}{COLUMN_MARK}{column.label}", columns=(column,))


def _mapping(index: dict[KeyPath, Place], keys: KeyPath, path: str, label: str, children: tuple[str, ...]) -> None:
    index[keys] = Place(path, "mapping", label, children=children)


def _table3_names(lines: tuple[Line3, ...], parent: Line3 | None = None, above: str = "") -> dict[str, str]:
    """Each row of table 三 (by its path) as messages name it: ``一、本年新收``, ``三（一）予以公开``
    (under the unkeyed 三、本年度办理结果, the 三 is kept: （一） alone is ambiguous),
    ``三（三）不予公开 2.其他法律行政法规禁止公开``."""
    out: dict[str, str] = {}
    for line in lines:
        if parent is None:
            name = line.named
        elif parent.key is None:
            name = f"{parent.path}{line.named}"
        else:
            name = f"{above} {line.named}"
        out[line.path] = name
        out.update(_table3_names(line.children, line, name))
    return out


def _table_places(index: dict[KeyPath, Place], spec: Spec) -> None:
    """The places of the three tables, in the report's order: 表二's items, 表三's rows
    (groups as mappings), 表四's groups."""
    t2, t3, t4 = spec.table_names
    _mapping(index, ("proactive",), t2, t2, tuple(item.key for g in spec.table2 for item in g.items))
    for group in spec.table2:
        for item in group.items:
            keys: KeyPath = ("proactive", item.key)
            path, label = f"{t2}.{item.label}", f"{t2} {group.article} {item.label}"
            if group.scalar:
                column = group.columns[0].label
                index[keys] = Place(f"{path}.{column}", "cell", f"{label}{COLUMN_MARK}{column}", columns=group.columns)
            else:
                _row(index, keys, path, label, group.columns, optional_last=False)

    table3 = spec.table3
    _mapping(index, ("applications",), t3, t3, tuple(line.key for line in table3.lines if line.key is not None) + tuple(
        line.key for line in next(group for group in table3.lines if group.key is None).children if line.key is not None
    ))
    names = _table3_names(table3.lines)
    for line, _ in table3.walk():
        if line.key is None:
            continue
        keys = ("applications", *table3.keypath(line))
        path, label = f"{t3}.{line.path}", f"{t3} {names[line.path]}"
        if line.is_group:
            _mapping(index, keys, path, label, tuple(child.key for child in line.children if child.key is not None))
        else:
            _row(index, keys, path, label, table3.all_columns, optional_last=True)

    _mapping(index, ("appeals",), t4, t4, tuple(g.key for g in spec.table4.groups))
    for appeal in spec.table4.groups:
        path = f"{appeal.parent}.{appeal.label}" if appeal.parent else appeal.label
        label = f"{appeal.parent} {appeal.label}" if appeal.parent else appeal.label
        _row(index, ("appeals", appeal.key), f"{t4}.{path}", f"{t4} {label}", spec.table4.all_columns, optional_last=True)


@cache
def places(spec_id: str) -> dict[KeyPath, Place]:
    spec: Spec = SPECS[spec_id]
    index: dict[KeyPath, Place] = {}
    section_keys = tuple(s.key for s in spec.sections)
    top = ("year", "format", "unit", PREAMBLE.key, *section_keys) + (("processing_fees",) if spec.fees else ())
    _mapping(index, (), "报告文件", "报告文件", top)
    index[("year",)] = Place(YEAR_LABEL, "year", YEAR_LABEL)
    index[("format",)] = Place(FORMAT_LABEL, "format", FORMAT_LABEL)
    index[(PREAMBLE.key,)] = Place(PREAMBLE.label, "text", PREAMBLE.label)
    _mapping(index, ("unit",), UNIT_LABEL, UNIT_LABEL, tuple(f.key for f in spec.unit))
    for f in spec.unit:
        index[("unit", f.key)] = Place(f"{UNIT_LABEL}.{f.label}", "date" if f.type == "date" else "text", f.label)

    overview = spec.section("overview")
    _mapping(index, ("overview",), overview.heading, overview.heading, tuple(f.key for f in overview.subsections))
    for f in overview.subsections:
        index[("overview", f.key)] = Place(f"{overview.heading}.{f.label}", "text", f"{overview.heading}{f.label}")

    _table_places(index, spec)

    for key in ("problems", "other_matters"):
        heading = spec.section(key).heading
        index[(key,)] = Place(heading, "text", heading)
    if spec.fees:
        fees_path = f"{spec.section('other_matters').heading}.{FEES_LABEL}"
        _mapping(index, ("processing_fees",), fees_path, FEES_LABEL, tuple(f.key for f in spec.fees))
        for f in spec.fees:
            index[("processing_fees", f.key)] = Place(
                f"{fees_path}.{f.label}", "cell", f"{FEES_LABEL}{COLUMN_MARK}{f.label}", columns=(Column(f.label, ValueType(f.type)),)
            )
    return index


def place(spec_id: str, keys: KeyPath) -> Place:
    """The place of ``keys``, or of the nearest known ancestor."""
    index = places(spec_id)
    probe = tuple(keys)
    while probe not in index:
        probe = probe[:-1]
    return index[probe]


def label(spec_id: str, keys: KeyPath) -> str:
    """How every message names the value at ``keys`` (of its nearest known ancestor)."""
    return place(spec_id, keys).label


@cache
def labels(spec_id: str) -> dict[str, str]:
    """Each place's label by its path: for what holds only a finding's path (汇总.xlsx's
    问题清单 names each finding's cell in its 项目 column)."""
    return {where.path: where.label for where in places(spec_id).values()}


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
