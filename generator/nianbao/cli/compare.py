"""`nianbao compare LAST THIS`: a year-over-year comparison of one unit's reports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..findings import ERROR, Finding
from ..system.output import backup, safe_name, write_atomic
from . import EXIT_FINDINGS, Usage, _checked, _out_file, _print_findings, main

KINDS = {".html": "网页", ".htm": "网页", ".xlsx": "Excel 表格", ".pdf": "PDF"}


def _unreadable(findings: list[Finding]) -> bool:
    """An input nianbao could not read whole: the report could not be built, or an import
    left cells or parts unread (they stand as zeros only for its own check; a comparison
    of them would be guesses)."""
    return any(f.level == ERROR and f.rule in ("I", "S") for f in findings)


@main.command()
@click.argument("last", type=click.Path(path_type=Path), metavar="上一年度报告")
@click.argument("this", type=click.Path(path_type=Path), metavar="本年度报告")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), metavar="文件", callback=_out_file,
              help="输出文件：.html（默认）、.xlsx 或 .pdf（pdf 需要 LibreOffice）；默认写在本年度报告旁边")
def compare(last: Path, this: Path, out: Path | None) -> None:
    """比对同一单位相邻两年的年度报告：重复率、正文对照、表格逐格增减、跨年度核对。

    两份报告可以是报告文件、采集表，或已发布的 Word、PDF、网页、文本。"""
    if out is not None and out.suffix.lower() not in KINDS:
        raise Usage(f"无法识别输出格式“{out.suffix or out.name}”：-o 的文件名应以 .html、.xlsx 或 .pdf 结尾")
    sides = []
    unread = False
    for path in (last, this):
        loaded, findings = _checked(path)
        if loaded.report is None or _unreadable(findings):
            _print_findings(path, findings)
            click.echo(f"{path} 无法完整读取，未比对：请按上面的提示修改；已发布的报告可先用 nianbao import 读成报告文件，对照原件补填后再比对。", err=True)
            unread = True
        sides.append((path, loaded.report, findings))
    if unread:
        sys.exit(EXIT_FINDINGS)
    from ..compare.pair import Side
    from ..compare.pair import compare as comparing

    (last_path, last_report, last_findings), (this_path, this_report, this_findings) = sides
    if this_report.year != last_report.year + 1:
        swapped = "（第一个应为上一年度的报告，第二个为本年度的：是否把顺序写反了？）" if last_report.year == this_report.year + 1 else ""
        raise Usage(f"{last_path.name}是{last_report.year}年度的，{this_path.name}是{this_report.year}年度的：应为相邻两年的报告{swapped}")
    if last_report.unit.name != this_report.unit.name:  # type: ignore[attr-defined]
        click.echo(f"注意：两份报告的机关名称不同（{last_report.unit.name}、{this_report.unit.name}），仍按同一单位比对。", err=True)  # type: ignore[attr-defined]
    comparison = comparing(Side(last_path, last_report, last_findings), Side(this_path, this_report, this_findings))
    target = out or this_path.parent / safe_name(f"{comparison.title}.html")
    data = _drawn(comparison, target.suffix.lower())
    saved = backup(target) if target.exists() else None
    write_atomic(target, data)
    if saved:
        click.echo(f"原有的 {target.name} 已备份为 {saved.name}")
    rates = comparison.rates
    from ..compare.page import percent

    click.echo(f"已生成 {target}：文字重复率{percent(rates.text)}，表格重复率{percent(rates.tables)}，总体重复率{percent(rates.overall)}")
    for f in comparison.crossyear:
        click.echo(f"  {f.labelled(this_path)}")


def _drawn(comparison, suffix: str) -> bytes:
    """The comparison in the format asked for; a PDF needs LibreOffice (said, exit 1)."""
    if suffix == ".xlsx":
        from ..compare.sheet import build

        return build(comparison)
    if suffix == ".pdf":
        from ..compare.printed import pdf
        from ..render.office import Unavailable

        try:
            return pdf(comparison)
        except Unavailable as exc:
            click.echo(f"{exc}（比对结果未生成；也可改用 -o 比对.html，在浏览器中打印）", err=True)
            sys.exit(EXIT_FINDINGS)
    from ..compare.page import render

    return render(comparison)
