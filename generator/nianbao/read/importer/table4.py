"""Table 四 (政府信息公开行政复议、行政诉讼情况) of a published report: found wherever it stands, read
by its header's layout or as a stream of lines (:mod:`.tables`)."""

from __future__ import annotations

import re
from typing import Any, cast

from ...findings import ERROR, WARNING, Finding, Rule
from ...model.places import place
from ...model.standard import Spec
from .lines import Cell, Line
from .tables import Found, _at, is_prose, read_values
from .words import SIMILAR, core, is_blank, is_label, is_value_token, looks_numeric, normal, similarity


# -- table 四 ---------------------------------------------------------------------------------------
def _group_of(spec: Spec, text: str) -> str | None:
    """The table 四 group a header names (行政复议; 行政诉讼·未经复议直接起诉; ·复议后起诉)."""
    t = core(text)
    groups = spec.table4.groups
    for group in sorted(groups, key=lambda g: -len(g.label)):
        if core(group.label) in t or similarity(t, group.label) >= SIMILAR:
            if group.parent is None and any(core(g.label) in t for g in groups if g.parent):
                continue  # 复议后起诉 holds 复议 but is a lawsuit
            return group.key
    return None


def locate_table4(spec: Spec, lines: list[Line]) -> list[Line]:
    """Table 四 wherever it stands (an appendix after the narratives): from the first row
    naming its groups with its column names close below, to the next heading or caption."""
    columns = {core(c.label) for c in spec.table4.all_columns}
    for i, line in enumerate(lines):
        if is_prose(line) or not any(_group_of(spec, c.text) for c in line.cells if is_label(c.text)):
            continue
        if any(core(c.text) in columns for ln in lines[i : i + 8] for c in ln.cells):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].heading or _caption(lines[j])), len(lines))
            return lines[i:end]
    return []


def _caption(line: Line) -> bool:
    return not line.in_table and bool(re.match(r"^附[件表]\s*[\d一二三四五六七八九十]*", normal(line.text))) and len(normal(line.text)) <= 40


def read_table4(spec: Spec, lines: list[Line], *, heading_found: bool) -> Found:
    """Table 四's figures in ``lines``: the value cells in order, each with the group and
    the column named last before it (:func:`_runs`), put in the standard's order — by group,
    by column (a table printed turned), or as printed, else by the header's own layout
    (:func:`_read_by_header`) — and read as one row of every group's columns."""
    found = Found()
    t4 = spec.table4
    width = len(t4.all_columns)
    group_keys = [("appeals", g.key) for g in t4.groups]
    columns = tuple(c for _ in t4.groups for c in t4.all_columns)
    column_names = {core(c.label): i for i, c in enumerate(t4.all_columns)}
    flat = [(cell, line) for line in lines if line.kind != "image" and not is_prose(line) for cell in line.cells]
    runs = _runs(spec, lines, flat, column_names)
    if not runs:
        _none_found(spec, found, [line for line in lines if line.kind == "image"], group_keys)
        return found
    first = runs[0][2][0][1]
    if not heading_found:
        path = place(spec.id, ("appeals",)).path
        found.findings.append(
            Finding(WARNING, Rule.I, path, f"{path}：原文缺少“{spec.section('appeals').heading}”标题和表头，按{len(columns)}个数的一行读作表四" + _at(first), first.line)
        )
    cells, as_printed = _standard_order(spec, runs, column_names)
    if as_printed and len(_trim(cells, len(columns))) < len(columns):
        shown = _header_layout(spec, flat)
        if shown is not None and len(_trim(cells, len(shown))) == len(shown):
            _read_by_header(spec, found, first, _trim(cells, len(shown)), shown)
            return found
    values = read_values(
        found, spec, ("appeals",), first, cells, columns, total=False, cell_keys=lambda i: group_keys[i // width] + (i % width,)
    )
    for i, keys in enumerate(group_keys):
        found.lines[keys] = first.line
        if values is None:
            found.values[keys] = None
            found.unreadable.add(keys)
            continue
        part = values[i * width : (i + 1) * width]
        if None not in part and part[-1] == sum(part[:-1]):
            part = part[:-1]
        found.values[keys] = part
    return found


Run = tuple[str | None, str | None, list[tuple[Cell, Line]]]  # (group named last, column named last, the value cells after them)


def _runs(spec: Spec, lines: list[Line], flat: list[tuple[Cell, Line]], column_names: dict[str, int]) -> list[Run]:
    """The value cells of ``flat`` in order, in runs each under the group and the column
    named last before it (a blank cell counts where its line or its neighbours hold figures)."""
    runs: list[Run] = []
    group: str | None = None
    column: str | None = None
    numeric_lines = {id(line) for line in lines if any(looks_numeric(c.text) for c in line.cells)}
    for at, (cell, line) in enumerate(flat):
        text = cell.text
        if is_blank(text):
            if line.exact and (id(line) in numeric_lines or (line.kind == "cell" and _among_values(flat, at))):
                _value(runs, group, column, cell, line)
            continue
        if is_value_token(text):
            _value(runs, group, column, cell, line)
            continue
        named = _group_of(spec, text)
        if named is not None:
            group, column = named, None
            if runs and runs[-1][2]:
                runs.append((group, None, []))
        elif core(text) in column_names:
            column = core(text)
            if runs and runs[-1][2] and runs[-1][1] is not None:
                runs.append((group, column, []))
    return [r for r in runs if r[2]]


def _none_found(spec: Spec, found: Found, images: list[Line], group_keys: list[tuple[str, str]]) -> None:
    """No figure of table 四: said (a picture of it, where there is one), every group left empty."""
    path = place(spec.id, ("appeals",)).path
    message = f"{path}：原文的表四是图片（{images[0].where}），无法读取数字，留空，请按原件填写" if images else f"{path}：原文中找不到表四的数字，留空，请按原件填写"
    found.findings.append(Finding(ERROR, Rule.I, path, message))
    for keys in group_keys:
        found.values[keys] = None
        found.notes[keys] = "导入时原文中没有表四"
        found.unreadable.add(keys)


def _standard_order(spec: Spec, runs: list[Run], column_names: dict[str, int]) -> tuple[list[tuple[Cell, Line]], bool]:
    """The cells in the standard's order (group by group, each group's columns in order),
    and whether they are only as printed (no group or column named them all)."""
    t4 = spec.table4
    width = len(t4.all_columns)
    if len(runs) == len(t4.groups) and sorted(r[0] or "" for r in runs) == sorted(g.key for g in t4.groups):
        order = {g.key: i for i, g in enumerate(t4.groups)}
        return [cell for run in sorted(runs, key=lambda r: order[cast(str, r[0])]) for cell in _trim(run[2], width)], False  # by group: each run has its group
    if len(runs) == width and all(r[1] is not None for r in runs) and all(len(r[2]) == len(t4.groups) for r in runs):  # transposed
        by_column = sorted(runs, key=lambda r: column_names[cast(str, r[1])])  # transposed: each run has its column
        return [by_column[c][2][g] for g in range(len(t4.groups)) for c in range(width)], False
    return [cell for run in runs for cell in run[2]], True


def _header_layout(spec: Spec, flat: list[tuple[Cell, Line]]) -> list[tuple[int, int]] | None:
    """(group, column) of each column table 四's header names, in order, when it shows
    fewer columns than the standard's: the column names before the first figure, a new
    group starting where the names start over (结果维持 after 尚未审结 or 总计).  None
    unless they fall into as many groups as the standard has."""
    names = {core(c.label): i for i, c in enumerate(spec.table4.all_columns)}
    shown: list[int] = []
    for cell, _ in flat:
        if is_value_token(cell.text):
            break
        index = names.get(core(cell.text))
        if index is not None:
            shown.append(index)
    layout: list[tuple[int, int]] = []
    group = -1
    for k, index in enumerate(shown):
        if k == 0 or index <= shown[k - 1]:
            group += 1
        layout.append((group, index))
    return layout if group + 1 == len(spec.table4.groups) else None


def _read_by_header(spec: Spec, found: Found, first: Line, cells: list[tuple[Cell, Line]], shown: list[tuple[int, int]]) -> None:
    """Table 四 read by the columns its header shows: each figure to its column; a 总计
    left out is computed (the report file's own rule); any other column left out stays
    empty, and the clerk is told which."""
    t4 = spec.table4
    width = len(t4.all_columns)
    group_keys = [("appeals", g.key) for g in t4.groups]
    columns = tuple(t4.all_columns[c] for _, c in shown)
    values = read_values(found, spec, ("appeals",), first, cells, columns, total=False, cell_keys=lambda i: group_keys[shown[i][0]] + (shown[i][1],))
    lost: dict[str, list[str]] = {}
    for g, keys in enumerate(group_keys):
        here = {c: (values[i] if values is not None else None) for i, (group, c) in enumerate(shown) if group == g}
        part: list[Any] = [here.get(c) for c in range(width)]
        missing = [t4.all_columns[c].label for c in range(width - 1) if c not in here]
        found.lines[keys] = first.line
        if values is None:
            found.values[keys] = None
            found.unreadable.add(keys)
            continue
        if missing:
            lost[_group_name(t4.groups[g])] = missing
            found.unreadable.add(keys)
            found.notes[keys] = f"导入时原文表四没有“{'”“'.join(missing)}”列，留空"
        if width - 1 not in here or (None not in part and part[-1] == sum(part[:-1])):
            part = part[:-1]  # 总计 not printed, or agreeing: computed
        found.values[keys] = part
    path = place(spec.id, ("appeals",)).path
    if lost:
        told = "；".join(f"{name}没有“{'”“'.join(labels)}”" for name, labels in lost.items())
        found.findings.append(Finding(ERROR, Rule.I, path, f"{path}：原文表四只有{len(shown)}列（{told}），这些格无法读取，留空，请按原件填写" + _at(first), first.line))
    elif len(shown) < width * len(t4.groups):
        found.findings.append(Finding(WARNING, Rule.I, path, f"{path}：原文表四没有“{t4.total.label}”列，{t4.total.label}按各项之和计算" + _at(first), first.line))


def _group_name(group) -> str:
    return f"{group.parent}（{group.label}）" if group.parent else group.label


def _among_values(flat: list[tuple[Cell, Line]], at: int) -> bool:
    """A lone empty cell (one cell a line) stands among the numbers, not in the header:
    the filled cell before it or after it is a number."""
    def neighbour(indices) -> bool:
        return next((is_value_token(flat[i][0].text) for i in indices if not is_blank(flat[i][0].text)), False)

    reach = 32  # bounded: a file of empty cells must not cost a scan per cell
    return neighbour(range(at - 1, max(-1, at - reach), -1)) or neighbour(range(at + 1, min(len(flat), at + reach)))


def _value(runs: list, group: str | None, column: str | None, cell: Cell, line: Line) -> None:
    if not runs:
        runs.append((group, column, []))
    runs[-1][2].append((cell, line))


def _trim(cells: list[tuple[Cell, Line]], width: int) -> list[tuple[Cell, Line]]:
    """A group's cells without the blank surplus an exact row may carry at its end."""
    cells = list(cells)
    while len(cells) > width and is_blank(cells[-1][0].text):
        cells.pop()
    return cells
