"""Writes a report file: YAML in the spec's order with the official label beside every key.

Used by ``init`` (a blank to fill in) and by everything else that produces a report
file, so that a clerk always gets the same commented layout and can fill it in without
knowing the English key names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..model import dates
from ..model.places import FEES_LABEL, FORMAT_LABEL, UNIT_LABEL, YEAR_LABEL
from ..model.standard import Field, Line3, Spec
from ..model.standard.common import PREAMBLE
from ..model.yamlfile import parse
from .textgrid import width

COMMENT_COLUMN = 44


def scalar(value: Any) -> str:
    """One YAML scalar, written so that it reads back as exactly the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and _reads_back(text):
        return text
    return json.dumps(text, ensure_ascii=False)


_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#\[\]{},\n\"']*")


READ_BACK_CACHED = 200  # characters: a unit's name, a date typed as text, a cell's figure; longer ones are rare


def _reads_back(text: str) -> bool:
    """True when ``text`` written unquoted is read back as the same string.  The same short
    strings (names, offices, phone numbers) are written with every save on the site:
    their answer is remembered, in a bounded cache keyed by the string itself."""
    if len(text) <= READ_BACK_CACHED:
        return _reads_back_cached(text)
    return _reads_back_parsed(text)


@lru_cache(maxsize=4096)
def _reads_back_cached(text: str) -> bool:
    return _reads_back_parsed(text)


def _reads_back_parsed(text: str) -> bool:
    parsed = parse(f"k: {text}")
    return not parsed.findings and parsed.data == {"k": text} and text == text.strip()


class _Writer:
    """The lines of a report file; ``at``/``raw`` (when given) get the line and the scalar text
    of every value written, keyed as :func:`nianbao.model.yamlfile.parse` keys them, so that a
    caller holding the data need not read the text it just wrote (the site's save)."""

    def __init__(self, notes: dict[tuple, str], at: dict[tuple, int | None] | None = None, raw: dict[tuple, str] | None = None) -> None:
        self.lines: list[str] = []
        self.notes = notes
        self.at = at
        self.raw = raw

    def note(self, indent: int, keys: tuple) -> None:
        """The notes on ``keys`` and on its cells (keys followed by a column index)."""
        for where, text in self.notes.items():
            if where[: len(keys)] == keys and all(isinstance(k, int) for k in where[len(keys) :]):
                self.comment(indent, text)

    def comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + "# " + text)

    def entry(self, indent: int, key: str, value: str | None, label: str, keys: tuple = ()) -> None:
        if self.at is not None and keys:
            self.at[keys] = len(self.lines) + 1
        head = " " * indent + f"{key}:" + (f" {value}" if value is not None else "")
        pad = max(COMMENT_COLUMN - width(head), 2)
        self.lines.append(head + " " * pad + "# " + label if label else head)

    def _raw(self, keys: tuple, value: Any, written: str) -> None:
        if self.raw is not None and keys:
            self.raw[keys] = value if isinstance(value, str) else written

    def text(self, indent: int, key: str, value: Any, label: str, keys: tuple = ()) -> None:
        if isinstance(value, str) and "\n" in value.strip("\n"):
            body = value.strip("\n")
            hint = "2" if body[:1] in (" ", "\t") else ""
            self.entry(indent, key, f"|{hint}-", label, keys)
            self._raw(keys, body, body)
            for line in body.split("\n"):
                self.lines.append((" " * (indent + 2) + line) if line else "")
        else:
            value = value.strip() if isinstance(value, str) else value
            written = scalar(value)
            self.entry(indent, key, written, label, keys)
            self._raw(keys, value, written)

    def row(self, indent: int, key: str, values: Any, label: str, keys: tuple = ()) -> None:
        if isinstance(values, (list, tuple)):
            written = [scalar(v) for v in values]
            self.entry(indent, key, "[" + ", ".join(written) + "]", label, keys)
            if self.at is not None and keys:
                for i in range(len(values)):
                    self.at[keys + (i,)] = len(self.lines)
                    self._raw(keys + (i,), values[i], written[i])
        else:
            one = scalar(values)
            self.entry(indent, key, one, label, keys)
            self._raw(keys, values, one)


def unit_comment(f: Field, year: int | None) -> str:
    """The comment beside a unit fact: its label, its note and, for the date, how to write it
    and the window it must fall in (:func:`dates.hint`)."""
    note = "，".join(filter(None, (f.note, dates.hint(year) if f.type == "date" else "")))
    return f.label + (f"（{note}）" if note else "")


FILL_IN = "填写说明：数字直接写，没有的填 0；文字写在键后面，多段文字用 | 后换行缩进。"


def guide(title: str, file_name: str, how: str = FILL_IN) -> str:
    """The comment a report file opens with: what it is, how to fill it, what to run next."""
    return f"{title}\n{how}\n写好后运行：nianbao check {file_name}"


def reheaded(text: str, header: str) -> str:
    """``text`` with its opening comment block replaced by ``header`` — a draft made from last
    year's file must not open with last year's title and file name."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    return "\n".join([f"# {line}" for line in header.splitlines()] + lines[start:])


def dump(spec: Spec, data: dict[str, Any], *, header: str | None = None, notes: dict[tuple, str] | None = None,
         at: dict[tuple, int | None] | None = None, raw: dict[tuple, str] | None = None) -> str:
    """``data`` — plain values keyed as in docs/报告文件.md — as a commented report file.
    ``notes``: comments written above a key (the importer says there what it could not read).
    ``at`` and ``raw``, when given, are filled with what reading the text back would give as its
    lines and scalar texts (:class:`nianbao.model.yamlfile.Parsed`)."""
    w = _Writer(notes or {}, at, raw)
    for section in (_head, _overview, _table2, _table3, _table4, _closing):  # in the order of the report
        section(w, spec, data, header)
    return "\n".join(w.lines) + "\n"


def _head(w: _Writer, spec: Spec, data: dict[str, Any], header: str | None) -> None:
    """The header comment, year, format, the unit and the preamble."""
    if header:
        for line in header.splitlines():
            w.comment(0, line)
    w.entry(0, "year", scalar(data.get("year")), YEAR_LABEL, ("year",))
    w._raw(("year",), data.get("year"), scalar(data.get("year")))
    if w.at is not None:
        w.at[()] = w.at[("year",)]
    w.entry(0, "format", scalar(data.get("format", spec.id)), f"{FORMAT_LABEL}：{spec.name}（{spec.source}）", ("format",))
    w._raw(("format",), data.get("format", spec.id), scalar(data.get("format", spec.id)))

    w.entry(0, "unit", None, UNIT_LABEL, ("unit",))
    unit = data.get("unit") or {}
    year = data.get("year") if isinstance(data.get("year"), int) else None
    for f in spec.unit:
        w.text(2, f.key, unit.get(f.key), unit_comment(f, year), ("unit", f.key))
    w.text(0, PREAMBLE.key, data.get(PREAMBLE.key), f"{PREAMBLE.label}（{PREAMBLE.note}）", (PREAMBLE.key,))


def _overview(w: _Writer, spec: Spec, data: dict[str, Any], header: str | None) -> None:
    """Section 一, one text or its subsections."""
    overview_section = spec.section("overview")
    overview = data.get("overview")
    if isinstance(overview, str):
        w.text(0, "overview", overview, overview_section.heading, ("overview",))
    else:
        w.entry(0, "overview", None, f"{overview_section.heading}：{overview_section.note}", ("overview",))
        overview = overview or {}
        for f in overview_section.subsections:
            w.note(2, ("overview", f.key))
            w.text(2, f.key, overview.get(f.key), f.label + (f"（{f.note}）" if f.note else ""), ("overview", f.key))


def _table2(w: _Writer, spec: Spec, data: dict[str, Any], header: str | None) -> None:
    """Table 二, group by group."""
    proactive = data.get("proactive") or {}
    w.entry(0, "proactive", None, spec.section("proactive").heading, ("proactive",))
    for group in spec.table2:
        w.comment(2, f"{group.article}：" + "、".join(c.label for c in group.columns))
        for item in group.items:
            w.note(2, ("proactive", item.key))
            w.row(2, item.key, proactive.get(item.key), item.label, ("proactive", item.key))


def _table3(w: _Writer, spec: Spec, data: dict[str, Any], header: str | None) -> None:
    """Table 三, its lines nested as the spec nests them (a （七）总计 not written is a comment)."""
    t3 = spec.table3
    w.entry(0, "applications", None, spec.section("applications").heading, ("applications",))
    w.comment(2, "每行6个数：" + "、".join(c.label for c in t3.columns) + f"；可加第7个数“{t3.total.label}”（填写时核对）")
    applications = data.get("applications") or {}

    def lines(nodes, values: dict, indent: int, keys: tuple) -> None:
        for line in nodes:
            if line.key is None:
                w.comment(indent, line.label)
                lines(line.children, values, indent, keys)
                continue
            w.note(indent, keys + (line.key,))
            if line.is_group:
                w.entry(indent, line.key, None, line.label, keys + (line.key,))
                lines(line.children, values.get(line.key) or {}, indent + 2, keys + (line.key,))
            elif line.total and values.get(line.key) is None:
                # the key as a clerk would write it, but no figures: a row of zeros here read as "the total is 0"
                w.comment(indent, f"{line.key}:   {line.label}：此处未写出（不是0），{line.note}；要写出时写成 {line.key}: [{len(t3.columns)}个数]")
            else:
                w.row(indent, line.key, values.get(line.key), line.label, keys + (line.key,))

    lines(t3.lines, applications, 2, ("applications",))


def _table4(w: _Writer, spec: Spec, data: dict[str, Any], header: str | None) -> None:
    """Table 四, a row a group."""
    t4 = spec.table4
    w.entry(0, "appeals", None, spec.section("appeals").heading, ("appeals",))
    w.comment(2, "每行4个数：" + "、".join(c.label for c in t4.columns) + f"；可加第5个数“{t4.total.label}”")
    appeals = data.get("appeals") or {}
    w.note(2, ("appeals",))
    for g in t4.groups:
        w.note(2, ("appeals", g.key))
        w.row(2, g.key, appeals.get(g.key), f"{g.parent}·{g.label}" if g.parent else g.label, ("appeals", g.key))


def _closing(w: _Writer, spec: Spec, data: dict[str, Any], header: str | None) -> None:
    """Sections 五 and 六, with the processing fees (v2021) between them."""
    problems = spec.section("problems")
    w.text(0, "problems", data.get("problems"), f"{problems.heading}：{problems.note}", ("problems",))
    other = spec.section("other_matters")
    if spec.fees:
        fees = data.get("processing_fees")
        label = f"{other.heading[:2]}{FEES_LABEL}（单位：元）"
        if fees is None and "processing_fees" in data:  # not stated as figures (an imported report)
            w.entry(0, "processing_fees", "null", f"{label}：" + "、".join(f.key for f in spec.fees), ("processing_fees",))
            w._raw(("processing_fees",), None, "null")
        else:
            w.entry(0, "processing_fees", None, label, ("processing_fees",))
            for f in spec.fees:
                w.row(2, f.key, (fees or {}).get(f.key), f.label, ("processing_fees", f.key))
    w.text(0, "other_matters", data.get("other_matters"), f"{other.heading}：{other.note}", ("other_matters",))


def table3_rows(spec: Spec, row_of: Callable[[Line3], list[Any]]) -> dict[str, Any]:
    """Table 三 nested as the report file holds it, every typed row (not （七）总计) from ``row_of``."""

    def lines(nodes) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for line in nodes:
            if line.key is None:
                out.update(lines(line.children))
            elif line.is_group:
                out[line.key] = lines(line.children)
            elif not line.total:
                out[line.key] = row_of(line)
        return out

    return lines(spec.table3.lines)


def blank(spec: Spec, year: int, unit_name: str | None) -> dict[str, Any]:
    """The data of a report to fill in: zeros in every table, placeholders for the unit, no
    date (its comment says which to write: a date filled in for the clerk would be published
    although nobody chose it)."""
    width = len(spec.table3.columns)

    proactive: dict[str, Any] = {}
    for group in spec.table2:
        for item in group.items:
            zeros = [0] * len(group.columns)
            proactive[item.key] = zeros[0] if group.scalar else zeros
    return {
        "year": year,
        "format": spec.id,
        "unit": {"name": unit_name or "某某镇人民政府", "date": None},
        "overview": {},
        "proactive": proactive,
        "applications": table3_rows(spec, lambda line: [0] * width),
        "appeals": {g.key: [0] * len(spec.table4.columns) for g in spec.table4.groups},
        "processing_fees": {f.key: 0 for f in spec.fees},
        "problems": None,
        "other_matters": None,
    }
