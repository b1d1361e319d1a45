"""The ``nianbao`` command line (README, docs/报告文件.md): commands, exit statuses, and no tracebacks.

Every command reports problems as Chinese findings.  An unexpected failure prints one
line asking to rerun with ``--debug``, which shows the traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Iterable

from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import NianbaoError
from .findings import ERROR, WARNING, Finding, has_errors, sort_findings
from .output import backup, safe_name, write_atomic
from .standard import first_year, spec_for_year

if TYPE_CHECKING:  # each command imports what it uses, when it runs: check starts fast
    from .load import Loaded
    from .report import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _console_safe() -> None:
    """A GBK console cannot show every character; replace rather than crash."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass


class Usage(click.UsageError):
    """A command-line mistake: exit 2 with a Chinese message."""


def _checked(path: Path, *, zero_missing: bool = False) -> tuple[Loaded, list[Finding]]:
    """A report file, a collection workbook, or a published report (.txt, .docx, .pdf, .html…)."""
    if path.is_dir():
        raise Usage(f"{path} 是文件夹：请给出报告文件；要处理整个文件夹，用 nianbao batch 或 nianbao aggregate")
    if not path.is_file():
        raise Usage(f"找不到文件：{path}")
    from .sources import load_checked

    return load_checked(path, zero_missing=zero_missing)


def _folder_ok(path: Path, *, is_folder: bool = True) -> Path:
    """Refuse, before any work, an output place that cannot be one: ``-o`` naming a file
    where a folder is meant, or a folder path that runs through a file."""
    here = path if is_folder else path.parent
    for place in (here, *here.parents):
        if place.exists():
            if not place.is_dir():
                what = "-o 应为文件夹" if is_folder and place == path else f"无法在其中建立 {path}"
                raise Usage(f"{place} 是文件，不是文件夹：{what}")
            break
    if not is_folder and path.is_dir():
        raise Usage(f"{path} 是文件夹：-o 应为要写出的文件名")
    return path


def _out_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    return None if value is None else _folder_ok(value)


def _out_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    return None if value is None else _folder_ok(value, is_folder=False)


def _previous(path: Path) -> Report:
    """Last year's report for the cross-year rules; it must load, its own findings aside."""
    loaded, _ = _checked(path)
    if loaded.report is None:
        raise Usage(f"上一年度的报告 {path} 有错误，无法用于跨年度核对：请先运行 nianbao check {path}")
    return loaded.report


def _print_findings(path: Path, findings: Iterable[Finding]) -> None:
    findings = list(findings)
    errors = sum(f.level == ERROR for f in findings)
    warnings = len(findings) - errors
    status = "通过" if not errors else "未通过"
    click.echo(f"{path}：{status}（错误{errors}个，提示{warnings}个）")
    for f in findings:
        click.echo(f"  {f.labelled(path)}")


class _Command(click.Command):
    """A command whose usage line reads in Chinese, and whose refusals of what it was given
    (any :class:`~nianbao.errors.NianbaoError` that reaches it: an unknown format, a wrong
    reference document, defaults file or unit list) are usage mistakes: exit 2, said once here."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NianbaoError as exc:
            raise Usage(str(exc), ctx) from exc


class _Group(click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[选项]", subcommand_metavar="命令 [参数]…")
@click.version_option(__version__, prog_name="nianbao", message="%(prog)s 版本 %(version)s", help="显示版本号并退出。")
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 错误信息（供开发者排查）")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """nianbao：政府信息公开工作年度报告的起草、检查和生成工具。"""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _possible_year(year: int) -> None:
    """A year no report can have is a usage mistake (exit 2), not a crash: 99999 has no
    "next January" to date the report by."""
    from .dates import impossible_year

    problem = impossible_year(year)
    if problem:
        raise Usage(problem)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path), metavar="文件")
@click.option("--year", type=int, metavar="年份", help="报告年度（默认：上一年）")
@click.option("--unit", "unit_name", metavar="机关名称", help="机关名称")
@click.option("--force", is_flag=True, help="文件已存在时覆盖（原文件先备份为 .bak）")
def init(file: Path | None, year: int | None, unit_name: str | None, force: bool) -> None:
    """生成一份待填写的报告文件（每个键都附有中文注释）。"""
    from .reportfile import blank, dump, guide

    year = year or dt.date.today().year - 1
    _possible_year(year)
    spec = spec_for_year(year)
    if spec is None:
        raise Usage(f"不支持{year}年度：年度报告格式自{first_year()}年度起实行")
    file = file or Path(safe_name(f"{unit_name or '报告'}{year}.yaml"))
    if file.exists() and not force:
        click.echo(f"{file} 已存在，未覆盖；如需覆盖请加 --force（原文件会先备份）", err=True)
        sys.exit(EXIT_USAGE)
    saved = backup(file) if file.exists() else None
    header = guide(spec.title(unit_name or "（机关名称）", year), file.name)
    write_atomic(file, dump(spec, blank(spec, year, unit_name), header=header).encode("utf-8"))
    if saved:
        click.echo(f"原文件已备份为 {saved}")
    click.echo(f"已生成 {file}（{spec.name}）")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="报告文件…")
@click.option("--previous", type=click.Path(path_type=Path), metavar="文件", help="上一年度的报告文件（跨年度核对）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（每个文件一行）")
@click.option("--zero-missing", is_flag=True, help="未填写的行按 0 计（记为提示而非错误）")
def check(files: tuple[Path, ...], previous: Path | None, as_json: bool, zero_missing: bool) -> None:
    """检查报告文件：格式、每个单元格、勾稽关系。"""
    from .sources import load_checked

    given = _previous(previous) if previous is not None else None
    failed = False
    for path in files:
        loaded, findings = _checked(path, zero_missing=zero_missing)
        last = given
        if last is None and loaded.previous is not None and loaded.report is not None:
            # drafted by next or new --from: compare with last year's without being asked
            if loaded.previous.is_file():
                before, _ = load_checked(loaded.previous)
                last = before.report if before.report is not None and before.report.year == loaded.report.year - 1 else None
            if last is None:
                findings = sort_findings(findings + [Finding(WARNING, "X", None, f"文件记录的上一年度报告 {loaded.previous} 找不到或无法读取，跨年度核对（X1–X5）未做；可用 --previous 指定")])
        if last is not None and loaded.report is not None:
            if loaded.report.year != last.year + 1:
                raise Usage(f"--previous 应为{path.name}上一年度（{loaded.report.year - 1}年）的报告，{previous}是{last.year}年度的")
            from .crossyear import check_previous

            findings = sort_findings(findings + check_previous(loaded.report, last))
        failed |= has_errors(findings)
        if as_json:
            payload = {"file": str(path), "ok": not has_errors(findings), "findings": [f.as_json() for f in findings]}
            click.echo(json.dumps(payload, ensure_ascii=False))
        else:
            _print_findings(path, findings)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@main.command()
@click.argument("file", type=click.Path(path_type=Path), metavar="报告文件")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="文件夹", default=Path("."), help="输出目录（默认：当前目录）", callback=_out_folder)
@click.option("--to", "targets", metavar="格式", default="docx,txt", help="输出格式，逗号分隔：docx,txt,html,fragment,pdf（默认 docx,txt）；fragment 是贴进网站编辑器用的网页片段，pdf 需要 LibreOffice")
@click.option("--reference-docx", type=click.Path(path_type=Path), metavar="DOCX文件", help="样式参考文档（DOCX）")
@click.option("--draft", is_flag=True, help="还有占位文字或空着的部分时也生成，每页标明“草稿”")
def render(file: Path, out_dir: Path, targets: str, reference_docx: Path | None, draft: bool) -> None:
    """生成报告：{机关名称}{年份}年政府信息公开工作年度报告.docx / .txt / .html / .pdf"""
    from . import render as rendering
    from .output import Folder
    from .publish import publishable

    wanted = rendering.targets(targets)
    if reference_docx is not None and not reference_docx.is_file():
        raise Usage(f"找不到样式参考文档：{reference_docx}")
    loaded, findings = _checked(file)
    if loaded.report is not None and not draft:
        findings = sort_findings(publishable(loaded.report, findings))
    if has_errors(findings) or loaded.report is None:
        _print_findings(file, findings)
        click.echo("报告有错误，未生成任何文件。" + ("" if loaded.report is None or not any(f.rule == "P" for f in findings) else "要先看排版效果，可加 --draft 生成草稿。"), err=True)
        sys.exit(EXIT_FINDINGS)
    report = loaded.report
    from .render.docx import notes as left_out

    # everything rendered before anything is written
    outputs = {t: rendering.render(report, t, reference_docx, draft) for t in wanted if t != "pdf"}
    reference_notes = left_out(reference_docx)  # read (or refused) whichever formats are asked for
    for note in reference_notes:  # what of the reference was left out, never silently
        click.echo(f"提示：{note}", err=True)
    pdf_problem = font_note = None
    if "pdf" in wanted:
        from . import office
        from .render import pdf
        from .render.docx import report_date

        docx = outputs.get("docx") or rendering.render(report, "docx", reference_docx, draft)
        try:
            outputs["pdf"] = pdf.convert([(report.title, docx, report_date(report))])[report.title]
            font_note = pdf.font_note()  # which official fonts this machine lacks, said once
        except (office.Unavailable, KeyError) as exc:
            pdf_problem = str(exc) if isinstance(exc, office.Unavailable) else "LibreOffice 未能把报告转换为 PDF"
    folder = Folder(out_dir)
    for target in wanted:
        if target in outputs:
            name = rendering.file_name(report.title, target)
            saved = folder.write(name, outputs[target])
            click.echo(f"已生成 {out_dir / name}" + ("（草稿）" if draft else "") + (f"；它在上次生成后被改过，原文件已备份为 {saved.name}" if saved else ""))
    folder.save()
    warnings = [f for f in findings if f.level != ERROR]
    if warnings:
        click.echo(f"另有{len(warnings)}个提示，可运行 nianbao check {file} 查看。")
    if font_note:
        click.echo(f"提示：{font_note}", err=True)
    if pdf_problem:
        click.echo(f"未生成 PDF：{pdf_problem}", err=True)
        sys.exit(EXIT_FINDINGS)


@main.command("new")
@click.argument("file", required=False, type=click.Path(path_type=Path), metavar="文件")
@click.option("--from", "source", type=click.Path(path_type=Path), metavar="文件", help="以这份报告文件（或草稿）的内容作为各项的默认答案")
def new_command(file: Path | None, source: Path | None) -> None:
    """逐项问答填写一份报告（需要在终端中运行）。"""
    from .wizard import Wizard, defaults_from

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("nianbao new 需要在终端中逐项问答，这里没有终端（输入被重定向）。在脚本中请用 nianbao init 生成文件后填写。", err=True)
        sys.exit(EXIT_USAGE)
    defaults = None
    if source is not None:
        loaded, findings = _checked(source)
        if loaded.report is None:
            _print_findings(source, findings)
            raise Usage(f"--from 的文件 {source} 有错误，无法作为默认答案")
        defaults = defaults_from(loaded.report)
    wizard = Wizard(file, defaults=defaults, based_on=source)
    try:
        written = wizard.run()
    except KeyboardInterrupt:
        again = f"nianbao new {file}" if file else "nianbao new"
        click.echo(f"\n已中断。已填写的内容保存在 {wizard.progress}，再次运行 {again} 可以接着填。", err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK if written else EXIT_FINDINGS)


@main.command("next")
@click.argument("last", type=click.Path(path_type=Path), metavar="上一年度文件")
@click.option("-o", "--output", "new", type=click.Path(path_type=Path), metavar="文件", help="新文件（默认：与上一年度的文件同目录，{机关名称}{年份}.yaml）", callback=_out_file)
def next_command(last: Path, new: Path | None) -> None:
    """由上一年度的报告文件生成下一年度的草稿：数字归零，结转和现行有效件数带入，文字保留待修改。"""
    from . import importer
    from .decode import decode_text
    from .load import with_provenance
    from .nextyear import draft
    from .reportfile import dump, guide, reheaded

    if importer.is_published(last) and last.is_file():
        imported = importer.import_file(last)
        if imported.failed:  # the zeros that stand in for unread cells must not be carried into a draft
            _print_findings(last, sort_findings(imported.findings))
            click.echo("原文有无法读取的内容：请先用 nianbao import 读成报告文件，对照原件补填后再生成草稿。", err=True)
            sys.exit(EXIT_FINDINGS)
        loaded, findings = importer.checkable(imported)[0], imported.findings
        text = dump(imported.spec, imported.data, notes=imported.notes)  # type: ignore[arg-type]
    else:
        loaded, findings = _checked(last)
        text = decode_text(last.read_bytes()) if loaded.report is not None else ""
    if loaded.report is None:
        _print_findings(last, findings)
        click.echo("上一年度的报告有错误，无法生成草稿。", err=True)
        sys.exit(EXIT_FINDINGS)
    report = loaded.report
    result = draft(report, text)
    target = new or last.parent / safe_name(f"{report.unit.name}{result.year}.yaml")  # type: ignore[attr-defined]
    if target.resolve() == last.resolve():
        raise Usage(f"新文件不能覆盖上一年度的文件 {last}：请用 -o 指定新文件")
    saved = backup(target) if target.exists() else None
    how = "由上一年度的报告生成：本年各项数字为0，上年结转和现行数量已带入，文字沿用上一年度的，请逐段修改。"
    text = reheaded(result.text, guide(result.spec.title(report.unit.name, result.year), target.name, how))  # type: ignore[attr-defined]
    write_atomic(target, with_provenance(text, last, target).encode("utf-8"))
    if saved:
        click.echo(f"原有的 {target.name} 已备份为 {saved.name}")
    click.echo(f"已生成 {target}（{result.year}年度草稿，{result.spec.name}）：本年各项数字为0，上年结转和现行数量已带入，文字沿用上一年度的，请逐段修改")
    for note in result.notes:
        click.echo(f"  注意：{note}")


@main.command("import", short_help="把已发布的年度报告（Word、PDF、网页、文本）读成报告文件。")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="已发布的报告…")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="文件夹", default=Path("."), help="输出目录（默认：当前目录）", callback=_out_folder)
def import_command(reports: tuple[Path, ...], out_dir: Path) -> None:
    """把已发布的年度报告（.docx、.doc、.wps、.pdf、.html、.txt、.md）读成报告文件（.yaml）。"""
    from . import importer
    from .reportfile import dump

    missing = [p for p in reports if not p.is_file()]
    if missing:
        raise Usage("找不到文件：" + "、".join(map(str, missing)))
    failed = False
    written: set[Path] = set()
    for path in reports:
        imported = importer.import_file(path)
        findings = sort_findings(imported.findings)
        failed |= imported.failed or imported.spec is None
        errors = sum(f.level == ERROR for f in findings)
        if imported.spec is None:
            _print_findings(path, findings)
            continue
        data = imported.data
        stem = safe_name(f"{data['unit'].get('name') or path.stem}{data.get('year') or ''}")
        target = out_dir / f"{stem}.yaml"
        n = 2
        while target in written:
            target, n = out_dir / f"{stem}-{n}.yaml", n + 1
        written.add(target)
        header = (
            f"由 nianbao import 从“{path.name}”导入（{imported.spec.name}）。\n"
            + (f"有{errors}处原文无法读取，已留空并在该处注明，请对照原件补填。\n" if errors else "")
            + f"核对后运行：nianbao check {target.name}"
        )
        saved = backup(target) if target.exists() else None
        write_atomic(target, dump(imported.spec, data, header=header, notes=imported.notes).encode("utf-8"))
        click.echo(f"{path} → {target}（错误{errors}个，提示{len(findings) - errors}个）" + (f"；原有文件已备份为 {saved.name}" if saved else ""))
        for f in findings:
            click.echo(f"  {f.labelled(path)}")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@main.command()
@click.option("--year", type=int, metavar="年份", required=True, help="报告年度")
@click.option("--unit", "unit_name", metavar="机关名称", help="机关名称（预先填入）")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help="单位名单（.txt 每行一个，或 .xlsx 第一列）：每个单位生成一份，-o 为文件夹")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件或文件夹", help="输出文件（默认：{机关名称}{年份}年度政府信息公开年报采集表.xlsx）；用 --units 时为文件夹")
@click.option("--force", is_flag=True, help="文件已存在时覆盖（原文件先备份为 .bak）")
def sheet(year: int, unit_name: str | None, roster_file: Path | None, out: Path | None, force: bool) -> None:
    """生成下发给各单位填写的数据采集表（.xlsx）。"""
    from .workbook import build_sheet

    _possible_year(year)
    spec = spec_for_year(year)
    if spec is None:
        raise Usage(f"不支持{year}年度：年度报告格式自{first_year()}年度起实行")
    if roster_file is not None:
        if unit_name:
            raise Usage("--unit 和 --units 只能用一个")
        names, repeated = _roster(roster_file)
        if repeated:
            click.echo(f"注意：名单中重复的单位只生成一份：{'、'.join(repeated)}", err=True)
        folder = out or Path(f"{year}年度采集表")
        if folder.exists() and not folder.is_dir():
            raise Usage(f"{folder} 是文件，不是文件夹：用 --units 时 -o 应为文件夹")
        targets = [(folder / safe_name(f"{name}{year}年度政府信息公开年报采集表.xlsx"), name) for name in names]
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
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help="应交回的单位名单（.txt 每行一个，或 .xlsx 第一列）：汇总表列出未交回的单位")
@click.option("--draft", is_flag=True, help="还有占位文字或空着的部分时也生成，每页标明“草稿”")
def batch(inputs: tuple[Path, ...], out_dir: Path, jobs: int | None, defaults_file: Path | None, targets: str, roster_file: Path | None, draft: bool) -> None:
    """批量检查并生成报告：给出存放报告文件和/或采集表的文件夹（含子文件夹），或若干文件。"""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from . import batch as batching
    from . import county, worklist
    from . import render as rendering
    from .filenames import readable_text
    from .output import Folder

    wanted = tuple(rendering.targets(targets))
    missing = [p for p in inputs if not p.exists()]
    if missing:
        raise Usage("找不到：" + "、".join(map(str, missing)))
    notes: list[str] = []
    sources = county.collect(inputs, outside=out_dir, notes=notes)
    said = list(notes)
    for note in said:
        click.echo(note, err=True)
    if not sources:
        raise Usage("没有可处理的文件（.yaml、.xlsx，或已发布的 .docx、.doc、.wps、.pdf、.html、.txt、.md）")
    expected = _roster(roster_file)[0] if roster_file is not None else None
    try:
        defaults = batching.Defaults.read(defaults_file) if defaults_file else None
    except OSError as exc:
        raise Usage(str(exc)) from exc
    jobs = jobs or batching.default_jobs()
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

        outcomes, pdf_problem = batching.run(inputs, out_dir, sources=sources, jobs=jobs, defaults=defaults, targets=wanted, draft=draft, expected=expected, on_result=tick, notes=notes)
        progress.update(task, completed=len(sources))
    for note in notes[len(said):]:
        click.echo(note, err=True)
    counts = {status: sum(o.status == status for o in outcomes) for status in worklist.STATUS_FILLS if status != "重复交回"}
    copies = sum(o.status == "重复交回" for o in outcomes)
    units = sum(counts.values())
    table = Table(title=f"汇总：{units}个单位，" + "，".join(f"{status}{n}个" for status, n in counts.items() if n) + (f"；另有重复交回的文件{copies}个" if copies else ""))
    for head in ("序号", "机关名称", "年度", "状态", "错误", "提示", "主要问题"):
        table.add_column(head, overflow="fold")
    for i, o in enumerate(outcomes, start=1):
        first = next((f for f in o.findings if f.level == ERROR), None)
        table.add_row(str(i), o.name or o.shown, str(o.year or ""), o.status, str(o.errors), str(o.warnings), readable_text(first.describe()) if first else "")
    Console().print(table)
    folder = Folder(out_dir)
    saved = folder.write("汇总.xlsx", worklist.build(outcomes))
    folder.save()
    for note in folder.notes:
        click.echo(note, err=True)
    click.echo(f"汇总表：{out_dir / '汇总.xlsx'}（“单位”表看各单位状态，“问题清单”表是可退回的意见）" + (f"；上次的汇总表被改过，已备份为 {saved.name}" if saved else ""))
    if "pdf" in wanted and any(o.ok for o in outcomes):
        from . import office
        from .render.pdf import font_note  # which official fonts this machine lacks, said once a run

        if office.soffice() is not None and (note := font_note()):
            click.echo(f"提示：{note}", err=True)
    if pdf_problem:
        click.echo(f"未生成 PDF：{pdf_problem}", err=True)
    sys.exit(EXIT_FINDINGS if any(not o.ok for o in outcomes) or pdf_problem else EXIT_OK)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件夹或文件…")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件", required=True, help="汇总的报告文件（.yaml）", callback=_out_file)
@click.option("--unit", "unit_name", metavar="机关名称", default="（汇总）", help="汇总报告的机关名称")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help="应交回的单位名单（.txt 每行一个，或 .xlsx 第一列）：列出未交回的单位")
def aggregate(inputs: tuple[Path, ...], out: Path, unit_name: str, roster_file: Path | None) -> None:
    """把多个单位的表格数字相加，得到全县（区）的汇总数字。"""
    from . import batch as batching
    from .filenames import GBK_NOTE, in_gbk
    from .filenames import notes as name_notes
    from .filenames import readable_text
    from .output import Folder
    from .reportfile import dump
    from . import county, worklist

    def say(text: str) -> None:
        click.echo(readable_text(text), err=True)

    missing = [p for p in inputs if not p.exists()]
    if missing:
        raise Usage("找不到：" + "、".join(map(str, missing)))
    expected = _roster(roster_file)[0] if roster_file is not None else None
    notes: list[str] = []
    sources = county.collect(inputs, outside=out, notes=notes)
    for note in notes:
        say(note)
    names = {s: county.shown(s, inputs) for s in sources}
    gbk = sum(in_gbk(county.relative(s, inputs)) for s in sources)
    if gbk:
        say(GBK_NOTE.format(n=gbk))
    for source in sources:
        for note in name_notes(county.relative(source, inputs)):
            say(f"{names[source]}：{note}")
    unique, copies = county.duplicates(sources, names)
    entries, reports = [], {}
    for path in unique:
        loaded, findings = _checked(path)
        report = loaded.report
        entry = county.Entry(path, names[path], loaded.name, loaded.year, report.spec.id if report else None, county.fingerprint(report) if report else None)
        if loaded.report is None or has_errors(findings):
            entry.counted = False
            first = next(f for f in findings if f.level == ERROR)
            entry.findings.append(Finding(ERROR, "B", None, f"有错误，未计入（{first.labelled(names[path])}；运行 nianbao check 查看全部）"))
        else:
            reports[path] = loaded.report
        entries.append(entry)
    county.review(entries, expected or ())
    pointers = county.against_list(entries, expected) if expected is not None else {}
    if expected is None:
        county.similar_names(entries)
    for copy, (_, finding) in copies.items():
        say(f"{names[copy]}：{finding.message}")
    for entry in entries:
        if entry.copy:
            say(f"{entry.shown}：{entry.findings[-1].message}")
    left_out = [e for e in entries if not e.counted and not e.copy]
    for entry in left_out:
        for finding in entry.findings:
            say(f"{entry.shown}：{finding.message}")
    for entry in entries:
        if entry.counted:
            for finding in entry.findings:
                say(f"{entry.shown}：{finding.message}")
    absent = county.missing(entries, expected)[0] if expected is not None else []
    for name in absent:
        say(f"{name}：名单上的这个单位没有交回报告" + (f"；{pointers[name]}" if name in pointers else ""))
    counted = [(e.shown, reports[e.path]) for e in entries if e.counted and e.path in reports]
    if not counted:
        say("没有可以计入汇总的报告。")
        sys.exit(EXIT_FINDINGS)
    spec, data, table = batching.aggregate(counted, unit_name)
    gaps = "、".join(filter(None, (f"{len(left_out)}个文件未计入" if left_out else "", f"{len(absent)}个单位未交回" if absent else "")))
    header = f"{spec.title(unit_name, data['year'])}：{len(counted)}个单位的表格数字之和（由 nianbao aggregate 生成）"
    if left_out:
        header += "\n注意：以下文件未计入：" + "、".join(e.shown for e in left_out)
    if absent:
        header += "\n注意：以下单位未交回：" + "、".join(absent)
    saved = backup(out) if out.exists() else None
    written = dump(spec, data, header=header).encode("utf-8")
    write_atomic(out, written)
    summary = out.parent / "汇总.xlsx"
    table_book = worklist.with_sheet(summary.read_bytes() if summary.exists() else None, "表三主要行", table)
    write_atomic(summary, table_book)
    folder = Folder(out.parent)  # recorded as nianbao's: a later batch or aggregate of this folder skips them
    folder.remember(out.name, written)
    folder.remember(summary.name, table_book)
    folder.save()
    for note in folder.notes:
        say(note)
    what = f"不完整的汇总：只计入{len(counted)}个单位，{gaps}（见上），改正后请重新汇总" if gaps else f"{len(counted)}个单位"
    click.echo(f"已生成 {out}（{what}）和 {summary}" + (f"；原文件已备份为 {saved.name}" if saved else ""))
    if gaps:
        sys.exit(EXIT_FINDINGS)


def _roster(path: Path) -> tuple[list[str], list[str]]:
    """(the names on a unit list, the names it repeats); a list that cannot be read is a
    command-line mistake."""
    from . import roster

    try:
        return roster.read_with_repeats(path)
    except OSError as exc:
        raise Usage(f"找不到名单文件：{path}") from exc


@main.command("reference-docx")
@click.argument("file", type=click.Path(path_type=Path), metavar="文件")
def reference_docx_command(file: Path) -> None:
    """写出默认的样式参考文档，供修改后用 render --reference-docx 使用。"""
    from .resources import templates_dir

    if file.exists():
        raise Usage(f"{file} 已存在，未覆盖")
    write_atomic(file, (templates_dir() / "reference.docx").read_bytes())
    click.echo(f"已生成 {file}：在 Word 中修改“报告正文”“一级标题”等样式后保存，再用 --reference-docx 指定")


@main.command()
def schema() -> None:
    """输出报告文件的 JSON Schema。"""
    from .model import json_schema

    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


def _os_problem(exc: OSError) -> str:
    """What the operating system refused, said to a clerk."""
    import errno

    reason = {
        errno.EACCES: "没有权限，或文件正被 Word、WPS 或其他程序打开（请先关闭它）",
        errno.EPERM: "没有权限，或文件正被 Word、WPS 或其他程序打开（请先关闭它）",
        errno.EEXIST: "已有同名的文件",
        errno.ENOTDIR: "路径中有一部分是文件，不是文件夹",
        errno.EISDIR: "这是文件夹，不是文件",
        errno.ENOENT: "找不到",
        errno.ENOSPC: "磁盘已满",
        errno.EROFS: "位置只读",
        errno.ENAMETOOLONG: "文件名或路径太长",
    }.get(exc.errno or 0, "操作系统拒绝了这次读写")
    where = exc.filename if exc.filename is not None else ""
    return f"错误：无法读写 {where}：{reason}。未完成的文件没有留下。".replace(" ：", "：")


def _quiet_libraries() -> None:
    """No Python warning and no library log line reaches the clerk (openpyxl's "Data
    Validation extension is not supported" on any workbook Excel wrote with a list from
    another sheet, a FutureWarning, pdfminer's notes): they speak to a developer, who sees
    them with --debug.  The environment variable carries the filter into worker processes
    that start afresh (Windows)."""
    import logging
    import os
    import warnings as python_warnings

    python_warnings.simplefilter("ignore")
    os.environ["PYTHONWARNINGS"] = "ignore"
    root = logging.getLogger()
    if not root.handlers:  # a handler, so that Python's last-resort printer stays silent
        root.addHandler(logging.NullHandler())


def run() -> None:
    """Console entry point: findings and usage errors, never a traceback unless --debug."""
    _console_safe()
    debug = "--debug" in sys.argv[1:]
    if not debug:
        _quiet_libraries()
    try:
        from . import zh

        zh.install()
        main.main(prog_name="nianbao", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(EXIT_FINDINGS)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(EXIT_FINDINGS)
    except OSError as exc:  # the clerk's machine said no: a file open in Word, a full disk…
        if debug:
            raise
        click.echo(_os_problem(exc), err=True)
        sys.exit(EXIT_FINDINGS)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a clerk
        if debug:
            raise
        click.echo(f"nianbao 内部错误：{type(exc).__name__}: {exc}\n请加 --debug 重新运行，并把输出发给维护者。", err=True)
        sys.exit(3)
    sys.exit(EXIT_OK)
