"""The table rules (R1–R4) of a report with cells that could not be read (#20.4).

A cell written ``25件`` is an S error, and the report is not built.  Its table's other
rules must not wait for it: a clerk who corrects ``25件`` should not then learn, in a
second round, that another column does not balance.  So the report's tables are taken as
written, every unreadable cell (or row, or table) stands in as *unknown*, and each check
of R1–R4 runs when every cell it reads is known.  A check that needs an unknown cell is
not guessed — a number is never guessed — and not dropped silently either: one warning per
rule names the unreadable cells and what waits for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..findings import ERROR, TOTAL_RULES, WARNING, Finding, Rule
from ..model.places import KeyPath, Place, places
from ..model.report import Report
from ..model.standard import Line3, Spec

TABLES = ("proactive", "applications", "appeals")  # the sections whose cells the rules add up
MAX_NAMED = 3  # unreadable cells named in one warning; the rest are counted


@dataclass(frozen=True)
class _Check:
    """One comparison of a rule: where its finding stands, and the cells it reads."""

    rule: str
    anchor: str  # the official path of the cell its finding names (as check.py gives it)
    what: str  # the column, row or group it checks, as told to the clerk
    reads: frozenset[KeyPath]


def table_rules(spec: Spec, data: dict, errors: list[tuple[str, KeyPath]], findings: list[Finding], *,
                source: Any = None, lines: dict | None = None, left_out: set[str] | None = None) -> list[Finding]:
    """R1–R4 of ``data`` (a report file's plain data that did not pass the format), with
    the cells the format refused (``errors``: pydantic's error type and key path of each)
    or an S error names standing as unknown: the findings of every check whose cells are
    all known, and one warning per rule for the checks that must wait.  Nothing when an S
    error names no place (see :func:`unreadable_cells`).  ``left_out``: the official paths
    of rows the file does not have (said 没有填写 rather than 无法读取)."""
    from ..model.schema import as_data
    from . import rules as check

    unknown = unreadable_cells(spec, findings, [keys for kind, keys in errors if kind != "extra_forbidden"])
    if unknown is None:
        return []
    written = _copied({key: data.get(key) for key in TABLES})
    for kind, keys in errors:
        if kind == "extra_forbidden" and keys and keys[0] in TABLES:
            _drop(written, keys)  # not a cell of the table: said by its S error, and the row it was meant for is missing
    tables = _copied(written)
    for keys in sorted(unknown, key=len):
        _stand_in(spec, tables, keys)
    for keys in list(_unusable(spec, tables)):  # a row left out, or still not a row of numbers: its S error says why
        unknown.add(keys)
        _stand_in(spec, tables, keys)
    total = ("applications", *spec.table3.keypath(spec.table3.row("total")))
    parent = _node(tables, total[:-1])
    if isinstance(parent, dict):
        parent.setdefault(total[-1], None)  # left out: computed, as the format's default says
    report = Report(spec, as_data({**tables, "year": data.get("year")}), source, dict(lines or {}))
    blank = set(left_out or ()) | {report.path(keys) for keys in unknown if _node(written, keys, _ABSENT) is None}  # null or left out
    waiting = {(c.rule, c.anchor): c for c in _checks(report, written) if any(_under(keys, unknown) for keys in c.reads)}
    found = [
        f
        for rule in (check.r1_columns_balance, check.r2_row_totals, check.r3_results_total, check.r4_appeal_totals)
        for f in rule(report)
        if (f.rule, f.path) not in waiting
    ]
    for rule in (Rule.R1, *TOTAL_RULES):
        held = [c for c in waiting.values() if c.rule == rule]
        if held:
            found.append(_waiting(report, rule, held, unknown, blank))
    return found


def _copied(value: Any) -> Any:
    """Dicts and lists copied, values as they are (a WrittenNumber cannot be deep-copied)."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


_ABSENT = object()


def _node(tables: Any, keys: KeyPath, absent: Any = None) -> Any:
    """The value at ``keys``; ``absent`` where the path leads nowhere."""
    node = tables
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return absent
    return node


def _drop(tables: dict, keys: KeyPath) -> None:
    node = _node(tables, keys[:-1])
    if isinstance(node, dict):
        node.pop(keys[-1], None)


def _under(keys: KeyPath, unknown: set[KeyPath]) -> bool:
    """Whether the cell ``keys`` is unknown itself or lies in an unknown row or table."""
    return any(keys[: len(u)] == u for u in unknown)


def _stand_in(spec: Spec, tables: dict, keys: KeyPath) -> None:
    """Zero where ``keys`` stands — a cell, a row of zeros, a table of zero rows — only so
    that the rules can be called: no check that reads it is kept (:func:`table_rules`)."""
    where = places(spec.id).get(keys)
    if where is None or keys[0] not in TABLES:
        return
    node: Any = tables
    for key in keys[:-1]:
        if isinstance(node, dict) and isinstance(node.get(key), (dict, list)):
            node = node[key]
        elif isinstance(node, dict):
            node[key] = {}
            node = node[key]
        else:
            return  # inside a row that is itself unknown: already stood in for
    last = keys[-1]
    if isinstance(node, list) and isinstance(last, int):
        if last < len(node):  # a 总计 left out is computed, not stood in for: the checks that read it wait
            node[last] = 0
    elif isinstance(node, dict):
        node[last] = _zeros(spec, keys, where)


def _zeros(spec: Spec, keys: KeyPath, where: Place) -> Any:
    if where.kind == "cell":
        return 0
    if where.kind == "row":
        return [0] * (len(where.columns) - (1 if where.optional_last else 0))
    index = places(spec.id)
    return {child: _zeros(spec, keys + (child,), index[keys + (child,)]) for child in where.children if keys + (child,) in index and child != "total"}


def _unusable(spec: Spec, tables: dict) -> Iterator[KeyPath]:
    """Rows and cells the rules read that are not numbers of the format's shape once the
    refused cells stood in: left out (a table the file does not have) or of a length the
    format's errors name at another place.  The rules would fail on them, and a guess
    (a missing column as 0) is what must not happen: the whole row is unknown."""
    for keys, where in places(spec.id).items():
        if not keys or keys[0] not in TABLES or where.kind not in ("row", "cell") or isinstance(keys[-1], int):
            continue
        value = _node(tables, keys)
        if value is None and keys[0] == "applications" and keys[-1] == "total":
            continue  # （七）总计 may be left out: computed
        if where.kind == "cell":
            if not _number(value):
                yield keys
            continue
        width = len(where.columns)
        lengths = (width - 1, width) if where.optional_last else (width,)
        if not isinstance(value, list) or len(value) not in lengths or not all(_number(v) for v in value):
            yield keys


def _number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _reads(report: Report, line: Line3, c: int) -> set[KeyPath]:
    """The cells that the figure in column ``c`` of table 三's ``line`` comes from, as
    :meth:`Report.row` computes it: the cell as written, or the row's cells when its 总计 is
    left out, or the leaves when （七）总计 is."""
    keys = report.row_keys(line)
    given = report.row_given(line)
    if given is None:
        return {cell for leaf in report.spec.table3.leaves() for cell in _reads(report, leaf, c)}
    if c < len(given):
        return {keys + (c,)}
    return {keys + (i,) for i in range(c + 1)}  # a 总计 left out: the sum of the row (and the cell itself)


def _checks(report: Report, written: dict) -> Iterator[_Check]:
    """Every comparison R1–R4 makes, with the cells it reads — the same comparisons as
    :mod:`.check`, listed so that each can be held back alone."""
    spec = report.spec
    t3, t4 = spec.table3, spec.table4
    rows = {k: t3.row(k) for k in ("new", "carried_over", "total", "carried_forward")}
    for c, column in enumerate(t3.all_columns):
        reads = set().union(*(_reads(report, line, c) for line in rows.values()))
        yield _Check(Rule.R1, report.path(report.row_keys(rows["new"]) + (c,)), f"{column.label}列", frozenset(reads))
    n = len(t3.columns)
    for line in t3.data_lines():
        keys = report.row_keys(line)
        if _has_total(written, keys, n):
            yield _Check(Rule.R2, report.path(keys + (n,)), f"“{line.label}”", frozenset(keys + (i,) for i in range(n + 1)))
    total_keys = report.row_keys(rows["total"])
    if report.row_given(rows["total"]) is not None:  # written, or unreadable as written
        for c, column in enumerate(t3.all_columns):
            reads = {total_keys + (c,)}.union(*(_reads(report, leaf, c) for leaf in t3.leaves()))
            yield _Check(Rule.R3, report.path(total_keys + (c,)), f"{column.label}列", frozenset(reads))
    m = len(t4.columns)
    for group in t4.groups:
        keys = ("appeals", group.key)
        if _has_total(written, keys, m):
            label = f"{group.parent}（{group.label}）" if group.parent else group.label
            yield _Check(Rule.R4, report.path(keys + (m,)), f"“{label}”", frozenset(keys + (i,) for i in range(m + 1)))


def _has_total(written: dict, keys: KeyPath, width: int) -> bool:
    """Whether the file wrote a value past the first ``width`` of the row at ``keys``: a
    总计 that the rules compare (a row too long counts: it may have one)."""
    node: Any = written
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return isinstance(node, list) and len(node) > width


WHAT: dict[str, tuple[str, str]] = {
    Rule.R1: ("表三", "的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行"),
    Rule.R2: ("表三", "的总计要等改正后才能核对"),
    Rule.R3: ("表三", "的核对（（七）总计=（一）至（六）各项之和）要等改正后才能进行"),
    Rule.R4: ("表四", "的总计要等改正后才能核对"),
}


def _waiting(report: Report, rule: str, held: list[_Check], unknown: set[KeyPath], blank: set[str]) -> Finding:
    """The one warning that says which checks of ``rule`` wait for which unreadable cells."""
    cells = sorted({u for c in held for u in unknown if any(keys[: len(u)] == u for keys in c.reads)}, key=_order(report))
    named = "、".join(f"“{report.label(keys)}”" for keys in cells[:MAX_NAMED]) + (f"等{len(cells)}处" if len(cells) > MAX_NAMED else "")
    state = "没有填写" if cells and all(report.path(keys) in blank for keys in cells) else "无法读取"
    table, waits = WHAT[rule]
    every = rule in (Rule.R1, Rule.R3) and len(held) == len(report.spec.table3.all_columns)
    checked = "各列" if every else "、".join(c.what for c in held)
    first = cells[0] if cells else None
    return Finding(WARNING, rule, report.path(first) if first else None,
                   f"{named}{state}，{table}{checked}{waits}", report.line(first) if first else None)


def _order(report: Report):
    """Cells in the order of the report file (the places index is in printed order)."""
    index = {keys: i for i, keys in enumerate(places(report.spec.id))}
    return lambda keys: index.get(keys, len(index))


def unreadable_cells(spec: Spec, findings: list[Finding], error_keys: list[KeyPath]) -> set[KeyPath] | None:
    """The table cells, rows or tables that could not be read: those the format refused
    (``error_keys``, from the model) and those an S error names by path (a row left out, a
    formula in a workbook's number cell).  None when an S error names no place (a workbook
    whose layout was changed): its figures may not be where their labels say, so no rule
    runs on them."""
    index = places(spec.id)
    by_path = {where.path: keys for keys, where in index.items()}
    unknown: set[KeyPath] = set()
    for keys in error_keys:
        while keys and keys not in index:
            keys = keys[:-1]  # a key the format does not know: the row it is in
        if keys and keys[0] in TABLES:
            unknown.add(keys)
    for f in findings:
        if f.rule != Rule.S or f.level != ERROR:
            continue
        if f.path is None:
            return None
        said = by_path.get(f.path)
        if said and said[0] in TABLES:
            unknown.add(said)
    return unknown
