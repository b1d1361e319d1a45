"""Table rows of a published report → the values of tables 二, 三 and 四.

A row is found by its label's meaning (:mod:`.words`), never by its position, and its
values are the cells after the label.  The rules for cells (FORMAT.md §8):

* a cell that exists but is empty (an empty field between tabs, an empty DOCX or HTML
  cell) is a zero, and is noted as such;
* a row with fewer cells than columns lost some — which ones cannot be known, so the
  whole row is left empty and reported (rule ``I``), never filled with zeros;
* a cell that is not a number (``—``, ``若干``) is left empty and reported.

A 总计 that agrees with its parts is not kept (the report file computes it); one that
disagrees is kept so that ``check`` reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..findings import ERROR, WARNING, Finding
from ..places import KeyPath, place
from ..standard import SPECS, Column, Line3, Spec
from ..standard.common import APPLICANTS, TABLE2_HEAD, TABLE3_CORNER, WAN
from .readers import Line, regroup_one_cell_per_line
from .words import (
    SIMILAR,
    core,
    is_blank,
    is_label,
    is_prefix,
    looks_numeric,
    normal,
    number,
    similarity,
    split_ordinal,
)


@dataclass
class Found:
    """What the importer read, keyed by report-file key paths."""

    values: dict[KeyPath, Any] = field(default_factory=dict)
    lines: dict[KeyPath, int] = field(default_factory=dict)
    notes: dict[KeyPath, str] = field(default_factory=dict)  # comments for the written file
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[KeyPath] = field(default_factory=set)  # rows left empty

    def problem(self, spec: Spec, keys: KeyPath, line: Line, message: str, level: str = ERROR) -> None:
        path = place(spec.id, keys).path
        where = "" if line.line is not None else f"（{line.where}）"
        self.findings.append(Finding(level, "I", path, f"{path}：{message}{where}", line.line))  # type: ignore[arg-type]
        self.notes[keys] = ("导入时无法读取：" if level == ERROR else "导入说明：") + message + (f"（原文{line.where}）" if line.where else f"（原文第{line.line}行）")

    def merge(self, other: Found) -> None:
        self.values.update(other.values)
        self.lines.update(other.lines)
        self.notes.update(other.notes)
        self.findings += other.findings
        self.unreadable |= other.unreadable


def table_rows(lines: list[Line]) -> list[Line]:
    """The rows of a table section: real table rows, or text lines as cells."""
    if any(ln.in_table for ln in lines):
        return [ln for ln in lines if ln.in_table]
    regrouped = regroup_one_cell_per_line(lines)
    return regrouped if regrouped is not None else [ln for ln in lines if ln.cells and any(c.text for c in ln.cells)]


# -- which format version the tables follow ---------------------------------------------------------
def _labels(spec: Spec) -> set[str]:
    labels = {c.label for g in spec.table2 for c in g.columns} | {i.label for g in spec.table2 for i in g.items}
    labels |= {line.label for line, _ in spec.table3.walk()}
    return labels


@lru_cache(maxsize=1)
def _markers() -> tuple[dict[str, str | None], list[tuple[str, str | None]]]:
    """Label core → the only version that has it (None when several do), exact and as a list."""
    owners: dict[str, set[str]] = {}
    for spec_id, spec in SPECS.items():
        for label in _labels(spec):
            owners.setdefault(core(label), set()).add(spec_id)
    exact = {c: (next(iter(ids)) if len(ids) == 1 else None) for c, ids in owners.items() if len(c) >= 4}
    return exact, list(exact.items())


def detect_format(rows: Iterable[Line]) -> dict[str, int]:
    """How many cells read as labels only one version has: each cell votes for the version
    whose label it resembles most."""
    exact, every = _markers()
    votes = {spec_id: 0 for spec_id in SPECS}
    for row in rows:
        for cell in row.cells:
            text = core(cell.text)
            if len(text) < 4 or not is_label(text):
                continue
            if text in exact:
                owner = exact[text]
            else:
                score, _, owner = max((similarity(text, label), label, owner) for label, owner in every)
                owner = owner if score >= SIMILAR else None
            if owner is not None:
                votes[owner] += 1
    return votes


# -- cells of one row ------------------------------------------------------------------------------
def _split(row: Line) -> tuple[list[str], list[str]]:
    """(label cells, value cells after the last label)."""
    texts = [c.text for c in row.cells]
    last = max((i for i, t in enumerate(texts) if is_label(t)), default=-1)
    return [t for t in texts[: last + 1] if not is_blank(t)], texts[last + 1 :]


def read_values(
    found: Found,
    spec: Spec,
    keys: KeyPath,
    row: Line,
    cells: list[str],
    columns: tuple[Column, ...],
    *,
    total: bool,
    cell_keys: Callable[[int], KeyPath] | None = None,
) -> list[Any] | None:
    """The row's numbers, one per column (``None`` for an unreadable cell), or None when
    the row cannot be read at all.  ``total``: the last column is a 总计 that may be left
    out when it agrees (or is blank)."""
    cells = list(cells)
    n = len(columns)
    # Surplus blank cells: in a real table the values are the row's last cells (blank
    # cells before them are split merges); in text, trailing tabs are the usual surplus.
    ends = (0, -1) if row.in_table else (-1, 0)
    for end in ends:
        while len(cells) > n and is_blank(cells[end]):
            cells.pop(end)
    if len(cells) != n:
        present = sum(not is_blank(c) for c in cells)
        found.problem(spec, keys, row, f"原文只有{len(cells)}个单元格（其中{present}个有数字），应为{n}个，无法确定各列的数，整行留空，请按原件填写" if len(cells) < n else f"原文有{len(cells)}个数，应为{n}个，无法确定各列，整行留空，请按原件填写")
        found.unreadable.add(keys)
        return None
    values: list[Any] = []
    blanks: list[str] = []
    for text, column in zip(cells, columns):
        if is_blank(text):
            values.append(None if total and column is columns[-1] else 0)
            blanks.append(column.label)
            continue
        read = number(text, column.type, column.unit == WAN)
        here = cell_keys(len(values)) if cell_keys else keys + (len(values),)
        if read.value is None:
            found.problem(spec, here, row, f"{read.problem}，留空，请按原件填写")
            found.unreadable.add(here[:-1])
        elif read.converted:
            found.problem(spec, here, row, read.converted, WARNING)
        values.append(read.value)
    if blanks and len(blanks) < n:
        found.problem(spec, keys, row, f"原文{'、'.join(blanks)}为空白，按0计" if not (total and blanks == [columns[-1].label]) else f"原文{columns[-1].label}为空白，按各列之和计", WARNING)
    elif blanks:
        found.problem(spec, keys, row, "原文整行空白，按0计", WARNING)
    if total:
        parts, given = values[:-1], values[-1]
        if given is None or (None not in parts and given == sum(parts)):
            values = parts
    return values


def _is_header(labels: list[str], header_words: set[str]) -> bool:
    """A header row names columns: several of them, or one without a row's numbering."""
    if sum(normal(t) in header_words for t in labels) >= 2:
        return True
    return bool(labels) and not split_ordinal(labels[-1])[0] and core(labels[-1]) in header_words


# -- table 二 ---------------------------------------------------------------------------------------
def read_table2(spec: Spec, rows: list[Line]) -> Found:
    found = Found()
    candidates = [(group, item) for group in spec.table2 for item in group.items]
    headers = {normal(TABLE2_HEAD)} | {normal(g.article) for g in spec.table2} | {normal(c.label) for g in spec.table2 for c in g.columns}
    for row in rows:
        labels, cells = _split(row)
        if not labels or _is_header(labels, headers) or core(labels[-1]) in headers:
            continue
        score, group, item = max(((similarity(labels[-1], item.label), group, item) for group, item in candidates), key=lambda t: t[0])
        if score < SIMILAR:
            continue
        keys = ("proactive", item.key)
        if keys in found.values or keys in found.unreadable:
            continue
        found.lines[keys] = row.line  # type: ignore[assignment]
        values = read_values(found, spec, keys, row, cells, group.columns, total=False)
        found.values[keys] = values[0] if values is not None and group.scalar else values
    for _, item in candidates:
        keys = ("proactive", item.key)
        if keys not in found.values:
            found.findings.append(_missing(spec, keys))
            found.notes[keys] = "导入时原文中没有这一行"
            found.values[keys] = None
            found.unreadable.add(keys)
    return found


def _missing(spec: Spec, keys: KeyPath) -> Finding:
    path = place(spec.id, keys).path
    return Finding(ERROR, "I", path, f"{path}：原文中找不到这一行，留空，请按原件填写")


# -- table 三 ---------------------------------------------------------------------------------------
def read_table3(spec: Spec, rows: list[Line]) -> tuple[Found, list[Line]]:
    """Table 三's values, and the rows left over (table 四's numbers when its heading is lost)."""
    found = Found()
    t3 = spec.table3
    candidates = list(t3.data_lines())
    headers = {normal(c.label) for c in t3.all_columns} | {normal(APPLICANTS), normal(t3.org_header), normal(TABLE3_CORNER)}
    pending = ""
    leftover: list[Line] = []
    last_found = -1
    for row in rows:
        labels, cells = _split(row)
        has_numbers = any(looks_numeric(c) for c in cells)
        if not labels:
            if has_numbers:
                leftover.append(row)
            continue
        if _is_header(labels, headers):
            continue
        label = pending + labels[-1]
        pending = ""
        best = _best(label, candidates)
        if best is None and not has_numbers and any(is_prefix(label, line.label) for line in candidates):
            pending = label  # a label broken over lines: the rest comes with the next row
            continue
        if best is None:
            best = _best(labels[-1], candidates)
        if best is None:
            continue
        keys = ("applications", *t3.keypath(best))
        if keys in found.lines:
            continue
        found.lines[keys] = row.line  # type: ignore[assignment]
        last_found = max(last_found, candidates.index(best))
        values = read_values(found, spec, keys, row, cells, t3.all_columns, total=True)
        found.values[keys] = values
    _drop_agreeing_total(spec, found)
    _report_missing_rows(spec, found, candidates)
    return found, leftover


def _best(label: str, candidates: list[Line3]) -> Line3 | None:
    """The row whose label means ``label``: the same core, else the most similar."""
    text = core(label)
    exact = next((line for line in candidates if core(line.label) == text), None)
    if exact is not None:
        return exact
    score, index = max((similarity(text, line.label), -i) for i, line in enumerate(candidates))
    return candidates[-index] if score >= SIMILAR else None


def _drop_agreeing_total(spec: Spec, found: Found) -> None:
    t3 = spec.table3
    total_keys = ("applications", *t3.keypath(t3.row("total")))
    given = found.values.get(total_keys)
    leaves = [found.values.get(("applications", *t3.keypath(leaf))) for leaf in t3.leaves()]
    if given is None or any(v is None or None in v for v in leaves) or None in given:
        return
    sums = [sum(column) for column in zip(*[v[: len(t3.columns)] for v in leaves])]
    if list(given[: len(t3.columns)]) == sums and (len(given) == len(sums) or given[-1] == sum(sums)):
        del found.values[total_keys]


def _report_missing_rows(spec: Spec, found: Found, candidates: list[Line3]) -> None:
    """Rows not in the text: one finding for each run of consecutive missing rows, placed
    after the last row that was read before it."""
    t3 = spec.table3
    run: list[Line3] = []
    before: tuple[str, int | None] | None = None

    def close() -> None:
        if not run:
            return
        first_keys = ("applications", *t3.keypath(run[0]))
        path = place(spec.id, first_keys).path
        names = "、".join(_short(spec, line) for line in run)
        after = f"在“{before[0]}”之后" if before else "开头"
        message = (
            f"{path}：原文中找不到这一行，留空，请按原件填写"
            if len(run) == 1
            else f"原文表三{after}缺少{len(run)}行（{names}），可能表格被截断，均留空，请按原件填写"
        )
        found.findings.append(Finding(ERROR, "I", path, message, before[1] if before else None))
        run.clear()

    for line in candidates:
        keys = ("applications", *t3.keypath(line))
        if keys in found.lines:
            close()
            before = (_short(spec, line), found.lines[keys])
        elif line.total:
            continue  # （七）总计 may be left out: it is computed
        else:
            run.append(line)
            found.values[keys] = None
            found.notes[keys] = "导入时原文中没有这一行"
            found.unreadable.add(keys)
    close()


def _short(spec: Spec, line: Line3) -> str:
    return place(spec.id, ("applications", *spec.table3.keypath(line))).path.split(".", 1)[1]


# -- table 四 ---------------------------------------------------------------------------------------
def read_table4(spec: Spec, rows: list[Line], *, heading_found: bool) -> Found:
    found = Found()
    t4 = spec.table4
    width = len(t4.all_columns)
    columns = tuple(c for _ in t4.groups for c in t4.all_columns)
    # the data row: the first with numbers after its labels (table 四 has one)
    row, cells = next(((r, cells) for r in rows for cells in [_split(r)[1]] if any(looks_numeric(c) for c in cells)), (None, []))
    group_keys = [("appeals", g.key) for g in t4.groups]
    if row is None:
        path = place(spec.id, ("appeals",)).path
        found.findings.append(Finding(ERROR, "I", path, f"{path}：原文中找不到表四的数字，留空，请按原件填写"))
        for keys in group_keys:
            found.values[keys] = None
            found.notes[keys] = "导入时原文中没有表四"
            found.unreadable.add(keys)
        return found
    if not heading_found:
        path = place(spec.id, ("appeals",)).path
        found.findings.append(
            Finding(WARNING, "I", path, f"{path}：原文缺少“{spec.section('appeals').heading}”标题和表头，按{len(columns)}个数的一行读作表四" + ("" if row.line is not None else f"（{row.where}）"), row.line)
        )
    values = read_values(
        found, spec, ("appeals",), row, cells, columns, total=False, cell_keys=lambda i: group_keys[i // width] + (i % width,)
    )
    for i, keys in enumerate(group_keys):
        found.lines[keys] = row.line  # type: ignore[assignment]
        if values is None:
            found.values[keys] = None
            found.unreadable.add(keys)
            continue
        part = values[i * width : (i + 1) * width]
        if None not in part and part[-1] == sum(part[:-1]):
            part = part[:-1]
        found.values[keys] = part
    return found

