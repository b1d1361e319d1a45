"""The unit's report on the site: report text ↔ what the form shows, and its findings.

A report version on the site *is* a report file (the YAML ``check``, ``render`` and
``batch`` read), written the way :func:`nianbao.render.reportfile.dump` writes one.  What a
clerk types in a number cell is read the way the YAML reader reads a plain scalar
(:func:`nianbao.model.yamlfile.number_text`), so ``１２``, ``12件`` or ``1,200`` typed in the
browser give exactly the findings the same text gives in a file; the findings are those of
``check`` (load + rules), X1–X5 against last year's report on the site and rule P's
readiness for publishing.  Nothing here knows a rule or a label: they come from the spec,
the places index, the loader, the checks and the renderers the command line uses.

No web framework and no database here: the routes (:mod:`.unit`) and the store call these.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import NianbaoError
from ..findings import ERROR, WARNING, Finding, sort_findings
from ..model import dates
from ..model.places import KeyPath, place, places, put
from ..model.standard import SPECS, Spec, spec_for_year
from ..model.standard.common import PREAMBLE
from ..model.yamlfile import Parsed, parse, tree_copy
from ..model.yamlfile import number_text as _number_text
from ..render import reportfile
from ..render.grid import number

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a published report with its pictures stays far below; a workbook some tens of KB
SUMMARY_LINES = 12  # changes listed for one save, then "另有N处"
SUMMARY_VALUE = 24  # characters of a value shown in a summary line


class EditorError(NianbaoError):
    """A report text or an upload the editor cannot work with; the message says why, in Chinese.
    ``field``: the form's name of the value at fault, when one is (the page stops sending it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- key paths as the browser names them ---------------------------------------------------------------
def key_name(keys: KeyPath) -> str:
    """``("applications", "new", 0)`` → ``"applications.new.0"``: the form's name of a cell."""
    return ".".join(str(k) for k in keys)


def key_path(name: str) -> KeyPath:
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


# -- which spec a text follows ------------------------------------------------------------------------
def spec_of(data: Any) -> Spec | None:
    """The format a report's data follows: its ``format`` when known, else its year's (the
    loader decides the same way and says when they disagree)."""
    if not isinstance(data, dict):
        return None
    declared = data.get("format")
    if isinstance(declared, str) and declared in SPECS:
        return SPECS[declared]
    year = data.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        return spec_for_year(year)
    return None


@dataclass(frozen=True)
class Field:
    """One input of the form: its key path, official path, kind and hint."""

    keys: KeyPath
    path: str  # official path, as findings carry it (matches a finding to its input)
    kind: str  # "number", "total" (computed unless the file gives it), "text", "date", "narrative"
    hint: str = ""
    label: str = ""  # as messages name it (places.label): 表三 一、本年新收 · 自然人


def fields(spec: Spec, overview_text: bool = False, year: int | None = None) -> list[Field]:
    """Every input of a report in ``spec``, in the order of the report file; ``overview_text``:
    a v2019 report whose 一、总体情况 is one text rather than five subsections."""
    if SPECS.get(spec.id) is spec:  # the formats nianbao knows: worked out once (a save asks four times)
        return list(_fields(spec.id, overview_text, year))
    return _fields_of(spec, overview_text, year)


@lru_cache(maxsize=64)
def _fields(spec_id: str, overview_text: bool, year: int | None) -> tuple[Field, ...]:
    return tuple(_fields_of(SPECS[spec_id], overview_text, year))


@lru_cache(maxsize=16)
def _known(spec_id: str, overview_text: bool) -> dict[str, Field]:
    """The inputs by their form name (read only: shared by every save)."""
    return {key_name(f.keys): f for f in _fields(spec_id, overview_text, None)}


def _fields_of(spec: Spec, overview_text: bool, year: int | None) -> list[Field]:
    out: list[Field] = []
    index = places(spec.id)
    year_example = dates.hint(year)

    def at(keys: KeyPath, kind: str, hint: str = "") -> Field:
        return Field(keys, index[keys].path, kind, hint, index[keys].label)

    for f in spec.unit:
        kind = "date" if f.type == "date" else "text"
        hint = "，".join(filter(None, (f.note, year_example if kind == "date" else "")))
        out.append(at(("unit", f.key), kind, hint))
    out.append(at((PREAMBLE.key,), "narrative", "留空则按机关信息自动生成"))
    overview = spec.section("overview")
    if overview_text:
        out.append(Field(("overview",), overview.heading, "narrative", overview.note, overview.heading))
    else:
        for f in overview.subsections:
            out.append(at(("overview", f.key), "narrative", f.note))
    for group in spec.table2:
        for item in group.items:
            keys = ("proactive", item.key)
            cells = [keys] if group.scalar else [keys + (i,) for i in range(len(group.columns))]
            out += [at(k, "number") for k in cells]
    t3 = spec.table3
    width = len(t3.columns)
    for line in t3.data_lines():
        keys = ("applications", *t3.keypath(line))
        for c in range(width + 1):
            total = line.total or c == width
            out.append(at(keys + (c,), "total" if total else "number"))
    for g in spec.table4.groups:
        keys = ("appeals", g.key)
        for c in range(len(spec.table4.all_columns)):
            out.append(at(keys + (c,), "total" if c == len(spec.table4.columns) else "number"))
    out.append(at(("problems",), "narrative", spec.section("problems").note))
    for f in spec.fees:
        out.append(at(("processing_fees", f.key), "number"))
    out.append(at(("other_matters",), "narrative", spec.section("other_matters").note))
    return out


# -- reading and writing the text ---------------------------------------------------------------------
@dataclass
class _Text:
    spec: Spec
    data: dict
    header: str | None
    notes: dict[KeyPath, str]


def _read(text: str) -> _Text:
    """:func:`_parsed`, a copy the caller may change."""
    t = _parsed(text)
    return _Text(t.spec, tree_copy(t.data), t.header, dict(t.notes))


@lru_cache(maxsize=64)
def _parse(text: str) -> Parsed:
    """The YAML of ``text``, read once for all this module does with it (shown, changed,
    checked); never changed (:func:`_read` and the loader copy it)."""
    return parse(text)


# Versions whose reading (≈30 KB for a report of 8 KB) and values are kept: the version a unit saved
# last is where its next save starts.  Twice the units a county has, for a save that misses reads two
# texts and an LRU cache smaller than twice a round of the units misses every time.
SAVED_KEPT = 1024


@lru_cache(maxsize=SAVED_KEPT)
def _parsed(text: str) -> _Text:
    """The text's data, its opening comment block and the comments a plain dump would not
    write (the importer's notes on what it could not read, a clerk's own remarks), so that
    writing the text again loses none of them."""
    parsed = _parse(text)
    spec = spec_of(parsed.data)
    if parsed.data is None or spec is None:
        problem = next((f.describe() for f in parsed.findings), "缺少报告年度或格式版本")
        raise EditorError(f"报告内容无法读取：{problem}")
    data = parsed.data
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    header = "\n".join(line[1:].strip() for line in lines[:start] if line.startswith("#")) or None
    standard = _standard_comments(spec.id)
    at_line: dict[int, KeyPath] = {}
    for keys, number_ in sorted(parsed.lines.items(), key=lambda item: len(item[0]), reverse=True):
        if keys:
            at_line[number_] = keys
    notes: dict[KeyPath, str] = {}
    pending: list[str] = []
    for i in range(start, len(lines)):
        stripped = lines[i].strip()
        if stripped.startswith("#"):
            if stripped not in standard:
                pending.append(stripped[1:].strip())
            continue
        keys = at_line.get(i + 1)
        if keys is not None and pending:
            notes[keys] = "；".join(filter(None, [notes.get(keys), *pending]))
            pending = []
    return _Text(spec, data, header, notes)


@cache
def _standard_comments(spec_id: str) -> frozenset[str]:
    """The comment lines :func:`reportfile.dump` writes of itself for a format (its groups' column
    lists, table 三's structure, the omitted （七）总计): every other comment is a note to keep."""
    spec = SPECS[spec_id]
    text = reportfile.dump(spec, reportfile.blank(spec, spec.first_year, None))
    return frozenset(line.strip() for line in text.split("\n") if line.strip().startswith("#"))


def _write(t: _Text) -> str:
    return reportfile.dump(t.spec, t.data, header=t.header, notes=t.notes)


def canonical(text: str) -> str:
    """``text`` as :func:`reportfile.dump` writes it, its header and extra comments kept."""
    return _write(_parsed(text))


# -- where a report starts ----------------------------------------------------------------------------
def blank(year: int, unit_name: str) -> str:
    """An empty report of ``year`` for ``unit_name``: what ``nianbao init`` writes."""
    spec = spec_for_year(year)
    if spec is None:
        raise EditorError(f"不支持{year}年度：年度报告格式自2019年度起实行")
    return reportfile.dump(spec, reportfile.blank(spec, year, unit_name), header=spec.title(unit_name, year))


def next_from(last_text: str, year: int) -> str:
    """Next year's draft from last year's report text, as ``nianbao next`` makes it (counts at
    zero, stocks and 上年结转 carried, narratives kept to revise)."""
    from ..read.load import load_text
    from ..render.nextyear import draft

    loaded = load_text(last_text)
    report = loaded.report
    if report is None:
        problems = "；".join(f.describe() for f in loaded.findings if f.level == ERROR)[:300]
        raise EditorError(f"上一年度的报告有错误，无法生成草稿：{problems}")
    if report.year != year - 1:
        raise EditorError(f"这是{report.year}年度的报告，不是{year - 1}年度的，不能用来生成{year}年度的草稿")
    result = draft(report, last_text)
    how = "由上一年度的报告生成：本年各项数字为0，上年结转和现行数量已带入，文字沿用上一年度的，请逐段修改。"
    header = "\n".join([result.spec.title(report.unit.name, result.year), how, *result.notes])  # type: ignore[attr-defined]
    made = _read(result.text)
    made.header = header
    return _write(made)


@dataclass(frozen=True)
class Upload:
    """What an upload became: the report text (None when none could be made), the findings
    of reading it (the importer's, kept to show on the cells it could not read), and its year."""

    text: str | None
    findings: list[Finding]
    year: int | None = None
    proof: str | None = None  # a scan's proof page (every figure's picture beside the figure read), as import --proof writes it


MACRO_SUFFIXES = {".docm": ".docx", ".dotm": ".docx", ".xlsm": ".xlsx", ".xltm": ".xlsx"}  # → what to save it as


def _macro_kind(name: str) -> tuple[str, str] | None:
    """(the macro-enabled suffix, the one to save as) when the name says Word or Excel with macros:
    refused with that said, rather than read as some other kind of zip."""
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    return (suffix, MACRO_SUFFIXES[suffix]) if suffix in MACRO_SUFFIXES else None


def _zip_kind(data: bytes) -> str | None:
    """A zip by what it holds: a Word document or a workbook (a .docx saved without its name's
    suffix is not a workbook)."""
    import io
    import zipfile

    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return ".xlsx"  # the workbook reader says what is wrong with it
    if "word/document.xml" in names:
        return ".docx"
    return ".xlsx"


def _suffix(name: str, data: bytes) -> str | None:
    """The kind of an upload, from the name's suffix only — never the name itself — or from
    its first bytes when the suffix says nothing nianbao reads."""
    from ..read.kinds import PUBLISHED, REPORT_SUFFIXES, WORKBOOK_SUFFIXES, sniff

    suffix = Path(name.replace("\\", "/")).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    if suffix in REPORT_SUFFIXES or suffix in WORKBOOK_SUFFIXES or suffix in PUBLISHED:
        return suffix
    kind = sniff(data)
    if kind == "zip":
        return _zip_kind(data)
    return {"pdf": ".pdf", "old": ".doc", "odt": ".odt", "html": ".html"}.get(kind or "")


UPLOAD_SECONDS = 120.0  # a published PDF of a report reads in seconds; a crafted one is given up


@contextmanager
def received(name: str, stream: BinaryIO) -> Iterator[tuple[Upload, Path]]:
    """An upload read in a bounded child process (:func:`nianbao.system.isolate.run`): its
    bytes go from the request's spooled file to a private file on disk, which the child reads,
    so the server itself never holds them, and a crafted file can take neither its memory nor
    its time (the route lets two run at a time).  Yields (what it became, its file), the file
    there until the block ends, for the caller to keep it once the report made of it is saved."""
    from ..system import isolate

    with tempfile.TemporaryDirectory(prefix="nianbao-upload-") as folder:
        path = Path(folder) / "upload"
        with open(path, "wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
        try:
            made = isolate.run(upload_file, name, str(path), seconds=UPLOAD_SECONDS, what="上传的文件")
        except isolate.Failed as exc:
            made = Upload(None, [Finding(ERROR, "S", None, str(exc))])
        yield made, path


def upload_file(name: str, path: str) -> Upload:
    """:func:`upload` of a file on disk (what :func:`received`'s child runs)."""
    return upload(name, Path(path).read_bytes())


def from_upload(name: str, data: bytes) -> tuple[str | None, list[Finding]]:
    """A report file, a collection workbook or a published report → report text and the
    findings of reading it, through the loaders the CLI uses, on a private temporary file
    named by us (the user's name is only looked at for its suffix)."""
    made = upload(name, data)
    return made.text, made.findings


def upload(name: str, data: bytes) -> Upload:
    """:func:`from_upload`, also saying the year of the report read."""
    if len(data) > MAX_UPLOAD_BYTES:
        return Upload(None, [Finding(ERROR, "S", None, f"文件过大（{len(data) / 1024 / 1024:.0f} MB）：上传的文件不能超过{MAX_UPLOAD_BYTES // 1024 // 1024} MB")])
    if not data:
        return Upload(None, [Finding(ERROR, "S", None, "上传的文件是空的")])
    macro = _macro_kind(name)
    if macro is not None:
        return Upload(None, [Finding(ERROR, "S", None, f"这是启用宏的文件（{macro[0]}）：网站不读取含宏的文件。请在 Word、Excel 或 WPS 中“另存为” {macro[1]} 后再上传")])
    suffix = _suffix(name, data)
    if suffix is None:
        return Upload(None, [Finding(ERROR, "S", None, "不认识这种文件：请上传报告文件（.yaml）、填好的采集表（.xlsx）或已发布的报告（.docx .doc .pdf .html .txt）")])
    from ..read.kinds import is_published

    with tempfile.TemporaryDirectory(prefix="nianbao-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        if is_published(path):
            return _published(path)
        return _loaded(path)


def _published(path: Path) -> Upload:
    """A published report: the import written as ``nianbao import`` writes it (cells it could
    not read left empty with a note — never a zero), with the findings ``check`` gives for it."""
    from ..check.rules import check
    from ..read import importer

    imported = importer.import_file(path)
    loaded, doubtful = importer.checkable(imported)
    findings = list(loaded.findings) + (check(loaded.report) if loaded.report is not None else [])
    findings = sort_findings(importer.keep(imported, doubtful, findings))
    if imported.spec is None:
        return Upload(None, findings)
    data = imported.data
    errors = sum(f.level == ERROR for f in findings)
    header = f"由已发布的报告导入（{imported.spec.name}）。" + (f"\n有{errors}处原文无法读取或有误，已在该处注明，请对照原件补填。" if errors else "")
    text = reportfile.dump(imported.spec, data, header=header, notes=imported.notes)
    year = data.get("year") if isinstance(data.get("year"), int) else None
    proof = None
    if imported.figures:  # a scan: the figures to check against their pictures
        from ..read.importer.proof import page as proof_page

        proof = proof_page(imported.figures, f"{data['unit'].get('name') or ''}{year or ''}年度报告", "上传的扫描件")
    return Upload(text, [replace(f, line=None) for f in findings], year, proof)


def _loaded(path: Path) -> Upload:
    """A report file or a collection workbook, through :func:`read.sources.load_checked`."""
    from ..read.sources import load_checked

    loaded, findings = load_checked(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        from ..system.decode import decode

        decoded = decode(path.read_bytes())
        if decoded.text is None:
            return Upload(None, findings)
        try:
            text = canonical(decoded.text)
        except EditorError as exc:
            return Upload(None, findings or [Finding(ERROR, "S", None, str(exc))])
        return Upload(text, findings, loaded.year)
    if loaded.report is None:
        return Upload(None, findings)
    report = loaded.report
    text = reportfile.dump(report.spec, report.data.model_dump(), header=f"由采集表导入（{report.spec.name}）。")
    return Upload(text, findings, report.year)


def adopt(made: Upload, year: int) -> str:
    """The text to start ``year``'s report from an upload: the upload itself when it is that
    year's, next year's draft when it is last year's (a township starts from last year's
    published PDF); anything else is refused with a message."""
    if made.text is None:
        raise EditorError("上传的文件无法读成报告：" + "；".join(f.describe() for f in made.findings if f.level == ERROR)[:400])
    if made.year == year:
        return made.text
    if made.year == year - 1:
        if any(f.rule == "I" and f.level == ERROR for f in made.findings):
            raise EditorError("这份上一年度的报告有无法读取的内容（见下方），不能用来生成草稿：请对照原件，先把它整理成报告文件再上传")
        return next_from(made.text, year)
    shown = f"{made.year}年度" if made.year else "年度不明"
    raise EditorError(f"上传的是{shown}的报告：这里填写的是{year}年度的报告（也可上传{year - 1}年度的报告作为草稿的基础）")


# -- the form -----------------------------------------------------------------------------------------
def _shown(value: Any) -> str:
    """A value as the clerk would type it back (the text written, for a number kept as typed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return number(value)
    return str(value)


def _get(data: Any, keys: KeyPath) -> Any:
    node = data
    for key in keys:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int):
            node = node[key] if key < len(node) else None
        else:
            return None
        if node is None:
            return None
    return node


def _values(t: _Text) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, f in _known(t.spec.id, isinstance(t.data.get("overview"), str)).items():
        value = _get(t.data, f.keys)
        if isinstance(value, (dict, list)):
            value = None  # a shape the loader reports; the cell shows empty
        out[name] = _shown(value)
    return out


def form(text: str, findings: list[Finding] | None = None) -> dict:
    """What editor.js needs for ``text``: the spec, every input's typed value, which total cells
    the file gives (editable; the others are computed), the computed totals, the notes the
    importer left and (when given) the findings."""
    t = _parsed(text)
    values = dict(_values_of(text))
    overview_text = isinstance(t.data.get("overview"), str)
    given = [name for name, f in _known(t.spec.id, overview_text).items() if f.kind == "total" and values[name] != ""]
    out: dict[str, Any] = {
        "spec": t.spec.id,
        "year": t.data.get("year"),
        "overview_text": overview_text,
        "values": values,
        "given": given,
        "computed": computed(text),
        "notes": {place(t.spec.id, k).path: v for k, v in t.notes.items()},
    }
    if findings is not None:
        out["findings"] = findings_json(findings)
    return out


@lru_cache(maxsize=SAVED_KEPT)
def _values_of(text: str) -> dict[str, str]:
    """:func:`_values` of ``text`` (read only: shared by the form and the summaries of the saves
    before and after it)."""
    return _values(_parsed(text))


def computed(text: str) -> dict[str, str]:
    """Table 三's and 四's totals as :class:`Report` computes them (rows and 总计 columns), for
    the cells the page shows read-only; empty when the report cannot be built yet."""
    return dict(_computed(text))


@lru_cache(maxsize=64)
def _computed(text: str) -> dict[str, str]:
    report = _checked(text)[0].report
    if report is None:
        return {}
    spec = report.spec
    out: dict[str, str] = {}
    for line in spec.table3.data_lines():
        keys = report.row_keys(line)
        for c, value in enumerate(report.row(line)):
            out[key_name(keys + (c,))] = number(value)
    for g in spec.table4.groups:
        for c, value in enumerate(report.appeal(g)):
            out[key_name(("appeals", g.key, c))] = number(value)
    return out


def _typed(f: Field, typed: str) -> Any:
    """What the report file holds for ``typed`` in ``f``: a number cell's text read as YAML
    reads a plain scalar; a date the same way when it is one; text as typed; empty → null."""
    typed = typed.replace("\r\n", "\n").replace("\r", "\n")
    if f.kind in ("number", "total"):
        typed = typed.strip()
        return None if typed == "" else _number_text(typed)
    if f.kind == "date":
        typed = typed.strip()
        if not typed:
            return None
        parsed = parse(f"k: {typed}") if "\n" not in typed and "#" not in typed else None
        if parsed is not None and not parsed.findings and isinstance(parsed.data, dict) and isinstance(parsed.data.get("k"), dt.date):
            return parsed.data["k"]
        return typed
    if f.kind == "text":
        return typed.strip() or None
    return typed if typed.strip() else None


MAX_VALUE_CHARS = 20000  # a narrative of a year's report is a few thousand characters


def apply(text: str, values: dict[str, str]) -> str:
    """``text`` with the typed strings put in (keys as :func:`key_name` names them).  A total
    the file gives and the clerk empties is dropped (the total is then computed); the
    importer's note on a cell goes once the clerk types in it.  Unknown keys are refused."""
    t = _read(text)
    known = _known(t.spec.id, isinstance(t.data.get("overview"), str))
    unknown = [k for k in values if k not in known]
    if unknown:
        raise EditorError(f"表单中有不认识的项：{'、'.join(unknown[:3])}")
    for name, typed in values.items():
        if not isinstance(typed, str):
            raise EditorError(f"{known[name].label}：应为文字", name)
        if len(typed) > MAX_VALUE_CHARS:
            raise EditorError(f"{known[name].label}：内容超过{MAX_VALUE_CHARS}字，请精简", name)
        unsaved = _unstorable(typed, known[name].label)
        if unsaved:
            raise EditorError(unsaved, name)
    for name, typed in values.items():
        f = known[name]
        value = _typed(f, typed)
        if f.kind == "total":
            _put_total(t, f, value)
        else:
            _put_row_cell(t, f, value)
        for keys in [k for k in t.notes if f.keys[: len(k)] == k or k[: len(f.keys)] == f.keys]:
            del t.notes[keys]
    return _write(t)


def _unstorable(typed: str, where: str) -> str | None:
    """Why a typed value cannot be kept as it is (a NUL, which PostgreSQL refuses; a lone
    surrogate, which JSON lets a page send and no database can encode), or None."""
    from .store import StoreError, storable

    try:
        storable(typed, where)
    except StoreError as exc:
        return str(exc)
    return None


def _row_width(spec: Spec, keys: KeyPath) -> int:
    """How many typed numbers the row of ``keys`` has (without its 总计)."""
    return len(spec.table3.columns) if keys[0] == "applications" else len(spec.table4.columns)


def _put_row_cell(t: _Text, f: Field, value: Any) -> None:
    keys = f.keys
    if isinstance(keys[-1], int):
        row = _get(t.data, keys[:-1])
        if not isinstance(row, list):  # a row written as one value, or missing: start it as a row of nulls
            width = len(place(t.spec.id, keys[:-1]).columns)
            width -= 1 if keys[0] in ("applications", "appeals") else 0
            put(t.data, keys[:-1], [None] * width)
    put(t.data, keys, value)


def _put_total(t: _Text, f: Field, value: Any) -> None:
    """A 总计 cell: kept when typed, dropped when emptied (computed from the row again); a
    （七）总计 row with no figure left is dropped as a whole."""
    keys = f.keys
    row_keys, column = keys[:-1], keys[-1]
    width = _row_width(t.spec, keys)
    row = _get(t.data, row_keys)
    is_total_row = keys[0] == "applications" and column < width
    if value is None:
        if not isinstance(row, list):
            return
        if column < len(row):
            row[column] = None
        while len(row) > width and row[-1] is None:
            row.pop()
        if is_total_row and all(v is None for v in row):
            parent = _get(t.data, row_keys[:-1])
            if isinstance(parent, dict):
                parent.pop(row_keys[-1], None)
        return
    if not isinstance(row, list):
        put(t.data, row_keys, [None] * width)
    put(t.data, keys, value)


def checked(text: str):
    """(Loaded, findings) of ``text`` exactly as :func:`read.sources.load_checked` gives them for
    a report file holding it: what ``render`` and ``batch`` produce from.  The findings are the
    caller's to change; the report is shared (a save checks the same text three ways)."""
    loaded, findings = _checked(text)
    return loaded, list(findings)


@lru_cache(maxsize=64)
def _checked(text: str):
    from ..check.rules import check
    from ..read.load import load_text

    loaded = load_text(text, parsed=_parse(text))
    findings = list(loaded.findings) + (check(loaded.report) if loaded.report is not None else [])
    return loaded, tuple(sort_findings(findings))


# -- findings -----------------------------------------------------------------------------------------
def evaluate(text: str, last_text: str | None) -> list[Finding]:
    """What ``nianbao check`` says of ``text`` (load + rules), X1–X5 against last year's
    report on the site, and rule P's refusals in place of the R7 warnings they concern
    (as ``render`` refuses), sorted as ``check`` sorts them."""
    loaded, findings = checked(text)
    report = loaded.report
    if report is None:
        return findings
    if last_text is not None:
        last = _last_report(last_text)
        if last is None:
            findings.append(Finding(WARNING, "X", None, "网站上的上一年度报告有错误，跨年度核对（X1–X5）未做"))
        elif last.year == report.year - 1:
            from ..check.crossyear import with_previous

            findings = with_previous(findings, report, last)
    from ..check.publish import publishable

    return sort_findings(publishable(report, findings))


@lru_cache(maxsize=512)
def _last_report(text: str):
    """Last year's report as the loader builds it (≈40 KB), for X1–X5: each save of a unit
    compares with the same last year's version, which no save changes."""
    from ..read.load import load_text

    return load_text(text).report


CLI_ONLY = "（或加 --draft 生成草稿）"  # a command-line option: on the site the preview is a draft by itself


def findings_json(findings: list[Finding]) -> list[dict]:
    """Findings for the page: ``as_json()`` plus the line a clerk reads (without the report
    file's line number, which the browser does not show, nor the command-line option
    ``--draft``, which a browser has no use for)."""
    return [{**f.as_json(), "text": replace(f, line=None).labelled().replace(CLI_ONLY, "")} for f in findings]


def counts(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(f.level == ERROR for f in findings)
    return errors, len(findings) - errors


# -- what changed -------------------------------------------------------------------------------------
def _clip(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= SUMMARY_VALUE else flat[: SUMMARY_VALUE - 1] + "…"


def _changes(old: _Text | None, new: _Text, before: dict[str, str], after: dict[str, str]) -> Iterator[str]:
    """The lines of :func:`summary`; ``before`` and ``after``: the two texts' :func:`_values`."""
    if old is not None and old.spec.id != new.spec.id:
        yield f"格式版本：{old.spec.name} → {new.spec.name}"
    kinds = _known(new.spec.id, isinstance(new.data.get("overview"), str))
    for name, value in after.items():
        was = before.get(name, "")
        if value == was:
            continue
        path = kinds[name].label
        if kinds[name].kind == "narrative":
            if not was:
                yield f"{path}：填写（{len(value)}字）"
            elif not value:
                yield f"{path}：清空"
            else:
                yield f"{path}：修改（{len(was)}字 → {len(value)}字）"
        else:
            yield f"{path}：{_clip(was) or '空'} → {_clip(value) or '空'}"


def summary(old_text: str | None, new_text: str) -> list[str]:
    """What changed from ``old_text`` to ``new_text``, in official labels, e.g.
    ``表三.一.自然人：2 → 3``; at most :data:`SUMMARY_LINES` lines, then how many more."""
    new = _parsed(new_text)
    if old_text is None:
        return ["新建报告"]
    try:
        old: _Text | None = _parsed(old_text)
    except EditorError:
        old = None
    lines = list(_changes(old, new, _values_of(old_text) if old is not None else {}, _values_of(new_text)))
    if len(lines) > SUMMARY_LINES:
        lines = lines[: SUMMARY_LINES - 1] + [f"另有{len(lines) - SUMMARY_LINES + 1}处改动"]
    return lines
