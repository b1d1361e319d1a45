"""The county's work over many reports: produce, aggregate, the worklist — by the CLI's own code.

Nothing here renders, checks or adds up by itself.  The approved versions' texts are written as
report files into a private temporary folder and handed to what ``nianbao batch`` and ``nianbao
aggregate`` run (:func:`nianbao.county.batch.run`, :func:`nianbao.county.tally.tally`,
:func:`nianbao.county.worklist.build`), so that the site and the command line give the same
findings and byte-identical documents for the same reports.  Produce, the overview and the
aggregate run in the background: each is a job row claimed through the database by one worker's
:class:`Runner` — with ``serve --workers N`` any of them — which records its progress and result
there, where the county's pages read it.  A worker runs one job of each kind at a time, so ten
clicks on the overview of three hundred units do not read three hundred reports ten times over;
the page asking waits a little for a short job (:func:`wait`) and otherwise shows its progress.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NianbaoError
from ..system.output import Folder

if TYPE_CHECKING:
    from .store import JobInfo, Store, UnitInfo, VersionInfo

PRODUCE = "produce"
OVERVIEW = "overview"
AGGREGATE = "aggregate"
KINDS = (PRODUCE, OVERVIEW, AGGREGATE)  # a worker runs one job of each kind at a time
WAIT = 20.0  # seconds a page waits for its short job (an overview, an aggregate) before showing its progress
SOURCES = "报告文件"  # the folder of the zip that holds the report files produced from
SUMMARY = "汇总.xlsx"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # the zip's entries carry no time of day: the same reports give the same zip


class CountyError(NianbaoError):
    """The county's work cannot be done as asked (nothing approved yet…); said as it is."""


def file_names(pairs: list[tuple[UnitInfo, VersionInfo]]) -> list[str]:
    """A report file name per report, as ``nianbao export`` names it (``青山镇人民政府2025.yaml``),
    each unique even where two names become one file name (``a/b`` and ``a_b``)."""
    from ..system.output import numbered
    from .export import file_stem

    out: list[str] = []
    taken: set[str] = set()
    for unit, version in pairs:
        out.append(f"{numbered(file_stem(unit.name, version.year), taken)}.yaml")
    return out


def write_reports(folder: Path, pairs: list[tuple[UnitInfo, VersionInfo]]) -> list[Path]:
    """The versions' texts as report files in ``folder``, exactly as stored (UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (_, version) in zip(file_names(pairs), pairs):
        path = folder / name
        path.write_bytes((version.text or "").encode("utf-8"))
        paths.append(path)
    return paths


def zipped(folder: Path) -> bytes:
    """Every file under ``folder`` (nianbao's hidden record of its outputs left out) in one zip,
    names in UTF-8, in a fixed order and with a fixed date."""
    buffer = io.BytesIO()
    zip_into(folder, buffer)
    return buffer.getvalue()


def zip_into(folder: Path, target) -> None:
    """:func:`zipped` written into ``target`` (a path or a binary file), each file copied from
    disk a megabyte at a time: a site's 2 GB database zips in bounded memory."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != Folder.RECORD):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = path.stat().st_size  # past 2 GB the entry is written as zip64
            with open(path, "rb") as source, archive.open(info, "w") as entry:
                shutil.copyfileobj(source, entry, 1024 * 1024)


def default_targets() -> tuple[str, ...]:
    """What ``nianbao batch`` writes by default (DOCX, TXT), and PDF where LibreOffice is here."""
    from ..render import office

    return ("docx", "txt", "pdf") if office.soffice() is not None else ("docx", "txt")


# -- produce ---------------------------------------------------------------------------------------------
def start_produce(store: Store, year: int, *, actor: str, address: str, targets: tuple[str, ...] | None = None) -> int:
    """A job rendering every approved report of ``year``, claimed through the database by a
    worker's :class:`Runner` (this process's first, woken at once); its id.  While one is under
    way, on any worker, that one's id: a double click renders nothing twice."""
    approved = store.approved(year)
    if not approved:
        raise CountyError(f"{year}年度还没有已通过的报告，没有可以生成的文件")
    wanted = targets if targets is not None else default_targets()
    return _start(store, PRODUCE, len(approved), {"year": year, "targets": list(wanted)}, actor=actor, address=address)


def _start(store: Store, kind: str, total: int, args: dict, *, actor: str, address: str) -> int:
    """A job of ``kind`` (or the one already under way), this process's runner woken for it."""
    job, new = store.start_job(kind, total, args, actor=actor, address=address)
    if new:
        runner(store).wake()
    return job


def run_job(store: Store, job: JobInfo) -> None:
    """Run a claimed job to its end (what its kind does with what it was asked); never raises
    (a failure is the job's state and message, the traceback on the server's console)."""
    args = job.args or {}
    year = args.get("year")
    try:
        if job.kind == PRODUCE and isinstance(year, int) and isinstance(args.get("targets"), list):
            approved = store.approved(year)
            result = produced_zip(approved, tuple(args["targets"]), lambda done: store.update_job(job.id, done=done))
            store.update_job(job.id, result=result, state="done", message=f"已生成{len(approved)}个单位的报告")
        elif job.kind == OVERVIEW and isinstance(year, int):
            store.update_job(job.id, result=overview_zip(store, year), state="done", done=1, message=f"{year}年度各单位对比")
            store.drop_results(OVERVIEW, keep=job.id)
        elif job.kind == AGGREGATE and isinstance(year, int) and isinstance(args.get("actor"), str) and isinstance(args.get("address"), str):
            version, _ = aggregate(store, year, actor=args["actor"], address=args["address"])
            store.update_job(job.id, state="done", done=1, message="；".join(version.summary))
        else:
            store.update_job(job.id, state="failed", message=f"这个任务无法运行（{job.kind}）")
    except Exception as exc:  # noqa: BLE001 - a background thread has no caller: the job row says what happened
        from .pages import internal_error

        if not isinstance(exc, NianbaoError):
            internal_error(f"后台任务 {job.id}（{job.kind}）", exc)
        said = str(exc) if isinstance(exc, NianbaoError) else f"出了意外的问题（{type(exc).__name__}），请把服务器窗口中的信息发给维护者"
        try:
            store.update_job(job.id, state="failed", message=said)
        except Exception as again:  # noqa: BLE001 - the database itself is gone: the console has it
            internal_error(f"记录任务 {job.id} 的结果时", again)


def wait(store: Store, job_id: int, seconds: float | None = None) -> JobInfo | None:
    """The job once it has ended, or as it stands after ``seconds``: a page asking for a short
    job's result waits for it (on whichever worker runs it) rather than sending the admin to a
    progress page for a second's work."""
    deadline = time.monotonic() + (WAIT if seconds is None else seconds)
    pause = 0.01
    while True:
        found = store.job(job_id)
        if found is None or found.state != "running" or time.monotonic() >= deadline:
            return found
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


# -- jobs claimed through the database ---------------------------------------------------------------------
BEAT = 2.0  # seconds between a worker's signs of life while it runs a job
STALE = dt.timedelta(seconds=20)  # a job whose worker has been silent this long is said to have failed
INTERRUPTED = "网站在生成过程中停止过，这次生成没有完成：请重新生成"
RUN = secrets.token_hex(4)  # this process's run: with the host and pid, who claimed a job


def owner() -> str:
    """This worker as a job row names it: host/pid/run."""
    return f"{socket.gethostname()}/{os.getpid()}/{RUN}"


def dead(owner: str) -> bool:
    """``owner`` is a worker of this machine whose process no longer exists (it was killed, the
    machine restarted): its jobs are cut off now, not only after :data:`STALE`.  Another
    machine's worker, or where this cannot be asked (Windows), is left to its heartbeat."""
    host, _, rest = owner.partition("/")
    pid, _, run = rest.partition("/")
    if host != socket.gethostname() or not pid.isdigit() or os.name != "posix":
        return False
    if int(pid) == os.getpid():
        return run != RUN
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: a process of another user took the pid — not our worker
        return True
    return False


def fail_cut_off(store: Store, started: dt.datetime | None = None) -> list[int]:
    """The jobs whose worker is gone, said to have failed (:meth:`Store.fail_stale`); ``started``:
    when this run of the site started — a job nobody claimed from before then was left by the
    run that stopped."""
    return store.fail_stale(INTERRUPTED, STALE, dead, started)


class Runner:
    """This process's worker for background jobs: it claims jobs nobody runs (:meth:`Store.claim_job`),
    runs them one at a time in its own thread, says it is alive while it does, and fails the jobs of
    workers that are gone.  Asleep between looks (every :data:`BEAT` s), woken by a job started here."""

    def __init__(self, store: Store, started: dt.datetime | None = None) -> None:
        self.store = store
        self.started = started  # this run of the site (None: not known): unclaimed jobs from before it were cut off
        self.owner = owner()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="nianbao-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _loop(self) -> None:
        from .pages import internal_error

        busy: dict[str, threading.Thread] = {}  # kind → the thread running this worker's job of that kind
        while not self._stop.is_set():
            try:
                busy = {kind: thread for kind, thread in busy.items() if thread.is_alive()}
                if busy:
                    self.store.beat(self.owner)
                fail_cut_off(self.store, self.started)
                claimed = False
                for kind in KINDS:
                    if kind in busy:
                        continue
                    job = self.store.claim_job(self.owner, kind)
                    if job is not None:
                        busy[kind] = threading.Thread(target=run_job, args=(self.store, job), name=f"nianbao-job-{job.id}", daemon=True)
                        busy[kind].start()
                        claimed = True
                if claimed:
                    continue
            except Exception as exc:  # noqa: BLE001 - the database gone for a moment: said on the console, tried again
                if self._stop.is_set():
                    return
                internal_error("后台任务调度时", exc)
            self._wake.wait(BEAT)
            self._wake.clear()


_RUNNERS: dict[int, Runner] = {}
_RUNNERS_LOCK = threading.Lock()


def runner(store: Store, started: dt.datetime | None = None) -> Runner:
    """The :class:`Runner` of ``store`` in this process, started on first use (``started``: when
    this run of the site started, the first worker's start for them all)."""
    with _RUNNERS_LOCK:
        found = _RUNNERS.get(id(store))
        if found is None or found.store is not store:
            found = _RUNNERS[id(store)] = Runner(store, started)
            store.on_close.append(lambda: stop_runner(store))
        return found


def stop_runner(store: Store) -> None:
    with _RUNNERS_LOCK:
        found = _RUNNERS.pop(id(store), None)
    if found is not None:
        found.stop()


def produced_zip(approved: list[tuple[UnitInfo, VersionInfo]], targets: tuple[str, ...], progress=lambda done: None) -> bytes:
    """The zip of what ``nianbao batch 报告文件 -o 生成 --to targets`` writes (汇总.xlsx included),
    with the report files it was made from under ``报告文件/``."""
    from ..county import batch, worklist

    with tempfile.TemporaryDirectory(prefix="nianbao-produce-") as tmp:
        root = Path(tmp)
        sources, out = root / SOURCES, root / "out"
        write_reports(sources, approved)
        done = 0

        def tick(outcome) -> None:
            nonlocal done
            done += 1
            progress(min(done, len(approved)))

        notes: list[str] = []
        outcomes, pdf_problem = batch.run((sources,), out, jobs=1, targets=targets, on_result=tick, notes=notes)
        folder = Folder(out)
        folder.write(SUMMARY, worklist.build(outcomes))
        folder.save()
        if pdf_problem:
            (out / "未生成PDF的原因.txt").write_text(f"未生成 PDF：{pdf_problem}\n", encoding="utf-8")
        copy = out / SOURCES
        copy.mkdir()
        for path in sources.iterdir():
            (copy / path.name).write_bytes(path.read_bytes())
        return zipped(out)


# -- the worklist and the aggregate ------------------------------------------------------------------------
def summary(store: Store, year: int) -> bytes:
    """汇总.xlsx of the newest version of every unit's report of ``year``, as ``nianbao batch``
    builds it in a check-only run (no output format), the units on the site that have nothing
    yet as 未交回: the same workbook ``nianbao export`` writes beside the report files."""
    from ..county import batch, worklist

    latest = [(unit, version) for unit, _, version in store.latest_all(year) if not unit.is_county]
    expected = [row.name for row in store.units(year) if not row.is_county]
    with tempfile.TemporaryDirectory(prefix="nianbao-summary-") as tmp:
        root = Path(tmp)
        write_reports(root / SOURCES, latest)
        outcomes, _ = batch.run((root / SOURCES,), root / "out", jobs=1, targets=(), expected=expected, notes=[], year=year)
    return worklist.build(outcomes)


OVERVIEW_PARTS = {"html": "对比.html", "xlsx": "对比.xlsx"}  # the overview job's result: both, in one stored zip


def overview_key(store: Store, year: int) -> str:
    """What an overview of ``year`` is made from, as one digest: the unit list, the county's
    name, every unit's newest version number of every year up to ``year`` (and nianbao's version):
    an overview job with the same key shows what a new one would."""
    from .. import __version__

    settings = store.settings()
    made_of = [__version__, year, settings.county_name, [(row.id, row.name) for row in store.units(year)],
               [row for row in store.latest_numbers() if not row[2] and row[3] <= year]]
    return hashlib.sha256(json.dumps(made_of, ensure_ascii=False).encode("utf-8")).hexdigest()


def start_overview(store: Store, year: int, *, actor: str, address: str) -> int:
    """The overview job of ``year`` whose result is still what the site holds — the last one
    made, while no report, unit or name has changed since — else a new one (or the one under way)."""
    key = overview_key(store, year)
    last = store.last_done_job(OVERVIEW)
    if last is not None and (last.args or {}).get("key") == key:
        return last.id
    return _start(store, OVERVIEW, 1, {"year": year, "key": key}, actor=actor, address=address)


def overview_part(job: JobInfo, kind: str) -> bytes:
    """The page (``kind`` "html") or the workbook ("xlsx") of a finished overview job."""
    with zipfile.ZipFile(io.BytesIO(job.result or b"")) as archive:
        return archive.read(OVERVIEW_PARTS[kind])


def overview_zip(store: Store, year: int) -> bytes:
    """``nianbao overview`` of the newest version of every unit's report of ``year`` (the year
    counted) against every earlier year's on the site (``--previous`` once a year: last year's
    for the changes, X1–X5 and rates, all for the trends), in the list's order (a unit with
    nothing yet as 未交回): the page and the workbook the command writes for the same report
    files, in one zip (:data:`OVERVIEW_PARTS`) — each unit compared with last year linked to its
    pair page on the site (:func:`pair`).  Read and drawn in this process: the server is
    threaded, and forking it is not safe."""
    from ..compare import overview as overviewing
    from ..compare.overview_page import page
    from ..compare.overview_sheet import workbook

    expected = [row.name for row in store.units(year) if not row.is_county]
    county = store.settings().county_name
    everything = [(unit, of, version) for unit, of, version in store.latest_all() if not unit.is_county and of <= year]
    with tempfile.TemporaryDirectory(prefix="nianbao-overview-") as tmp:
        root = Path(tmp)
        this = [(unit, version) for unit, of, version in everything if of == year]
        write_reports(root / str(year), this)
        earlier = sorted({of for _, of, _ in everything if of < year})
        for of in earlier:
            write_reports(root / str(of), [(unit, version) for unit, each, version in everything if each == of])
        result = overviewing.gather([root / str(year)], [root / str(of) for of in earlier], expected, outside=None, jobs=1, year=year)
    ids = dict(zip(file_names(this), (unit.id for unit, _ in this)))
    for row in result.rows:
        if row.rates is not None and row.shown in ids:
            row.link = f"/county/units/{ids[row.shown]}/compare"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(OVERVIEW_PARTS["html"], page(result, county=county, jobs=1).encode("utf-8"))
        archive.writestr(OVERVIEW_PARTS["xlsx"], workbook(result, county=county))
    return buffer.getvalue()


def pair(store: Store, unit: UnitInfo, year: int) -> bytes | None:
    """``nianbao compare`` of the unit's newest reports of last year and ``year`` on the site:
    the page the command writes for the same two report files; None when either year has no
    report or one cannot be read whole."""
    from ..compare.page import render
    from ..compare.pair import Side, compare
    from ..workflows.editing import checked

    sides = []
    for of in (year - 1, year):
        version = store.latest(unit.id, of)
        if version is None or not version.text:
            return None
        loaded, findings = checked(version.text)
        if loaded.report is None:
            return None
        sides.append(Side(Path(file_names([(unit, version)])[0]), loaded.report, list(findings)))
    return render(compare(*sides))


def start_aggregate(store: Store, year: int, *, actor: str, address: str) -> int:
    """A job summing the approved reports of ``year`` into the county's own (:func:`aggregate`)."""
    approved = store.approved(year)
    if not approved:
        raise CountyError(f"{year}年度还没有已通过的报告，无法汇总：请先审核通过各单位的报告")
    return _start(store, AGGREGATE, len(approved), {"year": year, "actor": actor, "address": address}, actor=actor, address=address)


def aggregate(store: Store, year: int, *, actor: str, address: str) -> tuple[VersionInfo, list[str]]:
    """The county's own report of ``year``: the sum of the approved reports as ``nianbao aggregate``
    computes it, saved as the next version of :meth:`Store.county_unit`'s report (with the texts
    the admin wrote in the previous one kept: :func:`carry_texts`).  Returns the version and what
    the tally said (files left out and why)."""
    from ..county.tally import carry_texts, tally
    from ..render.reportfile import dump
    from ..workflows import editing as editor
    from .store import COUNTY_UNIT

    approved = store.approved(year)
    if not approved:
        raise CountyError(f"{year}年度还没有已通过的报告，无法汇总：请先审核通过各单位的报告")
    name = store.settings().county_name or COUNTY_UNIT
    with tempfile.TemporaryDirectory(prefix="nianbao-aggregate-") as tmp:
        root = Path(tmp)
        write_reports(root / SOURCES, approved)
        summed = tally((root / SOURCES,), name, None, outside=root / "out", year=year)
    if not summed.counted or summed.spec is None or summed.data is None:
        raise CountyError("已通过的报告都不能计入汇总：" + "；".join(summed.said[:5]))
    own = store.county_unit()
    latest = store.latest(own.id, year)
    kept = carry_texts(latest.text if latest else None, summed.spec.id, summed.data)
    text = dump(summed.spec, summed.data, header=summed.header(name))
    errors, warnings = editor.counts(editor.evaluate(text, None))
    said = [f"由{len(summed.counted)}个已通过的报告汇总表格数字"] + ([f"未计入：{summed.gaps()}"] if summed.gaps() else [])
    if kept and latest is not None:  # texts are kept only from a version saved before
        said.append(f"文字和机关信息沿用第{latest.number}版")
    version = store.save(own.id, year, text, base=latest.number if latest else 0, author=actor, address=address, summary=said,
                         errors=errors, warnings=warnings)
    return version, summed.said
