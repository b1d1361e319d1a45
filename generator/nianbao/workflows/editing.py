"""A report edited cell by cell, as the site's form does: report text ↔ what the form shows, and its findings.

A report version on the site *is* a report file (the YAML ``check``, ``render`` and
``batch`` read), written the way :func:`nianbao.render.reportfile.dump` writes one.  What a
clerk types in a number cell is read the way the YAML reader reads a plain scalar
(:func:`nianbao.model.yamlfile.number_text`), so ``１２``, ``12件`` or ``1,200`` typed in the
browser give exactly the findings the same text gives in a file; the findings are those of
``check`` (load + rules), X1–X5 against last year's report on the site and rule P's
readiness for publishing.  Nothing here knows a rule or a label: they come from the spec,
the places index, the loader, the checks and the renderers the command line uses.

No web framework and no database here (a workflow, below the faces): the site's routes
(:mod:`nianbao.serve.unit`, :mod:`nianbao.serve.county`) and its jobs call these.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from ..errors import NianbaoError
from ..findings import ERROR, Finding, Rule, sort_findings
from ..model import dates
from ..model.places import KeyPath, place, places, put
from ..model.standard import SPECS, Spec, spec_for_year
from ..model.standard.common import PREAMBLE
from ..model.yamlfile import Parsed, parse, tree_copy
from ..model.yamlfile import number_text as _number_text
from ..render import reportfile
from ..render.grid import number
from ..system.decode import unstorable

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
            keys: KeyPath = ("proactive", item.key)
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


# -- one version, read once ---------------------------------------------------------------------------
@dataclass
class After:
    """What a version's Reading had worked out when a save changed it, for the next version's:
    what the loader made of it, each rule's findings, X1–X5 against last year's, the computed
    totals — each used again only where the save changed nothing it reads and no value moved to
    another line.  Holds no Reading, so that a unit's versions are not kept alive one by the next."""

    rules: tuple[tuple[Finding, ...], ...] | None  # Reading.by_rule's findings; None when not worked out (or no report)
    changed: frozenset[KeyPath]  # the values the save put in, and the rows it rewrote
    lines_same: bool  # every value stands on the line it stood on
    computed: Mapping[str, str] | None
    against: Mapping[str, tuple[Finding, ...]]  # Reading.against, by last year's text
    loaded: Any = None  # the version before's Loaded (its report built), until this version's is made
    figures: Mapping[KeyPath, int] | None = None  # the save's figures, when it changed nothing else (:func:`_plain_figures`)


@dataclass(frozen=True, eq=False)
class Reading:
    """One version of a report, read once and never changed: what the form shows, what the checks
    say, and what a save starts from.  A save does not edit it: :func:`change` makes the next
    version's Reading from it — the cells put into a copy of its data, the text written from that
    data (with the lines and scalar texts the writer records, so the new text is never read back)
    — and keeps it under that text, where the next save and the page find it.

    ``parsed`` is what :func:`nianbao.model.yamlfile.parse` gives for ``text`` (built by the
    writer for a Reading made by :func:`change`); nothing may change it: the loader copies it,
    :meth:`tree` hands out a copy.  The check's result is worked out once, when first asked."""

    text: str
    spec: Spec
    parsed: Parsed
    header: str | None
    notes: Mapping[KeyPath, str]
    values: Mapping[str, str]  # every input's value as typed (:func:`_values`)
    written: bool = False  # the text is exactly what reportfile.dump writes of its data (a change of it needs no reading back)
    after: After | None = None  # what the version this one was changed from had worked out (:func:`change`)

    @property
    def data(self) -> Mapping[str, Any]:
        return self.parsed.data

    @property
    def overview_text(self) -> bool:
        return isinstance(self.parsed.data.get("overview"), str)

    def tree(self) -> dict:
        """A copy of the data the caller may change."""
        return tree_copy(self.parsed.data)

    @cached_property
    def canonical(self) -> str:
        """The text as :func:`reportfile.dump` writes it, its header and notes kept."""
        return self.text if self.written else reportfile.dump(self.spec, self.parsed.data, header=self.header, notes=dict(self.notes))

    def _kept(self, reads: tuple[KeyPath, ...]) -> bool:
        """Whether what the version before worked out from the values under ``reads`` holds for
        this one too: none of them changed, and every value stands on the line it stood on."""
        return self.after is not None and self.after.lines_same and not _touches(reads, self.after.changed)

    @cached_property
    def by_rule(self) -> tuple[Any, tuple[tuple[Finding, ...], ...]]:
        """(Loaded, each rule's findings in the order of :data:`check.rules.RULES`; none when the
        report cannot be built).  A rule that reads nothing a save changed (:data:`check.rules.READS`)
        is not run again: its findings are the version before's."""
        from ..check.rules import READS, RULES
        from ..read.load import load_text

        loaded = self._loaded_from_before() or load_text(self.text, parsed=self.parsed)
        report = loaded.report
        before = self.after.rules if self.after is not None and report is not None else None
        parts = tuple(before[i] if before and self._kept(READS[rule]) else tuple(rule(report)) for i, rule in enumerate(RULES)) if report else ()
        if self.after is not None:  # worked out: what the version before had is not held any longer
            self.after.loaded = self.after.rules = None
        return loaded, parts

    def _loaded_from_before(self) -> Any:
        """What :func:`read.load.load_text` gives for this version, made from the version before's
        when the save put in plain figures only (:func:`_plain_figures`): its report with those
        figures, its findings (none of which was about them, nor is now); else None."""
        after = self.after
        if after is None or after.loaded is None or after.figures is None or not after.lines_same:
            return None
        before = after.loaded.report
        data = _with_figures(before.data, after.figures)
        if data is None:
            return None
        return replace(after.loaded, report=replace(before, data=data), findings=list(after.loaded.findings))

    @cached_property
    def checked(self) -> tuple[Any, tuple[Finding, ...]]:
        """(Loaded, findings) as :func:`read.sources.load_checked` gives them for a report file
        holding the text; the report is shared by everyone who asks (never changed)."""
        loaded, parts = self.by_rule
        return loaded, tuple(sort_findings([*loaded.findings, *(f for part in parts for f in part)]))

    def against(self, last: Reading) -> tuple[Finding, ...]:
        """X1–X5 of this version against ``last`` (last year's on the site), worked out once per
        pair — or kept from the version before when the save changed nothing they read."""
        from ..check.crossyear import READS, check_previous

        said: dict[str, tuple[Finding, ...]] = self.__dict__.setdefault("_against", {})
        found = said.get(last.text)
        if found is None:
            before = self.after.against.get(last.text) if self.after is not None else None
            if before is not None and self._kept(READS):
                found = before
            else:
                found = tuple(check_previous(self.checked[0].report, last.checked[0].report))
            if len(said) >= 4:  # a version is compared with one last year's report (a restore of last year's may add one)
                said.clear()
            said[last.text] = found
        return found

    @cached_property
    def computed(self) -> Mapping[str, str]:
        """Table 三's and 四's totals as :class:`Report` computes them (rows and 总计 columns), for
        the cells the page shows read-only; empty when the report cannot be built yet."""
        report = self.checked[0].report
        before = self.after.computed if self.after is not None else None
        if self.after is not None:
            self.after.computed = None  # asked once (a cached property): the version before's is not held any longer
        if report is None:
            return MappingProxyType({})
        if before is not None and self._kept((("applications",), ("appeals",))):
            return before
        spec = report.spec
        out: dict[str, str] = {}
        for line in spec.table3.data_lines():
            keys = report.row_keys(line)
            for c, value in enumerate(report.row(line)):
                out[key_name(keys + (c,))] = number(value)
        for g in spec.table4.groups:
            for c, value in enumerate(report.appeal(g)):
                out[key_name(("appeals", g.key, c))] = number(value)
        return MappingProxyType(out)


@lru_cache(maxsize=4096)
def _touches(reads: tuple[KeyPath, ...], changed: frozenset[KeyPath]) -> bool:
    """:func:`check.rules.touches`, once per rule's reads and save's changed cells (a clerk's saves
    change the same few cells again and again, and each save asks it of every rule)."""
    from ..check.rules import touches

    return touches(reads, changed)


# Versions kept read: the version a unit saved last is where its next save starts, and last year's
# is what X1–X5 compare with.  Twice the units a county has (each ≈ 80 KB with its check): an LRU
# smaller than a round of the units' saves would miss every time.
SAVED_KEPT = 1024
_READINGS: OrderedDict[str, Reading] = OrderedDict()
_READINGS_LOCK = threading.Lock()


def read(text: str) -> Reading:
    """The :class:`Reading` of ``text``: the one cache of this module, keyed by the text itself
    (a version is its text: the same text is the same report whoever saved it)."""
    with _READINGS_LOCK:
        found = _READINGS.get(text)
        if found is not None:
            _READINGS.move_to_end(text)
            return found
    return _keep(_reading(text))


def _keep(reading: Reading) -> Reading:
    with _READINGS_LOCK:
        _READINGS[reading.text] = reading
        _READINGS.move_to_end(reading.text)
        while len(_READINGS) > SAVED_KEPT:
            _READINGS.popitem(last=False)
    return reading


def _reading(text: str) -> Reading:
    """The text's data, its opening comment block and the comments a plain dump would not
    write (the importer's notes on what it could not read, a clerk's own remarks), so that
    writing the text again loses none of them."""
    parsed = parse(text)
    spec = spec_of(parsed.data)
    if parsed.data is None or spec is None:
        problem = next((f.describe() for f in parsed.findings), "缺少报告年度或格式版本")
        raise EditorError(f"报告内容无法读取：{problem}")
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    header = "\n".join(line[1:].strip() for line in lines[:start] if line.startswith("#")) or None
    standard = _standard_comments(spec.id)
    at_line: dict[int, KeyPath] = {}
    for keys, number_ in sorted(parsed.lines.items(), key=lambda item: len(item[0]), reverse=True):
        if keys and number_ is not None:  # a YAML file's values all have their line
            at_line[number_] = keys
    notes: dict[KeyPath, str] = {}
    pending: list[str] = []
    for i in range(start, len(lines)):
        stripped = lines[i].strip()
        if stripped.startswith("#"):
            if stripped not in standard:
                pending.append(stripped[1:].strip())
            continue
        owner = at_line.get(i + 1)
        if owner is not None and pending:
            notes[owner] = "；".join(filter(None, [notes.get(owner), *pending]))
            pending = []
    reading = Reading(text, spec, parsed, header, MappingProxyType(notes), MappingProxyType({}))
    values = _values(spec, parsed.data, reading.overview_text)
    return replace(reading, values=MappingProxyType(values))


@cache
def _standard_comments(spec_id: str) -> frozenset[str]:
    """The comment lines :func:`reportfile.dump` writes of itself for a format (its groups' column
    lists, table 三's structure, the omitted （七）总计): every other comment is a note to keep."""
    spec = SPECS[spec_id]
    text = reportfile.dump(spec, reportfile.blank(spec, spec.first_year, None))
    return frozenset(line.strip() for line in text.split("\n") if line.strip().startswith("#"))


def canonical(text: str) -> str:
    """``text`` as :func:`reportfile.dump` writes it, its header and extra comments kept."""
    return read(text).canonical


# -- where a report starts ----------------------------------------------------------------------------
def blank(year: int, unit_name: str) -> str:
    """An empty report of ``year`` for ``unit_name``: what ``nianbao init`` writes."""
    from ..errors import UnsupportedYear
    from ..workflows.blank import blank_text

    try:
        return blank_text(year, unit_name)
    except UnsupportedYear as exc:
        raise EditorError(str(exc)) from exc


def next_from(last_text: str, year: int) -> str:
    """Next year's draft from last year's report text, as ``nianbao next`` makes it (counts at
    zero, stocks and 上年结转 carried, narratives kept to revise)."""
    from ..errors import LastYearUnusable
    from ..workflows.nextyear import draft_text

    try:
        result, header = draft_text(last_text, year)
    except LastYearUnusable as exc:
        raise EditorError(str(exc)) from exc
    made = read(result.text)
    return reportfile.dump(made.spec, made.tree(), header=header, notes=dict(made.notes))


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
        except isolate.ChildFailed as exc:
            made = Upload(None, [Finding(ERROR, Rule.S, None, str(exc))])
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
        return Upload(None, [Finding(ERROR, Rule.S, None, f"文件过大（{len(data) / 1024 / 1024:.0f} MB）：上传的文件不能超过{MAX_UPLOAD_BYTES // 1024 // 1024} MB")])
    if not data:
        return Upload(None, [Finding(ERROR, Rule.S, None, "上传的文件是空的")])
    macro = _macro_kind(name)
    if macro is not None:
        return Upload(None, [Finding(ERROR, Rule.S, None, f"这是启用宏的文件（{macro[0]}）：网站不读取含宏的文件。请在 Word、Excel 或 WPS 中“另存为” {macro[1]} 后再上传")])
    suffix = _suffix(name, data)
    if suffix is None:
        return Upload(None, [Finding(ERROR, Rule.S, None, "不认识这种文件：请上传报告文件（.yaml）、填好的采集表（.xlsx）或已发布的报告（.docx .doc .pdf .html .txt）")])
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
            return Upload(None, findings or [Finding(ERROR, Rule.S, None, str(exc))])
        return Upload(text, findings, loaded.year)
    if loaded.report is None:
        return Upload(None, findings)
    report = loaded.report
    text = reportfile.dump(report.spec, report.plain(), header=f"由采集表导入（{report.spec.name}）。")
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
        if any(f.rule == Rule.I and f.level == ERROR for f in made.findings):
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


def _values(spec: Spec, data: Any, overview_text: bool, only: Iterable[str] | None = None) -> dict[str, str]:
    """Each input's value as the clerk would type it back (``only``: of these inputs)."""
    known = _known(spec.id, overview_text)
    out: dict[str, str] = {}
    for name in known if only is None else only:
        value = _get(data, known[name].keys)
        if isinstance(value, (dict, list)):
            value = None  # a shape the loader reports; the cell shows empty
        out[name] = _shown(value)
    return out


def form(text: str | Reading, findings: list[Finding] | None = None) -> dict:
    """What editor.js needs for ``text``: the spec, every input's typed value, which total cells
    the file gives (editable; the others are computed), the computed totals, the notes the
    importer left and (when given) the findings."""
    r = text if isinstance(text, Reading) else read(text)
    values = dict(r.values)
    given = [name for name, f in _known(r.spec.id, r.overview_text).items() if f.kind == "total" and values[name] != ""]
    out: dict[str, Any] = {
        "spec": r.spec.id,
        "year": r.data.get("year"),
        "overview_text": r.overview_text,
        "values": values,
        "given": given,
        "computed": dict(r.computed),
        "notes": {place(r.spec.id, k).path: v for k, v in r.notes.items()},
    }
    if findings is not None:
        out["findings"] = findings_json(findings)
    return out


def computed_since(old: Reading, new: Reading) -> dict[str, str]:
    """The computed totals of ``new`` that differ from ``old``'s: what a page showing ``old``'s
    must change (editor.js puts in those it is given and keeps the others); all of them when
    ``old``'s were never worked out here."""
    before = old.__dict__.get("computed")  # cached_property keeps its value there
    now = new.computed
    if before is None:
        return dict(now)
    if before is now:
        return {}
    return {name: value for name, value in now.items() if before.get(name) != value}


def computed(text: str) -> dict[str, str]:
    """:attr:`Reading.computed` of ``text``, a copy the caller may change."""
    return dict(read(text).computed)


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
    """``text`` with the typed strings put in: :func:`change`'s text."""
    return change(read(text), values).text


def change(base: Reading, values: dict[str, str]) -> Reading:
    """The version after ``base`` with the typed strings put in (keys as :func:`key_name` names
    them).  A total the file gives and the clerk empties is dropped (the total is then computed);
    the importer's note on a cell goes once the clerk types in it.  Unknown keys are refused.

    The text is written from the changed data, never read back: each changed cell is put in as
    reading its written form gives it back (:func:`_as_written`: ``abc\\n`` is read ``abc``), the
    writer records every value's line and scalar text, and so the new Reading is what reading its
    text would give (tests/test_serve_perf.py proves it over many changes).  Only a ``base`` whose
    own text is not the writer's (a file written by hand, restored as it is) has its first
    change's text read."""
    known = _known(base.spec.id, base.overview_text)
    _refuse_unusable(known, values)
    data = dict(base.data)  # the values on the way to a changed one copied, the rest shared with base (neither is ever changed)
    notes = dict(base.notes)
    exact = base.canonical == base.text
    touched: set[KeyPath] = set()
    for name, typed in values.items():
        f = known[name]
        value = _typed(f, typed)
        _own(data, f.keys)
        if f.kind == "total":
            _put_total(base.spec, data, f, value)
        else:
            _put_row_cell(base.spec, data, f, value)
        for keys in [k for k in notes if f.keys[: len(k)] == k or k[: len(f.keys)] == f.keys]:
            del notes[keys]
        touched.add(_row_of(f.keys))
    for keys in touched:
        exact = _as_written(data, keys) and exact
    at: dict[tuple, int | None]  # as Parsed.lines holds them
    raw: dict[tuple, str]
    spliced = _spliced(base, data, touched) if exact and len(notes) == len(base.notes) else None
    if spliced is not None:
        text, at, raw = spliced
    else:
        at, raw = {}, {}
        text = reportfile.dump(base.spec, data, header=base.header, notes=notes, at=at, raw=raw)
    if text == base.text:
        return base
    if not exact:
        return read(text)
    with _READINGS_LOCK:
        found = _READINGS.get(text)
    if found is not None:
        return read(text)
    overview_text = isinstance(data.get("overview"), str)
    if overview_text != base.overview_text:
        new_values = _values(base.spec, data, overview_text)
    else:
        new_values = dict(base.values)
        new_values.update(_values(base.spec, data, overview_text, _names_under(base.spec.id, overview_text, touched)))
    made = Reading(text, base.spec, Parsed(data, at, raw, []), base.header, MappingProxyType(notes), MappingProxyType(new_values), True,
                   _after(base, {known[name].keys for name in values} | touched, at, _plain_figures(base, data, [known[name] for name in values])))
    return _keep(made)


def _refuse_unusable(known: dict[str, Field], values: dict[str, str]) -> None:
    """An :class:`EditorError` naming the first value sent that is no cell of the form, not
    text, too long, or holding what a report file cannot store."""
    unknown = [k for k in values if k not in known]
    if unknown:
        raise EditorError(f"表单中有不认识的项：{'、'.join(unknown[:3])}")
    for name, typed in values.items():
        if not isinstance(typed, str):
            raise EditorError(f"{known[name].label}：应为文字", name)
        if len(typed) > MAX_VALUE_CHARS:
            raise EditorError(f"{known[name].label}：内容超过{MAX_VALUE_CHARS}字，请精简", name)
        unsaved = unstorable(typed, known[name].label)
        if unsaved:
            raise EditorError(unsaved, name)


def _after(base: Reading, changed: set[KeyPath], lines: dict, figures: dict[KeyPath, int] | None) -> After:
    """What of ``base``'s work the version changed from it at ``changed`` may take (:class:`After`)."""
    worked = base.__dict__  # cached_property keeps its values there: only what was worked out is taken
    by_rule = worked.get("by_rule")
    loaded, rules = by_rule if by_rule is not None and by_rule[0].report is not None else (None, None)
    return After(rules, frozenset(changed), lines == base.parsed.lines, worked.get("computed") if loaded is not None else None,
                 dict(worked.get("_against", {})), loaded, figures)


def _plain_figures(base: Reading, data: dict, changed: Iterable[Field]) -> dict[KeyPath, int] | None:
    """{a changed cell: its figure} when every value the save changed is a figure of a count
    (or a signed count) written in plain digits, within :data:`read.load.ABSURD`, where the version
    before also had one, in a row as long as it was — what the loader makes of it is then that
    figure, and it says nothing of it, as it said nothing of the one before; None otherwise."""
    from ..model.standard import ValueType
    from ..read.load import ABSURD

    index = places(base.spec.id)
    out: dict[KeyPath, int] = {}
    for f in changed:
        where = index.get(f.keys)
        if f.kind not in ("number", "total") or where is None or where.kind != "cell" or where.columns[0].type not in (ValueType.COUNT, ValueType.SIGNED):
            return None
        old, new = _get(base.data, f.keys), _get(data, f.keys)
        if type(old) is not int or type(new) is not int or not 0 <= old <= ABSURD or not 0 <= new <= ABSURD:
            return None
        if isinstance(f.keys[-1], int):
            row_before, row = _get(base.data, f.keys[:-1]), _get(data, f.keys[:-1])
            if not isinstance(row_before, list) or not isinstance(row, list) or len(row) != len(row_before):
                return None
        out[f.keys] = new
    return out


def _with_figures(data: Any, figures: Mapping[KeyPath, int]) -> Any:
    """A report's validated values with ``figures`` put in: the mappings and rows on the way
    copied (as the types they are), the rest shared; None when a value on the way is not there."""
    if not isinstance(data, dict):
        return None
    root = type(data)(data)
    owned = {id(root)}
    frozen: list[tuple[Any, Any]] = []  # (container, key) of a row the values hold as a tuple
    for keys, value in figures.items():
        node = root
        for key in keys[:-1]:
            try:
                child = node[key]
            except (KeyError, IndexError, TypeError):
                return None
            if id(child) not in owned:
                if isinstance(child, dict):
                    child = type(child)(child)
                elif isinstance(child, (list, tuple)):
                    if isinstance(child, tuple):
                        frozen.append((node, key))
                    child = list(child)
                else:
                    return None
                owned.add(id(child))
                node[key] = child
            node = child
        try:
            node[keys[-1]] = value
        except (IndexError, TypeError):
            return None
    for node, key in frozen:
        node[key] = tuple(node[key])
    return root


def _own(data: dict, keys: KeyPath) -> None:
    """The mappings and lists on the way to ``keys`` in ``data`` made its own (copied one level),
    so that putting a value there changes nothing the version before holds."""
    node: Any = data
    for key in keys[:-1]:
        child = node.get(key) if isinstance(node, dict) else node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None
        if not isinstance(child, (dict, list)):
            return
        node[key] = child = dict(child) if isinstance(child, dict) else list(child)
        node = child


def _spliced(base: Reading, data: dict, touched: set[KeyPath]) -> tuple[str, dict, dict] | None:
    """The text, lines and scalar texts :func:`reportfile.dump` gives for ``data`` when each value
    changed stands on one line of ``base``'s text before and after (a figure, a row, a one-line
    text): those lines written again by the writer, beside the comment they had, and the other
    lines kept as they are.  None when a change takes more or fewer lines (a block of text, a
    （七）总计 row written out or dropped): the caller then writes the whole text."""
    lines = base.text.split("\n")
    at, raw = dict(base.parsed.lines), dict(base.parsed.raw)
    for keys in touched:
        old, new = _get(base.data, keys), _get(data, keys)
        number = base.parsed.lines.get(keys)
        if number is None or not _one_line(old) or not _one_line(new) or (isinstance(old, list) != isinstance(new, list)):
            return None
        if keys == ("overview",) or (keys[0] == "applications" and (old is None or new is None)):
            return None  # section 一 as one text or as five; an omitted （七）总计 is a comment, not a row
        if keys[:-1] and not isinstance(_get(data, keys[:-1]), dict):
            return None
        before = reportfile._Writer({})
        write = before.row if keys[0] in ("proactive", "applications", "appeals", "processing_fees") else before.text
        line = lines[number - 1]
        indent = len(line) - len(line.lstrip(" "))
        write(indent, str(keys[-1]), old, "")
        head = before.lines[0]
        rest = line[len(head):]
        if not line.startswith(head) or not (rest == "" or (rest.startswith("  ") and rest.lstrip(" ").startswith("# "))):
            return None
        after = reportfile._Writer({}, {}, {})
        (after.row if write == before.row else after.text)(indent, str(keys[-1]), new, rest.lstrip(" ")[2:], keys)
        if len(after.lines) != 1:
            return None
        lines[number - 1] = after.lines[0]
        raw.pop(keys, None)
        for i in range(len(old) if isinstance(old, list) else 0):  # a row's cells: nothing else stands below a one-line value
            raw.pop(keys + (i,), None)
            at.pop(keys + (i,), None)
        raw.update(after.raw)  # type: ignore[arg-type]
        at.update({k: number for k in after.at})  # type: ignore[union-attr]
    return "\n".join(lines), at, raw


def _one_line(value: Any) -> bool:
    """A value the writer puts on one line: a figure, a row of figures, a text without line breaks."""
    if isinstance(value, str):
        return "\n" not in value.strip("\n")
    return not isinstance(value, dict)


def _row_of(keys: KeyPath) -> KeyPath:
    """A cell's row (a table's list) or the value itself: what a change rewrites as a whole."""
    return keys[:-1] if isinstance(keys[-1], int) else keys


@lru_cache(maxsize=64)
def _rows(spec_id: str, overview_text: bool) -> dict[KeyPath, tuple[str, ...]]:
    """The inputs' names by :func:`_row_of` their keys."""
    out: dict[KeyPath, list[str]] = {}
    for name, f in _known(spec_id, overview_text).items():
        out.setdefault(_row_of(f.keys), []).append(name)
    return {keys: tuple(names) for keys, names in out.items()}


def _names_under(spec_id: str, overview_text: bool, touched: set[KeyPath]) -> tuple[str, ...]:
    """The inputs whose shown value a change of the rows ``touched`` may change (a （七）总计 row
    dropped as a whole empties its every cell)."""
    return _names_under_rows(spec_id, overview_text, frozenset(touched))


@lru_cache(maxsize=1024)
def _names_under_rows(spec_id: str, overview_text: bool, touched: frozenset[KeyPath]) -> tuple[str, ...]:
    """:func:`_names_under`, worked out once for the rows a save touched (a clerk's saves touch the
    same few rows again and again; each time it went through every row of the form)."""
    rows = _rows(spec_id, overview_text)
    return tuple(name for keys, names in rows.items() if any(keys[: len(t)] == t for t in touched) for name in names)


def _as_written(data: dict, keys: KeyPath) -> bool:
    """The value at ``keys`` replaced by what reading its written form gives back — the writer
    quotes what must be quoted, strips what a scalar cannot keep, writes a block for lines — so
    that the data of a changed version is what reading its text would give.  False when the
    written form does not read back at all (the caller then reads the whole text)."""
    parent = _get(data, keys[:-1]) if len(keys) > 1 else data
    if not isinstance(parent, dict) or keys[-1] not in parent:
        return True
    value = parent[keys[-1]]
    if keys == ("overview",) and not isinstance(value, str):
        return False  # a v2019 section 一 written as one text and emptied: written as its five subsections, empty
    if value is None or (type(value) is int) or (isinstance(value, list) and all(v is None or type(v) is int for v in value)):
        return True  # written as read: digits, null
    w = reportfile._Writer({})
    (w.row if isinstance(value, list) else w.text)(0, "k", value, "")
    found = _read_back("\n".join(w.lines) + "\n")
    if found is _UNREADABLE:
        return False
    parent[keys[-1]] = tree_copy(found)
    return True


_UNREADABLE = object()


@lru_cache(maxsize=4096)
def _read_back(written: str) -> Any:
    """The value of ``k`` in ``written`` (never changed: the caller copies it)."""
    parsed = parse(written)
    if parsed.findings or not isinstance(parsed.data, dict) or "k" not in parsed.data:
        return _UNREADABLE
    return parsed.data["k"]



def _row_width(spec: Spec, keys: KeyPath) -> int:
    """How many typed numbers the row of ``keys`` has (without its 总计)."""
    return len(spec.table3.columns) if keys[0] == "applications" else len(spec.table4.columns)


def _put_row_cell(spec: Spec, data: dict, f: Field, value: Any) -> None:
    keys = f.keys
    if isinstance(keys[-1], int):
        row = _get(data, keys[:-1])
        if not isinstance(row, list):  # a row written as one value, or missing: start it as a row of nulls
            width = len(place(spec.id, keys[:-1]).columns)
            width -= 1 if keys[0] in ("applications", "appeals") else 0
            put(data, keys[:-1], [None] * width)
    put(data, keys, value)


def _put_total(spec: Spec, data: dict, f: Field, value: Any) -> None:
    """A 总计 cell: kept when typed, dropped when emptied (computed from the row again); a
    （七）总计 row with no figure left is dropped as a whole."""
    keys = f.keys
    row_keys, column = keys[:-1], keys[-1]
    width = _row_width(spec, keys)
    row = _get(data, row_keys)
    is_total_row = keys[0] == "applications" and column < width
    if value is None:
        if not isinstance(row, list):
            return
        if column < len(row):
            row[column] = None
        while len(row) > width and row[-1] is None:
            row.pop()
        if is_total_row and all(v is None for v in row):
            parent = _get(data, row_keys[:-1])
            if isinstance(parent, dict):
                parent.pop(row_keys[-1], None)
        return
    if not isinstance(row, list):
        put(data, row_keys, [None] * width)
    put(data, keys, value)


def checked(text: str):
    """(Loaded, findings) of ``text`` exactly as :func:`read.sources.load_checked` gives them for
    a report file holding it: what ``render`` and ``batch`` produce from.  The findings are the
    caller's to change; the report is shared (:attr:`Reading.checked`)."""
    loaded, findings = read(text).checked
    return loaded, list(findings)


def evaluate(text: str | Reading, last_text: str | None) -> list[Finding]:
    """What ``nianbao check`` says of ``text`` (load + rules), X1–X5 against last year's
    report on the site, and rule P's refusals in place of the R7 warnings they concern
    (as ``render`` refuses), sorted as ``check`` sorts them."""
    reading = text if isinstance(text, Reading) else read(text)
    loaded, found = reading.checked
    findings = list(found)
    report = loaded.report
    if report is None:
        return findings
    if last_text is not None:
        last = _last_reading(last_text)
        from ..workflows.lastyear import SITE_LAST_UNUSABLE, skipped

        if last is None:
            findings.append(skipped(SITE_LAST_UNUSABLE))
        elif last.checked[0].report.year == report.year - 1:  # as with_last_year asks
            from ..check.crossyear import with_previous

            findings = sort_findings(with_previous(findings, report, last.checked[0].report, reading.against(last)))
    from ..check.publish import publishable

    return sort_findings(publishable(report, findings))


def _last_reading(text: str) -> Reading | None:
    """Last year's version, for X1–X5: each save of a unit compares with the same last year's
    version, which no save changes (None when its report cannot be built)."""
    try:
        last = read(text)
    except EditorError:
        return None
    return last if last.checked[0].report is not None else None


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


def _changes(old: Reading | None, new: Reading) -> Iterator[str]:
    """The lines of :func:`summary`."""
    if old is not None and old.spec.id != new.spec.id:
        yield f"格式版本：{old.spec.name} → {new.spec.name}"
    kinds = _known(new.spec.id, new.overview_text)
    before = old.values if old is not None else {}
    for name, value in new.values.items():
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


def summary(old_text: str | Reading | None, new_text: str | Reading) -> list[str]:
    """What changed from ``old_text`` to ``new_text``, in official labels, e.g.
    ``表三.一.自然人：2 → 3``; at most :data:`SUMMARY_LINES` lines, then how many more."""
    new = new_text if isinstance(new_text, Reading) else read(new_text)
    if old_text is None:
        return ["新建报告"]
    try:
        old: Reading | None = old_text if isinstance(old_text, Reading) else read(old_text)
    except EditorError:
        old = None
    lines = list(_changes(old, new))
    if len(lines) > SUMMARY_LINES:
        lines = lines[: SUMMARY_LINES - 1] + [f"另有{len(lines) - SUMMARY_LINES + 1}处改动"]
    return lines
