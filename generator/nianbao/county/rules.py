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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import ERROR, WARNING, Finding, Rule
from ..model.standard import SPECS
from ..read.kinds import PICTURES
from ..read.sources import accepted
from . import roster, unitnames
from .filenames import readable
from .statuses import Standing
from .unitnames import core as _core

OUTPUT_NAMES = ("汇总.xlsx",)  # what nianbao itself writes into a folder it may read again
LIST_NAME = "名单.txt"  # a folder's unit list (county.intake.unit_lists): never a report


def collect(paths: Iterable[Path], *, outside: Path | None = None, notes: list[str] | None = None) -> list[Path]:
    """The reports among ``paths``: files named, and every accepted file under a folder
    (its subfolders too), in a stable order; never what lies under ``outside`` (the
    output folder), nianbao's own summaries and outputs (the files a folder's
    ``.nianbao-生成记录.json`` lists: a previous run's reports are not units' reports),
    backups, or hidden and temporary files.  What was skipped as an output is said in
    ``notes``, one line a folder."""
    found: list[Path] = []
    skip = outside.resolve() if outside is not None else None
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        produced = _produced(path, notes)
        skipped: dict[Path, list[str]] = {}
        for candidate in sorted(path.rglob("*"), key=lambda p: [readable(part).casefold() for part in p.relative_to(path).parts]):
            relative = candidate.relative_to(path)
            if any(part.startswith((".", "~$")) for part in relative.parts) or not candidate.is_file():
                continue
            if skip is not None and (candidate.resolve() == skip or skip in candidate.resolve().parents):
                continue
            if candidate.parent == path and candidate.name == LIST_NAME:
                continue  # the unit list of the folder (county.intake.unit_lists), not a report
            if candidate.name in OUTPUT_NAMES or candidate.name in produced.get(candidate.parent, ()):
                if accepted(candidate):
                    skipped.setdefault(candidate.parent, []).append(candidate.name)
                continue
            if ".bak" in candidate.suffixes or not accepted(candidate):
                continue
            found.append(candidate)
        if notes is not None:
            for folder, names in skipped.items():
                where = readable(folder.relative_to(path)) if folder != path else readable(path)
                notes.append(f"已跳过 {where} 中 nianbao 自己生成的{len(names)}个文件（{'、'.join(readable(n) for n in names[:3])}{'等' if len(names) > 3 else ''}）：它们不是交回的报告")
    unique: list[Path] = []
    seen: set[Path] = set()
    scanned: set[Path] = set()  # folders whose page pictures are already one report
    for path in found:
        if path.suffix.lower() in PICTURES:
            if path.resolve().parent in scanned:
                continue
            scanned.add(path.resolve().parent)
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def _produced(root: Path, notes: list[str] | None) -> dict[Path, set[str]]:
    """{folder: the names its record says nianbao wrote there}, for every record under
    ``root``; a record too big to be nianbao's is ignored with a note."""
    from ..system.output import MAX_RECORD, Folder, read_record

    produced: dict[Path, set[str]] = {}
    for record in sorted(root.rglob(Folder.RECORD)):
        if not record.is_file():
            continue
        names = read_record(record)
        if names is None:
            if notes is not None:
                notes.append(f"{readable(record)} 超过 {MAX_RECORD // 1024 // 1024} MB，不像 nianbao 写的记录，已忽略：该文件夹中以前生成的报告会被当作交回的文件")
            continue
        produced[record.parent] = set(names)
    return produced


def shown(path: Path, roots: Iterable[Path]) -> str:
    """The file as a clerk finds it: relative to the folder given, else its name — readable
    whatever bytes its name is in (:func:`nianbao.county.filenames.readable`)."""
    return readable(relative(path, roots))


def relative(path: Path, roots: Iterable[Path]) -> Path:
    """The file relative to the folder given, else its name, as the file system has it."""
    for root in roots:
        try:
            return path.relative_to(root) if root.is_dir() else Path(path.name)
        except ValueError:
            continue
    return Path(path.name)


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
    belongs: str | None = None  # the unit it stands for where its name is not that unit's as written: its folder's, or the listed name it is the same unit as
    other_year: bool = False  # of another year or format than the run's: set aside, not counted


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
            copies[path] = (first[digest], Finding(WARNING, Rule.B, None, f"与 {names[first[digest]]} 内容完全相同（重复交回），只计一次"))
        else:
            first[digest] = path
            keep.append(path)
    return keep, copies


def review(entries: list[Entry], expected: Iterable[str] = (), year: int | None = None) -> Run:
    """Mark the files that claim one unit and those of another year or format than the
    run's (:func:`one_year`: ``year``, else the year most files have), with a finding each,
    and leave them out of the county's figures; the run's year is returned.

    A file whose folder or file name is another unit's (``白沙乡/…xlsx`` that says
    石桥镇人民政府 inside) was most likely filled from a neighbour's copy: it is said to be
    that unit's, with the name to correct, so that the neighbour's own file still counts
    and the unit is not listed as silent.  ``expected``: the names on the unit list."""

    known = {_core(n): n for n in [*expected, *(e.name for e in entries if e.name)] if _core(n)}
    one = _one_unit([e.name for e in entries if e.name])
    claims: dict[tuple[str, int | None], list[Entry]] = {}
    for entry in entries:
        if entry.name:  # ⻘山镇人⺠政府 (radicals pasted from a PDF), 青山镇政府 and 某某县青山镇人民政府 are 青山镇人民政府 to a reader: one unit, never added twice
            claims.setdefault((one[entry.name], entry.year), []).append(entry)
    for (_, claimed), group in claims.items():
        first: dict[str | None, Entry] = {}
        for entry in list(group):  # the same report saved again (opened in Excel, sent twice): once
            if entry.fingerprint is not None and entry.fingerprint in first:
                entry.findings.append(Finding(WARNING, Rule.B, None, f"与 {first[entry.fingerprint].shown} 的内容完全相同（重复交回），只计一次"))
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
                entry.findings.append(Finding(ERROR, Rule.B, None, f"文件在“{other}”名下（{entry.shown}），表中填的机关名称却是“{entry.name}”，与另一个文件重复：多半是照着别的单位的表填的，请改正机关名称；改正前不计入"))
                entry.counted = False
                group.remove(entry)
            else:
                entry.findings.append(Finding(WARNING, Rule.B, None, f"文件在“{other}”名下（{entry.shown}），表中填的机关名称却是“{entry.name}”：请核对是哪个单位的报告"))
        if len(group) > 1:
            newest = max(group, key=_modified)
            named = len({e.name for e in group}) > 1  # 洪泽区人民政府 and 淮安市洪泽区人民政府: each file's name said
            files = "、".join(f"{e.shown}（{'“' + str(e.name) + '”，' if named else ''}{_when(e)}修改{'，最新' if e is newest else ''}）" for e in group)
            unit = min((str(e.name) for e in group), key=lambda n: (len(_core(n)), -len(n)))  # 洪泽区人民政府, not 淮安市洪泽区… nor 青山镇政府
            for entry in group:
                entry.findings.append(Finding(ERROR, Rule.B, None, f"{len(group)}个文件都是“{unit}”{claimed or ''}年度的报告，内容不同：{files}。请确认哪一份是最终版，把其余的移出文件夹后重新运行；在此之前都不计入"))
                entry.counted = False
    return one_year([e for e in entries if not e.copy], year)


@dataclass(frozen=True)
class Run:
    """The year (and format) a county run counts, and how it was chosen: given (``--year``,
    the site's year), else the year most files have — the later one where years tie.  Files of
    another year or format are set aside (:attr:`Entry.other_year`), never added in."""

    year: int | None
    format: str | None = None
    given: bool = False
    files: int = 0  # files whose year is known
    of_year: int = 0  # of them, of the run's year and format
    tied: tuple[int, ...] = ()  # years that had as many files as the one chosen

    @property
    def set_aside(self) -> int:
        return self.files - self.of_year

    def line(self, hint: str = "") -> str:
        """The first line of a run's output: the year counted, why, what was set aside;
        ``hint`` (how to ask for another year) is added when the year was not given and
        something was set aside."""
        if self.year is None:
            return ""
        said = f"本次计入{self.year}年度（{_form_name(self.format) if self.format else '格式不明'}）的报告"
        if self.given:
            said += "（指定的年度）"
        elif self.tied:
            said += f"：{'、'.join(f'{y}年度' for y in self.tied)}的文件一样多（各{self.of_year}个），取最新的{self.year}年度"
        elif self.set_aside:
            said += f"：{self.files}个文件中{self.of_year}个是这一年度，最多"
        else:
            said += f"（全部{self.files}个文件都是这一年度）" if self.files > 1 else ""
        if self.set_aside:
            said += f"；另有{self.set_aside}个文件不是本年度（或不是本年度的格式），列为“{Standing.OTHER_YEAR}”，不计入"
            if hint and not self.given:
                said += f"；{hint}"
        return said


YEAR_HINT = "如需计入其他年度，请加 --year 年份"  # said by the commands when the year was the files' (Run.line)


def one_year(entries: list[Entry], year: int | None = None) -> Run:
    """The run's year — ``year`` when given, else the year most of ``entries`` have (the
    latest of those tied) — and its format (the one most of that year's files use, the
    year's own format where they tie); every entry of another year or format gets a B error
    and is set aside (:attr:`Entry.other_year`).  Summing a 2020 report (v2019) into a 2023
    one (v2021) is never right, and with no majority it once ended in an internal error."""
    from ..model.standard import spec_for_year

    given = year is not None
    dated = [e for e in entries if e.year is not None]
    years = Counter(e.year for e in entries if e.year is not None)  # of the dated ones
    if not years and year is None:
        return Run(None)
    tied: tuple[int, ...] = ()
    if year is None:
        most = max(years.values())
        tops = sorted(y for y, n in years.items() if n == most)
        year = tops[-1]
        tied = tuple(tops) if len(tops) > 1 else ()
    forms = Counter(e.format for e in dated if e.year == year and e.format is not None)
    own = spec_for_year(year)
    form = None
    if forms:
        most = max(forms.values())
        leading = [f for f, n in forms.items() if n == most]
        form = own.id if own is not None and own.id in leading else sorted(leading)[0]
    elif own is not None:
        form = own.id
    of_year = [e for e in dated if e.year == year and (e.format is None or form is None or e.format == form)]
    counted = {id(e) for e in of_year}
    for entry in dated:
        if id(entry) in counted:
            continue
        what = f"{entry.year}年度" if entry.year != year else _form_name(entry.format or "")
        shown = f"{year}年度（{_form_name(form)}）" if form else f"{year}年度"
        if given:
            said = f"这份是{what}的报告，本次只计入{shown}的报告：不计入"
        else:
            said = f"这份是{what}的报告，其他{len(of_year)}个单位都是{shown}：是否交错了年度或用了旧表？不计入"
        entry.findings.append(Finding(ERROR, Rule.B, None, said))
        entry.counted = False
        entry.other_year = True
    return Run(year, form, given, len(dated), len(of_year), tied)


def _one_unit(names: list[str]) -> dict[str, str]:
    """{name: the unit it stands for}, by the one same-unit rule
    (:func:`nianbao.county.unitnames.same_unit`): its core, or the shortest core among the
    names that are the same unit as it (淮安市洪泽区人民政府 and 洪泽区人民政府 are both 洪泽区)
    — where those are one unit with each other; a name that could be two units keeps its own."""
    index = unitnames.SameUnits(dict.fromkeys(names))
    out: dict[str, str] = {}
    for name in dict.fromkeys(names):
        found = index.find(name) or [name]
        shortest = min(found, key=lambda n: len(_core(n)))
        out[name] = _core(shortest) if all(unitnames.same_unit(n, shortest) for n in found) else _core(name)
    return out


def _form_name(form: str) -> str:
    return SPECS[form].name if form in SPECS else form


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
    """(units on the list with no report, reports of units not on the list): a report stands
    for a listed unit by its name, or by :attr:`Entry.belongs` (:func:`against_list`)."""
    found = {roster.key(e.name) for e in entries if e.name} | {roster.key(e.belongs) for e in entries if e.belongs}
    listed = {roster.key(name) for name in expected}
    return [name for name in expected if roster.key(name) not in found], [e for e in entries if e.name and not e.belongs and roster.key(e.name) not in listed]


def against_list(entries: list[Entry], expected: list[str]) -> dict[str, str]:
    """With a unit list: a report stands for the listed unit its name is, by the one same-unit
    rule :func:`nianbao.county.unitnames.same_unit` that ``compare`` and ``overview`` pair by —
    the same name (城西镇 on the list, 城西镇人民政府 in the report) or with a higher region's
    name before it (淮安市洪泽区人民政府 for 洪泽区人民政府) — counted as that unit, said in a
    warning; never "not on the list" while another command pairs it.  A name in look-alike
    characters (⻘山镇人⺠政府) would be published as written: it is pointed to its listed name.
    A report of a unit that is not on the list is an error naming the names it is likely a
    slip for (``柳林真人民政府 不在名单中，是否为柳林镇人民政府？``) and is left out — not published,
    not added up — until its name is corrected.  Returns, for each unit on the list that sent
    nothing, a pointer to the files that may be its report."""
    listed = {roster.key(name): name for name in expected}
    index = unitnames.SameUnits(expected)
    unsure: set[int] = set()  # names that could be two listed units: said so, not "not on the list"
    for entry in entries:
        if not entry.name or entry.copy or entry.belongs or roster.key(entry.name) in listed or unitnames.plain(entry.name) != entry.name:
            continue
        found = index.find(entry.name)
        if len(found) == 1:
            entry.belongs = found[0]  # the listed unit has replied: never also 未交回
            if not any(f.level == ERROR and f.rule == Rule.B for f in entry.findings):  # two files for it: said already, not counted
                sameness = unitnames.same_unit(entry.name, found[0])
                how = f"只差前面的上级地名“{sameness.prefix}”" if sameness is not None and sameness.prefix else "只差空格或“人民政府”等字样"
                entry.findings.append(Finding(WARNING, Rule.B, None, f"机关名称“{entry.name}”与名单上的“{found[0]}”{how}，按名单上的这个单位计入"))
        elif found:
            entry.findings.append(Finding(ERROR, Rule.B, None, f"{entry.name} 可能是名单上的{'或'.join(found)}，无法确定是哪一个：请改正机关名称；改正前不生成报告、不计入汇总"))
            entry.counted = False
            unsure.add(id(entry))
    _one_file_a_unit(entries, listed)
    found_keys = {roster.key(e.name) for e in entries if e.name} | {roster.key(e.belongs) for e in entries if e.belongs}
    pointers: dict[str, list[str]] = {}
    for entry in entries:
        if not entry.name or entry.copy or entry.belongs or roster.key(entry.name) in listed or id(entry) in unsure:
            continue
        close = closest(entry.name, expected)
        if close:
            said = f"{entry.name} 不在名单中，是否为{'或'.join(close)}？请改正机关名称（若确是名单外的单位，请把它加入名单）"
        else:
            said = f"{entry.name} 不在名单中：请核对机关名称（若确是名单外的单位，请把它加入名单）"
        entry.findings.append(Finding(ERROR, Rule.B, None, said + "；改正前不生成报告、不计入汇总"))
        entry.counted = False
        for name in close:
            if roster.key(name) not in found_keys:
                pointers.setdefault(name, []).append(f"{entry.shown} 填的机关名称是“{entry.name}”，是否就是这个单位？")
    return {name: "；".join(said) for name, said in pointers.items()}


def _one_file_a_unit(entries: list[Entry], listed: dict[str, str]) -> None:
    """Two reports of the year that stand for one listed unit under two names (洪泽区人民政府
    and 淮安市洪泽区人民政府, each with its own figures): neither is counted, as two files of
    one name are not (:func:`review`) — never one unit added up twice."""
    units: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.name and not entry.copy and not entry.other_year:
            unit = entry.belongs or listed.get(roster.key(entry.name))
            if unit is not None:
                units.setdefault(unit, []).append(entry)
    for unit, group in units.items():
        if len({roster.key(e.name or "") for e in group}) < 2:
            continue
        files = "、".join(f"{e.shown}（{e.name}）" for e in group)
        for entry in group:
            if not any(f.level == ERROR and f.rule == Rule.B for f in entry.findings):
                entry.findings.append(Finding(ERROR, Rule.B, None, f"{len(group)}个文件都是名单上“{unit}”的报告，内容不同：{files}。请确认哪一份是最终版，把其余的移出文件夹后重新运行；在此之前都不计入"))
            entry.counted = False


def closest(name: str, candidates: list[str], most: int = 3) -> list[str]:
    """The names among ``candidates`` that ``name`` is likely a slip for (:func:`slip`: a
    character or two apart, or the same place in look-alike characters), best first; none
    when it is no slip for any — a name merely alike (淮安区 for 淮安市洪泽区) is another
    unit, not a suggestion.  Compared without 人民政府, which every township shares and which
    would make 城关镇 look like 白石镇."""
    near = sorted((apart, i, c) for i, c in enumerate(candidates) if (apart := slip(name, c)) is not None)
    return [c for _, _, c in near][:most]


TYPO = 2  # characters two names differ by that make one a likely slip for the other
FAMILY = 50  # names that share a core but for a character or two: units of a series


def slip(a: str, b: str) -> int | None:
    """How many characters two different unit names differ by when one is likely a slip
    for the other: 1 in a short name (柳林真 for 柳林镇), up to 2 in a name of six or more
    characters (two of three would be another place: 城关镇, 白石镇), 0 for the same
    place with and without 人民政府; None otherwise."""
    if roster.key(a) == roster.key(b):
        return None
    core_a, core_b = _core(a), _core(b)
    apart = distance(core_a, core_b)
    return apart if apart <= (TYPO if min(len(core_a), len(core_b)) >= 6 else 1) else None


def distance(a: str, b: str, limit: int = TYPO) -> int:
    """Edit distance (Levenshtein: characters inserted, removed or changed) of two names,
    or ``limit + 1`` once it is larger — all a typo check needs.  Only the cells within
    ``limit`` of the diagonal are computed, so two long names cost their length, not its
    square."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    previous = {j: j for j in range(min(len(b), limit) + 1)}
    for i, char in enumerate(a, start=1):
        current = {j: over for j in range(max(0, i - limit), min(len(b), i + limit) + 1)}
        for j in current:
            if j == 0:
                current[j] = i if i <= limit else over
                continue
            current[j] = min(previous.get(j, over) + 1, current.get(j - 1, over) + 1, previous.get(j - 1, over) + (char != b[j - 1]), over)
        if min(current.values()) > limit:
            return over
        previous = current
    return min(previous.get(len(b), over), over)


def similar_names(entries: list[Entry]) -> None:
    """Without a unit list: two reports whose unit names are likely a slip one for the other
    (:func:`slip`: 柳林真人民政府 / 柳林镇人民政府) each get a warning.  Genuinely
    different units can be that close (青山镇 / 青石镇), so it is only a warning, and names
    that differ only in numbers (第一中学 / 第二中学) or that have several such neighbours
    (城东镇, 城西镇, 城南镇) are a series of units, not a slip, and get none.

    Pairs are found through each name's variants with up to two characters deleted (two
    names within two edits share one), so a county of thousands of units is quick."""
    names: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.name and not entry.copy:
            names.setdefault(roster.key(entry.name), []).append(entry)
    variants: dict[str, set[str]] = {}
    for name in names:
        core = _core(name)
        if len(core) <= 60:
            for variant in _deletions(core, TYPO if len(core) >= 6 else 1):
                variants.setdefault(variant, set()).add(name)
    pairs: set[tuple[str, str]] = set()
    for group in variants.values():
        if len(group) <= FAMILY:  # more: names like 朱镇, 李镇, 王镇… — a series, and quadratic to compare
            pairs.update((a, b) for a in group for b in group if a < b)

    close = {(a, b): apart for a, b in pairs if (apart := slip(a, b)) is not None and not _numbered(_core(a), _core(b))
             and _core(a) != _core(b)}  # the same name in look-alike characters or without 人民政府: one unit, said by review
    neighbours = Counter(name for pair in close for name in pair)
    for (a, b), apart in sorted(close.items()):
        if neighbours[a] > 1 or neighbours[b] > 1:  # a family of names (城东镇, 城西镇, 城南镇…), not a slip
            continue
        for mine, theirs in ((a, b), (b, a)):
            other = names[theirs][0]
            how = f"只差{apart}个字" if apart else "只差“人民政府”等字样"
            for entry in names[mine]:
                entry.findings.append(Finding(WARNING, Rule.B, None, f"机关名称“{entry.name}”与本批另一份报告（{other.shown}）的“{other.name}”{how}：若是同一个单位，请改正写错的那份；若确是两个单位，可不理会"))


_NUMERALS = set("0123456789０１２３４５６７８９〇零一二三四五六七八九十百")


def _numbered(a: str, b: str) -> bool:
    """True when two names differ only in numbers (第一中学 / 第二中学, 第01 / 第02):
    units of a series, not a slip of the pen."""
    import difflib

    differing = "".join(a[i1:i2] + b[j1:j2] for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if tag != "equal")
    return bool(differing) and set(differing) <= _NUMERALS


def _deletions(name: str, times: int) -> set[str]:
    """``name`` with up to ``times`` characters removed, in every way."""
    out = {name}
    frontier = {name}
    for _ in range(times):
        frontier = {word[:i] + word[i + 1 :] for word in frontier for i in range(len(word))}
        out |= frontier
    return out


def fingerprint(report) -> str:
    """The content of a report, whatever the file's bytes (a workbook saved again by Excel)."""
    return hashlib.sha256(report.as_json().encode("utf-8")).hexdigest()
