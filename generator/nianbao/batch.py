"""``nianbao batch``: a county office's reports in one run, checked and rendered in parallel.

Each unit is processed on its own (:func:`process`) — loaded, given the shared default
texts where it left a section empty, checked, rendered to DOCX and TXT — in worker
processes; the parent receives the results in input order, names and writes the files,
and forgets them, so memory stays flat however many units there are.  A failing unit
never stops the others.  Output names and bytes depend only on the inputs, never on
``--jobs`` or timing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .decode import decode
from .findings import ERROR, Finding, has_errors
from .model import report_model
from .output import safe_name, write_atomic
from .places import place
from .report import Report
from .reportfile import table3_rows
from .sources import accepted, load_checked
from .standard import Spec
from .yamlfile import parse

NARRATIVES = ("preamble", "overview", "problems", "other_matters")


# -- shared default texts (--defaults) -------------------------------------------------------------
class DefaultsError(ValueError):
    """The defaults file itself is wrong: told once, before any unit is processed."""


@dataclass(frozen=True)
class Defaults:
    """Narrative templates by report-file key path, e.g. ("overview", "proactive")."""

    texts: tuple[tuple[tuple[str, ...], str], ...]

    @staticmethod
    def read(path: Path) -> "Defaults":
        decoded = decode(path.read_bytes())
        if decoded.text is None:
            raise DefaultsError(f"默认文字文件 {path.name}：无法识别文件编码，请另存为 UTF-8")
        parsed = parse(decoded.text)
        if parsed.findings or not isinstance(parsed.data, dict):
            problem = parsed.findings[0].describe(path) if parsed.findings else "应为“键: 文字”的YAML"
            raise DefaultsError(f"默认文字文件 {path.name} 有误：{problem}")
        texts: list[tuple[tuple[str, ...], str]] = []
        for key, value in parsed.data.items():
            if key == "overview" and isinstance(value, dict):
                texts += [(("overview", sub), text) for sub, text in value.items()]
            elif key in NARRATIVES:
                texts.append(((key,), value))
            else:
                raise DefaultsError(f"默认文字文件 {path.name}：未知的键“{key}”，可用的键有 {'、'.join(NARRATIVES)}")
        env = _environment()
        for keys, text in texts:
            if not isinstance(text, str):
                raise DefaultsError(f"默认文字文件 {path.name}：{'.'.join(keys)} 应为文字")
            try:
                env.parse(text)
            except jinja2.TemplateSyntaxError as exc:
                raise DefaultsError(f"默认文字文件 {path.name}：{'.'.join(keys)} 的占位符写法有误（第{exc.lineno}行：{exc.message}）") from exc
        return Defaults(tuple(texts))


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


def placeholders(report: Report) -> dict[str, Any]:
    """What a default text may name: ``unit.name``, ``year``, ``applications.new.总计``,
    ``applications.withheld.state_secret.自然人``, ``appeals.review.总计``, ``proactive.licensing``…"""
    spec = report.spec
    t3, t4 = spec.table3, spec.table4
    applications: dict[str, Any] = {}
    for line in t3.data_lines():
        node = applications
        keys = t3.keypath(line)
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = dict(zip((c.label for c in t3.all_columns), report.row(line)))
    appeals = {g.key: dict(zip((c.label for c in t4.all_columns), report.appeal(g))) for g in t4.groups}
    proactive: dict[str, Any] = {}
    for group in spec.table2:
        for item in group.items:
            values = report.item_values(group, item)
            proactive[item.key] = values[0] if group.scalar else dict(zip((c.label for c in group.columns), values))
    return {
        "unit": report.unit.model_dump(),
        "year": report.year,
        "format": spec.name,
        "applications": applications,
        "appeals": appeals,
        "proactive": proactive,
    }


_UNKNOWN = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def apply_defaults(report: Report, defaults: Defaults) -> Report:
    """The report with each empty narrative filled from its default text."""
    data = report.data.model_dump()
    context = placeholders(report)
    env = _environment()
    changed = False
    for keys, template in defaults.texts:
        node = data
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        if isinstance(node.get(keys[-1]), str) and node[keys[-1]].strip():
            continue
        try:
            node[keys[-1]] = env.from_string(template).render(context).strip()
        except jinja2.UndefinedError as exc:
            match = _UNKNOWN.search(str(exc))
            name = (match.group(1) or match.group(2)) if match else str(exc)
            section = place(report.spec.id, keys).path
            raise DefaultsError(f"{report.unit.name}：{section}的默认文字中有未知的占位符“{name}”") from exc  # type: ignore[attr-defined]
        changed = True
    if not changed:
        return report
    model = report_model(report.spec.id).model_validate(data)
    return Report(report.spec, model, report.source, report.lines)


# -- one unit ------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What happened to one unit; ``outputs`` is dropped once written."""

    source: Path
    name: str | None = None
    year: int | None = None
    title: str | None = None
    errors: int = 0
    warnings: int = 0
    first_error: str = ""
    outputs: dict[str, bytes] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    date: dt.date | None = None  # the report's date, which its PDF carries

    @property
    def ok(self) -> bool:
        return not self.errors


def process(source: Path, defaults: Defaults | None = None, targets: tuple[str, ...] = ("docx", "txt")) -> Outcome:
    """Load, fill defaults, check and render one unit; never raises.  For ``pdf`` the DOCX
    is rendered here and converted later, many at a time (:func:`run`)."""
    outcome = Outcome(source)
    try:
        loaded, findings = load_checked(source)
        report = loaded.report
        if report is not None:
            outcome.name, outcome.year, outcome.title = report.unit.name, report.year, report.title  # type: ignore[attr-defined]
            filled = apply_defaults(report, defaults) if defaults is not None else report
            if filled is not report:  # the narratives changed: check the report as it will be printed
                from .check import check

                report = filled
                findings = [f for f in findings if not f.rule.startswith("R")] + check(report)
        _count(outcome, findings, source)
        if report is None or has_errors(findings):
            return outcome
        from . import render as rendering
        from .render.docx import report_date

        wanted = [t for t in targets if t != "pdf"] + (["docx"] if "pdf" in targets and "docx" not in targets else [])
        outcome.outputs = {t: rendering.render(report, t) for t in wanted}
        outcome.date = report_date(report)
    except DefaultsError as exc:
        outcome.errors += 1
        outcome.first_error = outcome.first_error or str(exc)
    except Exception as exc:  # noqa: BLE001 - one unit's surprise must not stop the county's batch
        outcome.errors += 1
        outcome.first_error = outcome.first_error or f"内部错误：{type(exc).__name__}: {exc}"
    return outcome


def _count(outcome: Outcome, findings: list[Finding], source: Path) -> None:
    errors = [f for f in findings if f.level == ERROR]
    outcome.errors, outcome.warnings = len(errors), len(findings) - len(errors)
    if errors:
        outcome.first_error = f"[{errors[0].rule}] {errors[0].describe(source)}"


def _process_packed(args: tuple[Path, Defaults | None, tuple[str, ...]]) -> Outcome:
    return process(*args)


# -- many units ------------------------------------------------------------------------------------------
def inputs(paths: Iterable[Path]) -> list[Path]:
    """Report files, workbooks and published reports: a folder's (sorted), or those named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted((p for p in path.iterdir() if p.is_file() and accepted(p) and not p.name.startswith((".", "~$"))), key=lambda p: p.name)
        else:
            found.append(path)
    return found


def default_jobs() -> int:
    return os.cpu_count() or 1


def run(
    sources: list[Path],
    out_dir: Path,
    *,
    jobs: int = 1,
    defaults: Defaults | None = None,
    targets: tuple[str, ...] = ("docx", "txt"),
    on_result: Callable[[Outcome], None] = lambda outcome: None,
) -> tuple[list[Outcome], str | None]:
    """Process every unit, write its files under unique names, in input order; then the
    PDFs, by one LibreOffice process per job.  Returns the outcomes and, when PDFs were
    asked for and could not be made, why."""
    from . import render as rendering

    taken: set[str] = set()
    outcomes: list[Outcome] = []
    for_pdf: list[tuple[Outcome, str, bytes]] = []
    for outcome in _results(sources, jobs, defaults, targets):
        if outcome.outputs:
            stem = _unique(safe_name(outcome.title or outcome.source.stem), taken)
            for target, data in outcome.outputs.items():
                if target not in targets:
                    continue  # the DOCX rendered only to become a PDF
                name = rendering.file_name(stem, target)
                write_atomic(out_dir / name, data)
                outcome.written.append(name)
            if "pdf" in targets:
                for_pdf.append((outcome, stem, outcome.outputs["docx"]))
            outcome.outputs = {}
        outcomes.append(outcome)
        on_result(outcome)
    problem = _pdfs(for_pdf, out_dir, jobs) if for_pdf else None
    return outcomes, problem


def _pdfs(for_pdf: list[tuple[Outcome, str, bytes]], out_dir: Path, jobs: int) -> str | None:
    """The DOCX converted to PDF in ``jobs`` groups, each by one LibreOffice process."""
    from concurrent.futures import ThreadPoolExecutor

    from . import office
    from . import render as rendering
    from .render import pdf

    groups = [for_pdf[i::jobs] for i in range(max(1, jobs)) if for_pdf[i::jobs]]

    def convert(group: list[tuple[Outcome, str, bytes]]) -> dict[str, bytes]:
        return pdf.convert([(stem, data, outcome.date or dt.date.today()) for outcome, stem, data in group])

    try:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            done: dict[str, bytes] = {}
            for result in pool.map(convert, groups):
                done.update(result)
    except office.Unavailable as exc:
        return str(exc)
    missing = []
    for outcome, stem, _ in for_pdf:
        if stem in done:
            name = rendering.file_name(stem, "pdf")
            write_atomic(out_dir / name, done[stem])
            outcome.written.append(name)
        else:
            missing.append(stem)
    return f"LibreOffice 未能转换：{'、'.join(missing)}" if missing else None


def _results(sources: list[Path], jobs: int, defaults: Defaults | None, targets: tuple[str, ...]) -> Iterator[Outcome]:
    if jobs <= 1 or len(sources) <= 1:
        yield from (process(source, defaults, targets) for source in sources)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(8, len(sources) // (jobs * 4)))
        yield from pool.map(_process_packed, [(source, defaults, targets) for source in sources], chunksize=chunk)


def _unique(stem: str, taken: set[str]) -> str:
    """Two units with the same name and year get （2）, （3）… in input order."""
    name, n = stem, 2
    while name.lower() in taken:
        name = f"{stem}（{n}）"
        n += 1
    taken.add(name.lower())
    return name


# -- the summary workbook --------------------------------------------------------------------------------
SUMMARY_HEAD = ("序号", "文件", "机关名称", "年度", "状态", "错误数", "提示数", "第一个错误", "生成的文件")


def summary_rows(outcomes: list[Outcome]) -> list[tuple[Any, ...]]:
    return [
        (i, o.source.name, o.name or "", o.year or "", "已生成" if o.ok else "未通过", o.errors, o.warnings, o.first_error, "、".join(o.written))
        for i, o in enumerate(outcomes, start=1)
    ]


def summary_workbook(outcomes: list[Outcome]) -> bytes:
    """汇总.xlsx: one row per unit."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .workbook import stable_xlsx

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(SUMMARY_HEAD)
    for row in summary_rows(outcomes):
        ws.append(list(row))
    for cell in ws[1]:
        cell.font = Font(name="宋体", bold=True)
    for letter, width in zip("ABCDEFGHI", (6, 28, 24, 8, 10, 8, 8, 60, 60)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        row[7].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return stable_xlsx(wb)


# -- the county's aggregate ---------------------------------------------------------------------------------
class MixedInputs(ValueError):
    """Units of different years or formats cannot be added up."""


def aggregate(reports: list[tuple[Path, Report]], unit_name: str) -> tuple[Spec, dict[str, Any], list[tuple[Any, ...]]]:
    """(spec, report-file data with every table value summed, table 三 main rows per unit)."""
    kinds: dict[tuple[int, str], list[Path]] = {}
    for path, report in reports:
        kinds.setdefault((report.year, report.spec.id), []).append(path)
    if len(kinds) > 1:
        (year, spec_id), _ = max(kinds.items(), key=lambda kv: len(kv[1]))
        odd = [f"{p.name}（{y}年度，{s}）" for (y, s), paths in kinds.items() if (y, s) != (year, spec_id) for p in paths]
        raise MixedInputs(f"只能汇总同一年度、同一格式的报告：多数为{year}年度（{spec_id}），以下文件不同：{'、'.join(odd)}")
    spec = reports[0][1].spec
    year = reports[0][1].year
    t3, t4 = spec.table3, spec.table4

    def total(values: Iterable[list[Any]]) -> list[Any]:
        return [sum(column) for column in zip(*values)]

    proactive: dict[str, Any] = {}
    for group in spec.table2:
        for item in group.items:
            summed = total([list(r.item_values(group, item)) for _, r in reports])
            proactive[item.key] = summed[0] if group.scalar else summed

    data: dict[str, Any] = {
        "year": year,
        "format": spec.id,
        "unit": {"name": unit_name},
        "proactive": proactive,
        "applications": table3_rows(spec, lambda line: total([r.row(line)[: len(t3.columns)] for _, r in reports])),
        "appeals": {g.key: total([r.appeal(g)[: len(t4.columns)] for _, r in reports]) for g in t4.groups},
    }
    if spec.fees:
        data["processing_fees"] = {f.key: sum((r.fees() or {}).get(f.key, 0) or 0 for _, r in reports) for f in spec.fees}
    main = [t3.row(k) for k in ("new", "carried_over", "total", "carried_forward")]
    table = [("机关名称", "文件", *(line.label for line in main))]
    table += [(r.unit.name, path.name, *(r.row(line)[-1] for line in main)) for path, r in reports]  # type: ignore[attr-defined]
    table.append(("合计", None, *(sum(r.row(line)[-1] for _, r in reports) for line in main)))
    return spec, data, table


def with_sheet(existing: bytes | None, name: str, rows: list[tuple[Any, ...]]) -> bytes:
    """汇总.xlsx with the sheet ``name`` (re)written: added to a batch's workbook when there is one."""
    import io

    from openpyxl import Workbook, load_workbook

    from .workbook import stable_xlsx

    if existing is None:
        wb = Workbook()
        wb.active.title = name
        sheet = wb.active
    else:
        wb = load_workbook(io.BytesIO(existing))
        if name in wb.sheetnames:
            del wb[name]
        sheet = wb.create_sheet(name)
    for row in rows:
        sheet.append(list(row))
    return stable_xlsx(wb)
