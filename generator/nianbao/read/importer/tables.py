"""The lines of a published report → the values of tables 二, 三 and 四.

Tables reach us in every shape (:mod:`.lines`): real rows, rows flattened to text, lone
cells, words on a page.  So a table is read as a *stream*: each row of the standard is
found by its label's meaning (:func:`~.words.label_score`), in the standard's order, and
its numbers are the value cells that follow its label — on the label's own row, or on
the lines after it when a label is wrapped, a row is broken by a page, or cells stand
one per line.  Column headers, repeated headers after a page break, group labels and
unknown words are not values.

The rules for cells (FORMAT.md §8) are the clerk's protection:

* in an exact row (tabs, pipes, DOCX, HTML, a ruled PDF table) a cell that exists but is
  empty is a zero, noted as such — a blank 总计 too, so that ``check`` reports it;
* a row with fewer cells than columns lost some — which ones cannot be known, so the
  whole row is left empty and reported (rule ``I``), never filled with zeros;
* where empty cells are invisible (words on a page), a row must show all its numbers;
* a cell that is not a number (``—``, ``若干``) or whose digits are doubtful (``1O``) is
  left empty and reported.

A 总计 that agrees with its parts is not kept (the report file computes it); one that
disagrees is kept so that ``check`` reports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ...findings import ERROR, WARNING, Finding
from ...model.places import KeyPath, place
from ...model.standard import SPECS, Column, Line3, Spec
from ...model.standard.common import APPLICANTS, TABLE2_HEAD, TABLE3_CORNER, WAN
from .lines import Cell, Line
from .words import (
    SIMILAR,
    core,
    is_blank,
    is_label,
    is_value_token,
    label_score,
    looks_numeric,
    normal,
    number,
    ordinal_value,
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
        where = "" if line.line is not None else f"（{line.where}）" if line.where else ""
        self.findings.append(Finding(level, "I", path, f"{path}：{message}{where}", line.line))  # type: ignore[arg-type]
        self.notes[keys] = ("导入时无法读取：" if level == ERROR else "导入说明：") + message + (f"（原文{line.place}）" if line.place else "")

    def merge(self, other: Found) -> None:
        self.values.update(other.values)
        self.lines.update(other.lines)
        self.notes.update(other.notes)
        self.findings += other.findings
        self.unreadable |= other.unreadable


def is_prose(line: Line) -> bool:
    """A sentence of the narrative, not a table row: long or ending a sentence, without
    numbers standing after it as cells."""
    if line.in_table or line.kind == "image":
        return False
    texts = [c.text for c in line.cells]
    if len(texts) > 1 and is_value_token(texts[-1]):
        return False
    t = normal(line.text)
    return len(t) > 50 or ("。" in t and len(t) > 15)


# -- the stream reader ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    """A row the table may hold: a data row (``keys``), or a heading without numbers."""

    label: str
    keys: KeyPath | None = None
    columns: tuple[Column, ...] = ()
    total: bool = False  # the last column is a 总计 that may be left out

    @property
    def short(self) -> bool:
        """A label too generic to be found far from where it is expected (``3.其他``)."""
        return len(core(self.label)) <= 3


@dataclass
class Hit:
    """A row of the standard found in the stream, with the cells that follow its label."""

    slot: int
    text: str
    line: Line
    values: list[tuple[Cell, Line]] = field(default_factory=list)
    closed: bool = False  # its own exact row gave its cells: it takes no more
    separated: str = ""  # why its figures, printed apart from its label, could not be placed


@dataclass
class Stream:
    hits: list[Hit] = field(default_factory=list)
    leftover: list[Line] = field(default_factory=list)  # value lines after the last row, which it did not take
    order: list[Hit | Line] = field(default_factory=list)  # rows found and figure lines no row took, in order
    strays: list[tuple[str, Line]] = field(default_factory=list)  # rows with numbers that are none of the standard's
    images: list[Line] = field(default_factory=list)


WINDOW = 3  # a generic label is looked for only this many rows ahead


def read_stream(lines: Iterable[Line], slots: list[Slot], headers: set[str]) -> Stream:
    """The rows of ``slots`` found in ``lines``, in order, each with its value cells."""
    out = Stream()
    pointer = -1
    current: Hit | None = None
    pending: list[str] = []

    def best(text: str) -> int | None:
        ordinal, _ = split_ordinal(text)
        if ordinal and len(core(text)) < 2:
            # a label wrapped right after its number (一、 / 本年新收… on the lines below):
            # the nearest row ahead with that number, if the words so far begin its label
            for i in range(pointer + 1, min(len(slots), pointer + 1 + 2 * WINDOW)):
                own, _ = split_ordinal(slots[i].label)
                if own and ordinal_value(own) == ordinal_value(ordinal) and core(slots[i].label).startswith(core(text)):
                    return i
            return None
        found, top = None, SIMILAR
        for i in range(pointer + 1, len(slots)):
            score = label_score(text, slots[i].label)
            if slots[i].short and (score < 1.0 or i - pointer - 1 > WINDOW):
                continue
            score -= 0.004 * (i - pointer - 1)
            if score >= top:
                found, top = i, score
        return found

    def consider(text: str, line: Line) -> Hit | None:
        nonlocal pointer, current
        if current is not None:
            label = slots[current.slot].label
            joined = current.text + text
            grows = len(core(joined)) > len(core(current.text))
            if label_score(text, label) >= 0.95 or (
                grows
                and (core(label).startswith(core(joined)) or label_score(joined, label) > max(label_score(current.text, label), 0.85))
            ):
                current.text = current.text if label_score(text, label) >= 0.95 else joined
                return current
        for candidate in ([text] + (["".join(pending) + text] if pending else [])):
            index = best(candidate)
            if index is not None:
                pointer = index
                current = Hit(index, candidate, line)
                out.hits.append(current)
                out.order.append(current)
                out.leftover.clear()  # only what follows the last row is left over
                pending.clear()
                return current
        return None

    for line in lines:
        if line.kind == "image":
            out.images.append(line)
            continue
        if is_prose(line):
            continue
        cells = list(line.cells)
        if line.kind == "row" and not any(c.text for c in cells):
            continue  # an empty row between groups
        labelled = [i for i, c in enumerate(cells) if is_label(c.text)]
        last = labelled[-1] if labelled else -1
        values = cells[last + 1 :] if line.exact else [c for c in cells[last + 1 :] if not is_blank(c.text)]
        has_values = bool(values) and (line.exact or any(not is_blank(c.text) for c in values))
        if line.exact and line.kind == "cell":
            has_values = bool(values)
        if not labelled:
            if not has_values:
                continue
            if current is not None and not current.closed and slots[current.slot].columns and not _after_bare_row(out, slots, current):
                current.values += [(c, line) for c in values]
                need = len(slots[current.slot].columns)
                if not line.exact and sum(not is_blank(c.text) for c, _ in current.values) >= need:
                    current.closed = True
                elif line.kind == "cell" and len(current.values) >= need:
                    current.closed = True
            elif out.hits:
                out.leftover.append(line)
                out.order.append(line)  # figures without their label: placed later, if certain
            continue
        labels = [cells[i].text for i in labelled]
        if not has_values and _is_header(labels, headers, exact=line.exact):
            continue
        for text in labels[:-1]:  # group labels before the row's own (三、本年度办理结果 (一)予以公开)
            consider(text, line)
        hit = consider(labels[-1], line)
        if hit is None:
            if has_values and any(not is_blank(c.text) for c in values):
                out.strays.append((labels[-1], line))
                current = None
            elif not has_values:
                pending[:] = (pending + [labels[-1]])[-2:]
            continue
        if has_values:
            if hit.closed:
                # a row broken by a page: its rest comes after the repeated header, with
                # empty cells (nothing to take) or with the numbers the first part lacked
                if all(is_blank(c.text) for c in values):
                    continue
                if all(is_blank(c.text) for c, _ in hit.values):
                    hit.values = [(c, line) for c in values]
                    continue
                out.strays.append((labels[-1], line))
                continue
            hit.values += [(c, line) for c in values]
            if line.exact and line.kind == "row":
                hit.closed = True
            elif slots[hit.slot].columns and sum(not is_blank(c.text) for c, _ in hit.values) >= len(slots[hit.slot].columns):
                hit.closed = True
    return out


def _bare(hit: Hit, slots: list[Slot]) -> bool:
    """A row of the standard found without any figure (its label only)."""
    return slots[hit.slot].keys is not None and bool(slots[hit.slot].columns) and not hit.values


def _after_bare_row(out: Stream, slots: list[Slot], current: Hit) -> bool:
    """Figures arrive for a row that has none yet, right after another row that has none
    (or after figures no row took): labels and figures were separated (a PDF's text), so
    which figures are whose is not known from their place — they are not simply given to
    the last label."""
    if current.values:
        return False
    if out.order[-1] is not current:
        return True  # figures after it (it is the last row found) already went unplaced
    # the item before it, group headings (三、（四）无法提供) aside
    before = next(
        (item for item in (out.order[i] for i in range(len(out.order) - 2, -1, -1)) if isinstance(item, Line) or slots[item.slot].keys is not None),
        None,
    )
    return isinstance(before, Line) or (isinstance(before, Hit) and _bare(before, slots))


def place_separated(found: Found, spec: Spec, stream: Stream, slots: list[Slot], table: str, *, totals: bool) -> list[tuple[KeyPath, Hit]]:
    """Rows whose labels stand apart from their figures (label lines without figures,
    figure lines without a label, a page number between them): the figures are given to
    the rows only where the pairing is certain — one row and one line of figures, or
    lines all alike so that any pairing reads the same — and each line's own 总计, where
    printed, adds up.  Otherwise the rows stay empty and the clerk is told why; figures
    are never handed out by position.  Returns the rows given figures (the caller may
    confirm them against the table's totals)."""
    placed: list[tuple[KeyPath, Hit]] = []
    region: list[Hit | Line] = []

    def settle() -> None:
        rows = [item for item in region if isinstance(item, Hit)]
        figures = [item for item in region if isinstance(item, Line)]
        region.clear()
        if not rows or not figures:
            return
        n, total = len(slots[rows[0].slot].columns), slots[rows[0].slot].total
        read = [(line, _figures(line)) for line in figures] if totals and len(figures) <= 4 * len(rows) + 4 else []
        whole = [(line, texts) for line, texts in read if len(texts) in (n, n - 1 if total else n)]
        same = len({tuple(texts) for _, texts in whole}) == 1
        adds_up = all(_adds_up(texts, n, total) for _, texts in whole)
        if totals and len(whole) == len(rows) and (len(rows) == 1 or same) and adds_up:
            how = "只有这一种对应" if len(rows) == 1 else f"这{len(rows)}行的数字相同，怎样对应都一样"
            extra = [line.text for line in figures if not any(line is w for w, _ in whole)]
            aside = f"；其间的“{'”、“'.join(extra)}”（可能是页码）未计入" if extra else ""
            for hit, (line, _) in zip(rows, whole):
                hit.values = [(c, line) for c in line.cells if not is_blank(c.text)]
                keys = slots[hit.slot].keys
                placed.append((keys, hit))  # type: ignore[arg-type]
                where = line.place or line.where
                message = f"原文这一行的文字与数字分开排列（数字在{where}），{how}，且与表中的总计相符，已按其读取，请核对{aside}"
                found.problem(spec, keys, hit.line, message, WARNING)  # type: ignore[arg-type]
            return
        names = "、".join(f"“{slots[h.slot].label}”" for h in rows)
        places = [line.place for line in figures if line.place]
        lines_told = "、".join(places[:5]) + ("等" if len(places) > 5 else "")
        message = (
            f"原文{table}中{names}{len(rows)}行的文字与数字分开排列（{len(figures)}行数字不在各自的行上"
            + (f"：{lines_told}" if lines_told else "")
            + "），无法确定哪一行是哪些数，均留空，请按原件填写"
        )
        first = slots[rows[0].slot].keys
        found.findings.append(Finding(ERROR, "I", place(spec.id, first).path, message + _at(rows[0].line), rows[0].line.line))  # type: ignore[arg-type]
        for hit in rows:
            hit.values = []
            hit.separated = message

    for item in stream.order:
        if isinstance(item, Hit) and slots[item.slot].keys is None:
            continue  # a group heading stands between rows without breaking a run
        if isinstance(item, Line) or _bare(item, slots):
            region.append(item)
        else:
            settle()
    settle()
    return placed


def _figures(line: Line) -> list[str]:
    """The figures of a line that holds figures only."""
    texts = [c.text for c in line.cells if not is_blank(c.text)]
    return texts if all(is_value_token(t) for t in texts) else []


def _adds_up(texts: list[str], n: int, total: bool) -> bool:
    """A line of figures whose last is its 总计 (when the row has one printed) is their sum."""
    if not total or len(texts) != n:
        return True
    try:
        values = [int(t) for t in texts]
    except ValueError:
        return False
    return sum(values[:-1]) == values[-1]


def _is_header(labels: list[str], headers: set[str], *, exact: bool) -> bool:
    """A row of column names (or of their pieces), not a row of the table."""
    if exact and len(labels) >= 3:
        return True
    return all(_header_word(text, headers) for text in labels)


def _header_word(text: str, headers: set[str]) -> bool:
    """A column name, or a piece of one broken over lines (``商业`` of 商业企业)."""
    t = normal(text)
    return len(t) >= 2 and any(t in h for h in headers)


# -- the cells of one row ------------------------------------------------------------------------------
def row_values(found: Found, spec: Spec, keys: KeyPath, hit: Hit, columns: tuple[Column, ...], *, total: bool, cell_keys=None) -> list[Any] | None:
    """The row's numbers, one per column (``None`` for an unreadable cell), or None when
    the row cannot be read at all.  ``total``: the last column is a 总计 that may be left
    out when it agrees with its parts."""
    if hit.separated and not hit.values:
        found.notes[keys] = "导入时无法读取：" + hit.separated
        found.unreadable.add(keys)
        return None
    return read_values(found, spec, keys, hit.line, hit.values, columns, total=total, cell_keys=cell_keys)


def read_values(
    found: Found,
    spec: Spec,
    keys: KeyPath,
    where: Line,
    cells: list[tuple[Cell, Line]],
    columns: tuple[Column, ...],
    *,
    total: bool,
    cell_keys=None,
) -> list[Any] | None:
    n = len(columns)
    exact = bool(cells) and all(line.exact for _, line in cells)
    texts = [c.text for c, _ in cells]
    if not cells:
        found.problem(spec, keys, where, "原文这一行没有数字（表格可能在此截断），整行留空，请按原件填写")
        found.unreadable.add(keys)
        return None
    if exact:
        # Surplus blank cells: in a real table the values are the row's last cells (blank
        # cells before them are split merges); in text, trailing tabs are the usual surplus.
        text_source = cells[0][1].line is not None
        for end in ((-1, 0) if text_source else (0, -1)):
            while len(texts) > n and is_blank(texts[end]):
                texts.pop(end)
        if len(texts) != n:
            present = sum(not is_blank(t) for t in texts)
            found.problem(
                spec, keys, where,
                f"原文只有{len(texts)}个单元格（其中{present}个有数字），应为{n}个，无法确定各列的数，整行留空，请按原件填写"
                if len(texts) < n
                else f"原文有{len(texts)}个数，应为{n}个，无法确定各列，整行留空，请按原件填写",
            )
            found.unreadable.add(keys)
            return None
    else:
        texts = [t for t in texts if not is_blank(t)]
        if len(texts) != n:
            by_line: dict[int, list[str]] = {}
            for c, line in cells:
                if not is_blank(c.text):
                    by_line.setdefault(id(line), []).append(c.text)
            whole = [row for row in by_line.values() if len(row) == n]
            if len(whole) == 1:
                extra = [t for t in texts if t not in whole[0]] or texts[n:]
                found.problem(spec, keys, where, f"原文这一行之外另有“{'、'.join(extra)}”（可能是页码），未计入", WARNING)
                texts = whole[0]
            else:
                found.problem(
                    spec, keys, where,
                    f"原文这一行有{len(texts)}个数，应为{n}个（原文中空白的格子看不出位置），无法确定各列的数，整行留空，请按原件填写",
                )
                found.unreadable.add(keys)
                return None
    values: list[Any] = []
    blanks: list[str] = []
    for text, column in zip(texts, columns):
        if is_blank(text):
            values.append(0)
            blanks.append(column.label)
            continue
        read = number(text, column.type, column.unit == WAN)
        here = cell_keys(len(values)) if cell_keys else keys + (len(values),)
        if read.value is None:
            found.problem(spec, here, where, f"{read.problem}，留空，请按原件填写")
            found.unreadable.add(here[:-1])
        elif read.converted:
            found.problem(spec, here, where, read.converted, WARNING)
        values.append(read.value)
    if blanks and len(blanks) < n:
        found.problem(spec, keys, where, f"原文{'、'.join(blanks)}为空白，按0计", WARNING)
    elif blanks:
        found.problem(spec, keys, where, "原文整行空白，按0计", WARNING)
    if total:
        parts, given = values[:-1], values[-1]
        if None not in parts and given is not None and given == sum(parts):
            values = parts
    return values


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


@lru_cache(maxsize=4096)
def _owner(text: str) -> str | None:
    """The only version whose label ``text`` (a core) is, or resembles most; None if both."""
    exact, every = _markers()
    if text in exact:
        return exact[text]
    score, _, owner = max((similarity(text, label), label, owner) for label, owner in every)
    return owner if score >= SIMILAR else None


def detect_format(lines: Iterable[Line]) -> dict[str, int]:
    """How many cells read as labels only one version has: each cell votes for the version
    whose label it resembles most."""
    votes = {spec_id: 0 for spec_id in SPECS}
    for line in lines:
        if is_prose(line):
            continue
        for cell in line.cells:
            text = core(cell.text)
            if len(text) < 4 or len(text) > 60 or not is_label(text):
                continue
            owner = _owner(text)
            if owner is not None:
                votes[owner] += 1
    return votes


# -- table 二 ---------------------------------------------------------------------------------------
def table2_slots(spec: Spec) -> list[Slot]:
    slots: list[Slot] = []
    for group in spec.table2:
        slots.append(Slot(group.article))
        slots += [Slot(item.label, ("proactive", item.key), group.columns) for item in group.items]
    return slots


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
        found.lines[slot.keys] = hit.line.line  # type: ignore[assignment]
        values = row_values(found, spec, slot.keys, hit, slot.columns, total=False)
        found.values[slot.keys] = values[0] if values is not None and len(slot.columns) == 1 else values
    picture = _picture(stream)
    for slot in slots:
        if slot.keys is not None and slot.keys not in found.values:
            path = place(spec.id, slot.keys).path
            message = f"{path}：原文中找不到这一行，留空，请按原件填写" if not picture else f"{path}：原文的表二是图片（{picture}），无法读取数字，留空，请按原件填写"
            found.findings.append(Finding(ERROR, "I", path, message))
            found.notes[slot.keys] = "导入时原文中没有这一行"
            found.values[slot.keys] = None
            found.unreadable.add(slot.keys)
    return found


def _picture(stream: Stream) -> str:
    return stream.images[0].where if stream.images and not stream.hits else ""


# -- table 三 ---------------------------------------------------------------------------------------
def table3_slots(spec: Spec) -> list[Slot]:
    t3 = spec.table3
    slots = []
    for line, _ in t3.walk():
        if line.key is None or line.is_group:
            slots.append(Slot(line.label))
        else:
            slots.append(Slot(line.label, ("applications", *t3.keypath(line)), t3.all_columns, total=True))
    return slots


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
                    found.findings.append(Finding(WARNING, "I", None, f"原文表三“{slot.label}”一行有数字，但规定的格式中这一行不填数字（只填各分项），未读取" + _at(hit.line), hit.line.line))
            continue
        if slot.keys in found.lines:
            continue
        found.lines[slot.keys] = hit.line.line  # type: ignore[assignment]
        found.values[slot.keys] = row_values(found, spec, slot.keys, hit, slot.columns, total=True)
    for group, hit in groups:
        _group_without_items(spec, found, group, hit)
    _confirm_placed(spec, found, placed)
    for text, line in stream.strays:
        if not _header_word(text, headers):
            found.findings.append(Finding(WARNING, "I", None, f"原文表三中“{text}”一行不是规定格式中的行，未读取" + _at(line), line.line))
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
        found.findings.append(Finding(WARNING, "I", None, f"原文表三“{label}”一行有数字，但规定的格式中这一行不填数字（只填各分项），未读取" + _at(hit.line), hit.line.line))
        return
    items = [("applications", *t3.keypath(child)) for child in group.children]
    other = next((keys for child, keys in zip(group.children, items) if core(child.label) == core(t3.orgs[-1].label)), None)
    probe = Found()
    values = row_values(probe, spec, items[-1], hit, t3.all_columns, total=True)
    names = "、".join(child.label.split(".", 1)[0] for child in group.children)
    if values is None or None in values:
        found.merge(probe)
        for keys in items:
            found.lines[keys] = hit.line.line  # type: ignore[assignment]
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
        found.findings.append(Finding(ERROR, "I", place(spec.id, items[0]).path, message + _at(hit.line), hit.line.line))
        for keys in items:
            found.lines[keys] = hit.line.line  # type: ignore[assignment]
            found.values[keys] = None
            found.notes[keys] = "导入时无法读取：" + message
            found.unreadable.add(keys)
        return
    found.merge(probe)  # a blank or converted cell is still told
    target = other if other is not None and any(values) else items[0]
    found.findings.append(Finding(WARNING, "I", place(spec.id, target).path, f"{place(spec.id, target).path}：{message}" + _at(hit.line), hit.line.line))
    found.notes[target] = "导入说明：" + message
    for keys, row in placed.items():
        found.lines[keys] = hit.line.line  # type: ignore[assignment]
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
        sums = [sum(column) for column in zip(*leaves)]  # type: ignore[arg-type]
        checks.append((leaf_keys | {("applications", *t3.keypath(t3.row("total")))}, sums == list(total[:width])))
    sides = [row(k) for k in ("new", "carried_over", "carried_forward")]
    results = row(t3.row("total")) or ([sum(column) for column in zip(*leaves)] if None not in leaves else None)  # type: ignore[arg-type]
    if None not in sides and results is not None:
        new, carried, forward = sides
        balanced = [a + b for a, b in zip(new, carried)] == [a + b for a, b in zip(results, forward)]  # type: ignore[arg-type]
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


def _at(line: Line) -> str:
    return "" if line.line is not None else f"（{line.where}）"


def _drop_agreeing_total(spec: Spec, found: Found) -> None:
    """（七）总计 left out when it equals what the report file would compute from the rows
    above it (whose own 总计, where given, are taken as given)."""
    t3 = spec.table3
    width = len(t3.columns)
    total_keys = ("applications", *t3.keypath(t3.row("total")))
    given = found.values.get(total_keys)
    leaves = [found.values.get(("applications", *t3.keypath(leaf))) for leaf in t3.leaves()]
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
    before: tuple[str, int | None] | None = None

    def close() -> None:
        if not run:
            return
        path = place(spec.id, run[0].keys).path  # type: ignore[arg-type]
        names = "、".join(_short(spec, slot) for slot in run)
        after = f"在“{before[0]}”之后" if before else "开头"
        if picture:
            message = f"原文的表三是图片（{picture}），无法读取数字，{len(run)}行均留空，请按原件填写"
        elif len(run) == 1:
            message = f"{path}：原文中找不到这一行，留空，请按原件填写"
        else:
            message = f"原文表三{after}缺少{len(run)}行（{names}），可能表格被截断，均留空，请按原件填写"
        found.findings.append(Finding(ERROR, "I", path, message, before[1] if before else None))
        run.clear()

    for slot in slots:
        if slot.keys is None:
            continue
        if slot.keys in found.lines:
            close()
            before = (_short(spec, slot), found.lines[slot.keys])
        elif slot.keys[-1] != t3.row("total").key:  # （七）总计 may be left out: it is computed
            run.append(slot)
            found.values[slot.keys] = None
            found.notes[slot.keys] = "导入时原文中没有这一行"
            found.unreadable.add(slot.keys)
    close()


def _short(spec: Spec, slot: Slot) -> str:
    return place(spec.id, slot.keys).path.split(".", 1)[1]  # type: ignore[arg-type]


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
    found = Found()
    t4 = spec.table4
    width = len(t4.all_columns)
    group_keys = [("appeals", g.key) for g in t4.groups]
    columns = tuple(c for _ in t4.groups for c in t4.all_columns)
    column_names = {core(c.label): i for i, c in enumerate(t4.all_columns)}
    # value cells in order, each with the group and the column named last before it
    runs: list[tuple[str | None, str | None, list[tuple[Cell, Line]]]] = []
    group: str | None = None
    column: str | None = None
    images = [line for line in lines if line.kind == "image"]
    flat = [(cell, line) for line in lines if line.kind != "image" and not is_prose(line) for cell in line.cells]
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
    runs = [r for r in runs if r[2]]
    if not runs:
        path = place(spec.id, ("appeals",)).path
        message = f"{path}：原文的表四是图片（{images[0].where}），无法读取数字，留空，请按原件填写" if images else f"{path}：原文中找不到表四的数字，留空，请按原件填写"
        found.findings.append(Finding(ERROR, "I", path, message))
        for keys in group_keys:
            found.values[keys] = None
            found.notes[keys] = "导入时原文中没有表四"
            found.unreadable.add(keys)
        return found
    first = runs[0][2][0][1]
    if not heading_found:
        path = place(spec.id, ("appeals",)).path
        found.findings.append(
            Finding(WARNING, "I", path, f"{path}：原文缺少“{spec.section('appeals').heading}”标题和表头，按{len(columns)}个数的一行读作表四" + _at(first), first.line)
        )
    by_group = len(runs) == len(t4.groups) and sorted(r[0] or "" for r in runs) == sorted(g.key for g in t4.groups)
    transposed = len(runs) == width and all(r[1] is not None for r in runs) and all(len(r[2]) == len(t4.groups) for r in runs)
    if by_group:
        order = {g.key: i for i, g in enumerate(t4.groups)}
        cells = [cell for run in sorted(runs, key=lambda r: order[r[0]]) for cell in _trim(run[2], width)]  # type: ignore[index]
    elif transposed:
        order = sorted(runs, key=lambda r: column_names[r[1]])  # type: ignore[index]
        cells = [order[c][2][g] for g in range(len(t4.groups)) for c in range(width)]
    else:
        cells = [cell for run in runs for cell in run[2]]
        if len(_trim(cells, len(columns))) < len(columns):
            shown = _header_layout(spec, flat)
            if shown is not None and len(_trim(cells, len(shown))) == len(shown):
                _read_by_header(spec, found, first, _trim(cells, len(shown)), shown)
                return found
    values = read_values(
        found, spec, ("appeals",), first, cells, columns, total=False, cell_keys=lambda i: group_keys[i // width] + (i % width,)
    )
    for i, keys in enumerate(group_keys):
        found.lines[keys] = first.line  # type: ignore[assignment]
        if values is None:
            found.values[keys] = None
            found.unreadable.add(keys)
            continue
        part = values[i * width : (i + 1) * width]
        if None not in part and part[-1] == sum(part[:-1]):
            part = part[:-1]
        found.values[keys] = part
    return found


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
        part = [here.get(c) for c in range(width)]
        missing = [t4.all_columns[c].label for c in range(width - 1) if c not in here]
        found.lines[keys] = first.line  # type: ignore[assignment]
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
        found.findings.append(Finding(ERROR, "I", path, f"{path}：原文表四只有{len(shown)}列（{told}），这些格无法读取，留空，请按原件填写" + _at(first), first.line))
    elif len(shown) < width * len(t4.groups):
        found.findings.append(Finding(WARNING, "I", path, f"{path}：原文表四没有“{t4.total.label}”列，{t4.total.label}按各项之和计算" + _at(first), first.line))


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
