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
import functools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import ERROR, WARNING, Finding, Rule, sort_findings
from ..read.sources import load_checked
from ..system.output import numbered, safe_name
from .defaults import CHILD, Defaults, DefaultsError, apply_defaults
from .filenames import GBK_NOTE
from .statuses import FILES_ONLY, BatchStatus

# Where each unit's default texts are rendered: in a child process where a fork is cheap
# (Linux), else in the unit's worker under the sandbox's own bounds; a test turns it off to
# try the sandbox alone, as on Windows.
_CHILD = CHILD


# -- one unit ------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What happened to one file; ``outputs`` is dropped once staged."""

    source: Path
    shown: str = ""  # as the clerk finds it: relative to the folder given
    name: str | None = None
    year: int | None = None
    format: str | None = None
    title: str | None = None
    findings: list[Finding] = field(default_factory=list)  # every finding, as check prints them
    outputs: dict[str, bytes] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    date: dt.date | None = None  # the report's date, which its PDF carries
    status: BatchStatus | None = None  # set once every unit is known (run)
    fingerprint: str | None = None  # of the report's content (county.fingerprint)
    stem: str | None = None  # the name its documents are published under

    @property
    def errors(self) -> int:
        return sum(f.level == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def ok(self) -> bool:
        return not self.errors


def process(source: Path, defaults: Defaults | None = None, targets: tuple[str, ...] = ("docx", "txt"), draft: bool = False) -> Outcome:
    """Load, fill defaults, check and render one unit; never raises.  For ``pdf`` the DOCX
    is rendered here and converted later, many at a time (:func:`run`)."""
    outcome = Outcome(source)
    try:
        from functools import partial

        from ..produce import Options, produce_loaded

        loaded, findings = load_checked(source)
        report = loaded.report
        outcome.name, outcome.year = loaded.name, loaded.year
        if report is not None:
            outcome.name, outcome.year, outcome.title = report.unit_name, report.year, report.title
            outcome.format = report.spec.id
            from .rules import fingerprint

            outcome.fingerprint = fingerprint(report)
        fill = partial(apply_defaults, defaults=defaults, child=_CHILD) if defaults is not None else None
        produced = produce_loaded(loaded, findings, targets, Options(draft=draft, fill=fill))
        outcome.findings = sort_findings(loaded.locate(produced.findings))
        outcome.outputs, outcome.date = produced.outputs, produced.date
    except DefaultsError as exc:
        outcome.findings.append(Finding(ERROR, Rule.B, None, str(exc)))
    except Exception as exc:  # noqa: BLE001 - one unit's surprise must not stop the county's batch
        outcome.findings.append(Finding(ERROR, Rule.B, None, f"处理这个文件时出了意外的问题（{type(exc).__name__}），未能生成；请把文件发给维护者"))
    return outcome


def _process_packed(args: tuple[Path, Defaults | None, tuple[str, ...], bool]) -> Outcome:
    return process(*args)


# -- many units ------------------------------------------------------------------------------------------
def default_jobs() -> int:
    return os.cpu_count() or 1


def run(
    paths: tuple[Path, ...] | list[Path],
    out_dir: Path,
    *,
    sources: list[Path] | None = None,
    jobs: int = 1,
    defaults: Defaults | None = None,
    targets: tuple[str, ...] = ("docx", "txt"),
    draft: bool = False,
    expected: list[str] | None = None,
    on_result: Callable[[Outcome], None] = lambda outcome: None,
    notes: list[str] | None = None,
    year: int | None = None,
) -> tuple[list[Outcome], str | None]:
    """Every report under ``paths`` (subfolders too), checked and rendered, each once.

    Files are spooled to a hidden file in ``out_dir`` while the units are processed and
    written under their final names only when every unit is known: a file claiming another
    unit, or of another year than the rest, is then reported and not published.  Returns
    the outcomes (in input order, then the units on ``expected`` that sent nothing) and,
    when PDFs were asked for and could not be made, why; ``notes`` gets what the clerk
    should read besides: the year counted first (``year``, else the year most files have;
    a file of another year or format is 不是本年度, never published with the rest), then
    outputs of an earlier run skipped, a record ignored."""
    from . import intake
    from .roster import key as county_key

    taken_in = intake.gather(paths, outside=out_dir, notes=notes, sources=sources)
    if taken_in.gbk and notes is not None:
        notes.append(GBK_NOTE.format(n=taken_in.gbk))
    out_dir.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    with _Spool(out_dir) as spool:
        for outcome in _results(taken_in.unique, jobs, defaults, targets, draft):
            outcome.shown = taken_in.names[outcome.source]
            outcome.findings += [Finding(WARNING, Rule.B, None, said) for said in taken_in.name_notes(outcome.source)]
            spool.keep(len(outcomes), outcome)
            outcomes.append(outcome)
            on_result(outcome)
        entries, reviewed = _review(outcomes, expected, year, notes)
        problem = _publish(outcomes, spool, out_dir, targets, jobs, notes)
    for outcome in outcomes:
        outcome.status = outcome.status or (BatchStatus.MADE if outcome.ok else BatchStatus.FAILED)
    by_source = {o.source: o for o in outcomes}
    for copy, (original, finding) in taken_in.copies.items():
        like = by_source.get(original)
        outcomes.append(Outcome(copy, taken_in.names[copy], name=like.name if like else None, year=like.year if like else None, findings=[finding],
                                status=BatchStatus.DUPLICATE))
        on_result(outcomes[-1])
    if expected is not None:
        outcomes += [Outcome(Path(name), "", name=name, status=BatchStatus.ABSENT, findings=[Finding(ERROR, Rule.B, None, "名单上的这个单位没有交回报告" + (f"；{reviewed.pointers[name]}" if name in reviewed.pointers else ""))])
                     for name in reviewed.absent]
        # in the list's order, as the office reads down its list; what is not on it after
        place = {county_key(name): i for i, name in enumerate(expected)}
        belongs = {e.path: e.belongs for e in entries if e.belongs}
        outcomes.sort(key=lambda o: (o.status in FILES_ONLY, place.get(county_key(belongs.get(o.source) or o.name or ""), len(place))))
    return outcomes, problem


class _Spool:
    """Every unit's files, spooled to one unnamed file in the output folder while the units
    are processed, and published under their final names only when every unit is known: a
    file claiming another unit, or of another year than the rest, is then reported and not
    published; memory stays flat, and one file costs the disk far less than a folder a unit."""

    def __init__(self, out_dir: Path) -> None:
        self.file = tempfile.TemporaryFile(prefix=".nianbao-staging-", dir=out_dir)
        self.staged: dict[int, dict[str, tuple[int, int]]] = {}  # outcome's index → target → (offset, size) in the spool

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def keep(self, n: int, outcome: Outcome) -> None:
        """The n-th outcome's outputs, moved out of memory into the spool."""
        if outcome.outputs:
            at = self.staged[n] = {}
            for target, data in outcome.outputs.items():
                at[target] = (self.file.tell(), len(data))
                self.file.write(data)
            outcome.outputs = {}

    def read(self, n: int, target: str) -> bytes:
        offset, size = self.staged[n][target]
        self.file.seek(offset)
        return self.file.read(size)


def _review(outcomes: list[Outcome], expected: list[str] | None, year: int | None, notes: list[str] | None) -> tuple[list, Any]:
    """The county rules over every unit once all are known (:func:`nianbao.county.intake.review`):
    each outcome's findings with the rules', a copy or a file of another year given its status;
    the year counted said first in ``notes``.  (The entries, the review.)"""
    from . import intake
    from . import rules as county

    entries = [county.Entry(o.source, o.shown, o.name, o.year, o.format, o.fingerprint) for o in outcomes]
    reviewed = intake.review(entries, expected, year)
    if notes is not None and reviewed.run.year is not None:
        notes.append(reviewed.run.line(county.YEAR_HINT))
    for outcome, entry in zip(outcomes, entries):
        outcome.findings = sort_findings(entry.findings + outcome.findings)
        if entry.copy:
            outcome.status = BatchStatus.DUPLICATE
        elif entry.other_year:
            outcome.status = BatchStatus.OTHER_YEAR
    return entries, reviewed


def _publish(outcomes: list[Outcome], spool: _Spool, out_dir: Path, targets: tuple[str, ...], jobs: int, notes: list[str] | None) -> str | None:
    """The spooled files of every unit that may be published written under unique names in
    input order (a changed file kept as .bak), then the PDFs; why there are none, if so."""
    from .. import render as rendering
    from ..system.output import Folder

    folder = Folder(out_dir)
    taken: set[str] = set()
    publish: list[tuple[str, int, str]] = []
    for n, outcome in enumerate(outcomes):
        if not outcome.ok or n not in spool.staged or outcome.status:
            continue
        stem = outcome.stem = _unique_stem(outcome, taken)
        for target in targets:
            if target in spool.staged[n]:
                name = rendering.file_name(stem, target)
                publish.append((name, n, target))
                outcome.written.append(name)
    _write_all(folder, ((name, functools.partial(spool.read, n, target)) for name, n, target in publish))
    folder.save()
    for_pdf = [(o, o.stem, spool.read(n, "docx")) for n, o in enumerate(outcomes)
               if "pdf" in targets and o.ok and o.stem and "docx" in spool.staged.get(n, {})]
    problem = _pdfs(for_pdf, folder, jobs) if for_pdf else None
    if notes is not None:
        notes += folder.notes
    return problem


WRITERS = 8  # files written at once: each write waits on the disk (fsync), and the disk takes many waits in one flush


def _write_all(folder: Any, files: Iterable[tuple[str, Callable[[], bytes]]]) -> None:
    """Each file written under its name, several at a time: a durable write waits 5-10 ms
    on the disk, and one after another the 1 200 files of 600 units waited 10 s while the
    CPU idled; waits made together are flushed together.  The contents are read here, in
    order, at most a few writes ahead, so memory stays flat; names are decided before, so
    the result does not depend on which write ends first."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        pending: deque = deque()
        for name, read in files:
            pending.append(pool.submit(folder.write, name, read()))
            if len(pending) >= 2 * WRITERS:
                pending.popleft().result()
        while pending:
            pending.popleft().result()


def _unique_stem(outcome: Outcome, taken: set[str]) -> str:
    """The name ``outcome``'s documents are published under: its title as a file name, numbered
    （2）, （3）… where another unit's title became the same file name (``水务局/河长办`` and
    ``水务局\\河长办`` — the same unit twice is an error before this), said as a warning: the
    second unit's documents were once skipped without a word."""
    stem = safe_name(outcome.title or outcome.source.stem)
    candidate = numbered(stem, taken)
    if candidate != stem:
        outcome.findings.append(Finding(WARNING, Rule.B, None, f"机关名称中有不能用于文件名的字符，与另一个单位的文件名相同，本单位的文件改名为“{candidate}”"))
    return candidate


def _pdfs(for_pdf: list[tuple[Outcome, str, bytes]], folder, jobs: int) -> str | None:
    """The DOCX converted to PDF in ``jobs`` groups, each by one LibreOffice process."""
    from .. import render as rendering
    from ..produce import pdfs

    done, problem = pdfs([(stem, data, outcome.date or dt.date.today()) for outcome, stem, data in for_pdf], jobs)
    if problem:
        return problem
    missing = []
    for outcome, stem, _ in for_pdf:
        if stem in done:
            name = rendering.file_name(stem, "pdf")
            folder.write(name, done[stem])
            outcome.written.append(name)
        else:
            missing.append(stem)
    folder.save()
    return f"LibreOffice 未能转换：{'、'.join(missing)}" if missing else None


def _results(sources: list[Path], jobs: int, defaults: Defaults | None, targets: tuple[str, ...], draft: bool) -> Iterator[Outcome]:
    if jobs <= 1 or len(sources) <= 1:
        yield from (process(source, defaults, targets, draft) for source in sources)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(8, len(sources) // (jobs * 4)))
        yield from pool.map(_process_packed, [(source, defaults, targets, draft) for source in sources], chunksize=chunk)
