"""Table 二 (主动公开) of a published report: its rows found by label in the stream of lines (:mod:`.tables`)."""

from __future__ import annotations

from functools import lru_cache

from ...findings import ERROR, WARNING, Finding, Rule
from ...model.places import place
from ...model.standard import Spec
from ...model.standard.common import TABLE2_HEAD
from .lines import Line
from .tables import Found, Slot, _at, _header_word, _picture, place_separated, read_stream, row_values
from .words import is_blank, label_score, normal


# -- table 二 ---------------------------------------------------------------------------------------
def table2_slots(spec: Spec) -> list[Slot]:
    """The rows the table may hold, in the standard's order (a copy of the version's own)."""
    return list(_table2_slots(spec))


@lru_cache(maxsize=8)  # one a format version: the rows are the standard's, the same for every file
def _table2_slots(spec: Spec) -> tuple[Slot, ...]:
    slots: list[Slot] = []
    for group in spec.table2:
        slots.append(Slot(group.article))
        slots += [Slot(item.label, ("proactive", item.key), group.columns) for item in group.items]
    return tuple(slots)


def read_table2(spec: Spec, lines: list[Line]) -> Found:
    found = Found()
    slots = table2_slots(spec)
    headers = {normal(TABLE2_HEAD)} | {normal(c.label) for g in spec.table2 for c in g.columns}
    stream = read_stream(lines, slots, headers)
    place_separated(found, spec, stream, slots, spec.table_names[0], totals=False)  # no total confirms a pairing
    for hit in stream.hits:
        slot = slots[hit.slot]
        if slot.keys is None or slot.keys in found.lines:
            continue
        found.lines[slot.keys] = hit.line.line
        values = row_values(found, spec, slot.keys, hit, slot.columns, total=False)
        found.values[slot.keys] = values[0] if values is not None and len(slot.columns) == 1 else values
    for text, line in stream.strays:  # a row with figures that no row of the table takes (a repeated 行政许可): said, as in 表三
        if _header_word(text, headers):
            continue
        twice = _repeated(stream, slots, text, line)
        if twice is None:
            found.findings.append(Finding(WARNING, Rule.I, None, f"原文表二中“{text}”一行不是规定格式中的行，未读取" + _at(line), line.line))
            continue
        keys, first, second = twice
        if first == second:
            found.findings.append(Finding(WARNING, Rule.I, None, f"原文表二中“{text}”一行出现两次，数字相同，只读一次" + _at(line), line.line))
            continue
        # the same row twice with other figures: which is right is the clerk's to say, not the order's
        where = place(spec.id, keys)
        found.findings.append(Finding(ERROR, Rule.I, where.path, f"{where.label}：原文表二中“{text}”一行出现两次，数字不同（{'、'.join(first)} 和 {'、'.join(second)}），无法确定，留空，请按原件填写" + _at(line), line.line))
        found.notes[keys] = "导入时原文中这一行出现两次，数字不同"
        found.values[keys] = None
        found.unreadable.add(keys)
    picture = _picture(stream)
    for slot in slots:
        if slot.keys is not None and slot.keys not in found.values:
            where = place(spec.id, slot.keys)
            message = f"{where.label}：原文中找不到这一行，留空，请按原件填写" if not picture else f"{where.label}：原文的表二是图片（{picture}），无法读取数字，留空，请按原件填写"
            found.findings.append(Finding(ERROR, Rule.I, where.path, message))
            found.notes[slot.keys] = "导入时原文中没有这一行"
            found.values[slot.keys] = None
            found.unreadable.add(slot.keys)
    return found


def _repeated(stream, slots: list[Slot], text: str, line: Line) -> tuple[tuple, list[str], list[str]] | None:
    """(the row's keys, its figures as first read, the repeat's figures) when ``text`` is the
    label of a row already read and ``line`` gives it figures too; None otherwise."""
    for hit in stream.hits:
        slot = slots[hit.slot]
        if slot.keys is None or label_score(text, slot.label) < 0.95:
            continue
        first = [normal(c.text) for c, _ in hit.values if not is_blank(c.text)]
        at = next((i for i, c in enumerate(line.cells) if c.text == text), None)
        second = [normal(c.text) for c in line.cells[at + 1:] if not is_blank(c.text)] if at is not None else []
        return (slot.keys, first, second) if first and second else None
    return None
