"""A county office's inbox: which files are its units' reports, and which of them cannot be
counted as they stand (rule ``B``).

Townships send workbooks back twice, in subfolders, under each other's names, on last
year's form.  Before anything is rendered or added up, :func:`collect` finds every report
under the folders given (not the outputs nianbao wrote there), and :func:`review` tells
which files are the same file sent twice (counted once), which claim the same unit, and
which are of another year or format than the rest — so that a county total is never
wrong without a word.  :func:`missing` compares the units found with the list the office
expects (名单).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import roster
from .findings import ERROR, WARNING, Finding
from .sources import accepted
from .standard import SPECS

OUTPUT_NAMES = ("汇总.xlsx",)  # what nianbao itself writes into a folder it may read again


def collect(paths: Iterable[Path], *, outside: Path | None = None) -> list[Path]:
    """The reports among ``paths``: files named, and every accepted file under a folder
    (its subfolders too), in a stable order; never what lies under ``outside`` (the
    output folder), nianbao's own summaries, backups, or hidden and temporary files."""
    found: list[Path] = []
    skip = outside.resolve() if outside is not None else None
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for candidate in sorted(path.rglob("*"), key=lambda p: [part.casefold() for part in p.relative_to(path).parts]):
            relative = candidate.relative_to(path)
            if any(part.startswith((".", "~$")) for part in relative.parts) or not candidate.is_file():
                continue
            if skip is not None and (candidate.resolve() == skip or skip in candidate.resolve().parents):
                continue
            if candidate.name in OUTPUT_NAMES or ".bak" in candidate.suffixes or not accepted(candidate):
                continue
            found.append(candidate)
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def shown(path: Path, roots: Iterable[Path]) -> str:
    """The file as a clerk finds it: relative to the folder given, else its name."""
    for root in roots:
        try:
            return str(path.relative_to(root)) if root.is_dir() else path.name
        except ValueError:
            continue
    return path.name


@dataclass
class Entry:
    """One file's facts for the county rules."""

    path: Path
    shown: str
    name: str | None = None
    year: int | None = None
    format: str | None = None
    fingerprint: str | None = None  # of the report's content: a copy saved again is the same report
    findings: list[Finding] = field(default_factory=list)  # what the county rules say of it
    counted: bool = True  # False: left out of the county's figures
    copy: bool = False  # a copy of another file's report
    belongs: str | None = None  # the unit its folder or file name says, when it claims another


def duplicates(paths: list[Path], names: dict[Path, str]) -> tuple[list[Path], dict[Path, tuple[Path, Finding]]]:
    """(files to process, {a copy: (the file it copies, its finding)}): a file with the same
    bytes as an earlier one is the same report sent twice and is processed once."""
    first: dict[str, Path] = {}
    keep: list[Path] = []
    copies: dict[Path, tuple[Path, Finding]] = {}
    for path in paths:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            keep.append(path)  # unreadable: processing it says why
            continue
        if digest in first:
            copies[path] = (first[digest], Finding(WARNING, "B", None, f"与 {names[first[digest]]} 内容完全相同（重复交回），只计一次"))
        else:
            first[digest] = path
            keep.append(path)
    return keep, copies


def review(entries: list[Entry], expected: Iterable[str] = ()) -> None:
    """Mark the files that claim one unit and those of another year or format than most,
    with a finding each, and leave them out of the county's figures.

    A file whose folder or file name is another unit's (``白沙乡/…xlsx`` that says
    石桥镇人民政府 inside) was most likely filled from a neighbour's copy: it is said to be
    that unit's, with the name to correct, so that the neighbour's own file still counts
    and the unit is not listed as silent.  ``expected``: the names on the unit list."""
    known = {_core(n): n for n in [*expected, *(e.name for e in entries if e.name)] if _core(n)}
    claims: dict[tuple[str, int | None], list[Entry]] = {}
    for entry in entries:
        if entry.name:
            claims.setdefault((roster.key(entry.name), entry.year), []).append(entry)
    for (_, year), group in claims.items():
        first: dict[str | None, Entry] = {}
        for entry in list(group):  # the same report saved again (opened in Excel, sent twice): once
            if entry.fingerprint is not None and entry.fingerprint in first:
                entry.findings.append(Finding(WARNING, "B", None, f"与 {first[entry.fingerprint].shown} 的内容完全相同（重复交回），只计一次"))
                entry.counted = False
                entry.copy = True
                group.remove(entry)
            else:
                first.setdefault(entry.fingerprint, entry)
        for entry in list(group):
            other = _placed_under(entry, known)
            if other is None:
                continue
            if len(group) > 1:
                entry.belongs = other  # the unit it is likely to be, so that unit is not "未交回"
                entry.findings.append(Finding(ERROR, "B", None, f"文件在“{other}”名下（{entry.shown}），表中填的机关名称却是“{entry.name}”，与另一个文件重复：多半是照着别的单位的表填的，请改正机关名称；改正前不计入"))
                entry.counted = False
                group.remove(entry)
            else:
                entry.findings.append(Finding(WARNING, "B", None, f"文件在“{other}”名下（{entry.shown}），表中填的机关名称却是“{entry.name}”：请核对是哪个单位的报告"))
        if len(group) > 1:
            newest = max(group, key=_modified)
            files = "、".join(f"{e.shown}（{_when(e)}修改{'，最新' if e is newest else ''}）" for e in group)
            for entry in group:
                entry.findings.append(Finding(ERROR, "B", None, f"{len(group)}个文件都是“{entry.name}”{year or ''}年度的报告，内容不同：{files}。请确认哪一份是最终版，把其余的移出文件夹后重新运行；在此之前都不计入"))
                entry.counted = False
    entries = [e for e in entries if not e.copy]
    kinds = Counter((e.year, e.format) for e in entries if e.year is not None and e.format is not None)
    if len(kinds) > 1:
        (year, form), most = kinds.most_common(1)[0]
        if most * 2 > sum(kinds.values()):
            for entry in entries:
                if entry.year is not None and entry.format is not None and (entry.year, entry.format) != (year, form):
                    what = f"{entry.year}年度" if entry.year != year else _form_name(entry.format)
                    entry.findings.append(Finding(ERROR, "B", None, f"这份是{what}的报告，其他{most}个单位都是{year}年度（{_form_name(form)}）：是否交错了年度或用了旧表？不计入"))
                    entry.counted = False


def _form_name(form: str) -> str:
    return SPECS[form].name if form in SPECS else form


def _core(name: str) -> str:
    """A unit's name as a folder or file may write it: 白沙乡 for 白沙乡人民政府."""
    core = roster.key(name)
    for suffix in ("人民政府", "政府"):
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            return core[: -len(suffix)]
    return core


def _placed_under(entry: Entry, known: dict[str, str]) -> str | None:
    """The other unit whose name the file's folder or name carries, when it does not carry
    the unit the file claims."""
    where = roster.key(entry.shown)
    claimed = _core(entry.name or "")
    if not claimed or claimed in where:
        return None
    others = [name for core, name in known.items() if core in where and core not in claimed and claimed not in core]
    return max(others, key=len) if others else None


def _modified(entry: Entry) -> float:
    try:
        return entry.path.stat().st_mtime
    except OSError:
        return 0.0


def _when(entry: Entry) -> str:
    import datetime as dt

    moment = dt.datetime.fromtimestamp(_modified(entry))
    return f"{moment.month}月{moment.day}日 {moment:%H:%M} "


def missing(entries: list[Entry], expected: list[str]) -> tuple[list[str], list[Entry]]:
    """(units on the list with no report, reports of units not on the list)."""
    found = {roster.key(e.name) for e in entries if e.name} | {roster.key(e.belongs) for e in entries if e.belongs}
    listed = {roster.key(name) for name in expected}
    return [name for name in expected if roster.key(name) not in found], [e for e in entries if e.name and roster.key(e.name) not in listed]


def fingerprint(report) -> str:
    """The content of a report, whatever the file's bytes (a workbook saved again by Excel)."""
    return hashlib.sha256(report.data.model_dump_json().encode("utf-8")).hexdigest()
