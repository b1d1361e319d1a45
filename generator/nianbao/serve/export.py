"""``nianbao export``: the site back out as report files and 汇总.xlsx — the way to back up, to
hand the reports to the command line, and to leave the site.

Each report's newest version is written as the very text the site holds (the report file
``check``, ``render`` and ``batch`` read), so the command line finds what the site found and
renders byte-identical documents.  汇总.xlsx is not rebuilt here: the files just written go
through ``batch``'s own check-only run (:func:`nianbao.county.batch.run` with no output format)
and ``batch``'s worklist, so the export's summary is the one ``nianbao batch`` would give.

Each year goes into a folder of its own (``2025年度/``), because ``batch`` and ``aggregate`` read
a folder with its subfolders and a report of another year is a county rule error there: the
folder of one year is what the command line is pointed at.

The county's own (aggregate) report is written too, but recorded as nianbao's output (as
``nianbao aggregate`` records its result), so that ``batch`` or ``aggregate`` run over the
exported folder count each unit once and never the county's sum again.

The site's unit list travels with the reports: each year's folder gets 名单.txt (the
``--units`` format, one name a line), which ``aggregate``, ``overview`` and ``batch`` use
when given that folder — so a county total of the export names the units that sent
nothing, as the site's own summary does, instead of summing what is there in silence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..system.output import Folder, backup, numbered, safe_name, write_atomic
from .db import DatabaseError
from .store import ADMIN, Store, VersionInfo

SUMMARY = "汇总.xlsx"
SNAPSHOT = "网站数据库备份.db"  # the whole SQLite site; put back as SITE/nianbao.db to restore


def file_stem(unit: str, year: int) -> str:
    """``青山镇人民政府2025``: the unit's name as a file name every system accepts."""
    return safe_name(f"{unit}{year}")


def run(site: Path | None, *, db: str | None = None, out: Path, echo: Callable[..., None] = click.echo) -> bool:
    """Write every report's newest version and 汇总.xlsx into ``out``; say what was written
    through ``echo`` (the console's; the site's county page, which zips the folder, passes one
    that says nothing on the server's console).  False when the database could not be read or a
    file could not be written."""
    try:
        store = Store.for_site(site, db=db)
    except DatabaseError as exc:
        echo(str(exc), err=True)
        return False
    try:
        return _export(store, Path(out), echo)
    finally:
        store.close()


def year_folder(out: Path, year: int) -> Path:
    """``OUT/2025年度``: one year's reports, the folder to give ``batch`` or ``aggregate``."""
    return out / f"{year}年度"


def _export(store: Store, out: Path, echo: Callable[..., None]) -> bool:
    site = store.settings()
    everything = store.latest_all()
    units = [u for u in store.units(site.year) if not u.is_county]
    out.mkdir(parents=True, exist_ok=True)
    ok = True
    written: dict[int, list[Path]] = {}  # year → the units' files
    folders: dict[int, Folder] = {}  # the county's own report: recorded, so batch/aggregate of the folder skip it
    taken: set[str] = set()
    for unit, year, version in everything:
        stem = numbered(file_stem(unit.name, year), taken)  # two names only a forbidden character told apart: two files
        if year not in folders:
            year_folder(out, year).mkdir(exist_ok=True)
            folders[year] = Folder(year_folder(out, year))
        path = year_folder(out, year) / f"{stem}.yaml"
        try:
            saved = _write(path, version, folders[year] if unit.is_county else None)
        except OSError as exc:
            echo(f"未能写出 {path.name}：{exc.strerror or exc}", err=True)
            ok = False
            continue
        said = f"（原有的文件已备份为 {saved.name}）" if saved else ""
        kind = "（县本级汇总报告）" if unit.is_county else ""
        echo(f"已导出 {path.relative_to(out)}{kind}：第{version.number}版，{version.author}于{_when(version)}保存{said}")
        if not unit.is_county:
            written.setdefault(year, []).append(path)
    if not everything:
        echo("网站中还没有任何单位保存过报告。")
    year = site.year if site.year in written or not written else max(written)
    if year not in folders:
        year_folder(out, year).mkdir(exist_ok=True)
        folders[year] = Folder(year_folder(out, year))
    for each in sorted(folders):
        ok = _unit_list(folders[each], [u.name for u in units], echo) and ok
    summary = _summary(year_folder(out, year), written.get(year, []), [u.name for u in units] if year == site.year else None, folders[year], year)
    for folder in folders.values():
        folder.save()
        for note in folder.notes:
            echo(note, err=True)
    if summary is not None:
        echo(f"汇总表：{year_folder(out, year) / SUMMARY}（{year}年，{len(written.get(year, []))}份报告"
                   + (f"，名单上{len(units)}个单位" if year == site.year else "") + "）" + summary)
    for other in sorted(y for y in written if y != year):
        echo(f"{other}年的报告在 {year_folder(out, other)}（汇总表只列{year}年）")
    store.audit(ADMIN, "命令行", "导出", f"{sum(map(len, written.values()))}份单位报告到 {out}")
    return _snapshot(store, out, echo) and ok


def _unit_list(folder: Folder, names: list[str], echo: Callable[..., None]) -> bool:
    """名单.txt in a year's folder: the site's units, one a line (``--units``' format), under a
    comment line saying what it is; recorded as nianbao's output, kept as ``.bak`` if changed
    by hand since.  False when it could not be written."""
    from ..county.intake import LIST_NAME

    text = "# 网站的单位名单（nianbao export 写出）：在本文件夹运行 nianbao aggregate、overview、batch 时自动用作 --units，列出未交回的单位\n" + "".join(f"{name}\n" for name in names)
    try:
        folder.write(LIST_NAME, text.encode("utf-8"))
    except OSError as exc:
        echo(f"未能写出 {LIST_NAME}：{exc.strerror or exc}", err=True)
        return False
    echo(f"单位名单：{Path(folder.folder.name) / LIST_NAME}（{len(names)}个单位，aggregate、overview、batch 给出这个文件夹时自动使用）")
    return True


def _snapshot(store: Store, out: Path, echo: Callable[..., None]) -> bool:
    """The whole SQLite database (every version, comment and audit row) beside the report files,
    as one consistent copy taken while the site may be running: with it the site itself can be
    restored.  It replaces the previous one without a ``.bak``: the site never deletes a version
    or an audit row, so the newer copy holds everything the older one did."""
    if store.engine.dialect.name != "sqlite":
        echo("数据库在 PostgreSQL 中：请另用 pg_dump 备份整个数据库（报告文件已导出）")
        return True
    try:
        store.backup(out / SNAPSHOT)
    except (OSError, DatabaseError) as exc:
        echo(f"未能写出数据库备份 {SNAPSHOT}：{getattr(exc, 'strerror', None) or exc}", err=True)
        return False
    echo(f"数据库备份：{out / SNAPSHOT}（含全部版本、意见和操作记录；要恢复网站，把它改名为 nianbao.db 放进站点文件夹）")
    return True


def _write(path: Path, version: VersionInfo, folder: Folder | None) -> Path | None:
    """The version's text as it is, atomically; a different file already there is kept as
    ``.bak`` first (as every command that writes a report file does)."""
    data = (version.text or "").encode("utf-8")
    saved = None
    if folder is not None:
        return folder.write(path.name, data)
    if path.is_file() and path.read_bytes() != data:
        saved = backup(path)
    write_atomic(path, data)
    return saved


def _when(version: VersionInfo) -> str:
    from .store import shown_time

    return shown_time(version.created_at)


def _summary(out: Path, files: list[Path], expected: list[str] | None, folder: Folder, year: int) -> str | None:
    """汇总.xlsx of ``files`` by ``batch``'s own check-only run; what to add to the line that
    names it (a backup made); None when there is nothing to summarise."""
    if not files and not expected:
        return None
    from ..county import batch as batching
    from ..county import worklist

    notes: list[str] = []
    outcomes, _ = batching.run([out], out, sources=files, jobs=min(batching.default_jobs(), max(1, len(files))), targets=(),
                               expected=expected, notes=notes, year=year)
    saved = folder.write(SUMMARY, worklist.build(outcomes))
    errors = sum(not o.ok for o in outcomes)
    said = f"；其中{errors}个单位有错误或未填写" if errors else ""
    return said + (f"；上次的汇总表被改过，已备份为 {saved.name}" if saved else "")

