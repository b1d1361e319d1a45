"""`nianbao overview INPUT…`: a county's units side by side, with charts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import EXIT_FINDINGS, EXIT_OK, Usage, _out_file, main
from .county import UNITS_HELP, YEAR_HELP, expected_units

KINDS = {".html": "html", ".htm": "html", ".xlsx": "xlsx"}


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件夹或文件…")
@click.option("--previous", "previous", multiple=True, type=click.Path(path_type=Path), metavar="文件夹或文件",
              help="往年的报告（文件夹或文件，每个往年度给一次，可重复）：上一年度的按机关名称对应，显示变化、跨年度核对和重复率；各年度画出历年趋势")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help=UNITS_HELP)
@click.option("--year", type=int, metavar="年份", help=YEAR_HELP)
@click.option("--unit", "county", metavar="机关名称", default="", help="标题中的本级机关名称（如 某某县人民政府）")
@click.option("--weights", "weights_file", type=click.Path(path_type=Path), metavar="评分文件",
              help="评分表每个扣分项每处扣几分（YAML，如“勾稽: 2”）：工作簿的“评分”表另列扣分和得分；不给时只列处数")
@click.option("--compare-pages", "pages", type=click.Path(path_type=Path), metavar="文件夹",
              help="nianbao compare 写出的各单位对比页所在的文件夹：每个单位链接到它的对比页")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件", required=True, callback=_out_file,
              help="输出文件：.html（网页，含图表）或 .xlsx（工作簿，含 Excel 图表和评分表）")
def overview(inputs: tuple[Path, ...], previous: tuple[Path, ...], roster_file: Path | None, year: int | None, county: str,
             weights_file: Path | None, pages: Path | None, out: Path) -> None:
    """各单位情况对比：每个单位一行主要数字，排名图、热力表、评分表；给出往年报告时显示变化、跨年度核对、重复率和历年趋势。"""
    from ..compare import overview as gathering
    from ..county.filenames import readable_text
    from ..county.rules import YEAR_HINT
    from ..system.output import Folder

    kind = KINDS.get(out.suffix.lower())
    if kind is None:
        raise Usage(f"-o {out.name}：请用 .html（网页）或 .xlsx（工作簿）作为输出文件的扩展名")
    missing = [p for p in (*inputs, *previous, *filter(None, (weights_file,))) if not p.exists()]
    if missing:
        raise Usage("找不到：" + "、".join(map(str, missing)))
    weights = None
    if weights_file is not None:
        from ..compare.grading import Weights

        weights = Weights.read(weights_file)
    expected, listed = expected_units(roster_file, inputs, year)
    result = gathering.gather(inputs, previous, expected, outside=out, year=year)
    if pages is not None:
        result.said += gathering.link_pages(result, pages, out)
    if result.run.year is not None:
        click.echo(readable_text(result.run.line(YEAR_HINT)), err=True)
    for line in [*listed, *result.said]:
        click.echo(readable_text(line), err=True)
    if not result.rows:
        raise Usage("没有可处理的文件（.yaml、.xlsx，或已发布的 .docx、.doc、.wps、.pdf、.html、.txt、.md）")
    if kind == "html":
        from ..compare.overview_page import page

        data = page(result, county=county, jobs=os.cpu_count() or 1).encode("utf-8")
    else:
        from ..compare.overview_sheet import workbook

        data = workbook(result, county=county, weights=weights)
    folder = Folder(out.parent)  # recorded as nianbao's: a later batch, aggregate or overview of this folder skips it
    saved = folder.write(out.name, data)  # a page someone changed since is kept as .bak
    folder.save()
    for note in folder.notes:
        click.echo(note, err=True)
    click.echo(f"已生成 {out}（{result.tally()}）" + (f"；原文件已备份为 {saved.name}" if saved else ""))
    bad = [row for row in result.rows if row.status != gathering.COUNTED]
    for row in bad:
        click.echo(readable_text(f"  {row.name}：{row.status}" + (f"（{row.shown}）" if row.shown and row.shown != row.name else "")), err=True)
    sys.exit(EXIT_FINDINGS if bad else EXIT_OK)
