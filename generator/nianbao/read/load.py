"""Report file → :class:`Report` plus schema findings (rule ``S``) and format findings (``R5``).

Stages: decode the bytes (:mod:`decode`), compose the YAML with lines
(:mod:`yamlfile`), pick the format version from ``year`` and ``format``, fill or flag
omitted rows, then validate with the version's pydantic model and translate every
pydantic error into a Chinese finding that names the cell and its line.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails, ValidationError

from ..findings import ERROR, WARNING, Finding, Rule, has_errors
from ..model import dates
from ..model.places import FORMAT_LABEL, KeyPath, Place, place, places
from ..model.report import Report
from ..model.schema import ABSURD, checked
from ..model.standard import SPECS, Spec, first_year, in_force_since, spec_for_year
from ..model.yamlfile import Parsed, WrittenNumber, copied, parse
from ..system.decode import control_findings, decode, has_controls, scan_controls, without_controls
from ..system.patterns import lazy


@dataclass
class Loaded:
    """What loading a source gave: the report when it is one, every finding, and what names
    it even when it is not (unit, year, last year's file, a workbook's cells)."""

    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # a workbook's: official path → "表三!D5"
    name: str | None = None  # the unit and year as written, even when the report has errors
    year: int | None = None
    previous: Path | None = None  # last year's report, when the file says it was drafted from it

    def locate(self, findings: list[Finding]) -> list[Finding]:
        """Findings with the workbook cell to open (the cell of their path, or of the row)."""
        if not self.cells:
            return findings
        out = []
        for f in findings:
            cell = f.cell
            if cell is None and f.path is not None:
                cell = self.cells.get(f.path) or next((c for p, c in self.cells.items() if p.startswith(f.path + ".")), None)
            out.append(replace(f, cell=cell) if cell != f.cell else f)
        return out


def load_file(path: Path, *, zero_missing: bool = False, today: dt.date | None = None) -> Loaded:
    """Read a report file.  A missing file raises ``FileNotFoundError`` (the caller's
    business: it is a command-line mistake, exit 2, not a finding)."""
    return load_bytes(Path(path).read_bytes(), source=Path(path), zero_missing=zero_missing, today=today)


MAX_REPORT_BYTES = 5 * 1024 * 1024  # a report file is some tens of KB, a long one 200 KB


def load_bytes(data: bytes, *, source: Path | None = None, zero_missing: bool = False, today: dt.date | None = None) -> Loaded:
    if len(data) > MAX_REPORT_BYTES:
        return Loaded(None, [Finding(ERROR, Rule.S, None, f"文件过大（{len(data) / 1024 / 1024:.0f} MB）：报告文件一般只有几十 KB，这不像报告文件，未读取")])
    decoded = decode(data)
    if decoded.text is None:
        return Loaded(None, decoded.findings)
    return load_text(decoded.text, source=source, zero_missing=zero_missing, today=today)


def load_text(
    text: str,
    *,
    source: Path | None = None,
    zero_missing: bool = False,
    today: dt.date | None = None,
    parsed: Parsed | None = None,
) -> Loaded:
    """``parsed``: :func:`yamlfile.parse` of ``text`` when the caller has it already (the site
    reads each version it checks once); it is copied, never changed."""
    cleaned, findings = scan_controls(text)
    if parsed is not None and cleaned is text:
        parsed = copied(parsed)
    else:
        parsed = parse(cleaned)
    text = cleaned
    findings += parsed.findings
    if parsed.data is None:
        return Loaded(None, findings)
    # the text holds no control character now: a value can hold one only by an escape ("\x1b")
    loaded = validate(parsed, source=source, zero_missing=zero_missing, today=today, findings=findings, escapes="\\" in text)
    loaded.previous = based_on(text, source)
    return loaded


PROVENANCE = "上一年度报告："  # the comment by which next and new --from say what a draft was made from
_PROVENANCE = lazy(rf"^#\s*{PROVENANCE}\s*(.+?)\s*$", re.M)


def provenance(previous: Path, new: Path) -> str:
    """The comment line naming ``previous`` relative to where ``new`` is written."""
    try:
        shown = Path(os.path.relpath(Path(previous).resolve(), Path(new).resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows
        shown = Path(previous).resolve().as_posix()
    return f"# {PROVENANCE}{shown}"


def with_provenance(text: str, previous: Path, new: Path) -> str:
    """``text`` saying, in its first line, that it was drafted from ``previous``."""
    return provenance(previous, new) + "\n" + _PROVENANCE.sub("", text).lstrip("\n")


def based_on(text: str, source: Path | None) -> Path | None:
    """The previous year's report a file says it was drafted from (None if it says none)."""
    head = text[:4000]
    if PROVENANCE not in head:  # the usual file: no search of each line's start
        return None
    match = _PROVENANCE.search(head)
    if match is None:
        return None
    path = Path(match.group(1))
    return path if path.is_absolute() or source is None else Path(source).parent / path


def validate(
    parsed: Parsed,
    *,
    source: Path | None = None,
    zero_missing: bool = False,
    today: dt.date | None = None,
    findings: list[Finding] | None = None,
    escapes: bool = True,
) -> Loaded:
    """Plain data with lines → Report.  Also the entry point for the importer and the
    wizard, which produce the same plain data without a YAML file.  ``escapes=False``: the
    data is a YAML text's without a backslash, whose control characters :func:`load_text`
    has taken out — no value can hold one, and the values are not searched for them."""
    findings = list(findings or [])
    data = parsed.data
    loaded = _validate(data, parsed, source, zero_missing, today, findings, escapes)
    unit = data.get("unit") if isinstance(data, dict) else None
    name = unit.get("name") if isinstance(unit, dict) else None
    year = data.get("year") if isinstance(data, dict) else None
    name = without_controls(name).strip() if isinstance(name, str) else None  # it may name output files
    loaded.name = name or None
    loaded.year = year if isinstance(year, int) and not isinstance(year, bool) else None
    return loaded


def _validate(data: dict, parsed: Parsed, source: Path | None, zero_missing: bool, today: dt.date | None, findings: list[Finding],
              escapes: bool) -> Loaded:
    spec, version_findings = _choose_spec(data, parsed, today or dt.date.today())
    findings += version_findings
    if spec is None:
        return Loaded(None, findings)

    if escapes:
        findings += _scrub(spec, data, parsed)
    findings += _unit_name(spec, data, parsed)
    omitted = _fill_omitted(spec, data, parsed, zero_missing)
    findings += omitted
    _texts_as_written(spec, data, parsed)
    try:
        model, bounded = checked(spec.id, data)
    except ValidationError as exc:
        findings += _translate(spec, exc, data, parsed)
        errors = [(e["type"], _data_path(data, e["loc"])) for e in exc.errors()]
        return Loaded(None, findings + _around_unreadable(spec, data, parsed, source, findings, errors, omitted))
    if has_errors(f for f in findings if f.rule == Rule.S):
        return Loaded(None, findings + _around_unreadable(spec, data, parsed, source, findings, [], omitted))
    if not bounded:  # a figure beyond the bound is one the strict schema refused
        findings += _absurd(spec, model, parsed)
    return Loaded(Report(spec, model, source, dict(parsed.lines)), findings)


def _around_unreadable(spec: Spec, data: dict, parsed: Parsed, source: Path | None, findings: list[Finding],
                       errors: list[tuple[str, KeyPath]], omitted: list[Finding]) -> list[Finding]:
    """The table rules that can run although the report cannot be built: a cell written
    ``25件`` must not hide, until it is corrected, that another column does not balance."""
    from ..check.unreadable import table_rules

    left_out = {f.path for f in omitted if f.path is not None}  # rows the file does not have: 没有填写, not 无法读取
    return table_rules(spec, data, errors, findings, source=source, lines=dict(parsed.lines), left_out=left_out)


def _absurd(spec: Spec, data: Any, parsed: Parsed, keys: KeyPath = ()) -> list[Finding]:
    """A warning for every figure of the tables and fees beyond :data:`ABSURD`: legal to
    write, but never true of one unit's year, so most likely digits typed twice."""
    findings: list[Finding] = []
    items: Iterable[tuple[Any, Any]] = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, (list, tuple)) else ()
    for key, value in items:
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            if not -ABSURD <= value <= ABSURD and (keys or key != "year"):
                here = keys + (key,)
                where = place(spec.id, here)
                findings.append(Finding(WARNING, Rule.S, where.path, f"{where.label}：填写的是 {value}，超过一亿，请核对是否多写了数字", parsed.line(here)))
        elif isinstance(value, (dict, list, tuple)) and (keys or key != "year"):  # only what holds values is walked (a load walks every value)
            findings += _absurd(spec, value, parsed, keys + (key,))
    return findings


# -- the format version ------------------------------------------------------------------
def _choose_spec(data: dict, parsed: Parsed, today: dt.date) -> tuple[Spec | None, list[Finding]]:
    year_place = place("v2021", ("year",))
    if "year" not in data:
        return None, [Finding(ERROR, Rule.S, year_place.path, "缺少报告年度：请在文件开头写 year: 2023 这样的一行", 1)]
    year = data["year"]
    line = parsed.lines.get(("year",))
    if isinstance(year, bool) or not isinstance(year, int):
        written = f"，请写成 {year.value}" if isinstance(year, WrittenNumber) and year.value is not None else ""
        return None, [Finding(ERROR, Rule.S, year_place.path, f"报告年度应为四位数年份，例如 2023，这里是“{parsed.raw.get(('year',), year)}”{written}", line)]
    impossible = dates.impossible_year(year, today)
    if impossible:
        return None, [Finding(ERROR, Rule.S, year_place.path, impossible, line)]
    if year < first_year():
        return None, [
            Finding(
                ERROR,
                Rule.R5,
                year_place.path,
                f"不支持{year}年度的报告：政府信息公开工作{in_force_since()}（国办公开办函〔2019〕60号）",
                line,
            )
        ]
    findings: list[Finding] = []
    if year >= today.year:
        findings.append(Finding(WARNING, Rule.R5, year_place.path, f"报告年度{year}年尚未结束：年度报告应在年度结束后编制", line))
    expected = spec_for_year(year)
    assert expected is not None
    declared = data.get("format")
    if declared is None:
        return expected, findings
    format_line = parsed.lines.get(("format",))
    format_path = FORMAT_LABEL
    if declared not in SPECS:
        choices = "、".join(SPECS)
        findings.append(Finding(ERROR, Rule.S, format_path, f"格式版本应为 {choices} 之一（也可省略，按年度确定），这里是“{declared}”", format_line))
        data.pop("format")
        return expected, findings
    if declared != expected.id:
        chosen = SPECS[declared]
        findings.append(
            Finding(
                ERROR,
                Rule.R5,
                format_path,
                f"{year}年度的报告应使用{expected.name}（{expected.id}，{expected.source}），"
                f"文件写的是{chosen.name}（{chosen.id}）"
                + ("，属于使用旧版格式" if chosen.first_year < expected.first_year else ""),
                format_line,
            )
        )
        return chosen, findings
    return expected, findings


# -- rows left out ------------------------------------------------------------------------
def _fill_omitted(spec: Spec, data: dict, parsed: Parsed, zero_missing: bool) -> list[Finding]:
    """Every table row must be written out; ``--zero-missing`` counts omitted ones as zero."""
    findings: list[Finding] = []
    level = WARNING if zero_missing else ERROR
    advice = "，已按0计" if zero_missing else "；没有的请填 0（或用 --zero-missing 按0计）"
    index = places(spec.id)
    for keys, where in _table_places(spec.id):
        parent = _lookup(data, keys[:-1])
        if not isinstance(parent, dict):
            continue  # the whole table is missing or malformed: the model says so
        value = parent.get(keys[-1], _ABSENT)
        if where.kind == "mapping" and isinstance(value, list):
            line = parsed.lines.get(keys)
            items = "、".join(index[keys + (child,)].label[len(where.label):].strip() for child in where.children)
            findings.append(
                Finding(level, Rule.S, where.path, f"“{where.label}”应逐项填写（{items}），不能只写一行{advice}", line)
            )
            parent[keys[-1]] = {child: zeros(index[keys + (child,)]) for child in where.children}
            continue
        if value is _ABSENT:
            if keys[-1] == "total" or where.kind == "mapping":
                if where.kind == "mapping":
                    parent[keys[-1]] = {}
                continue
            line = parsed.line(keys)
            findings.append(Finding(level, Rule.S, where.path, f"缺少“{where.label}”这一行{advice}", line))
            parent[keys[-1]] = zeros(where)
    return findings


_ABSENT = object()


@cache
def _table_places(spec_id: str) -> tuple[tuple[KeyPath, Place], ...]:
    """The rows, groups and cells of a spec's tables that a file must write out, in order:
    chosen once per spec, not at every load."""
    return tuple(
        (keys, where)
        for keys, where in places(spec_id).items()
        if len(keys) >= 2 and keys[0] in ("proactive", "applications", "appeals") and where.kind in ("row", "mapping", "cell") and not isinstance(keys[-1], int)
    )


@cache
def _text_places(spec_id: str) -> tuple[KeyPath, ...]:
    """The keys of a spec's texts (where a number typed without quotes stays the text typed)."""
    return tuple(keys for keys, where in places(spec_id).items() if where.kind == "text")


def zeros(where: Place) -> Any:
    """A row (or cell) of zeros in the shape the report file writes it, 总计 left out."""
    if where.kind == "cell":
        return 0
    count = len(where.columns) - (1 if where.optional_last else 0)
    return [0] * count


def _lookup(data: Any, keys: KeyPath) -> Any:
    node = data
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return _ABSENT
    return node


_NOT_IN_A_NAME = lazy(r'[/\\:*?"<>|]')  # what a file name may not hold (and a unit's name hardly ever does)
_LOOK_ALIKE = lazy("[\u2e80-\u2fdf\uf900-\ufaff\ufb00-\ufb4f\U0002f800-\U0002fa1f]")  # radicals, compatibility forms


def _chinese(text: str) -> bool:
    """Whether ``text`` holds a Chinese character (U+3400–9FFF).  Not a regex: compiling a class
    of 27 000 characters costs Python's re a loop over each of them, 2–3 ms of every start."""
    return any("\u3400" <= char <= "\u9fff" for char in text)


def _unit_name(spec: Spec, data: Any, parsed: Parsed) -> list[Finding]:
    """The unit's name is printed in the title, names the output files and is matched
    against the county's list and last year's report: a name pasted in look-alike
    characters (⻘山镇人⺠政府 from a browser-printed PDF) matches none of them although it
    reads the same, and path characters or a name without Chinese are not a unit's."""
    keys = ("unit", "name")
    name = _lookup(data, keys)
    if not isinstance(name, str) or not name.strip():
        return []
    where, line = place(spec.id, keys), parsed.line(keys)
    path = where.path
    found = []
    plain = name
    if _LOOK_ALIKE.search(name):  # the importer's table, loaded only when it is needed (start-up)
        from .importer.glyphs import characters

        plain = characters(name)
    if plain != name:
        odd = "、".join(sorted({c for c, d in zip(name, plain) if c != d})) if len(plain) == len(name) else ""
        shown = f"（{odd}）" if odd else ""
        found.append(Finding(ERROR, Rule.S, path, f"机关名称“{name}”中有部首或兼容字形{shown}，看起来与“{plain}”相同，但与名单和往年报告对不上，也无法被检索：请改为“{plain}”", line))
    symbols = sorted(set(_NOT_IN_A_NAME.findall(name)))
    if symbols:
        found.append(Finding(WARNING, Rule.S, path, f"机关名称“{name}”中有“{'”“'.join(symbols)}”，这些符号不能用在文件名中，生成的文件名中改为“_”：请核对机关名称", line))
    elif not _chinese(name):
        found.append(Finding(WARNING, Rule.S, path, f"机关名称“{name}”中没有汉字，请核对是否填写了机关的全称", line))
    return found


def _scrub(spec: Spec, data: Any, parsed: Parsed, keys: KeyPath = ()) -> list[Finding]:
    """Every text of the file under the one rule for control characters (:mod:`decode`):
    what YAML escapes (``"\\v"``, ``"\\x1b"``, ``"\\uFFFE"``) let through is caught here."""
    findings: list[Finding] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(value, str):
            if not has_controls(value):
                continue  # the usual text: nothing to tell, no place to look up
            here = keys + (key,)
            where = place(spec.id, here)
            clean, found = control_findings(value, where.path, parsed.line(here), where.label)
            if found:
                data[key] = clean
                findings += found
        elif isinstance(value, (dict, list)):  # a figure holds no text: only what holds values is walked
            findings += _scrub(spec, value, parsed, keys + (key,))
    return findings


def _texts_as_written(spec: Spec, data: dict, parsed: Parsed) -> None:
    """A phone number or postcode typed without quotes is taken as the text typed."""
    for keys in _text_places(spec.id):
        parent = _lookup(data, keys[:-1])
        if isinstance(parent, dict) and keys[-1] in parent and keys in parsed.raw:
            value = parent[keys[-1]]
            if isinstance(value, (int, float, Decimal)):
                parent[keys[-1]] = parsed.raw[keys]


# -- pydantic errors → findings ---------------------------------------------------------------
def _data_path(data: Any, loc: tuple) -> KeyPath:
    """The report-file keys in ``loc``, without pydantic's union and validator tags."""
    keys: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            keys.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            keys.append(part)
            node = node[part] if part < len(node) else None
        elif isinstance(node, dict) and isinstance(part, str) and part.islower():
            keys.append(part)  # a missing key
            node = None
    return tuple(keys)


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return f"一组{len(value)}个数"
    if isinstance(value, dict):
        return "分项（键: 值）"
    if value is None:
        return "空白"
    return f"“{value}”"


def _translate(spec: Spec, exc: ValidationError, data: dict, parsed: Parsed) -> list[Finding]:
    index = places(spec.id)
    errors = [(e, _data_path(data, e["loc"])) for e in exc.errors()]
    # a union (v2019 overview: text or subsections) reports each member; keep the deepest
    deepest = {keys for _, keys in errors}
    findings: list[Finding] = []
    seen: set[tuple[KeyPath, str]] = set()
    for error, keys in errors:
        if any(other != keys and other[: len(keys)] == keys for other in deepest) and error["type"] != "extra_forbidden":
            continue
        message = _message(spec, error, keys, data, index)
        if (keys, message) in seen:
            continue
        seen.add((keys, message))
        findings.append(Finding(ERROR, Rule.S, place(spec.id, keys).path if keys else None, message, parsed.line(keys)))
    return findings


def _message(spec: Spec, error: ErrorDetails, keys: KeyPath, data: dict, index: dict[KeyPath, Place]) -> str:
    kind = error["type"]
    where = place(spec.id, keys)
    value = _lookup(data, keys)
    if kind == "nianbao":
        return f"{where.label}：{error['msg']}".replace("{example}", dates.example(data.get("year") if isinstance(data.get("year"), int) else None))
    if kind == "extra_forbidden":
        parent = place(spec.id, keys[:-1])
        key = keys[-1]
        known = [k for k in parent.children]
        import difflib

        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
        if close:
            target = index.get(keys[:-1] + (close[0],))
            label = f"（{target.label}）" if target else ""
            return f"{parent.label}：未知的键“{key}”，是否应为“{close[0]}”{label}？"
        options = "、".join(known)
        return f"{parent.label}：未知的键“{key}”；这里可用的键有：{options}"
    if kind == "missing":
        if isinstance(keys[-1], int) and where.kind == "row":
            return f"{where.label}：应为{where.shape}，这里只有{len(value) if isinstance(value, list) else 0}个"
        target = index.get(keys, where)
        return f"缺少{target.label}（{'.'.join(str(k) for k in keys)}）"
    if kind in ("too_short", "too_long") and where.kind == "row":
        count = len(value) if isinstance(value, list) else 0
        return f"{where.label}：应为{where.shape}，这里有{count}个"
    if kind in ("list_type", "tuple_type") and where.kind == "row" and value is None:
        return f"{where.label}：没有填写，应为{where.shape}"
    if kind in ("list_type", "tuple_type") and where.kind == "row":
        return f"{where.label}：应为一组数 [ … ]，即{where.shape}，这里是{_describe(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if where.kind == "mapping":
            children = "、".join(where.children)
            return f"{where.label}：应分项填写（{children}），这里是{_describe(value)}"
    if kind == "string_type":
        return f"{where.label}：应为文字，这里是{_describe(value)}"
    if kind == "literal_error":
        return f"{where.label}：应为 {spec.id}，这里是{_describe(value)}"
    return f"{where.label}：填写不正确（这里是{_describe(value)}）"
