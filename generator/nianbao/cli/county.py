"""The commands on a county's reports: sheet (the workbooks sent out), batch (every unit
checked and rendered), aggregate (the county's sums)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..county.statuses import BatchStatus, Standing
from ..findings import ERROR
from ..system.output import backup, safe_name, write_atomic
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Usage, _out_file, _out_folder, _possible_year, _roster, main

NOTHING = "没有可处理的文件（.yaml、.xlsx，或已发布的 .docx、.doc、.wps、.pdf、.html、.txt、.md）"  # exit 2: no file and no unit list
UNITS_HELP = "应交回的单位名单（.txt 每行一个，或 .xlsx 第一列）：列出未交回的单位；不给时用所给文件夹中的 名单.txt（nianbao export 写出的）"
YEAR_HELP = f"只计入这一年度的报告（默认：文件最多的年度）；其他年度的文件列为“{Standing.OTHER_YEAR}”"


@main.command()
@click.option("--year", type=int, metavar="年份", required=True, help="报告年度")
@click.option("--unit", "unit_name", metavar="机关名称", help="机关名称（预先填入）")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help="单位名单（.txt 每行一个，或 .xlsx 第一列）：每个单位生成一份，-o 为文件夹")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件或文件夹", help="输出文件（默认：{机关名称}{年份}年度政府信息公开年报采集表.xlsx）；用 --units 时为文件夹")
@click.option("--force", is_flag=True, help="文件已存在时覆盖（原文件先备份为 .bak）")
def sheet(year: int, unit_name: str | None, roster_file: Path | None, out: Path | None, force: bool) -> None:
    """生成下发给各单位填写的数据采集表（.xlsx）。"""
    from ..read.workbook import build_sheet
    from ..workflows.blank import spec_for

    _possible_year(year)
    spec = spec_for(year)
    if roster_file is not None:
        if unit_name:
            raise Usage("--unit 和 --units 只能用一个")
        names, repeated = _roster(roster_file)
        if repeated:
            click.echo(f"注意：名单中重复的单位只生成一份：{'、'.join(repeated)}", err=True)
        folder = out or Path(f"{year}年度采集表")
        if folder.exists() and not folder.is_dir():
            raise Usage(f"{folder} 是文件，不是文件夹：用 --units 时 -o 应为文件夹")
        targets: list[tuple[Path, str | None]] = [(folder / safe_name(f"{name}{year}年度政府信息公开年报采集表.xlsx"), name) for name in names]
    else:
        targets = [(out or Path(safe_name(f"{unit_name or ''}{year}年度政府信息公开年报采集表.xlsx")), unit_name)]
    existing = [path for path, _ in targets if path.exists()]
    if existing and not force:
        shown = "、".join(p.name for p in existing[:5]) + ("等" if len(existing) > 5 else "")
        click.echo(f"{shown} 已存在，未覆盖；如需覆盖请加 --force（原文件会先备份为 .bak）", err=True)
        sys.exit(EXIT_USAGE)
    for path, name in targets:
        saved = backup(path) if path.exists() else None
        write_atomic(path, build_sheet(spec, year, name))
        click.echo(f"已生成 {path}" + (f"（原文件已备份为 {saved.name}）" if saved else ""))
    click.echo(f"共{len(targets)}份（{spec.name}）：请各单位只填浅黄色格子，表三下方的检查行全为 ✓ 再交回；交回后用 nianbao batch 处理")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件夹或文件…")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="文件夹", required=True, help="输出目录", callback=_out_folder)
@click.option("--jobs", type=click.IntRange(min=1), metavar="进程数", help="并行进程数（默认：CPU核数）")
@click.option("--defaults", "defaults_file", type=click.Path(path_type=Path), metavar="文件", help="各单位未填写的文字部分使用的默认文字（YAML，可用 {{ unit.name }} 等占位符）")
@click.option("--to", "targets", metavar="格式", default="docx,txt", help="输出格式，逗号分隔：docx,txt,html,fragment,pdf（默认 docx,txt；pdf 需要 LibreOffice）")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help=UNITS_HELP)
@click.option("--year", type=int, metavar="年份", help=YEAR_HELP)
@click.option("--draft", is_flag=True, help="还有占位文字或空着的部分时也生成，每页标明“草稿”")
def batch(inputs: tuple[Path, ...], out_dir: Path, jobs: int | None, defaults_file: Path | None, targets: str, roster_file: Path | None,
          year: int | None, draft: bool) -> None:
    """批量检查并生成报告：给出存放报告文件和/或采集表的文件夹（含子文件夹），或若干文件。"""
    from rich.console import Console

    from .. import render as rendering
    from ..county import rules as county
    from ..county import worklist
    from ..county.defaults import Defaults
    from ..system.output import Folder

    wanted = tuple(rendering.targets(targets))
    missing = [p for p in inputs if not p.exists()]
    if missing:
        raise Usage("找不到：" + "、".join(map(str, missing)))
    notes: list[str] = []
    sources = county.collect(inputs, outside=out_dir, notes=notes)
    said = list(notes)
    for note in said:
        click.echo(note, err=True)
    expected, listed = expected_units(roster_file, inputs, year)
    if not sources and expected is None:
        raise Usage(NOTHING)
    for note in listed:
        click.echo(note, err=True)
    try:
        defaults = Defaults.read(defaults_file) if defaults_file else None
    except OSError as exc:
        raise Usage(str(exc)) from exc
    outcomes, pdf_problem = _run(inputs, out_dir, sources, jobs, defaults, wanted, draft, expected, notes, year)
    # everything said on the way comes before the summary, which ends the run
    for note in notes[len(said):]:
        click.echo(note, err=True)
    folder = Folder(out_dir)
    saved = folder.write("汇总.xlsx", worklist.build(outcomes))
    folder.save()
    for note in folder.notes:
        click.echo(note, err=True)
    if "pdf" in wanted and any(o.ok for o in outcomes):
        from ..render import office
        from ..render.pdf import font_note  # which official fonts this machine lacks, said once a run

        if office.soffice() is not None and (fonts := font_note()):
            click.echo(f"提示：{fonts}", err=True)
    if pdf_problem:
        click.echo(f"未生成 PDF：{pdf_problem}", err=True)
    year_counted = next((o.year for o in outcomes if o.status == BatchStatus.MADE and o.year), None) or year
    out = Console()
    out.print(summary_table(outcomes, out.width, summary_title(outcomes, year_counted, out.width)))
    click.echo(f"汇总表：{out_dir / '汇总.xlsx'}（“单位”表看各单位状态，“问题清单”表列出每个问题的完整说明，可作为退回意见）"
               + (f"；上次的汇总表被改过，已备份为 {saved.name}" if saved else ""))
    sys.exit(EXIT_FINDINGS if any(not o.ok for o in outcomes) or pdf_problem else EXIT_OK)


def _run(inputs: tuple[Path, ...], out_dir: Path, sources: list[Path], jobs: int | None, defaults, wanted: tuple[str, ...], draft: bool,
         expected: list[str] | None, notes: list[str], year: int | None) -> tuple[list, str | None]:
    """The batch run (:func:`nianbao.county.batch.run`, ``jobs`` processes, default one a
    CPU) under a progress bar on the terminal: files done, how many with errors, files a second."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..county import batch as batching

    console = Console(stderr=True)
    failed = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("有错误 {task.fields[failed]}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("检查并生成", total=len(sources), failed=0, rate="")

        def tick(outcome) -> None:
            nonlocal failed
            failed += not outcome.ok
            speed = progress.tasks[0].speed
            progress.update(task, advance=1, failed=failed, rate=f"{speed:.1f} 份/秒" if speed else "")

        done = batching.run(inputs, out_dir, sources=sources, jobs=jobs or batching.default_jobs(), defaults=defaults, targets=wanted, draft=draft, expected=expected,
                            on_result=tick, notes=notes, year=year)
        progress.update(task, completed=len(sources))
    return done


def summary_title(outcomes: list, year: int | None, width: int) -> str:
    """The summary's title: the units and how each fared, then the files that are not units
    of the year — copies, another year's, and files of which no unit name could be read
    (empty, damaged, not a report: files, not units) — and the year; broken into lines
    between its parts where it would not fit ``width`` (an 80-column terminal too), never
    inside a part as rich would (``（2025`` / ``年度）``)."""
    from rich.cells import cell_len

    from ..county.statuses import FILES_ONLY

    unreadable = [o for o in outcomes if not o.name and o.status == BatchStatus.FAILED]
    units = [o for o in outcomes if o.status not in FILES_ONLY and o not in unreadable]
    counts = {status: sum(o.status == status for o in units) for status in (BatchStatus.MADE, BatchStatus.FAILED, BatchStatus.ABSENT)}
    files = {f"{status}的文件": sum(o.status == status for o in outcomes) for status in FILES_ONLY}
    files["读不出机关名称的文件（不是报告或已损坏）"] = len(unreadable)
    parts = [f"汇总：{len(units)}个单位，" + "，".join(f"{status}{n}个" for status, n in counts.items() if n)]
    parts += [f"；另有{what}{n}个" for what, n in files.items() if n]
    parts += [f"（{year}年度）"] if year else []
    lines = [""]
    for part in parts:
        if lines[-1] and cell_len(lines[-1] + part) > width:
            lines.append(part.removeprefix("；"))
        else:
            lines[-1] += part
    return "\n".join(lines)


def summary_table(outcomes: list, width: int, title: str):
    """The batch's summary as the terminal shows it: one line per unit whatever its width
    (80 columns too), the first problem cut to what fits — the full messages are in
    汇总.xlsx, whose 问题清单 lists every one."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    from ..county.filenames import readable_text

    rows = []
    for i, o in enumerate(outcomes, start=1):
        first = next((f for f in o.findings if f.level == ERROR), None)
        reason = " ".join(readable_text(f"{first.rule} {first.message}").split()) if first else ""
        rows.append((str(i), readable_text(o.name or o.shown), o.status, str(o.errors), str(o.warnings), reason))
    heads = ("序号", "机关名称", "状态", "错误", "提示", "主要问题（全文见汇总.xlsx）")
    fitted = [max([cell_len(head)] + [cell_len(row[c]) for row in rows]) for c, head in enumerate(heads)]
    fitted[1] = min(fitted[1], max(14, width // 4))  # a long name gives way to the problem
    fitted[5] = max(cell_len(heads[5]), width - sum(fitted[:5]) - 2 * (len(heads) - 1) - 1)
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left", collapse_padding=True)
    for c, head in enumerate(heads):
        table.add_column(head, justify="right" if c in (0, 3, 4) else "left", no_wrap=True, overflow="ellipsis", width=fitted[c])
    for row in rows:
        table.add_row(*row)
    return table


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件夹或文件…")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件", required=True, help="汇总的报告文件（.yaml）", callback=_out_file)
@click.option("--unit", "unit_name", metavar="机关名称", default="（汇总）", help="汇总报告的机关名称")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help=UNITS_HELP)
@click.option("--year", type=int, metavar="年份", help=YEAR_HELP)
def aggregate(inputs: tuple[Path, ...], out: Path, unit_name: str, roster_file: Path | None, year: int | None) -> None:
    """把多个单位的表格数字相加，得到全县（区）的汇总数字。"""
    from ..county import rules as county_rules
    from ..county import worklist
    from ..county.filenames import readable_text
    from ..county.tally import SHEET_WIDTHS, carry_texts, tally
    from ..render.reportfile import dump
    from ..system.output import Folder

    def say(text: str) -> None:
        click.echo(readable_text(text), err=True)

    missing = [p for p in inputs if not p.exists()]
    if missing:
        raise Usage("找不到：" + "、".join(map(str, missing)))
    expected, listed = expected_units(roster_file, inputs, year)
    summed = tally(inputs, unit_name, expected, outside=out, year=year)
    if not summed.files and expected is None:
        raise Usage(NOTHING)
    if summed.run.year is not None:
        say(summed.run.line(county_rules.YEAR_HINT))
    for line in [*listed, *summed.said]:
        say(line)
    if not summed.counted:
        say(f"没有可以计入汇总的报告（{summed.gaps() or '没有找到报告'}），未生成汇总。")
        sys.exit(EXIT_FINDINGS)
    spec, data, gaps = summed.spec, summed.data, summed.gaps()
    assert spec is not None and data is not None
    kept = out.is_file() and carry_texts(_text_of(out), spec.id, data, data["year"])  # the county clerk's own words: only the figures are renewed
    written = dump(spec, data, header=summed.header(unit_name)).encode("utf-8")
    folder = Folder(out.parent)  # recorded as nianbao's: a later batch or aggregate of this folder skips them, an unchanged rerun backs nothing up
    saved = folder.write(out.name, written)
    summary = out.parent / "汇总.xlsx"
    title, rows = summed.sheet(unit_name)
    folder.write(summary.name, worklist.with_sheet(summary.read_bytes() if summary.exists() else None, "表三主要行", rows, title, SHEET_WIDTHS))
    folder.save()
    for note in folder.notes:
        say(note)
    if kept:
        from ..model.places import label

        names = dict.fromkeys(f"“{label(spec.id, tuple(key.split('.')))}”" for key in kept)
        say(f"{out.name} 中原有的{''.join(names)}已保留，只更新了表格数字")
    what = f"不完整的汇总：只计入{len(summed.counted)}个单位，{gaps}（见上），改正后请重新汇总" if gaps else f"{len(summed.counted)}个单位"
    click.echo(f"已生成 {out}（{what}）和 {summary}（“表三主要行”表）" + (f"；{out.name} 在上次生成后被改过，原文件已备份为 {saved.name}" if saved else ""))
    if gaps:
        sys.exit(EXIT_FINDINGS)


def _text_of(path: Path, limit: int = 2 * 1024 * 1024) -> str | None:
    """A report file's text, whatever its encoding; None when it cannot be read or is far
    larger than a report file (a few tens of KB)."""
    from ..system.decode import decode, read_at_most

    try:
        data = read_at_most(path, limit)
    except OSError:
        return None
    return decode(data).text if data is not None else None


def expected_units(roster_file: Path | None, inputs: tuple[Path, ...], year: int | None = None) -> tuple[list[str] | None, list[str]]:
    """(the unit list of a county run, what to say of it): ``--units`` when given, else the
    名单.txt that the folders given hold (``nianbao export`` writes one into each year's
    folder) — so that a county total of an exported folder names the units that sent
    nothing.  ``year`` (``--year``) is checked here too, before any file is read."""
    from ..county.intake import unit_lists

    if year is not None:
        _possible_year(year)
    lists = unit_lists(inputs)
    if roster_file is not None:
        unused = [f"注意：已给出 --units {roster_file}，文件夹中的 {'、'.join(map(str, lists))} 未使用"] if lists else []
        return _listed(roster_file), unused
    if not lists:
        return None, []
    names: list[str] = []
    for path in lists:
        names += [name for name in _listed(path) if name not in names]
    return names, [f"按 {'、'.join(map(str, lists))} 中的{len(names)}个单位核对是否交齐（nianbao export 写出的网站单位名单；可用 --units 指定其他名单）"]


def _listed(path: Path) -> list[str]:
    """The names on a unit list, each once; a name the list repeats is said (a clerk may have
    meant another unit there), as ``sheet`` says it."""
    names, repeated = _roster(path)
    if repeated:
        click.echo(f"注意：名单中重复的单位只算一个：{'、'.join(repeated)}", err=True)
    return names
