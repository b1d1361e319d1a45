"""One county intake: the folders a county office was sent → the units, each file once.

``batch``, ``aggregate`` (:mod:`.tally`, which the site's county page calls too), ``overview``
and ``compare`` of two folders take in a county's files this one way:
collect the files under the folders given (outputs of an earlier run left out), name each
as the clerk finds it, process each distinct file once (a copy with the same bytes is
said, not counted twice) and, once every unit is known, apply the county rules (rule B):
files that claim one unit, of another year or format than most, units on the list that
sent nothing or names not on it.  Reading the distinct files (:func:`read`: loaded and
checked, by worker processes when there are many) is one way for ``overview`` and ``compare``
of two folders; rendering each unit, in ``batch``, is its own (through :mod:`nianbao.produce`).
This module says which files, what the rules found, and by what a report is judged fit to
count (:func:`judged`: as ``batch`` judges it).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import ERROR, Finding, Rule, sort_findings
from . import rules as county
from .filenames import in_gbk
from .filenames import notes as name_notes
from .statuses import Standing

if TYPE_CHECKING:
    from ..model.report import Report


@dataclass
class Intake:
    """The files found under ``roots``: each with the name the clerk knows it by; the
    distinct ones to process, in order; the copies, each with the file it copies and its
    finding."""

    roots: list[Path]
    sources: list[Path]
    names: dict[Path, str]
    unique: list[Path]
    copies: dict[Path, tuple[Path, Finding]] = field(default_factory=dict)

    @property
    def gbk(self) -> int:
        """How many file names were written in GBK (said once for all)."""
        return sum(in_gbk(county.relative(s, self.roots)) for s in self.sources)

    def name_notes(self, source: Path) -> list[str]:
        """What the file's name itself needs said (bytes of no encoding, invisible controls)."""
        return name_notes(county.relative(source, self.roots))


def gather(inputs: tuple[Path, ...] | list[Path], *, outside: Path | None, notes: list[str] | None = None, sources: list[Path] | None = None) -> Intake:
    """The files under ``inputs`` (``sources`` when already collected); ``notes`` gets what
    collecting skipped (outputs of an earlier run, a record ignored)."""
    roots = [Path(p) for p in inputs]
    sources = sources if sources is not None else county.collect(roots, outside=outside, notes=notes)
    names = {s: county.shown(s, roots) for s in sources}
    unique, copies = county.duplicates(sources, names)
    return Intake(roots, sources, names, unique, copies)


Read = tuple["Report | None", list[Finding], str | None, int | None]  # the report, every finding of check, the unit name and year the file claims
PARALLEL_FROM = 32  # files: fewer are read faster in this process than by starting workers


def read_one(path: Path, rule: Rule = Rule.B, missed: str = "计入") -> Read:
    """One file loaded and checked: (report, findings, the unit name and year it claims).
    A failure nianbao did not foresee is that file's error (``rule``: whose; ``missed``:
    what the file missed, 计入 or 比对), never the end of the county's run."""
    from ..read.sources import load_checked

    try:
        loaded, findings = load_checked(path)
    except Exception as exc:  # noqa: BLE001 - one unit's file must not stop the county's 300
        return None, [Finding(ERROR, rule, None, f"读取这个文件时出了意外的问题（{type(exc).__name__}），未能{missed}；请把文件发给维护者")], None, None
    return loaded.report, list(findings), loaded.name, loaded.year


def read(paths: list[Path], jobs: int | None, rule: Rule = Rule.B, missed: str = "计入") -> list[Read]:
    """Every file read (:func:`read_one`), in order; by ``jobs`` worker processes (default:
    the CPU count) when there are :data:`PARALLEL_FROM` or more — the YAML parser and the
    checks are most of a county's time.  What comes back is pickled: a report's spec travels
    by its id (:meth:`nianbao.model.standard.Spec.__reduce__`), not as a copy."""
    jobs = jobs or os.cpu_count() or 1
    one = functools.partial(read_one, rule=rule, missed=missed)
    if jobs <= 1 or len(paths) < PARALLEL_FROM:
        return [one(path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, paths, chunksize=max(1, min(16, len(paths) // (jobs * 4)))))


@dataclass
class Reviewed:
    """What the county rules found besides each entry's own findings: with a unit list,
    the units that sent nothing and, for each, where its report may be (a name not on the
    list that is close to it)."""

    absent: list[str] = field(default_factory=list)
    pointers: dict[str, str] = field(default_factory=dict)
    run: county.Run = field(default_factory=lambda: county.Run(None))


def review(entries: list[county.Entry], expected: list[str] | None, year: int | None = None) -> Reviewed:
    """Rule B over every unit at once: entries that claim one unit, or are not of the run's
    year and format (``year``, else the year most files have), are marked and left out;
    against the unit list when there is one, else names that look like one another."""
    run = county.review(entries, expected or (), year)
    if expected is None:
        county.similar_names(entries)
        return Reviewed(run=run)
    pointers = county.against_list(entries, expected)
    return Reviewed(county.missing(entries, expected)[0], pointers, run)


def judged(report, findings: list[Finding]) -> list[Finding]:
    """The findings a county run judges a unit's report by — ``check``'s, with the refusals
    before publishing (rule P: a placeholder left, a section that would print empty, a line
    the template left, no 落款日期) in place of their warnings, by the one criterion
    :func:`nianbao.check.publish.publishable` that ``render`` and ``batch`` refuse by.  A
    report ``batch`` would not publish is not counted by ``aggregate``, ``overview`` or the
    site's aggregate either: an untouched ``nianbao init`` file or an unfilled ``nianbao
    sheet`` workbook is a unit that has not reported, not a unit whose figures are all 0.
    (Their messages leave out render's "or add --draft": these commands have none.)"""
    if report is None:
        return list(findings)
    from dataclasses import replace

    from ..check.publish import DRAFT_TOO, publishable

    return sort_findings([replace(f, message=f.message.replace(DRAFT_TOO, "")) if f.rule == Rule.P else f for f in publishable(report, list(findings))])


def unfilled(findings: list[Finding]) -> bool:
    """A report :func:`judged` refuses for rule P alone — placeholders, sections that would
    print empty, a line the template left, no 落款日期: what an untouched ``nianbao init``
    file or ``nianbao sheet`` workbook gives, and any report not yet filled in to the end.
    Its tables are no unit's figures yet: not shown as printed, not counted (:attr:`~nianbao.county.statuses.Standing.UNFILLED`)."""
    errors = [f for f in findings if f.level == ERROR]
    return bool(errors) and all(f.rule == Rule.P for f in errors)


def left_out_because(findings: list[Finding], shown: str) -> str:
    """Why a unit's report is not counted, as ``aggregate`` says it: its first error, and
    where to see the rest — ``check`` for errors, ``batch`` (which refuses it alike) for a
    report that is only not ready to publish."""
    errors = [f for f in findings if f.level == ERROR]
    first = errors[0].labelled(shown)
    if unfilled(findings):
        return f"{Standing.UNFILLED}，还不能发布，未计入（{first}；共{len(errors)}处，nianbao batch 同样不生成它：填写完整后重新交回）"
    return f"有错误，未计入（{first}；运行 nianbao check 查看全部）"


LIST_NAME = county.LIST_NAME  # the unit list ``nianbao export`` writes into each year's folder


def unit_lists(inputs: tuple[Path, ...] | list[Path]) -> list[Path]:
    """The unit lists the folders given hold (a 名单.txt directly in one, as ``export`` writes
    it): used as ``--units`` when none is given, so that a county total of the exported folder
    names the units that sent nothing.  :func:`~nianbao.county.rules.collect` never reads them
    as reports."""
    return [Path(p) / LIST_NAME for p in inputs if Path(p).is_dir() and (Path(p) / LIST_NAME).is_file()]
