"""`nianbao overview INPUT…`: a county's units side by side, with charts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import EXIT_FINDINGS, EXIT_OK, Usage, _out_file, main
from .county import _listed

KINDS = {".html": "html", ".htm": "html", ".xlsx": "xlsx"}


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件夹或文件…")
@click.option("--previous", "previous", multiple=True, type=click.Path(path_type=Path), metavar="文件夹或文件",
              help="上一年度的报告（文件夹或文件，可重复给出）：按机关名称对应，显示与上年的变化和重复率")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help="应交回的单位名单（.txt 每行一个，或 .xlsx 第一列）：按名单顺序列出，并列出未交回的单位")
@click.option("--unit", "county", metavar="机关名称", default="", help="标题中的本级机关名称（如 某某县人民政府）")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件", required=True, callback=_out_file,
              help="输出文件：.html（网页，含图表）或 .xlsx（工作簿，含 Excel 图表）")
def overview(inputs: tuple[Path, ...], previous: tuple[Path, ...], roster_file: Path | None, county: str, out: Path) -> None:
    """各单位情况对比：每个单位一行主要数字，排名图、热力表，给出上年报告时显示变化和重复率。"""
    from ..compare import overview as gathering
    from ..county.filenames import readable_text
    from ..system.output import Folder

    kind = KINDS.get(out.suffix.lower())
    if kind is None:
        raise Usage(f"-o {out.name}：请用 .html（网页）或 .xlsx（工作簿）作为输出文件的扩展名")
    missing = [p for p in (*inputs, *previous) if not p.exists()]
    if missing:
        raise Usage("找不到：" + "、".join(map(str, missing)))
    expected = _listed(roster_file) if roster_file is not None else None
    result = gathering.gather(inputs, previous, expected, outside=out)
    for line in result.said:
        click.echo(readable_text(line), err=True)
    if not result.rows:
        raise Usage("没有可处理的文件（.yaml、.xlsx，或已发布的 .docx、.doc、.wps、.pdf、.html、.txt、.md）")
    if kind == "html":
        from ..compare.overview_page import page

        data = page(result, county=county, jobs=os.cpu_count() or 1).encode("utf-8")
    else:
        from ..compare.overview_sheet import workbook

        data = workbook(result, county=county)
    folder = Folder(out.parent)  # recorded as nianbao's: a later batch, aggregate or overview of this folder skips it
    saved = folder.write(out.name, data)  # a page someone changed since is kept as .bak
    folder.save()
    for note in folder.notes:
        click.echo(note, err=True)
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    said = "，".join(f"{status}{n}个" for status, n in counts.items())
    click.echo(f"已生成 {out}（{len(result.rows)}个单位：{said}）" + (f"；原文件已备份为 {saved.name}" if saved else ""))
    bad = [row for row in result.rows if row.status != gathering.COUNTED]
    for row in bad:
        click.echo(readable_text(f"  {row.name}：{row.status}" + (f"（{row.shown}）" if row.shown and row.shown != row.name else "")), err=True)
    sys.exit(EXIT_FINDINGS if bad else EXIT_OK)
