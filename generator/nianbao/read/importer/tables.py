"""The row reader that tables 二, 三 and 四 share (:mod:`.table2`, :mod:`.table3`, :mod:`.table4`):
the lines of a published report → each row of the standard with its values.

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
from functools import cached_property, lru_cache
from typing import Any

from ...findings import ERROR, WARNING, Finding, Level, Rule
from ...model.places import KeyPath, place
from ...model.standard import SPECS, Column, Spec
from ...model.standard.common import WAN
from .lines import Cell, Line
from .words import SIMILAR, core, is_blank, is_label, is_value_token, label_score, normal, number, ordinal_value, per_token, similarity, split_ordinal


@dataclass
class Found:
    """What the importer read, keyed by report-file key paths."""

    values: dict[KeyPath, Any] = field(default_factory=dict)
    lines: dict[KeyPath, int | None] = field(default_factory=dict)  # None: read from a file without line numbers (DOCX, HTML, PDF)
    notes: dict[KeyPath, str] = field(default_factory=dict)  # comments for the written file
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[KeyPath] = field(default_factory=set)  # rows left empty
    cells: dict[KeyPath, tuple[Cell, Any]] = field(default_factory=dict)  # each figure cell read (its key path ends with the column): the cell and its value

    def problem(self, spec: Spec, keys: KeyPath, line: Line, message: str, level: Level = ERROR) -> None:
        at = place(spec.id, keys)
        where = "" if line.line is not None else f"（{line.where}）" if line.where else ""
        self.findings.append(Finding(level, Rule.I, at.path, f"{at.label}：{message}{where}", line.line))
        self.notes[keys] = ("导入时无法读取：" if level == ERROR else "导入说明：") + message + (f"（原文{line.place}）" if line.place else "")

    def merge(self, other: Found) -> None:
        self.values.update(other.values)
        self.lines.update(other.lines)
        self.notes.update(other.notes)
        self.findings += other.findings
        self.unreadable |= other.unreadable
        self.cells.update(other.cells)


def is_prose(line: Line) -> bool:
    """A sentence of the narrative, not a table row: long or ending a sentence, without
    numbers standing after it as cells."""
    if line.in_table or line.kind == "image":
        return False
    cells = line.cells
    if len(cells) > 1 and is_value_token(cells[-1].text):
        return False
    return _prose_words(line.text)


@per_token  # a line is asked once by each table's reader and by the format's vote
def _prose_words(text: str) -> bool:
    """Words long enough, or a sentence long enough, to be prose."""
    if len(text) > 50 and _PARAGRAPH.match(text):
        return True  # told before it is normalised
    t = normal(text)
    return len(t) > 50 or ("。" in t and len(t) > 15)


# 51 ideographs: a text whose normal form is longer than 50 (NFKC keeps each ideograph as it
# is and joins none of them with a neighbour, so they count a lower bound)
_PARAGRAPH = re.compile(r"(?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){51}")


# -- the stream reader ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    """A row the table may hold: a data row (``keys``), or a heading without numbers."""

    label: str
    keys: KeyPath | None = None
    columns: tuple[Column, ...] = ()
    total: bool = False  # the last column is a 总计 that may be left out

    @cached_property  # read for every row ahead at every label: worked out once a slot
    def short(self) -> bool:
        """A label too generic to be found far from where it is expected (``3.其他``)."""
        return len(core(self.label)) <= 3

    @cached_property  # compared with every numbered label's (一、 on a line of its own)
    def ordinal(self) -> str:
        """The label's numbering in comparable form (:func:`~.words.ordinal_value`), or ""."""
        own, _ = split_ordinal(self.label)
        return ordinal_value(own) if own else ""

    @cached_property
    def core(self) -> str:
        return core(self.label)


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
    reader = _StreamReader(slots, headers)
    for line in lines:
        reader.feed(line)
    return reader.out


class _StreamReader:
    """The walk of :func:`read_stream`: the row found last (``pointer`` into ``slots``, its
    ``current`` hit, which takes the figure lines after it), the label words waiting for the
    rest of their label (``pending``), and what was found (``out``)."""

    def __init__(self, slots: list[Slot], headers: set[str]) -> None:
        self.slots, self.headers = slots, headers
        self.labels = [slot.label for slot in slots]
        self.shorts = [slot.short for slot in slots]
        self.out = Stream()
        self.pointer = -1
        self.current: Hit | None = None
        self.pending: list[str] = []

    def best(self, text: str) -> int | None:
        """The row ahead whose label ``text`` is, if any: the nearest best match."""
        slots, pointer = self.slots, self.pointer
        ordinal, words = split_ordinal(text)
        if ordinal and len(text_core := core(text)) < 2:
            # a label wrapped right after its number (一、 / 本年新收… on the lines below):
            # the nearest row ahead with that number, if the words so far begin its label
            wanted = ordinal_value(ordinal)
            for i in range(pointer + 1, min(len(slots), pointer + 1 + 2 * WINDOW)):
                slot = slots[i]
                if slot.ordinal == wanted and slot.core.startswith(text_core):
                    return i
            return None
        if not words:
            return None  # no words (a bare figure or mark): label_score gives every label 0
        found, top = None, SIMILAR
        labels, shorts = self.labels, self.shorts
        for i in range(pointer + 1, len(labels)):
            if 1.0 - 0.004 * (i - pointer - 1) < top:
                break  # no label scores above 1: no row this far ahead can beat the one found
            short = shorts[i]
            if short and i - pointer - 1 > WINDOW:
                continue  # a generic label this far ahead is not looked for (whatever its score)
            score = label_score(text, labels[i])
            if score < SIMILAR or (short and score < 1.0):
                continue  # (less its distance, below the least score taken)
            score -= 0.004 * (i - pointer - 1)
            if score >= top:
                found, top = i, score
        return found

    def consider(self, text: str, line: Line) -> Hit | None:
        """``text`` as (more of) the current row's label, or as the label of a row ahead."""
        current = self.current
        if current is not None:
            label = self.slots[current.slot].label
            joined = current.text + text
            grows = len(core(joined)) > len(core(current.text))
            if label_score(text, label) >= 0.95 or (
                grows
                and (core(label).startswith(core(joined)) or label_score(joined, label) > max(label_score(current.text, label), 0.85))
            ):
                current.text = current.text if label_score(text, label) >= 0.95 else joined
                return current
        pending = self.pending
        for candidate in ([text] + (["".join(pending) + text] if pending else [])):
            index = self.best(candidate)
            if index is not None:
                self.pointer = index
                self.current = current = Hit(index, candidate, line)
                self.out.hits.append(current)
                self.out.order.append(current)
                self.out.leftover.clear()  # only what follows the last row is left over
                pending.clear()
                return current
        return None

    def feed(self, line: Line) -> None:
        """One line: a picture, prose (passed over), figures alone, or labels with or without figures."""
        if line.kind == "image":
            self.out.images.append(line)
            return
        if is_prose(line):
            return
        cells = list(line.cells)
        if line.kind == "row" and not any(c.text for c in cells):
            return  # an empty row between groups
        labelled = [i for i, c in enumerate(cells) if is_label(c.text)]
        last = labelled[-1] if labelled else -1
        values = cells[last + 1 :] if line.exact else [c for c in cells[last + 1 :] if not is_blank(c.text)]
        has_values = bool(values) and (line.exact or any(not is_blank(c.text) for c in values))
        if line.exact and line.kind == "cell":
            has_values = bool(values)
        if not labelled:
            if has_values:
                self._figures(line, values)
            return
        labels = [cells[i].text for i in labelled]
        if not has_values and _is_header(labels, self.headers, exact=line.exact):
            return
        for text in labels[:-1]:  # group labels before the row's own (三、本年度办理结果 (一)予以公开)
            self.consider(text, line)
        hit = self.consider(labels[-1], line)
        if hit is None:
            if has_values and any(not is_blank(c.text) for c in values):
                self.out.strays.append((labels[-1], line))
                self.current = None
            elif not has_values:
                self.pending[:] = (self.pending + [labels[-1]])[-2:]
            return
        if has_values:
            self._row_figures(hit, labels[-1], line, values)

    def _figures(self, line: Line, values: list[Cell]) -> None:
        """A line of figures without a label: the current row's rest, else left over."""
        current, slots, out = self.current, self.slots, self.out
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

    def _row_figures(self, hit: Hit, label: str, line: Line, values: list[Cell]) -> None:
        """The figures on a row's own line."""
        if hit.closed:
            # a row broken by a page: its rest comes after the repeated header, with
            # empty cells (nothing to take) or with the numbers the first part lacked
            if all(is_blank(c.text) for c in values):
                return
            if all(is_blank(c.text) for c, _ in hit.values):
                hit.values = [(c, line) for c in values]
                return
            self.out.strays.append((label, line))
            return
        hit.values += [(c, line) for c in values]
        if line.exact and line.kind == "row":
            hit.closed = True
        elif self.slots[hit.slot].columns and sum(not is_blank(c.text) for c, _ in hit.values) >= len(self.slots[hit.slot].columns):
            hit.closed = True


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
                assert keys is not None  # a row with figures is a data row
                placed.append((keys, hit))
                where = line.place or line.where
                message = f"原文这一行的文字与数字分开排列（数字在{where}），{how}，且与表中的总计相符，已按其读取，请核对{aside}"
                found.problem(spec, keys, hit.line, message, WARNING)
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
        assert first is not None  # a row with figures is a data row
        found.findings.append(Finding(ERROR, Rule.I, place(spec.id, first).path, message + _at(rows[0].line), rows[0].line.line))
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
    """A row's ``cells`` as one figure per column: aligned to the columns (:func:`_aligned`),
    then read (:func:`_numbers`); None, said in ``found``, when they cannot be aligned.
    ``total``: a last column that agrees with the sum of the others is dropped (computed)."""
    if not cells:
        found.problem(spec, keys, where, "原文这一行没有数字（表格可能在此截断），整行留空，请按原件填写")
        found.unreadable.add(keys)
        return None
    aligned = _aligned(found, spec, keys, where, cells, len(columns))
    if aligned is None:
        found.unreadable.add(keys)
        return None
    values = _numbers(found, spec, keys, where, *aligned, columns, cell_keys)
    if total:
        parts, given = values[:-1], values[-1]
        if None not in parts and given is not None and given == sum(parts):
            values = parts
    return values


def _aligned(found: Found, spec: Spec, keys: KeyPath, where: Line, cells: list[tuple[Cell, Line]], n: int) -> tuple[list[str], list[Cell | None]] | None:
    """The ``n`` texts of a row's cells, each with where it was read; None (the problem said)
    when they cannot be told apart."""
    texts = [c.text for c, _ in cells]
    origins: list[Cell | None] = [_origin(c, line) for c, line in cells]  # beside texts: where each was read
    if all(line.exact for _, line in cells):
        # Surplus blank cells: in a real table the values are the row's last cells (blank
        # cells before them are split merges); in text, trailing tabs are the usual surplus.
        text_source = cells[0][1].line is not None
        for end in ((-1, 0) if text_source else (0, -1)):
            while len(texts) > n and is_blank(texts[end]):
                texts.pop(end)
                origins.pop(end)
        if len(texts) != n:
            present = sum(not is_blank(t) for t in texts)
            found.problem(
                spec, keys, where,
                f"原文只有{len(texts)}个单元格（其中{present}个有数字），应为{n}个，无法确定各列的数，整行留空，请按原件填写"
                if len(texts) < n
                else f"原文有{len(texts)}个数，应为{n}个，无法确定各列，整行留空，请按原件填写",
            )
            return None
        return texts, origins
    origins = [c for c, t in zip(origins, texts) if not is_blank(t)]
    texts = [t for t in texts if not is_blank(t)]
    if len(texts) == n:
        return texts, origins
    by_line: dict[int, list[str]] = {}
    for c, line in cells:
        if not is_blank(c.text):
            by_line.setdefault(id(line), []).append(c.text)
    whole = [row for row in by_line.values() if len(row) == n]
    if len(whole) != 1:
        found.problem(
            spec, keys, where,
            f"原文这一行有{len(texts)}个数，应为{n}个（原文中空白的格子看不出位置），无法确定各列的数，整行留空，请按原件填写",
        )
        return None
    extra = [t for t in texts if t not in whole[0]] or texts[n:]
    found.problem(spec, keys, where, f"原文这一行之外另有“{'、'.join(extra)}”（可能是页码），未计入", WARNING)
    scanned = [line for _, line in cells if line.scanned]
    return whole[0], [_origin(Cell(t), scanned[0]) if scanned else None for t in whole[0]]


def _numbers(found: Found, spec: Spec, keys: KeyPath, where: Line, texts: list[str], origins: list[Cell | None],
             columns: tuple[Column, ...], cell_keys=None) -> list[Any]:
    """Each text read as its column's number (a blank as 0, said), each cell's origin recorded."""
    values: list[Any] = []
    blanks: list[str] = []
    for text, column, origin in zip(texts, columns, origins):
        here = cell_keys(len(values)) if cell_keys else keys + (len(values),)
        if is_blank(text):
            if origin is not None:
                found.cells[here] = (origin, 0)
            values.append(0)
            blanks.append(column.label)
            continue
        read = number(text, column.type, column.unit == WAN)
        if origin is not None:
            found.cells[here] = (origin, read.value)
        if read.value is None:
            found.problem(spec, here, where, f"{read.problem}，留空，请按原件填写")
            found.unreadable.add(here[:-1])
        elif read.converted:
            found.problem(spec, here, where, read.converted, WARNING)
        values.append(read.value)
    if blanks and len(blanks) < len(columns):
        found.problem(spec, keys, where, f"原文{'、'.join(blanks)}为空白，按0计", WARNING)
    elif blanks:
        found.problem(spec, keys, where, "原文整行空白，按0计", WARNING)
    return values


def _origin(cell: Cell, line: Line) -> Cell:
    """Where a figure was read: its cell; a figure OCR read on a line of text (no ruled cell
    around it) stands as a scan's cell whose box is not known, so that it too waits for the
    tables' sums before it counts."""
    if line.scanned and not hasattr(cell, "loose"):
        from .scan import ScanCell

        return ScanCell(cell.text, cell.line, page=line.where, loose=True)
    return cell


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


def _picture(stream: Stream) -> str:
    return stream.images[0].where if stream.images and not stream.hits else ""


def _at(line: Line) -> str:
    return "" if line.line is not None else f"（{line.where}）"
