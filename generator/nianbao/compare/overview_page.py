"""The overview as one standalone web page: what a reviewer grading a county's reports
reads at a glance, on a 1280 px screen, a phone, or A4 landscape paper.

One HTML5 file — UTF-8, ``lang="zh-CN"``, its style inside, no script, nothing fetched:

一、各单位主要数字 — one row per unit in the list's order, its key figures in a heat table
   (a cell's shade is its rank among the counted units, one hue getting darker, the
   figure always printed in it: readable printed in grey); a unit with errors shows its
   figures as printed, marked, outside the sums; a file that cannot be read or is of
   another year says why; the last row is the county's sums, the figures ``aggregate``
   writes; with last year's reports, X1–X5 per unit; the text rate against last year and
   against the other units of the year flagged ⚑ from their thresholds.
二、各项数字排名 — a bar chart per figure, units ranked, the county's median marked (and
   last year's, with last year's reports) (SVG drawn by :mod:`.charts`).
三、与上年比较 — with earlier years' reports: each unit's figures last year → this year,
   its repetition rates (:mod:`nianbao.check.repetition`) and its trend over the years
   given, and a chart of the applications of both years.
四、各单位的问题 — every finding of every unit, as ``check`` prints it, then X1–X5 and copying.
五、说明 — what each figure and each rate means, in one sentence each.

:func:`overview_html` builds the page from reports already loaded (the web front's county
page), :func:`page` from an :class:`~.overview.Overview`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from fractions import Fraction

from markupsafe import Markup, escape

from ..county.rules import YEAR_HINT
from ..findings import ERROR, WARNING, Finding
from ..model.report import Report
from . import charts
from .figures import FLAG, NO_SHARE, Figure, Measure, change, flagged, percent, shown
from .overview import ABSENT, COUNTED, FAILED, LEFT_OUT, OTHER_YEAR, UNFILLED, Overview, Row, Source, assemble, copying_notes

SHADES = len(charts.PALETTE)
DARK_FROM = 3  # shades this dark or darker carry white figures
MARKED = ' class="marked"'  # a row whose figures are shown but not counted
STATUS_CLASS = {COUNTED: "ok", FAILED: "bad", UNFILLED: "out", LEFT_OUT: "out", ABSENT: "absent", OTHER_YEAR: "other"}

STYLE = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:1260px;padding:16px 20px;font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",SimHei,"WenQuanYi Zen Hei",sans-serif;font-size:14px;line-height:1.6;color:#111;background:#fff}
h1{font-size:22px;margin:0 0 4px;font-weight:bold}
h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid #333}
h3{font-size:15px;margin:14px 0 4px}
p{margin:4px 0}
.sub{color:#444}
.notes{border:1px solid #999;border-left:6px solid #555;padding:6px 12px;margin:12px 0;background:#f6f6f6}
.notes ul{margin:4px 0;padding-left:20px}
.wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:8px 0}
table{border-collapse:collapse;font-size:13px;line-height:1.35}
th,td{border:1px solid #777;padding:3px 6px;vertical-align:middle}
th{background:#e8e8e8;font-weight:bold;text-align:center}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.name{min-width:9em}
td.status{white-space:nowrap;text-align:center}
td.why{color:#333;font-size:12px}
tr.sum td,tr.sum th{font-weight:bold;border-top:2px solid #333;background:#f0f0f0}
td.ok{}
td.bad{font-weight:bold;text-decoration:underline}
td.out{font-style:italic}
td.absent{color:#555}
td.other{color:#555;font-style:italic}
tr.marked td.n{font-style:italic;background:repeating-linear-gradient(135deg,#fff 0 4px,#eee 4px 6px);color:#333}
td.n small,td.name small{color:#444;white-space:normal}
.flag{font-weight:bold;color:#b00;margin-left:2px}
small.defect{color:#b00;font-weight:bold}
td.x{font-size:12px;white-space:nowrap}
p.under{font-size:12px;color:#333;margin:2px 0 10px}
svg.spark{width:120px;height:30px;display:block}
td.trend small{font-size:11px;white-space:nowrap}
a{color:#0645ad}
td.h0{background:#eff3ff}td.h1{background:#bdd7e7}td.h2{background:#6baed6}td.h3{background:#3182bd;color:#fff}td.h4{background:#08519c;color:#fff}
td.h3 small,td.h4 small,td.h3 .flag,td.h4 .flag{color:#fff}
td.h0,td.h1,td.h2,td.h3,td.h4,span.key{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.legend{font-size:12px;color:#333}
span.key{display:inline-block;width:2.2em;text-align:center;border:1px solid #777;margin:0 1px;font-size:11px}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px 20px}
figure{margin:0;break-inside:avoid;page-break-inside:avoid}
figcaption{font-size:12px;color:#333}
svg.chart{width:100%;height:auto;display:block}
dl{margin:4px 0}dt{font-weight:bold;margin-top:6px}dd{margin:0 0 0 2em}
ul.findings{margin:2px 0 8px;padding-left:22px}
ul.findings li{margin:1px 0}
.empty{color:#555}
@media (max-width:800px){.charts{grid-template-columns:minmax(0,1fr)}body{padding:10px}h1{font-size:19px}
td.name{position:sticky;left:0;background:#fff;min-width:7em;box-shadow:1px 0 0 #777}}
@media print{
@page{size:A4 landscape;margin:10mm}
body{max-width:none;padding:0;font-size:10pt}
table{font-size:8.5pt}
.wrap{overflow:visible}
h2{break-after:avoid;page-break-after:avoid}
tr{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}
.charts{grid-template-columns:repeat(2,minmax(0,1fr))}
}
"""


def overview_html(reports: Sequence[tuple[str, Report | None, list[Finding]]], previous: dict[str, Report] | None = None,
                  names: list[str] | None = None, *, county: str = "", year: int | None = None) -> str:
    """The page from reports already in memory — what the web front's county page serves.

    ``reports``: (the unit's name as the site knows it, the report or None when it
    could not be built, every finding of ``check`` on it) — a report's own unit name
    is the one compared with the list, the site's stands for a report that is None;
    ``previous``: last year's reports by unit name (matched as the unit list matches
    names); ``names``: the unit list (its order is the page's), or None to list the
    reports as given; ``county``: the office's name, for the title; ``year``: the year
    counted (default: the year most reports have)."""
    from ..check.rules import check

    sources = [Source(name, report, list(findings), name=None if report is not None else name) for name, report, findings in reports]
    lasts = [Source(name, report, check(report), name=report.unit.name, year=report.year) for name, report in (previous or {}).items()]  # type: ignore[attr-defined]
    return page(assemble(sources, lasts, names, year=year), county=county)


def title(overview: Overview, county: str = "") -> str:
    year = f"{overview.year}年度" if overview.year else ""
    return f"{county}{year}政府信息公开工作年度报告各单位情况对比"


def set_aside(overview: Overview) -> str:
    """What the title adds when files were set aside: ``（另有2个文件不是2023年度，未计入）``."""
    n = overview.set_aside
    return f"（另有{n}个文件不是{overview.year}年度，未计入）" if n and overview.year else ""


class _Charts:
    """The charts a page asks for while it is written: each call leaves a placeholder no
    escaped text can hold (a tag), and :meth:`put` draws them all at once (in parallel
    where allowed) and puts each in its place."""

    def __init__(self) -> None:
        self.tasks: list[charts.Task] = []

    def _later(self, function, args: tuple, kwargs: dict) -> str:
        self.tasks.append((function, args, kwargs))
        return f"<nianbao-chart {len(self.tasks) - 1}>"

    def bar(self, *args, **kwargs) -> str:
        return self._later(charts.bar_chart, args, kwargs)

    def pair(self, *args, **kwargs) -> str:
        return self._later(charts.pair_chart, args, kwargs)

    def put(self, text: str, jobs: int) -> str:
        drawn = charts.draw_all(self.tasks, jobs)
        return re.sub(r"<nianbao-chart (\d+)>", lambda m: drawn[int(m.group(1))], text)


def page(overview: Overview, *, county: str = "", jobs: int = 1) -> str:
    """The whole page (see the module's docstring); ``jobs`` > 1: its charts drawn by
    that many forked workers (the command line; a threaded server passes 1)."""
    drawer = _Charts()
    heading = title(overview, county)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="nianbao overview">',
        f"<title>{escape(heading)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(heading)}{f'<small>{escape(set_aside(overview))}</small>' if set_aside(overview) else ''}</h1>",
        f'<p class="sub">{escape(_summary(overview))}</p>',
        _index(overview),
        _notes(overview),
        _table(overview),
        _charts(overview, drawer),
        _previous(overview, drawer) if overview.previous else "",
        _findings(overview),
        _definitions(overview),
        "</body></html>",
    ]
    return drawer.put("\n".join(part for part in parts if part) + "\n", jobs)


def _summary(overview: Overview) -> str:
    run = overview.run.line(YEAR_HINT) if overview.run.year is not None else ""
    return (f"{run}。" if run and (overview.run.set_aside or overview.run.tied) else "") + (
        f"共{overview.tally()}。合计和中位数只含“已计入”的单位，与 nianbao aggregate 的汇总相同；"
        "有错误的单位照报告所印列出数字，加斜纹标出，不计入合计。")


def _index(overview: Overview) -> str:
    if not overview.index:
        return ""
    return f'<p class="sub">各单位两年报告的逐项对比：<a href="{escape(overview.index)}">对比页目录</a>（点机关名称打开该单位的对比页）。</p>'



def _notes(overview: Overview) -> str:
    if not overview.said:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in overview.said)
    return f'<div class="notes"><p><b>注意</b></p><ul>{items}</ul></div>'


# -- 一、the heat table -------------------------------------------------------------------------------
def shade(value: float | None, column: Sequence[float]) -> int | None:
    """A value's shade 0..4: its rank in the column (how many values are below it), so
    equal values share a shade and a few large ones do not wash the rest out.
    ``column``: the column's values, sorted."""
    if value is None or not column:
        return None
    below = bisect.bisect_left(column, value)
    return min(SHADES - 1, SHADES * below // len(column))


def _table(overview: Overview) -> str:
    columns = overview.columns
    heads = "".join(f"<th scope=\"col\">{escape(c.heading)}{'（' + escape(c.unit) + '）' if c.kind != 'share' else ''}</th>" for c in columns)
    if overview.previous:
        heads += '<th scope="col">跨年度核对</th>'
    out = ["<h2>一、各单位主要数字</h2>",
           '<p class="legend">格子的深浅表示该数字在“已计入”的单位中的排位，越深越高：'
           + "".join(f'<span class="key h{i}" style="background:{colour};{"color:#fff" if i >= DARK_FROM else ""}">{i + 1}</span>' for i, colour in enumerate(charts.PALETTE))
           + f"（“{NO_SHARE}”为无可计算的数字；打印成黑白时看格中数字）；加斜纹的是有错误或未计入的单位照报告所印的数字；“{FLAG}”为重复率达到标记线；"
           f"“{DEFECT}”：该数所依据的总计与各项之和不符（R2–R4），照印出的数列出，各项之和见格的提示和问题清单。</p>",
           '<div class="wrap"><table class="heat"><thead><tr><th scope="col">序号</th><th scope="col">机关名称</th><th scope="col">状态</th>'
           + heads + "</tr></thead><tbody>"]
    ranks = {c.key: sorted(m for row in overview.charted if (m := row.figures[c.key].number) is not None) for c in columns}  # type: ignore[index]
    for i, row in enumerate(overview.rows, start=1):
        cells = [f'<td class="n">{i}</td>', f'<td class="name">{_name(row)}</td>', f'<td class="status {STATUS_CLASS[row.status]}"{_why_tip(row)}>{_status(row)}</td>']
        if row.figures is not None:
            for c in columns:
                measure = row.figures.get(c.key)
                level = shade(measure.number if measure else None, ranks[c.key]) if row.charted else None
                cls = f"n h{level}" if level is not None else "n"
                cells.append(f'<td class="{cls}"{_detail(c, measure)}>{figure_cell(c, measure, row)}</td>')
            if overview.previous:
                cells.append(f'<td class="x">{escape(cross_counts(row))}</td>')
        else:
            cells.append(f'<td class="why" colspan="{len(columns) + overview.previous}">{escape(why(row))}</td>')
        out.append(f"<tr{MARKED if row.figured and not row.charted else ''}>" + "".join(cells) + "</tr>")
    out.append(_sum_row(overview))
    out.append("</tbody></table></div>")
    out.append(f'<p class="under">{escape(under_table(overview))}</p>')
    return "\n".join(out)


def under_table(overview: Overview, marked: str = "加斜纹") -> str:
    """What the 合计 counts and leaves out, said under the table as ``aggregate`` says it;
    ``marked``: how the figures of a unit not counted are told apart."""
    outside = [row for row in overview.figured if not row.charted]
    said = f"合计为“已计入”的{len(overview.charted)}个单位之和，与 nianbao aggregate 的汇总相同。" if overview.charted else "没有“已计入”的单位，没有合计。"
    if outside:
        names = "、".join(row.name for row in outside[:5]) + ("等" if len(outside) > 5 else "")
        said += f"{len(outside)}个单位（{names}）有错误或未计入，表中照报告所印列出其数字（{marked}），不计入合计、中位数和深浅排位。"
    others = [row for row in overview.rows if not row.figured]
    if others:
        said += f"另有{len(others)}行没有数字（未填写完整、未交回、读不出或不是本年度，原因写在行中）。"
    return said


def _why_tip(row: Row) -> Markup:
    """Why a unit whose figures are shown is not counted, as the status cell's tooltip."""
    return Markup(f' title="{escape(why(row))}"') if row.figured and not row.charted else Markup("")


def _status(row: Row) -> Markup:
    if row.figured and not row.charted:
        return Markup(f"{escape(row.status)}<br><small>不计入合计</small>")
    return Markup(escape(row.status))


def figure_cell(figure: Figure, measure: Measure | None, row: Row) -> Markup:
    """A figure as the table prints it: flagged ⚑ at its threshold; the copying between
    units with the unit it is nearest to under it."""
    text = escape(shown(figure, measure))
    if flagged(figure.key, measure):
        text += Markup(f'<span class="flag" title="达到标记线">{FLAG}</span>')
    if figure.key == "peer" and row.peer_name:
        text += Markup(f"<br><small>{escape(row.peer_name)}</small>")
    if measure is not None and measure.defect:
        text += Markup(f'<br><small class="defect" title="{escape(measure.defect)}">{DEFECT}</small>')
    return Markup(text)


DEFECT = "总计印错"  # under a figure read from a printed total R2–R4 find wrong (Measure.defect says which, and the sum of its parts)


def cross_counts(row: Row) -> str:
    """X1–X5 of a unit, as counts: ``X1 1、X5 2``; ``无`` when compared and none;
    ``—`` when there was nothing to compare with."""
    if row.rates is None:
        return NO_SHARE
    counts: dict[str, int] = {}
    for finding in row.cross:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    return "、".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "无"


def _name(row: Row) -> Markup:
    """A unit's name (a link to its two years' page where there is one); the file it came
    from under it where the row is not counted (the file is what the reviewer sends back),
    else as a tooltip (a county's 300 rows stay one line each)."""
    name = Markup(f'<a href="{escape(row.link)}">{escape(row.name)}</a>') if row.link else escape(row.name)
    if not row.shown or row.shown == row.name:
        return Markup(name)
    if row.status == COUNTED:
        return Markup(f'<span title="{escape(row.shown)}">{name}</span>')
    return Markup(f"{name}<br><small>{escape(row.shown)}</small>")


def _detail(figure: Figure, measure: Measure | None) -> str:
    """A share's part and whole, as a tooltip: 3/7件."""
    if measure is None or figure.kind != "share" or measure.whole is None:
        return ""
    return f' title="{measure.part}/{measure.whole}件"'


def why(row: Row) -> str:
    """What a row without figures says in their place (and the reason a marked row is not counted)."""
    errors = [f for f in row.findings if f.level == ERROR]
    first = errors[0].describe() if errors else ""
    if row.status == ABSENT:
        return first
    more = f"（共{len(errors)}个错误，见“四、各单位的问题”）" if len(errors) > 1 else ""
    if row.figured:
        return f"{'有错误，' if row.status == FAILED else ''}数字照报告所印列出，未计入合计：{first}{more}"
    return f"未计入汇总和图表：{first}{more}"


RATES = ("repetition", "peer")  # rates of one unit against another report: no county sum


def total_measures(overview: Overview) -> dict[str, Measure]:
    """The county's sums over the counted units: counts and amounts added, shares as the
    sum of parts over the sum of wholes — the shares of ``aggregate``'s summed tables."""
    out: dict[str, Measure] = {}
    rows = [row.figures for row in overview.charted if row.figures is not None]
    for column in overview.columns:
        values = [row[column.key] for row in rows]
        if column.kind == "share":
            if column.key in RATES:
                out[column.key] = Measure(None)
                continue
            part = sum(m.part or 0 for m in values)
            whole = sum(m.whole or 0 for m in values)
            out[column.key] = Measure(Fraction(part, whole) if whole else None, part, whole)
        else:
            present = [m.value for m in values if m.value is not None]
            out[column.key] = Measure(sum(present) if present else None)  # type: ignore[arg-type]
    return out


def _sum_row(overview: Overview) -> str:
    if not overview.charted:
        return ""
    totals = total_measures(overview)
    cells = "".join(f'<td class="n"{_detail(c, totals[c.key])}>{escape(shown(c, totals[c.key]))}</td>' for c in overview.columns)
    if overview.previous:
        cells += "<td></td>"
    return f'<tr class="sum"><th scope="row" colspan="3">合计（已计入的{len(overview.charted)}个单位）</th>{cells}</tr>'


# -- 二、charts ----------------------------------------------------------------------------------------
def _bars(overview: Overview, column: Figure) -> list[charts.Bar]:
    """Every shown unit's bar; one not counted (errors) is marked, its name saying so."""
    bars = []
    for row in overview.figured:
        measure = row.figures[column.key]  # type: ignore[index]
        if measure.value is None:
            continue
        value = float(measure.value) * (100 if column.kind == "share" else 1)
        marked = not row.charted
        bars.append(charts.Bar(row.name + ("（有错误）" if marked else ""), value, shown(column, measure), marked))
    return bars


def medians(overview: Overview, column: Figure) -> tuple[float | None, float | None]:
    """(this year's county median over the counted units, last year's), as drawn: a share in percent."""
    from statistics import median

    scale = 100 if column.kind == "share" else 1
    values = [m for row in overview.charted if (m := row.figures[column.key].number) is not None]  # type: ignore[index]
    last = overview.last_medians.get(column.key)
    return (median(values) * scale if values else None, last * scale if last is not None else None)


def chart_columns(overview: Overview) -> list[Figure]:
    """The figures charted in 二: all but the error count and the text rate against last
    year (charted in 三, beside the change of applications)."""
    return [c for c in overview.columns if c.key not in ("errors", "repetition")]


def _charts(overview: Overview, drawer: _Charts) -> str:
    out = ["<h2>二、各项数字排名</h2>"]
    if not overview.figured:
        return "\n".join(out + ['<p class="empty">没有可以计入的单位，无图可作。</p>'])
    if len(overview.figured) > charts.MOST_BARS:
        out.append(f"<p>单位较多（{len(overview.figured)}个），每张图只画最高和最低的各{charts.MOST_BARS // 2}个单位；全部数字见上表。</p>")
    out.append("<p>每张图中的竖实线是本年全县中位数（“已计入”的单位）" + ("，竖虚线是上年全县中位数" if overview.last_medians else "")
               + "；加斜纹的浅色条是有错误、未计入合计的单位照报告所印的数字。</p>")
    out.append('<div class="charts">')
    out += [_chart(overview, column, drawer) for column in chart_columns(overview)]
    out.append("</div>")
    return "\n".join(out)


def _chart(overview: Overview, column: Figure, drawer: _Charts) -> str:
    """One figure's units ranked, with the county's medians, as a figure with its
    definition; a sentence instead when there is nothing to draw (every unit 0, or none
    with a share)."""
    bars = _bars(overview, column)
    missing = len(overview.figured) - len(bars)
    note = f"另有{missing}个单位无可计算的数字（{NO_SHARE}），不在图中。" if missing else ""
    if not any(bar.value for bar in bars):
        what = "没有可计算的单位" if not bars else f"各单位均为{shown(column, Measure(0))}"
        return f'<figure><figcaption><b>{escape(column.heading)}</b>：{escape(what)}，未作图。{escape(note)}</figcaption></figure>'
    axis = "百分比（%）" if column.kind == "share" else column.unit
    now, last = medians(overview, column)
    units = {"now": sum(row.figures[column.key].number is not None for row in overview.charted),  # type: ignore[index]
             "last": overview.last_median_units.get(column.key, 0)}
    said = "".join(f"{what}{median_text(column, value)}（{whose.format(units[key])}）；" for what, value, key, whose in (
        ("本年中位数", now, "now", "已计入的{}个单位"), ("上年中位数", last, "last", "上一年度没有错误的{}份报告")) if value is not None)
    svg = drawer.bar(column.key, f"{column.heading}（由高到低）", bars, axis=axis, share=column.kind == "share", whole=column.kind == "count",
                     median=now, last_median=last)
    return f"<figure>{svg}<figcaption>{escape(said)}{escape(column.definition)}{escape(note)}</figcaption></figure>"


def median_text(column: Figure, value: float) -> str:
    if column.kind == "share":
        return f"{value:.1f}%"
    number = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{number}{column.unit}"


def _two_lines(text: str) -> Markup:
    """``7 → 21件（+200.0%）`` with the change under the figures: a narrower column."""
    head, sep, rest = text.partition("（")
    return Markup(f"{escape(head)}<br><small>{escape(sep + rest)}</small>") if sep else Markup(escape(text))


# -- 三、last year --------------------------------------------------------------------------------------
YOY_KEYS = ("received", "carried_over", "disclosed_share", "withheld_share", "unavailable_share", "reviews", "lawsuits")


def _previous(overview: Overview, drawer: _Charts) -> str:
    from ..check.repetition import DEFINITIONS

    columns = [overview.column(key) for key in YOY_KEYS if any(c.key == key for c in overview.columns)]
    trend = len(overview.years) >= 1
    out = ["<h2>三、与上年比较</h2>",
           "<p>每格为“上年 → 本年（变化）”；数量的变化为百分比，占比的变化为百分点。重复率为本年报告与该单位上一年度报告相比（定义见“五、说明”）。"
           + (f"历年趋势为{'、'.join(str(y) for y in [*overview.years, overview.year])}年度的新收申请（蓝色实线）和行政复议、行政诉讼（黑色虚线）。" if trend else "")
           + "</p>",
           '<div class="wrap"><table><thead><tr><th scope="col">机关名称</th>'
           + "".join(f'<th scope="col">{escape(c.heading)}</th>' for c in columns)
           + '<th scope="col">文字重复率</th><th scope="col">表格重复率</th><th scope="col">总体重复率</th>'
           + ('<th scope="col">历年趋势</th>' if trend else "") + "</tr></thead><tbody>"]
    pairs = []
    received = overview.column("received")
    for row in overview.figured:
        spark = f'<td class="trend">{trend_cell(row, overview)}</td>' if trend else ""
        if row.last is None or row.rates is None or row.figures is None:
            out.append(f'<tr><td class="name">{_name(row)}</td><td class="why" colspan="{len(columns) + 3}">{escape(row.note or "未作比较")}</td>{spark}</tr>')
            continue
        cells = "".join(f'<td class="n">{_two_lines(change(c, row.figures[c.key], row.last[c.key]))}</td>' for c in columns)
        text = row.figures["repetition"]
        rates = f'<td class="n">{figure_cell(overview.column("repetition"), text, row)}</td>'
        rates += "".join(f'<td class="n">{percent(value)}</td>' for value in (row.rates.tables, row.rates.overall))
        out.append(f'<tr{MARKED if not row.charted else ""}><td class="name">{_name(row)}</td>{cells}{rates}{spark}</tr>')
        before, now = row.last["received"], row.figures["received"]
        pairs.append(charts.Pair(row.name + ("（有错误）" if not row.charted else ""), float(before.value or 0), float(now.value or 0),
                                 shown(received, before), shown(received, now), not row.charted))
    out.append("</tbody></table></div>")
    out.append('<div class="charts">')
    if pairs and any(p.last or p.this for p in pairs):
        year = overview.year or 0
        svg = drawer.pair("yoy-received", f"{received.heading}：上年与本年", pairs, axis=received.unit,
                                last_name=f"{year - 1}年度" if year else "上年", this_name=f"{year}年度" if year else "本年")
        out.append(f"<figure>{svg}<figcaption>{escape(received.definition)}斜线浅灰为上年，深色为本年；本年的条画成带交叉斜纹的浅色、名称后注“（有错误）”的，"
                   "是有错误、未计入合计的单位照报告所印的数字。</figcaption></figure>")
    out.append(_chart(overview, overview.column("repetition"), drawer))
    out.append("</div>")
    out.append("<dl>" + "".join(f"<dd>{escape(DEFINITIONS[key])}</dd>" for key in ("text", "tables", "overall")) + "</dl>")
    return "\n".join(out)


def trend_cell(row: Row, overview: Overview) -> Markup:
    """A unit's small trend line over the years given, and its figures in words."""
    years = [*overview.years, overview.year] if overview.year else overview.years
    if len([y for y in years if y in row.trend]) < 2:
        return Markup(escape("只有一年的数字" if row.trend else NO_SHARE))
    series = {name: [row.trend[y][key] if y in row.trend else None for y in years] for key, name in TREND_NAMES.items()}
    words = "；".join(f"{name} " + "→".join("—" if v is None else str(v) for v in values) for name, values in series.items())
    return Markup(charts.sparkline(years, series, f"{row.name}历年：{words}") + f"<small>{escape(words)}</small>")


TREND_NAMES = {"received": "申请", "appeals": "复议诉讼"}


# -- 四、findings --------------------------------------------------------------------------------------
def _findings(overview: Overview) -> str:
    out = ["<h2>四、各单位的问题</h2>"]
    listed = [row for row in overview.rows if row.findings or row.cross or copying_notes(row)]
    if not listed:
        return "\n".join(out + ['<p class="empty">各单位的报告都没有错误和提示。</p>'])
    out.append("<p>与 nianbao check 列出的相同；有错误的报告改正后重新交回，再生成本页。"
               + ("与上一年度报告的跨年度核对（X1–X5，即 nianbao check --previous 的结果）和内容雷同列在各单位之后。" if overview.previous else "内容雷同列在各单位之后。")
               + "</p>")
    for row in listed:
        errors = sum(f.level == ERROR for f in row.findings)
        warnings = sum(f.level == WARNING for f in row.findings)
        where = f"（{escape(row.shown)}）" if row.shown and row.shown != row.name else ""
        cross = f"，跨年度核对{len(row.cross)}个" if row.cross else ""
        out.append(f"<h3>{escape(row.name)}{where}：{escape(row.status)}，错误{errors}个，提示{warnings}个{cross}</h3>")
        items = [f.labelled(row.shown) for f in row.findings] + [f.labelled(row.shown) for f in row.cross] + copying_notes(row)
        out.append('<ul class="findings">' + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>")
    return "\n".join(out)


# -- 五、definitions -----------------------------------------------------------------------------------
def _definitions(overview: Overview) -> str:
    out = ["<h2>五、说明</h2>", "<dl>"]
    for column in overview.columns:
        out.append(f"<dt>{escape(column.heading)}</dt><dd>{escape(column.definition)}</dd>")
    if overview.previous:
        from ..check.repetition import DEFINITIONS

        out.append(f"<dt>跨年度核对</dt><dd>{escape(CROSS_DEFINITION)}</dd>")
        for key in ("text", "tables", "overall"):
            name, _, sentence = DEFINITIONS[key].partition("：")
            out.append(f"<dt>{escape(name)}</dt><dd>{escape(sentence)}</dd>")
        if overview.years:
            out.append(f"<dt>历年趋势</dt><dd>{escape(TREND_DEFINITION)}</dd>")
    out.append(f"<dt>中位数</dt><dd>{escape(MEDIAN_DEFINITION)}</dd>")
    out.append("</dl>")
    out.append(f"<p>状态：“{COUNTED}”的单位计入合计和图表；“{FAILED}”的报告要改正，其数字照报告所印列出、不计入合计；“{LEFT_OUT}”的文件与别的文件重复，或不在名单中；"
               f"“{OTHER_YEAR}”的文件不是本次计入的年度或格式；“{ABSENT}”是名单上没有交回报告的单位。</p>")
    return "\n".join(out)


CROSS_DEFINITION = ("本年报告与该单位上一年度报告的跨年度核对（与 nianbao check --previous 相同）各条的个数：X1 上年结转与上年报告的结转下年度不等，X2 现行有效件数衔接，"
                    "X3 项目数量衔接，X4 文中的年份指向以往年度，X5 某一部分80%以上的文字与上年相同；“无”为核对后没有问题，“—”为没有可比的上年报告。"
                    "跨年度核对不影响是否计入合计（与 nianbao aggregate 相同）。")
TREND_DEFINITION = "该单位在给出的各年度（--previous 可多次给出）的新收申请（表三 一、的总计）和行政复议、行政诉讼（表四 总计之和），按机关名称对应（只差上级地名的视为同一单位）。"
MEDIAN_DEFINITION = f"各图中的竖实线：“{COUNTED}”的各单位该项数字的中位数（一半单位高于它，一半低于它）；竖虚线：上一年度各单位（没有错误的报告）的中位数。"
