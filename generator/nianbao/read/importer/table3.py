"""Table 三 (收到和处理政府信息公开申请情况) of a published report: its rows found by label in the stream
of lines (:mod:`.tables`), its groups and totals confirmed, its missing rows said."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ...findings import ERROR, WARNING, Finding, Rule
from ...model.places import KeyPath, place
from ...model.standard import Line3, Spec
from ...model.standard.common import APPLICANTS, TABLE3_CORNER
from .lines import Line
from .tables import Found, Hit, Slot, _at, _header_word, _picture, place_separated, read_stream, row_values
from .words import core, is_blank, normal


# -- table 三 ---------------------------------------------------------------------------------------
def table3_slots(spec: Spec) -> list[Slot]:
    """The rows the table may hold, in the standard's order (a copy of the version's own)."""
    return list(_table3_slots(spec))


@lru_cache(maxsize=8)  # one a format version: the rows are the standard's, the same for every file
def _table3_slots(spec: Spec) -> tuple[Slot, ...]:
    t3 = spec.table3
    slots = []
    for line, _ in t3.walk():
        if line.key is None or line.is_group:
            slots.append(Slot(line.label))
        else:
            slots.append(Slot(line.label, ("applications", *t3.keypath(line)), t3.all_columns, total=True))
    return tuple(slots)


def read_table3(spec: Spec, lines: list[Line]) -> tuple[Found, list[Line]]:
    """Table 三's values, and the lines left over (table 四's numbers when its heading is lost)."""
    found = Found()
    t3 = spec.table3
    slots = table3_slots(spec)
    headers = {normal(c.label) for c in t3.all_columns} | {normal(APPLICANTS), normal(t3.org_header), normal(TABLE3_CORNER)}
    stream = read_stream(lines, slots, headers)
    placed = place_separated(found, spec, stream, slots, spec.table_names[1], totals=True)
    groups: list[tuple[Line3, Hit]] = []
    for hit in stream.hits:
        slot = slots[hit.slot]
        if slot.keys is None:
            if any(not is_blank(c.text) for c, _ in hit.values):
                group = next((line for line, _ in t3.walk() if line.is_group and line.label == slot.label), None)
                if group is not None:
                    groups.append((group, hit))  # placed once its items are known to be absent
                else:
                    found.findings.append(Finding(WARNING, Rule.I, None, f"原文表三“{slot.label}”一行有数字，但规定的格式中这一行不填数字（只填各分项），未读取" + _at(hit.line), hit.line.line))
            continue
        if slot.keys in found.lines:
            continue
        found.lines[slot.keys] = hit.line.line
        found.values[slot.keys] = row_values(found, spec, slot.keys, hit, slot.columns, total=True)
    for group, hit in groups:
        _group_without_items(spec, found, group, hit)
    _confirm_placed(spec, found, placed)
    for text, line in stream.strays:
        if not _header_word(text, headers):
            found.findings.append(Finding(WARNING, Rule.I, None, f"原文表三中“{text}”一行不是规定格式中的行，未读取" + _at(line), line.line))
    _drop_agreeing_total(spec, found)
    _report_missing_rows(spec, found, slots, _picture(stream))
    return found, stream.leftover


def _group_without_items(spec: Spec, found: Found, group: Line3, hit: Hit) -> None:
    """A group row (``（六）其他处理``) printed with figures and without its numbered items.

    The published figures are kept, never dropped: a row of zeros makes every item zero
    (counts are not negative); other figures go to the group's ``其他`` item, which is
    what an unlisted case is, and the clerk is told where they went; a group without
    such an item cannot be split, so its items stay empty and that is an error.  A group
    printed with some of its items is not this case: its own figures are not read."""
    t3 = spec.table3
    label = group.label
    if any(("applications", *t3.keypath(child)) in found.lines for child in group.children):
        found.findings.append(Finding(WARNING, Rule.I, None, f"原文表三“{label}”一行有数字，但规定的格式中这一行不填数字（只填各分项），未读取" + _at(hit.line), hit.line.line))
        return
    items = [("applications", *t3.keypath(child)) for child in group.children]
    other = next((keys for child, keys in zip(group.children, items) if core(child.label) == core(t3.orgs[-1].label)), None)
    probe = Found()
    values = row_values(probe, spec, items[-1], hit, t3.all_columns, total=True)
    names = "、".join(child.label.split(".", 1)[0] for child in group.children)
    if values is None or None in values:
        found.merge(probe)
        for keys in items:
            found.lines[keys] = hit.line.line
            found.values[keys] = None
            found.unreadable.add(keys)
        return
    figures = f"总计{values[-1] if len(values) > len(t3.columns) else sum(values)}"
    zero = [0] * len(t3.columns)
    if not any(values):
        message = f"原文表三“{label}”只印了一行（各列均为0），没有分{names}项：各分项均按0计"
        placed = {keys: list(zero) for keys in items}
    elif other is not None:
        child = group.children[items.index(other)]
        rest = "、".join(c.label.split(".", 1)[0] for c in group.children if c is not child)
        message = f"原文表三“{label}”只印了一行（{figures}），没有分{names}项：这些数字计入“{child.label}”，第{rest}项按0计，请按实际情况核对分项"
        placed = {keys: (list(values) if keys == other else list(zero)) for keys in items}
    else:
        message = f"原文表三“{label}”只印了一行（{figures}），没有分{names}项，无法确定各分项的数，均留空，请按原件填写"
        found.findings.append(Finding(ERROR, Rule.I, place(spec.id, items[0]).path, message + _at(hit.line), hit.line.line))
        for keys in items:
            found.lines[keys] = hit.line.line
            found.values[keys] = None
            found.notes[keys] = "导入时无法读取：" + message
            found.unreadable.add(keys)
        return
    found.merge(probe)  # a blank or converted cell is still told
    target = other if other is not None and any(values) else items[0]
    found.findings.append(Finding(WARNING, Rule.I, place(spec.id, target).path, f"{place(spec.id, target).label}：{message}" + _at(hit.line), hit.line.line))
    found.notes[target] = "导入说明：" + message
    for keys, row in placed.items():
        found.lines[keys] = hit.line.line
        found.values[keys] = row


def _confirm_placed(spec: Spec, found: Found, placed: list[tuple[KeyPath, Hit]]) -> None:
    """Figures paired with a separated label stay only where the table's totals, as
    printed, confirm them: 一+二 = （七）总计+四 in every column (R1), and （七）总计 = the
    sum of the results (R3) — each where every row it needs was read.  A pairing that no
    total can check, or that a total contradicts, is undone: the row is left empty with an
    error."""
    if not placed:
        return
    t3 = spec.table3
    width = len(t3.columns)

    def row(key: str | Line3) -> list[int] | None:
        line = t3.row(key) if isinstance(key, str) else key
        value = found.values.get(("applications", *t3.keypath(line)))
        if value is None or None in value:
            return None
        return list(value[:width])

    leaves = [row(leaf) for leaf in t3.leaves()]
    total = found.values.get(("applications", *t3.keypath(t3.row("total"))))
    checks: list[tuple[set[KeyPath], bool]] = []
    leaf_keys = {("applications", *t3.keypath(leaf)) for leaf in t3.leaves()}
    if total is not None and None not in total and None not in leaves:
        sums = [sum(column) for column in zip(*leaves)]
        checks.append((leaf_keys | {("applications", *t3.keypath(t3.row("total")))}, sums == list(total[:width])))
    sides = [row(k) for k in ("new", "carried_over", "carried_forward")]
    results = row(t3.row("total")) or ([sum(column) for column in zip(*leaves)] if None not in leaves else None)
    new, carried, forward = sides
    if new is not None and carried is not None and forward is not None and results is not None:
        balanced = [a + b for a, b in zip(new, carried)] == [a + b for a, b in zip(results, forward)]
        checks.append(({("applications", *t3.keypath(t3.row(k))) for k in ("new", "carried_over", "carried_forward")} | leaf_keys, balanced))
    for keys, hit in placed:
        relevant = [ok for members, ok in checks if keys in members]
        if (relevant and all(relevant)) or found.values.get(keys) is None:
            continue  # confirmed, or already left empty (and told) for its cells
        why = "与表中的总计不符" if relevant else "表中没有可核对的总计"
        message = f"原文这一行的文字与数字分开排列，按位置对应的数字{why}，无法确定，整行留空，请按原件填写"
        found.findings = [f for f in found.findings if not (f.path == place(spec.id, keys).path and "分开排列" in f.message)]
        found.problem(spec, keys, hit.line, message)
        found.values[keys] = None
        found.unreadable.add(keys)




def _drop_agreeing_total(spec: Spec, found: Found) -> None:
    """（七）总计 left out when it equals what the report file would compute from the rows
    above it (whose own 总计, where given, are taken as given)."""
    t3 = spec.table3
    width = len(t3.columns)
    total_keys = ("applications", *t3.keypath(t3.row("total")))
    given = found.values.get(total_keys)
    leaves: list[Any] = [found.values.get(("applications", *t3.keypath(leaf))) for leaf in t3.leaves()]
    if given is None or any(v is None or None in v for v in leaves) or None in given:
        return
    rows = [list(v) if len(v) > width else [*v, sum(v)] for v in leaves]
    computed = [sum(column) for column in zip(*rows)]
    if (list(given) if len(given) > width else [*given, sum(given)]) == computed:
        del found.values[total_keys]


def _report_missing_rows(spec: Spec, found: Found, slots: list[Slot], picture: str) -> None:
    """Rows not in the text: one finding for each run of consecutive missing rows, placed
    after the last row that was read before it."""
    t3 = spec.table3
    run: list[Slot] = []
    before: tuple[Slot, int | None] | None = None  # (its name is worked out where a run after it is told)

    def close() -> None:
        if not run:
            return
        keys = run[0].keys
        assert keys is not None  # a missing row is a data row
        where = place(spec.id, keys)
        names = "、".join(_short(spec, slot) for slot in run)
        after = f"在“{_short(spec, before[0])}”之后" if before else "开头"
        if picture:
            message = f"原文的表三是图片（{picture}），无法读取数字，{len(run)}行均留空，请按原件填写"
        elif len(run) == 1:
            message = f"{where.label}：原文中找不到这一行，留空，请按原件填写"
        else:
            message = f"原文表三{after}缺少{len(run)}行（{names}），可能表格被截断，均留空，请按原件填写"
        found.findings.append(Finding(ERROR, Rule.I, where.path, message, before[1] if before else None))
        run.clear()

    for slot in slots:
        if slot.keys is None:
            continue
        if slot.keys in found.lines:
            close()
            before = (slot, found.lines[slot.keys])
        elif slot.keys[-1] != t3.row("total").key:  # （七）总计 may be left out: it is computed
            run.append(slot)
            found.values[slot.keys] = None
            found.notes[slot.keys] = "导入时原文中没有这一行"
            found.unreadable.add(slot.keys)
    close()


def _short(spec: Spec, slot: Slot) -> str:
    assert slot.keys is not None  # said only of data rows
    return place(spec.id, slot.keys).label.split(" ", 1)[1]
