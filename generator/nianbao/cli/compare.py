"""`nianbao compare LAST THIS`: one unit's reports of two years compared; or, given two
folders, every unit's pair at once (``-o`` a folder: a page per pair and ``index.html``).

Exit statuses as ``check``: 1 when either report of a pair has an error (the files are
written all the same), or when a report cannot be read whole (nothing written for it);
0 otherwise; 2 for a usage mistake — two different units without ``--same-unit``, a
later year given first, an output name that is not .html/.xlsx/.pdf.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..findings import ERROR, Finding, Rule
from ..system.output import safe_name
from . import EXIT_FINDINGS, EXIT_OK, Usage, _checked, _folder_ok, _print_findings, main

KINDS = {".html": "网页", ".htm": "网页", ".xlsx": "Excel 表格", ".pdf": "PDF"}


def _unreadable(findings: list[Finding]) -> bool:
    """An input nianbao could not read whole: the report could not be built, or an import
    left cells or parts unread (they stand as zeros only for its own check; a comparison
    of them would be guesses)."""
    return any(f.level == ERROR and f.rule in (Rule.I, Rule.S) for f in findings)


@main.command()
@click.argument("last", type=click.Path(path_type=Path), metavar="上一年度报告")
@click.argument("this", type=click.Path(path_type=Path), metavar="本年度报告")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件或文件夹",
              help="输出文件：.html（默认）、.xlsx 或 .pdf（pdf 需要 LibreOffice），默认写在本年度报告旁边；比较两个文件夹时为输出文件夹（必须给出）")
@click.option("--same-unit", is_flag=True, help="两份报告的机关名称不同，但确是同一单位（更名）时，仍然比对")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件",
              help="比较两个文件夹时：应比对的单位名单（.txt 每行一个，或 .xlsx 第一列），按名单顺序列出，名单外的单位不比对")
def compare(last: Path, this: Path, out: Path | None, same_unit: bool, roster_file: Path | None) -> None:
    """比对同一单位两个年度的年度报告：重复率、正文对照、表格逐格增减、跨年度核对。

    两份报告可以是报告文件、采集表，或已发布的 Word、PDF、网页、文本；给出两个文件夹时，
    按机关名称配对，逐个单位比对，并写出索引页 index.html。"""
    if last.is_dir() or this.is_dir():
        _folders(last, this, out, roster_file)
        return
    if roster_file is not None:
        raise Usage("--units 只在比较两个文件夹时使用")
    if out is not None:
        _folder_ok(out, is_folder=False)
        if out.suffix.lower() not in KINDS:
            raise Usage(f"无法识别输出格式“{out.suffix or out.name}”：-o 的文件名应以 .html、.xlsx 或 .pdf 结尾")
    sides = _read_whole(last, this)
    from ..compare.pair import Side
    from ..compare.pair import compare as comparing
    from ..county.unitnames import same_unit as naming_one

    (last_path, last_report, last_findings), (this_path, this_report, this_findings) = sides
    if this_report.year <= last_report.year:
        swapped = "（第一个应为上一年度的报告，第二个为本年度的：是否把顺序写反了？）" if last_report.year > this_report.year else ""
        raise Usage(f"{last_path.name}是{last_report.year}年度的，{this_path.name}是{this_report.year}年度的：应为先后两个年度的报告{swapped}")
    a, b = last_report.unit_name, this_report.unit_name
    if naming_one(a, b) is None and not same_unit:
        raise Usage(f"两份报告不是同一单位的：{last_path.name}是“{a}”的，{this_path.name}是“{b}”的。如果是同一单位改了名称，请加 --same-unit")
    comparison = comparing(Side(last_path, last_report, last_findings), Side(this_path, this_report, this_findings), same_unit_said=same_unit)
    for note in comparison.notes:
        click.echo(f"注意：{note}", err=True)
    target = out or this_path.parent / safe_name(f"{comparison.title}.html")
    data = _drawn(comparison, target.suffix.lower())
    from ..system.output import Folder

    folder = Folder(target.parent)  # recorded as nianbao's: batch, aggregate and overview of this folder (the reports' own, by default) skip it
    saved = folder.write(target.name, data)
    folder.save()
    for note in folder.notes:
        click.echo(note, err=True)
    if saved:
        click.echo(f"原有的 {target.name} 在上次生成后被改过，已备份为 {saved.name}")
    rates = comparison.rates
    from ..compare.page import percent

    click.echo(f"已生成 {target}：文字重复率{percent(rates.text)}，表格重复率{percent(rates.tables)}，总体重复率{percent(rates.overall)}")
    for f in comparison.crossyear:
        click.echo(f"  {f.labelled(this_path)}")
    if comparison.failed:
        crossyear = any(f.level == ERROR for f in comparison.crossyear)
        where = "、".join(part for part, there in (("“三、跨年度核对”", crossyear), ("“六、两份报告的检查结果”", comparison.this.errors or comparison.last.errors)) if there)
        click.echo(f"有错误：{comparison.errors_said()}（见比对结果{where}）", err=True)  # each error where the page lists it (R1–R4 in 六, not in 三)
    sys.exit(EXIT_FINDINGS if comparison.failed else EXIT_OK)


def _read_whole(*paths: Path) -> list[tuple[Path, Any, list[Finding]]]:
    """Each report loaded and checked, (path, report, findings); exit 1 when one cannot be
    read whole (its findings said first): a comparison of half a report would mislead."""
    sides = []
    unread = False
    for path in paths:
        loaded, findings = _checked(path)
        if loaded.report is None or _unreadable(findings):
            _print_findings(path, findings)
            click.echo(f"{path} 无法完整读取，未比对：请按上面的提示修改；已发布的报告可先用 nianbao import 读成报告文件，对照原件补填后再比对。", err=True)
            unread = True
        sides.append((path, loaded.report, findings))
    if unread:
        sys.exit(EXIT_FINDINGS)
    return sides


def _drawn(comparison, suffix: str) -> bytes:
    """The comparison in the format asked for; a PDF needs LibreOffice (said, exit 1)."""
    if suffix == ".xlsx":
        from ..compare.sheet import build

        return build(comparison)
    if suffix == ".pdf":
        from ..compare.printed import pdf
        from ..render.office import OfficeUnavailable

        try:
            return pdf(comparison)
        except OfficeUnavailable as exc:
            click.echo(f"{exc}（比对结果未生成；也可改用 -o 比对.html，在浏览器中打印）", err=True)
            sys.exit(EXIT_FINDINGS)
    from ..compare.page import render

    return render(comparison)


def _folders(last: Path, this: Path, out: Path | None, roster_file: Path | None) -> None:
    """Every unit's pair of two folders: a page each (named by
    :func:`nianbao.compare.folders.pair_page_name`) and ``index.html`` in ``out``."""
    for path in (last, this):
        if not path.exists():
            raise Usage(f"找不到：{path}")
        if not path.is_dir():
            raise Usage(f"{path} 是文件：要比较两个文件夹中的各单位，两个都应为文件夹；要比较两份报告，两个都应为文件")
    if out is None:
        raise Usage("比较两个文件夹时，请用 -o 给出输出文件夹（每个单位一个比对网页，另有索引页 index.html）")
    _folder_ok(out)
    from ..compare import folders as pairing
    from ..compare.page import index, render
    from ..county.filenames import readable_text
    from ..system.output import Folder, numbered

    expected = None
    if roster_file is not None:
        from .county import _listed

        expected = _listed(roster_file)
    written = Folder(out)
    taken = {Path(pairing.INDEX).stem.lower()}  # a unit named "index" gets index（2）.html
    saved: list[str] = []

    def write(row: pairing.PairRow) -> None:
        """A pair's page, written as soon as it is compared (two names that safe_name made
        one are numbered: neither page overwrites the other)."""
        if row.comparison is None or row.page is None:
            return
        stem = row.page[: -len(".html")]
        row.page = numbered(stem, taken) + ".html"
        if written.write(row.page, render(row.comparison)):
            saved.append(row.page)

    result = pairing.gather(last, this, expected, outside=out, on_pair=write)
    for line in [*result.said, *result.aside]:
        click.echo(readable_text(line), err=True)
    if not result.rows and not result.aside:
        raise Usage(f"{last} 和 {this} 中没有可处理的文件（.yaml、.xlsx，或已发布的 .docx、.doc、.wps、.pdf、.html、.txt、.md）")
    if written.write(pairing.INDEX, index(result)):
        saved.append(pairing.INDEX)
    written.save()
    for note in written.notes:
        click.echo(note, err=True)
    done = pairing.counts(result.rows)
    click.echo(f"已生成 {out / pairing.INDEX}：{len(result.rows)}个单位，已比对{done['compared']}个（有错误的{done['failed']}个），未比对{done['unpaired']}个"
               + (f"；{result.aside_said}（见上）" if result.aside else "") + (f"；改过的{len(saved)}个文件已备份为 .bak" if saved else ""))
    for row in result.rows:
        if row.comparison is None:
            click.echo(readable_text(f"  {row.unit}：{row.problem}"), err=True)
        elif row.failed:
            click.echo(readable_text(f"  {row.unit}：有错误（{row.comparison.errors_said()}），见 {row.page}"), err=True)
    sys.exit(EXIT_FINDINGS if result.failed else EXIT_OK)
