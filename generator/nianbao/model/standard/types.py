"""The vocabulary in which a format version of the standard is written down.

A format version (``v2019``, ``v2021``) is a :class:`Spec` instance built from these
frozen dataclasses.  Everything that knows about labels, rows, columns or value types —
the pydantic model, the loader, the checker, the renderers, the skeleton written by
``init`` — reads them from here, so a new revision of the standard is one new spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import NamedTuple


class ValueType(str, Enum):
    """What a table cell may hold; decides validation, schema and alignment."""

    COUNT = "count"  # integer >= 0
    SIGNED = "signed"  # integer, may be negative (本年增/减)
    AMOUNT = "amount"  # exact decimal >= 0 (万元 or 元)

    @property
    def expectation(self) -> str:
        """How a clerk is told what belongs in such a cell."""
        return {
            ValueType.COUNT: "不小于0的整数",
            ValueType.SIGNED: "整数（可为负数）",
            ValueType.AMOUNT: "不小于0的金额（整数或小数）",
        }[self]


class Column(NamedTuple):
    label: str
    type: ValueType = ValueType.COUNT
    unit: str = ""  # of an amount: "万元" (the label does not always say so)
    # next year's draft (``nianbao next``): "" starts at zero; "keep" carries this year's
    # value (a stock such as 现行有效件数); "roll" adds the group's 本年增/减 to it
    next: str = ""


class Item(NamedTuple):
    """One row of table 二 (a kind of information), keyed as in the report file."""

    key: str
    label: str


class Group2(NamedTuple):
    """A group of table 二: one article of the Regulation with its own header row."""

    article: str
    columns: tuple[Column, ...]
    items: tuple[Item, ...]

    @property
    def scalar(self) -> bool:
        """A one-column group is written as a single value, not a list."""
        return len(self.columns) == 1


class Line3(NamedTuple):
    """A row of table 三.  ``key`` is None for the structural row 三、本年度办理结果."""

    label: str  # the official label as printed, numbering included
    path: str  # path segment in findings, e.g. "三（三）" or "三（三）1.属于国家秘密"
    key: str | None
    children: tuple[Line3, ...] = ()
    total: bool = False  # （七）总计: optional, computed from the leaves
    note: str = ""  # a description for the schema and the report file's comment
    short: str = ""  # how messages name a row whose label is long: the label's opening words ("一、本年新收")

    @property
    def named(self) -> str:
        """The row as a message names it (:mod:`nianbao.model.places`)."""
        return self.short or self.label

    @property
    def is_group(self) -> bool:
        return bool(self.children)

    def walk(self) -> Iterator[tuple[Line3, int]]:
        """This row and its descendants with their depth, in printed order."""
        yield self, 0
        for child in self.children:
            for line, depth in child.walk():
                yield line, depth + 1


_KEYPATHS: dict[tuple[int, int], tuple[Table3, Line3, tuple[str, ...]]] = {}  # (id of a table, id of its row) → keys
_ROWS: dict[tuple[int, str], tuple[Table3, Line3]] = {}  # (id of a table, a row's key) → the row
_LISTED: dict[tuple[int, str], tuple[Table3, tuple[Line3, ...]]] = {}  # (id of a table, which rows) → the rows


class Table3(NamedTuple):
    corner: str
    applicant_header: str
    person: Column  # 自然人
    org_header: str  # 法人或其他组织
    orgs: tuple[Column, ...]
    total: Column  # 总计
    lines: tuple[Line3, ...]

    @property
    def columns(self) -> tuple[Column, ...]:
        """The six applicant columns, without 总计."""
        return (self.person, *self.orgs)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (*self.columns, self.total)

    def walk(self) -> Iterator[tuple[Line3, int]]:
        for line in self.lines:
            yield from line.walk()

    def data_lines(self) -> tuple[Line3, ...]:
        """Rows that carry numbers in the report file (every keyed row that is not a group)."""
        return self._listed("data_lines", lambda: (line for line, _ in self.walk() if line.key is not None and not line.is_group))

    def leaves(self) -> tuple[Line3, ...]:
        """The rows that add up to （七）总计 (rule R3)."""

        def walk() -> Iterator[Line3]:
            results = next(line for line in self.lines if line.key is None)
            for line, _ in results.walk():
                if line.key is not None and not line.is_group and not line.total:
                    yield line

        return self._listed("leaves", walk)

    def _listed(self, name: str, rows: Callable[[], Iterable[Line3]]) -> tuple[Line3, ...]:
        """The rows ``rows`` gives, walked once for each table (every rule of every check asks)."""
        known = _LISTED.get((id(self), name))
        if known is not None and known[0] is self:
            return known[1]
        found = tuple(rows())
        if len(_LISTED) < 4096:  # as _KEYPATHS
            _LISTED[(id(self), name)] = (self, found)  # held: its id stays its own
        return found

    def keypath(self, target: Line3) -> tuple[str, ...]:
        """The report-file keys below ``applications`` that lead to ``target`` (searched once
        for each row of each spec: the checks and compare ask for them thousands of times)."""
        known = _KEYPATHS.get((id(self), id(target)))
        if known is not None and known[0] is self and known[1] is target:
            return known[2]

        def search(lines: tuple[Line3, ...], prefix: tuple[str, ...]) -> tuple[str, ...] | None:
            for line in lines:
                here = prefix + ((line.key,) if line.key else ())
                if line is target:
                    return here
                found = search(line.children, here)
                if found is not None:
                    return found
            return None

        found = search(self.lines, ())
        if found is None:
            raise KeyError(target.label)
        if len(_KEYPATHS) < 4096:  # the specs' rows are a few hundred; a table built on the fly is not kept
            _KEYPATHS[(id(self), id(target))] = (self, target, found)  # held: their ids stay theirs
        return found

    def row(self, key: str) -> Line3:
        """A row named by the rules ("new", "carried_over", "total", "carried_forward"):
        searched once for each key of each spec (the checks ask a dozen times a report)."""
        known = _ROWS.get((id(self), key))
        if known is not None and known[0] is self:
            return known[1]
        for line, depth in self.walk():
            if line.key == key and depth <= 1:
                if len(_ROWS) < 4096:
                    _ROWS[(id(self), key)] = (self, line)  # held: its id stays its own
                return line
        raise KeyError(key)


class Group4(NamedTuple):
    """One group of table 四 (行政复议, or one kind of 行政诉讼)."""

    key: str
    label: str  # its own label, without the parent's
    parent: str | None  # the header over several groups (the two kinds of lawsuit)


class Table4(NamedTuple):
    columns: tuple[Column, ...]  # 结果维持, 结果纠正, 其他结果, 尚未审结
    total: Column
    groups: tuple[Group4, ...]

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (*self.columns, self.total)


class Field(NamedTuple):
    """A non-table value: a unit fact, a narrative, a fee figure."""

    key: str
    label: str
    type: str = "text"  # "text", "date", or a ValueType value
    required: bool = False
    note: str = ""


class Section(NamedTuple):
    """One of the six numbered sections of the report."""

    key: str  # the report-file key that holds its content
    heading: str
    subsections: tuple[Field, ...] = ()
    note: str = ""  # what the section should say, for the report file's comments


class Spec(NamedTuple):
    """One format version of the standard, complete."""

    id: str  # "v2019" / "v2021"
    name: str
    source: str  # the notice that defines it
    first_year: int
    last_year: int | None
    title_suffix: str  # appended to "{机关名称}{年份}年"
    unit: tuple[Field, ...]
    sections: tuple[Section, ...]
    table2: tuple[Group2, ...]
    table3: Table3
    table4: Table4
    fees: tuple[Field, ...]  # 信息处理费 (v2021); empty when the version has none
    overview_may_be_text: bool
    table_names: tuple[str, str, str] = ("表二", "表三", "表四")

    def covers(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def title(self, unit_name: str, year: int) -> str:
        return f"{unit_name}{year}年{self.title_suffix}"

    def __reduce__(self) -> tuple:
        """A spec of :data:`~nianbao.model.standard.SPECS` travels by its id (pickled to and
        from the readers' worker processes, with every report): the receiver gets its own
        registered spec, not a copy.  A copy was half of a report's pickle, and the rows'
        lookups (:meth:`Table3.keypath`, :meth:`Table3.row`, remembered for a table by its
        identity) started afresh for each report read in a worker.  A spec built on the fly
        is pickled whole, as any tuple."""
        from . import SPECS  # the registry imports this module

        if SPECS.get(self.id) is self:
            return (_registered, (self.id,))
        return (Spec, tuple(self))


def _registered(spec_id: str) -> Spec:
    """The registered spec ``spec_id``: what an unpickled registered spec is."""
    from . import SPECS

    return SPECS[spec_id]
