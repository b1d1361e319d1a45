"""Next year's draft from last year's report: counts at zero, stocks and 上年结转 carried,
narratives kept to revise (the draft itself is :func:`nianbao.render.nextyear.draft`).

``nianbao next`` drafts from a file — a report file, a workbook, or a published report
imported first — and writes it beside it; the site drafts from the text of the unit's report
of last year.  Both refuse last year's report on the same grounds and say the same
sentences: :class:`~nianbao.errors.LastYearUnusable` when it has errors or cells an import
could not read (their zeros must not be carried into a draft).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LastYearUnusable, WouldOverwrite
from ..findings import ERROR, sort_findings

if TYPE_CHECKING:
    from ..model.report import Report
    from ..render.nextyear import Draft

CARRIED = "本年各项数字为0，上年结转和现行数量已带入，文字沿用上一年度的，请逐段修改"
MADE_FROM_LAST = f"由上一年度的报告生成：{CARRIED}。"  # the draft's header says how it was made
HAS_ERRORS = "上一年度的报告有错误，无法生成草稿"
UNREAD = "原文有无法读取的内容：请先用 nianbao import 读成报告文件，对照原件补填后再生成草稿。"


def last_year(path: Path) -> tuple[Report, str]:
    """Last year's report in ``path`` and its text as a report file (a published report is
    imported into one).  Raises :class:`LastYearUnusable` with the findings to list."""
    from ..read import importer

    if importer.is_published(path) and path.is_file():
        imported = importer.import_file(path)
        if imported.failed or imported.spec is None:  # the zeros that stand in for unread cells must not be carried into a draft
            raise LastYearUnusable(UNREAD, sort_findings(imported.findings))
        from ..render.reportfile import dump

        loaded, findings = importer.checkable(imported)[0], imported.findings
        text = dump(imported.spec, imported.data, notes=imported.notes)
    else:
        from ..read.sources import load_checked
        from ..system.decode import decode_text

        loaded, findings = load_checked(path)
        text = decode_text(path.read_bytes()) if loaded.report is not None else ""
    if loaded.report is None:
        raise LastYearUnusable(f"{HAS_ERRORS}。", findings)
    return loaded.report, text


@dataclass(frozen=True)
class Drafted:
    """A draft written: where, the backup of a file it replaced, and the draft (its year,
    format and the notes of what the clerk must look at)."""

    target: Path
    saved: Path | None
    draft: Draft


def draft_file(last: Path, target: Path | None = None) -> Drafted:
    """Next year's draft of the report in ``last``, written to ``target`` (default: beside it,
    ``{机关名称}{年份}.yaml``), its header saying how it was made and its first line which
    file it was drafted from (``check`` compares with it by itself).  An existing file is
    backed up; ``last`` itself is never overwritten (:class:`WouldOverwrite`)."""
    from ..read.load import with_provenance
    from ..render.nextyear import draft
    from ..render.reportfile import guide, reheaded
    from ..system.output import backup, safe_name, write_atomic

    report, text = last_year(last)
    result = draft(report, text)
    target = target or last.parent / safe_name(f"{report.unit_name}{result.year}.yaml")
    if target.resolve() == last.resolve():
        raise WouldOverwrite(f"新文件不能覆盖上一年度的文件 {last}")
    saved = backup(target) if target.exists() else None
    text = reheaded(result.text, guide(result.spec.title(report.unit_name, result.year), target.name, MADE_FROM_LAST))
    write_atomic(target, with_provenance(text, last, target).encode("utf-8"))
    return Drafted(target, saved, result)


def draft_text(last_text: str, year: int) -> tuple[Draft, str]:
    """Next year's draft of ``year`` from the text of last year's report, and the header it
    carries (its title, how it was made, its notes): the site's "start from last year's".
    Refuses a report with errors or of another year than ``year - 1``."""
    from ..read.load import load_text
    from ..render.nextyear import draft

    loaded = load_text(last_text)
    report = loaded.report
    if report is None:
        problems = "；".join(f.describe() for f in loaded.findings if f.level == ERROR)[:300]
        raise LastYearUnusable(f"{HAS_ERRORS}：{problems}", [])
    if report.year != year - 1:
        raise LastYearUnusable(f"这是{report.year}年度的报告，不是{year - 1}年度的，不能用来生成{year}年度的草稿", [])
    result = draft(report, last_text)
    header = "\n".join([result.spec.title(report.unit_name, result.year), MADE_FROM_LAST, *result.notes])
    return result, header
