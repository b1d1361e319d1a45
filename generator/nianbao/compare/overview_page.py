"""The overview as one standalone web page: what a reviewer grading a county's reports
reads at a glance, on a 1280 px screen, a phone, or A4 landscape paper.

One HTML5 file — UTF-8, ``lang="zh-CN"``, its style inside, no script, nothing fetched:

一、各单位主要数字 — one row per unit in the list's order, its key figures in a heat table
   (a cell's shade is its rank in the column, one hue getting darker, the figure always
   printed in it: readable printed in grey); a unit that cannot be counted says why;
   the last row is the county's sums, the figures ``aggregate`` writes.
二、各项数字排名 — a bar chart per figure, units ranked (SVG drawn by :mod:`.charts`).
三、与上年比较 — with last year's reports: each unit's figures last year → this year and
   its repetition rates (:mod:`nianbao.check.repetition`), and a chart of the applications of both years.
四、各单位的问题 — every finding of every unit, as ``check`` prints it.
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

from ..findings import ERROR, WARNING, Finding
from ..model.report import Report
from . import charts
from .figures import NO_SHARE, Figure, Measure, change, percent, shown
from .overview import ABSENT, COUNTED, Overview, Row, Source, assemble

SHADES = len(charts.PALETTE)
DARK_FROM = 3  # shades this dark or darker carry white figures
STATUS_CLASS = {"已计入": "ok", "有错误": "bad", "未计入": "out", "未交回": "absent"}

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
td.h0{background:#eff3ff}td.h1{background:#bdd7e7}td.h2{background:#6baed6}td.h3{background:#3182bd;color:#fff}td.h4{background:#08519c;color:#fff}
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
                  names: list[str] | None = None, *, county: str = "") -> str:
    """The page from reports already in memory — what the web front's county page serves.

    ``reports``: (the unit's name as the site knows it, the report or None when it
    could not be built, every finding of ``check`` on it) — a report's own unit name
    is the one compared with the list, the site's stands for a report that is None;
    ``previous``: last year's reports by unit name (matched as the unit list matches
    names); ``names``: the unit list (its order is the page's), or None to list the
    reports as given; ``county``: the office's name, for the title."""
    from ..check.rules import check

    sources = [Source(name, report, list(findings), name=None if report is not None else name) for name, report, findings in reports]
    lasts = [Source(name, report, check(report), name=report.unit.name, year=report.year) for name, report in (previous or {}).items()]  # type: ignore[attr-defined]
    return page(assemble(sources, lasts, names), county=county)


def title(overview: Overview, county: str = "") -> str:
    year = f"{overview.year}年度" if overview.year else ""
    return f"{county}{year}政府信息公开工作年度报告各单位情况对比"


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
        f"<h1>{escape(heading)}</h1>",
        f'<p class="sub">{escape(_summary(overview))}</p>',
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
    counts = {status: sum(row.status == status for row in overview.rows) for status in STATUS_CLASS}
    said = "，".join(f"{status}{n}个" for status, n in counts.items() if n)
    return f"共{len(overview.rows)}个单位（或文件）：{said}。图表和合计只含“已计入”的单位，与 nianbao aggregate 的汇总相同。"


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
    out = ["<h2>一、各单位主要数字</h2>",
           '<p class="legend">格子的深浅表示该数字在本列各单位中的排位，越深越高：'
           + "".join(f'<span class="key h{i}" style="background:{colour};{"color:#fff" if i >= DARK_FROM else ""}">{i + 1}</span>' for i, colour in enumerate(charts.PALETTE))
           + f"（“{NO_SHARE}”为无可计算的数字；打印成黑白时看格中数字）。</p>",
           '<div class="wrap"><table class="heat"><thead><tr><th scope="col">序号</th><th scope="col">机关名称</th><th scope="col">状态</th>'
           + heads + "</tr></thead><tbody>"]
    ranks = {c.key: sorted(m for row in overview.charted if (m := row.figures[c.key].number) is not None) for c in columns}  # type: ignore[index]
    for i, row in enumerate(overview.rows, start=1):
        cells = [f'<td class="n">{i}</td>', f'<td class="name">{_name(row)}</td>', f'<td class="status {STATUS_CLASS[row.status]}">{escape(row.status)}</td>']
        if row.figures is not None:
            for c in columns:
                measure = row.figures.get(c.key)
                level = shade(measure.number if measure else None, ranks[c.key])
                cls = f"n h{level}" if level is not None else "n"
                cells.append(f'<td class="{cls}"{_detail(c, measure)}>{escape(shown(c, measure))}</td>')
        else:
            cells.append(f'<td class="why" colspan="{len(columns)}">{escape(why(row))}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append(_sum_row(overview))
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _name(row: Row) -> Markup:
    """A unit's name; the file it came from under it where the row is not counted (the
    file is what the reviewer sends back), else as a tooltip (a county's 300 rows stay
    one line each)."""
    if not row.shown or row.shown == row.name:
        return Markup(escape(row.name))
    if row.status == COUNTED:
        return Markup(f'<span title="{escape(row.shown)}">{escape(row.name)}</span>')
    return Markup(f"{escape(row.name)}<br><small>{escape(row.shown)}</small>")


def _detail(figure: Figure, measure: Measure | None) -> str:
    """A share's part and whole, as a tooltip: 3/7件."""
    if measure is None or figure.kind != "share" or measure.whole is None:
        return ""
    return f' title="{measure.part}/{measure.whole}件"'


def why(row: Row) -> str:
    """What a row that is not counted says in place of its figures."""
    errors = [f for f in row.findings if f.level == ERROR]
    first = errors[0].describe() if errors else ""
    if row.status == ABSENT:
        return first
    more = f"（共{len(errors)}个错误，见“四、各单位的问题”）" if len(errors) > 1 else ""
    return f"未计入汇总和图表：{first}{more}"


def total_measures(overview: Overview) -> dict[str, Measure]:
    """The county's sums over the charted units: counts and amounts added, shares as the
    sum of parts over the sum of wholes — the shares of ``aggregate``'s summed tables."""
    out: dict[str, Measure] = {}
    rows = [row.figures for row in overview.charted if row.figures is not None]
    for column in overview.columns:
        values = [row[column.key] for row in rows]
        if column.kind == "share":
            if column.key == "repetition":
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
    return f'<tr class="sum"><th scope="row" colspan="3">合计（已计入的{len(overview.charted)}个单位）</th>{cells}</tr>'


# -- 二、charts ----------------------------------------------------------------------------------------
def _bars(overview: Overview, column: Figure) -> list[charts.Bar]:
    bars = []
    for row in overview.charted:
        measure = row.figures[column.key]  # type: ignore[index]
        if measure.value is None:
            continue
        value = float(measure.value) * (100 if column.kind == "share" else 1)
        bars.append(charts.Bar(row.name, value, shown(column, measure)))
    return bars


def chart_columns(overview: Overview) -> list[Figure]:
    """The figures charted in 二: all but the error count (a charted unit has none) and
    the repetition rate (charted in 三, beside the change of applications)."""
    return [c for c in overview.columns if c.key not in ("errors", "repetition")]


def _charts(overview: Overview, drawer: _Charts) -> str:
    out = ["<h2>二、各项数字排名</h2>"]
    if not overview.charted:
        return "\n".join(out + ['<p class="empty">没有可以计入的单位，无图可作。</p>'])
    if len(overview.charted) > charts.MOST_BARS:
        out.append(f"<p>单位较多（{len(overview.charted)}个），每张图只画最高和最低的各{charts.MOST_BARS // 2}个单位；全部数字见上表。</p>")
    out.append('<div class="charts">')
    out += [_chart(overview, column, drawer) for column in chart_columns(overview)]
    out.append("</div>")
    return "\n".join(out)


def _chart(overview: Overview, column: Figure, drawer: _Charts) -> str:
    """One figure's units ranked, as a figure with its definition; a sentence instead
    when there is nothing to draw (every unit 0, or none with a share)."""
    bars = _bars(overview, column)
    missing = len(overview.charted) - len(bars)
    note = f"另有{missing}个单位无可计算的数字（{NO_SHARE}），不在图中。" if missing else ""
    if not any(bar.value for bar in bars):
        what = "没有可计算的单位" if not bars else f"各单位均为{shown(column, Measure(0))}"
        return f'<figure><figcaption><b>{escape(column.heading)}</b>：{escape(what)}，未作图。{escape(note)}</figcaption></figure>'
    axis = "百分比（%）" if column.kind == "share" else column.unit
    svg = drawer.bar(column.key, f"{column.heading}（由高到低）", bars, axis=axis, share=column.kind == "share", whole=column.kind == "count")
    return f"<figure>{svg}<figcaption>{escape(column.definition)}{escape(note)}</figcaption></figure>"


def _two_lines(text: str) -> Markup:
    """``7 → 21件（+200.0%）`` with the change under the figures: a narrower column."""
    head, sep, rest = text.partition("（")
    return Markup(f"{escape(head)}<br><small>{escape(sep + rest)}</small>") if sep else Markup(escape(text))


# -- 三、last year --------------------------------------------------------------------------------------
YOY_KEYS = ("received", "carried_over", "disclosed_share", "withheld_share", "unavailable_share", "reviews", "lawsuits")


def _previous(overview: Overview, drawer: _Charts) -> str:
    from ..check.repetition import DEFINITIONS

    columns = [overview.column(key) for key in YOY_KEYS if any(c.key == key for c in overview.columns)]
    out = ["<h2>三、与上年比较</h2>",
           "<p>每格为“上年 → 本年（变化）”；数量的变化为百分比，占比的变化为百分点。重复率为本年报告与该单位上一年度报告相比（定义见“五、说明”）。</p>",
           '<div class="wrap"><table><thead><tr><th scope="col">机关名称</th>'
           + "".join(f'<th scope="col">{escape(c.heading)}</th>' for c in columns)
           + '<th scope="col">文字重复率</th><th scope="col">表格重复率</th><th scope="col">总体重复率</th></tr></thead><tbody>']
    pairs = []
    received = overview.column("received")
    for row in overview.charted:
        if row.last is None or row.rates is None or row.figures is None:
            out.append(f'<tr><td class="name">{_name(row)}</td><td class="why" colspan="{len(columns) + 3}">{escape(row.note or "未作比较")}</td></tr>')
            continue
        cells = "".join(f'<td class="n">{_two_lines(change(c, row.figures[c.key], row.last[c.key]))}</td>' for c in columns)
        rates = "".join(f'<td class="n">{percent(value)}</td>' for value in (row.rates.text, row.rates.tables, row.rates.overall))
        out.append(f'<tr><td class="name">{_name(row)}</td>{cells}{rates}</tr>')
        before, now = row.last["received"], row.figures["received"]
        pairs.append(charts.Pair(row.name, float(before.value or 0), float(now.value or 0), shown(received, before), shown(received, now)))
    out.append("</tbody></table></div>")
    out.append('<div class="charts">')
    if pairs and any(p.last or p.this for p in pairs):
        year = overview.year or 0
        svg = drawer.pair("yoy-received", f"{received.heading}：上年与本年", pairs, axis=received.unit,
                                last_name=f"{year - 1}年度" if year else "上年", this_name=f"{year}年度" if year else "本年")
        out.append(f"<figure>{svg}<figcaption>{escape(received.definition)}斜线浅灰为上年，深色为本年。</figcaption></figure>")
    out.append(_chart(overview, overview.column("repetition"), drawer))
    out.append("</div>")
    out.append("<dl>" + "".join(f"<dd>{escape(DEFINITIONS[key])}</dd>" for key in ("text", "tables", "overall")) + "</dl>")
    return "\n".join(out)


# -- 四、findings --------------------------------------------------------------------------------------
def _findings(overview: Overview) -> str:
    out = ["<h2>四、各单位的问题</h2>"]
    listed = [row for row in overview.rows if row.findings]
    if not listed:
        return "\n".join(out + ['<p class="empty">各单位的报告都没有错误和提示。</p>'])
    out.append("<p>与 nianbao check 列出的相同；有错误的报告改正后重新交回，再生成本页。</p>")
    for row in listed:
        errors = sum(f.level == ERROR for f in row.findings)
        warnings = sum(f.level == WARNING for f in row.findings)
        where = f"（{escape(row.shown)}）" if row.shown and row.shown != row.name else ""
        out.append(f"<h3>{escape(row.name)}{where}：{escape(row.status)}，错误{errors}个，提示{warnings}个</h3>")
        out.append('<ul class="findings">' + "".join(f"<li>{escape(f.labelled(row.shown))}</li>" for f in row.findings) + "</ul>")
    return "\n".join(out)


# -- 五、definitions -----------------------------------------------------------------------------------
def _definitions(overview: Overview) -> str:
    out = ["<h2>五、说明</h2>", "<dl>"]
    for column in overview.columns:
        out.append(f"<dt>{escape(column.heading)}</dt><dd>{escape(column.definition)}</dd>")
    if overview.previous:
        from ..check.repetition import DEFINITIONS

        for key in ("text", "tables", "overall"):
            name, _, sentence = DEFINITIONS[key].partition("：")
            out.append(f"<dt>{escape(name)}</dt><dd>{escape(sentence)}</dd>")
    out.append("</dl>")
    out.append(f"<p>状态：“{COUNTED}”的单位计入合计和图表；“有错误”的报告要改正；“未计入”的文件与别的文件重复或不是本年度、本格式的报告，或不在名单中；“未交回”是名单上没有交回报告的单位。</p>")
    return "\n".join(out)
