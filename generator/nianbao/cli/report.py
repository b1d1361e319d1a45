"""The commands on one report: init, check, render, new, next, import, reference-docx, schema."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..findings import ERROR, WARNING, Finding, has_errors, sort_findings
from ..model.standard import first_year, spec_for_year
from ..system.output import backup, safe_name, write_atomic
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


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path), metavar="文件")
@click.option("--year", type=int, metavar="年份", help="报告年度（默认：上一年）")
@click.option("--unit", "unit_name", metavar="机关名称", help="机关名称")
@click.option("--force", is_flag=True, help="文件已存在时覆盖（原文件先备份为 .bak）")
def init(file: Path | None, year: int | None, unit_name: str | None, force: bool) -> None:
    """生成一份待填写的报告文件（每个键都附有中文注释）。"""
    from ..render.reportfile import blank, dump, guide

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
@click.option("--same-unit", is_flag=True, help="--previous 的机关名称不同，但确是同一单位（更名）时，仍然核对")
def check(files: tuple[Path, ...], previous: Path | None, as_json: bool, zero_missing: bool, same_unit: bool) -> None:
    """检查报告文件：格式、每个单元格、勾稽关系。"""
    from ..read.sources import load_checked

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
            if given is not None and previous is not None and not same_unit:
                _one_unit(path, loaded.report.unit.name, previous, last.unit.name)
            from ..check.crossyear import with_previous

            findings = sort_findings(with_previous(findings, loaded.report, last))
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
    from ..produce import Options, pdfs, produce
    from ..system.output import Folder

    wanted = rendering.targets(targets)
    if reference_docx is not None and not reference_docx.is_file():
        raise Usage(f"找不到样式参考文档：{reference_docx}")
    _checked_path(file)
    produced = produce(file, wanted, Options(reference_docx, draft, with_errors=True))
    findings, report = produced.findings, produced.report
    if report is None:
        _print_findings(file, findings)
        click.echo("报告文件有无法读取的内容（见上），" + ("草稿也无法生成：请先改正这些错误。" if draft else "未生成任何文件。"), err=True)
        sys.exit(EXIT_FINDINGS)
    if produced.refused and not draft:
        _print_findings(file, findings)
        click.echo("报告有错误，未生成任何文件。要先看排版效果，可加 --draft 生成草稿（问题列在草稿的最前面）。", err=True)
        sys.exit(EXIT_FINDINGS)
    if not produced.outputs:  # a draft of a published report with cells that could not be read: they would print as 0
        _print_findings(file, findings)
        click.echo("原文有无法读取的格（见上），草稿也无法生成：请先用 nianbao import 读成报告文件，对照原件补填后再生成。", err=True)
        sys.exit(EXIT_FINDINGS)
    if produced.refused:  # a draft of a report with errors: said here and listed in the files
        _print_findings(file, findings)
    from ..render.docx import notes as left_out

    outputs = produced.outputs
    for note in left_out(reference_docx):  # what of the reference was left out, never silently
        click.echo(f"提示：{note}", err=True)
    pdf_problem = font_note = None
    if "pdf" in wanted:
        from ..render import pdf

        done, pdf_problem = pdfs([(report.title, outputs["docx"], produced.date)])  # type: ignore[list-item]
        if report.title in done:
            outputs["pdf"] = done[report.title]
            font_note = pdf.font_note()  # which official fonts this machine lacks, said once
        elif pdf_problem is None:
            pdf_problem = "LibreOffice 未能把报告转换为 PDF"
    folder = Folder(out_dir)
    for target in wanted:
        if target in outputs:
            name = rendering.file_name(report.title, target)
            saved = folder.write(name, outputs[target])
            click.echo(f"已生成 {out_dir / name}" + ("（草稿）" if draft else "") + (f"；它在上次生成后被改过，原文件已备份为 {saved.name}" if saved else ""))
    folder.save()
    warnings = [f for f in findings if f.level != ERROR]
    if warnings and not produced.refused:
        click.echo(f"另有{len(warnings)}个提示，可运行 nianbao check {file} 查看。")
    if produced.unresolved is not None:
        where = "列在草稿的第一页（网页和文本在最前面）" if "docx" in outputs or "pdf" in wanted else "列在草稿的最前面"
        click.echo(f"草稿中有{len(produced.unresolved.errors)}个问题要改正后才能发布，已{where}。")
    if font_note:
        click.echo(f"提示：{font_note}", err=True)
    if pdf_problem:
        click.echo(f"未生成 PDF：{pdf_problem}", err=True)
    if produced.refused:
        errors = sum(f.level == ERROR for f in findings)
        click.echo(f"报告有{errors}个错误（见上），只生成了草稿。", err=True)
    if pdf_problem or produced.refused or produced.unresolved is not None:  # a draft with anything to mend before publishing: 1, as README says
        sys.exit(EXIT_FINDINGS)


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
    from ..read import importer
    from ..read.load import with_provenance
    from ..render.nextyear import draft
    from ..render.reportfile import dump, guide, reheaded
    from ..system.decode import decode_text

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


@main.command("import", short_help="把已发布的年度报告（Word、PDF、网页、文本、扫描件）读成报告文件。")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="已发布的报告…")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="文件夹", default=Path("."), help="输出目录（默认：当前目录）", callback=_out_folder)
@click.option("--proof", type=click.Path(path_type=Path), metavar="文件", help="扫描件的校对页（.html）：每个表格数字的原图与识别结果，留空的格排在前面")
def import_command(reports: tuple[Path, ...], out_dir: Path, proof: Path | None) -> None:
    """把已发布的年度报告（.docx、.doc、.wps、.pdf、.html、.txt、.md，扫描件 .pdf、.png、.jpg）读成报告文件（.yaml）。
    同一文件夹中的几张图片是一份报告的各页（按文件名顺序）。"""
    from ..read import importer
    from ..read.kinds import PICTURES
    from ..read.sources import load_checked
    from ..render.reportfile import dump

    missing = [p for p in reports if not p.is_file()]
    if missing:
        raise Usage("找不到文件：" + "、".join(map(str, missing)))
    if proof is not None and proof.suffix.lower() not in (".html", ".htm"):
        raise Usage(f"校对页应为网页文件（.html）：{proof}")
    failed = False
    written: set[Path] = set()
    proofs = 0
    for path, pages in _reports(reports, PICTURES):
        with _pages_told():
            imported = importer.import_pages(pages) if len(pages) > 1 else importer.import_file(path)
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
        # what nianbao check says of the file written, counted as it counts; then what only reading the original could tell
        _, checked = load_checked(target)
        wrong = sum(f.level == ERROR for f in checked)
        shown = path if len(pages) == 1 else f"{path.parent / path.name}等{len(pages)}张图片"
        click.echo(f"{shown} → {target}（错误{wrong}个，提示{len(checked) - wrong}个，与 nianbao check {target.name} 相同）" + (f"；原有文件已备份为 {saved.name}" if saved else ""))
        for f in checked:
            click.echo(f"  {f.labelled(target)}")
        reading = [f for f in findings if f.rule == "I"]
        if reading:
            lost = sum(f.level == ERROR for f in reading)
            said = "，".join(t for t in (f"无法读取{lost}处" if lost else "", f"说明{len(reading) - lost}条" if len(reading) > lost else "") if t)
            click.echo(f"  读取原文时（已在文件中相应位置注明）：{said}")
            for f in reading:
                click.echo(f"    {f.labelled(path)}")
        if proof is not None and imported.figures:
            proofs += 1
            _write_proof(proof if proofs == 1 else proof.with_name(f"{proof.stem}-{proofs}{proof.suffix}"), imported, target, str(shown))
    if proof is not None and not proofs:
        click.echo("没有读到扫描件（图片中的表格），未生成校对页", err=True)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _reports(paths: tuple[Path, ...], pictures: frozenset[str]) -> list[tuple[Path, list[Path]]]:
    """The reports among the files named: each file is one, except the pictures of one
    folder, which are the pages of one report (in the order of their names)."""
    from ..read.importer import page_order

    out: list[tuple[Path, list[Path]]] = []
    folders: dict[Path, list[Path]] = {}
    for path in paths:
        if path.suffix.lower() in pictures:
            folder = path.resolve().parent
            if folder not in folders:
                folders[folder] = []
                out.append((path, folders[folder]))
            if path not in folders[folder]:
                folders[folder].append(path)
        else:
            out.append((path, [path]))
    return [(min(pages, key=page_order), sorted(pages, key=page_order)) for _, pages in out]


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


def _write_proof(target: Path, imported, report: Path, source: str) -> None:
    from ..read.importer import proof

    data = imported.data
    title = f"{data['unit'].get('name') or ''}{data.get('year') or ''}年度报告（{report.name}）"
    saved = backup(target) if target.exists() else None
    write_atomic(target, proof.page(imported.figures, title, source).encode("utf-8"))
    empty = sum(f.status != "confirmed" for f in imported.figures)
    click.echo(f"校对页：{target}（留空待填{empty}格，排在最前）" + (f"；原有文件已备份为 {saved.name}" if saved else ""))

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
