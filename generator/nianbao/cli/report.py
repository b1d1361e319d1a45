"""The commands on one report: init, check, render, new, next, import, reference-docx, schema."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..findings import ERROR, has_errors
from ..system.output import safe_name, write_atomic
from . import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Usage,
    _checked,
    _checked_path,
    _out_file,
    _out_folder,
    _possible_year,
    _previous,
    _print_findings,
    main,
)

if TYPE_CHECKING:  # each command imports its workflow when it runs: check starts fast
    from ..workflows.importing import ImportedFile
    from ..workflows.publishing import Published, Stop


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path), metavar="文件")
@click.option("--year", type=int, metavar="年份", help="报告年度（默认：上一年）")
@click.option("--unit", "unit_name", metavar="机关名称", help="机关名称")
@click.option("--force", is_flag=True, help="文件已存在时覆盖（原文件先备份为 .bak）")
def init(file: Path | None, year: int | None, unit_name: str | None, force: bool) -> None:
    """生成一份待填写的报告文件（每个键都附有中文注释）。"""
    from ..workflows.blank import blank_file, spec_for

    year = year or dt.date.today().year - 1
    _possible_year(year)
    spec_for(year)  # an unsupported year is refused before any file is looked at
    file = file or Path(safe_name(f"{unit_name or '报告'}{year}.yaml"))
    if file.exists() and not force:
        click.echo(f"{file} 已存在，未覆盖；如需覆盖请加 --force（原文件会先备份）", err=True)
        sys.exit(EXIT_USAGE)
    spec, saved = blank_file(file, year, unit_name)
    if saved:
        click.echo(f"原文件已备份为 {saved}")
    click.echo(f"已生成 {file}（{spec.name}）")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="报告文件…")
@click.option("--previous", type=click.Path(path_type=Path), metavar="文件", help="上一年度的报告文件（跨年度核对）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（每个文件一行）")
@click.option("--zero-missing", is_flag=True, help="未填写的行按 0 计（记为提示而非错误）")
@click.option("--same-unit", is_flag=True, help="--previous 的机关名称不同，但确是同一单位（更名）时，仍然核对")
def check(files: tuple[Path, ...], previous: Path | None, as_json: bool, zero_missing: bool, same_unit: bool) -> None:
    """检查报告文件：格式、每个单元格、勾稽关系。"""
    from ..errors import PreviousYearMismatch
    from ..workflows.lastyear import check_file

    given = _previous(previous) if previous is not None else None
    failed = False
    for path in files:
        _checked_path(path)
        try:  # a file drafted by next or new --from is compared with last year's without being asked
            done = check_file(path, given, zero_missing=zero_missing)
        except PreviousYearMismatch as exc:
            raise Usage(f"--previous 应为{path.name}上一年度（{exc.year - 1}年）的报告，{previous}是{exc.previous_year}年度的") from exc
        if given is not None and previous is not None and not same_unit and done.loaded.report is not None:
            _one_unit(path, done.loaded.report.unit_name, previous, given.unit_name)
        findings = done.findings
        failed |= has_errors(findings)
        if as_json:
            import json  # only for --json: check starts without it

            payload = {"file": str(path), "ok": not has_errors(findings), "findings": [f.as_json() for f in findings]}
            click.echo(json.dumps(payload, ensure_ascii=False))
        else:
            _print_findings(path, findings)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _one_unit(path: Path, this: str | None, previous: Path, that: str | None) -> None:
    """--previous must be this unit's report: another unit's figures as carried over would give
    X1–X3 findings that are not this unit's.  One unit by the rule compare and the county
    commands use (:func:`nianbao.county.unitnames.same_unit`: 淮安市洪泽区人民政府 is 洪泽区人民政府)."""
    from ..county.unitnames import same_unit

    if this and that and same_unit(this, that) is None:  # a name left empty is the report's own error (R7), not a usage one
        raise Usage(f"--previous 应为同一单位上一年度的报告：{path.name}是“{this}”的，{previous.name}是“{that}”的，"
                    "未做跨年度核对。如果是同一单位改了名称，请加 --same-unit")


@main.command()
@click.argument("file", type=click.Path(path_type=Path), metavar="报告文件")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="文件夹", default=Path("."), help="输出目录（默认：当前目录）", callback=_out_folder)
@click.option("--to", "targets", metavar="格式", default="docx,txt", help="输出格式，逗号分隔：docx,txt,html,fragment,pdf（默认 docx,txt）；fragment 是贴进网站编辑器用的网页片段，pdf 需要 LibreOffice")
@click.option("--reference-docx", type=click.Path(path_type=Path), metavar="DOCX文件", help="样式参考文档（DOCX）")
@click.option("--draft", is_flag=True, help="生成草稿看排版：还有错误、占位文字或空着的部分时也生成，每页标明“草稿”，问题列在最前面")
def render(file: Path, out_dir: Path, targets: str, reference_docx: Path | None, draft: bool) -> None:
    """生成报告：{机关名称}{年份}年政府信息公开工作年度报告.docx / .txt / .html / .pdf"""
    from .. import render as rendering
    from ..workflows.publishing import publish

    wanted = rendering.targets(targets)
    if reference_docx is not None and not reference_docx.is_file():
        raise Usage(f"找不到样式参考文档：{reference_docx}")
    _checked_path(file)
    done = publish(file, out_dir, wanted, reference_docx, draft)
    produced, findings = done.produced, done.produced.findings
    if done.stop is not None:
        _print_findings(file, findings)
        click.echo(_stopped(done.stop, draft), err=True)
        sys.exit(EXIT_FINDINGS)
    if produced.refused:  # a draft of a report with errors: said here and listed in the files
        _print_findings(file, findings)
    for note in done.left_out:  # what of the reference was left out, never silently
        click.echo(f"提示：{note}", err=True)
    for name, saved in done.written:
        click.echo(f"已生成 {out_dir / name}" + ("（草稿）" if draft else "") + (f"；它在上次生成后被改过，原文件已备份为 {saved.name}" if saved else ""))
    _render_notes(file, done, "pdf" in wanted)
    if done.pdf_problem or produced.refused or produced.unresolved is not None:  # a draft with anything to mend before publishing: 1, as README says
        sys.exit(EXIT_FINDINGS)


def _stopped(stop: Stop, draft: bool) -> str:
    """Why render wrote nothing, said with the option or command that helps."""
    from ..workflows.publishing import Stop

    if stop is Stop.UNREADABLE:
        return "报告文件有无法读取的内容（见上），" + ("草稿也无法生成：请先改正这些错误。" if draft else "未生成任何文件。")
    if stop is Stop.ERRORS:
        return "报告有错误，未生成任何文件。要先看排版效果，可加 --draft 生成草稿（问题列在草稿的最前面）。"
    return "原文有无法读取的格（见上），草稿也无法生成：请先用 nianbao import 读成报告文件，对照原件补填后再生成。"


def _render_notes(file: Path, done: Published, pdf_wanted: bool) -> None:
    """What render says after the files: the warnings left, a draft's problems, the fonts, the PDF."""
    produced, findings = done.produced, done.produced.findings
    warnings = [f for f in findings if f.level != ERROR]
    if warnings and not produced.refused:
        click.echo(f"另有{len(warnings)}个提示，可运行 nianbao check {file} 查看。")
    if produced.unresolved is not None:
        where = "列在草稿的第一页（网页和文本在最前面）" if "docx" in produced.outputs or pdf_wanted else "列在草稿的最前面"
        click.echo(f"草稿中有{len(produced.unresolved.errors)}个问题要改正后才能发布，已{where}。")
    if done.font_note:
        click.echo(f"提示：{done.font_note}", err=True)
    if done.pdf_problem:
        click.echo(f"未生成 PDF：{done.pdf_problem}", err=True)
    if produced.refused:
        errors = sum(f.level == ERROR for f in findings)
        click.echo(f"报告有{errors}个错误（见上），只生成了草稿。", err=True)


@main.command("new")
@click.argument("file", required=False, type=click.Path(path_type=Path), metavar="文件")
@click.option("--from", "source", type=click.Path(path_type=Path), metavar="文件", help="以这份报告文件（或草稿）的内容作为各项的默认答案")
def new_command(file: Path | None, source: Path | None) -> None:
    """逐项问答填写一份报告（需要在终端中运行）。"""
    from ..read.wizard import Wizard, defaults_from

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
    from ..errors import LastYearUnusable, WouldOverwrite
    from ..workflows.nextyear import CARRIED, draft_file

    _checked_path(last)
    try:
        done = draft_file(last, new)
    except LastYearUnusable as exc:
        _print_findings(last, exc.findings)
        click.echo(str(exc), err=True)
        sys.exit(EXIT_FINDINGS)
    except WouldOverwrite as exc:
        raise Usage(f"{exc}：请用 -o 指定新文件") from exc
    if done.saved:
        click.echo(f"原有的 {done.target.name} 已备份为 {done.saved.name}")
    click.echo(f"已生成 {done.target}（{done.draft.year}年度草稿，{done.draft.spec.name}）：{CARRIED}")
    for note in done.draft.notes:
        click.echo(f"  注意：{note}")


@main.command("import", short_help="把已发布的年度报告（Word、PDF、网页、文本、扫描件）读成报告文件。")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="已发布的报告…")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="文件夹", default=Path("."), help="输出目录（默认：当前目录）", callback=_out_folder)
@click.option("--proof", type=click.Path(path_type=Path), metavar="文件", help="扫描件的校对页（.html）：每个表格数字的原图与识别结果，留空的格排在前面")
def import_command(reports: tuple[Path, ...], out_dir: Path, proof: Path | None) -> None:
    """把已发布的年度报告（.docx、.doc、.wps、.pdf、.html、.txt、.md，扫描件 .pdf、.png、.jpg）读成报告文件（.yaml）。
    同一文件夹中的几张图片是一份报告的各页（按文件名顺序）。"""
    from ..workflows.importing import Importing, one_report_each, write_proof

    missing = [p for p in reports if not p.is_file()]
    if missing:
        raise Usage("找不到文件：" + "、".join(map(str, missing)))
    if proof is not None and proof.suffix.lower() not in (".html", ".htm"):
        raise Usage(f"校对页应为网页文件（.html）：{proof}")
    failed = False
    run = Importing(out_dir)
    proofs = 0
    for path, pages in one_report_each(reports):
        with _pages_told():
            done = run.one(path, pages)
        failed |= done.failed
        if done.target is None:
            _print_findings(path, done.findings)
            continue
        _told_imported(done)
        if proof is not None and done.imported.figures:
            proofs += 1
            page = proof if proofs == 1 else proof.with_name(f"{proof.stem}-{proofs}{proof.suffix}")
            saved, empty = write_proof(page, done.imported, done.target, done.shown)
            click.echo(f"校对页：{page}（留空待填{empty}格，排在最前）" + (f"；原有文件已备份为 {saved.name}" if saved else ""))
    if proof is not None and not proofs:
        click.echo("没有读到扫描件（图片中的表格），未生成校对页", err=True)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _told_imported(done: ImportedFile) -> None:
    """A report file written: what nianbao check says of it, then what only reading the original could tell."""
    target, checked = done.target, done.checked
    assert target is not None  # told only of a file written
    wrong = sum(f.level == ERROR for f in checked)
    click.echo(f"{done.shown} → {target}（错误{wrong}个，提示{len(checked) - wrong}个，与 nianbao check {target.name} 相同）" + (f"；原有文件已备份为 {done.saved.name}" if done.saved else ""))
    for f in checked:
        click.echo(f"  {f.labelled(target)}")
    reading = done.reading
    if reading:
        lost = sum(f.level == ERROR for f in reading)
        said = "，".join(t for t in (f"无法读取{lost}处" if lost else "", f"说明{len(reading) - lost}条" if len(reading) > lost else "") if t)
        click.echo(f"  读取原文时（已在文件中相应位置注明）：{said}")
        for f in reading:
            click.echo(f"    {f.labelled(done.source)}")


class _pages_told:
    """A progress bar, one step a scanned page (reading one takes seconds), on the terminal."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from ..read.importer import scan

        self.bar = None
        console = Console(stderr=True)

        def step(done: int, total: int, where: str) -> None:
            if self.bar is None:
                self.bar = Progress(TextColumn("识别扫描页"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[where]}"), TimeElapsedColumn(), console=console, transient=True)
                self.bar.start()
                self.task = self.bar.add_task("", total=total, where=where)
            self.bar.update(self.task, completed=done, where=where)

        self.told = scan.progress(step)
        self.told.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.told.__exit__(*exc)
        if self.bar is not None:
            self.bar.stop()


@main.command("reference-docx")
@click.argument("file", type=click.Path(path_type=Path), metavar="文件")
def reference_docx_command(file: Path) -> None:
    """写出默认的样式参考文档，供修改后用 render --reference-docx 使用。"""
    from ..render.resources import templates_dir

    if file.exists():
        raise Usage(f"{file} 已存在，未覆盖")
    write_atomic(file, (templates_dir() / "reference.docx").read_bytes())
    click.echo(f"已生成 {file}：在 Word 中修改“报告正文”“一级标题”等样式后保存，再用 --reference-docx 指定")


@main.command()
def schema() -> None:
    """输出报告文件的 JSON Schema。"""
    import json

    from ..model.schema import json_schema

    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))
