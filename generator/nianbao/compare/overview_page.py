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

:func:`overview_html` builds the page from reports already loaded (the site's county page),
:func:`page` from an :class:`~.overview.Overview`.  The page's markup is
``templates/compare/overview.html.j2`` (its style ``compare/overview.css``), as the compare
page's is ``compare/page.html.j2``; this module computes what it shows — shades, sums,
medians, captions — and draws the charts once the page is written.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import jinja2
from markupsafe import Markup, escape

from ..county.rules import YEAR_HINT
from ..findings import ERROR, WARNING, Finding
from ..model.report import Report
from . import charts
from .figures import FLAG, NO_SHARE, Figure, Measure, change, flagged, percent, shown
from .overview import ABSENT, COUNTED, FAILED, LEFT_OUT, OTHER_YEAR, UNFILLED, Overview, Row, Source, assemble, copying_notes

SHADES = len(charts.PALETTE)
DARK_FROM = 3  # shades this dark or darker carry white figures
STATUS_CLASS = {COUNTED: "ok", FAILED: "bad", UNFILLED: "out", LEFT_OUT: "out", ABSENT: "absent", OTHER_YEAR: "other"}

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
    lasts = [Source(name, report, check(report), name=report.unit_name, year=report.year) for name, report in (previous or {}).items()]
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

    def _later(self, function, args: tuple, kwargs: dict) -> Markup:
        self.tasks.append((function, args, kwargs))
        return Markup(f"<nianbao-chart {len(self.tasks) - 1}>")

    def bar(self, *args, **kwargs) -> Markup:
        return self._later(charts.bar_chart, args, kwargs)

    def pair(self, *args, **kwargs) -> Markup:
        return self._later(charts.pair_chart, args, kwargs)

    def put(self, text: str, jobs: int) -> str:
        drawn = charts.draw_all(self.tasks, jobs)
        return re.sub(r"<nianbao-chart (\d+)>", lambda m: drawn[int(m.group(1))], text)


def page(overview: Overview, *, county: str = "", jobs: int = 1) -> str:
    """The whole page (see the module's docstring; written by ``templates/compare/overview.html.j2``);
    ``jobs`` > 1: its charts drawn by that many forked workers (the command line; a threaded
    server passes 1)."""
    from ..check.repetition import DEFINITIONS

    drawer = _Charts()
    ranks = {c.key: sorted(m for row in overview.charted if (m := row.measure(c.key).number) is not None) for c in overview.columns}

    def shade_class(row: Row, column: Figure, measure: Measure | None) -> str:
        """A figure's cell: its shade among the counted units' (a counted unit's only)."""
        level = shade(measure.number if measure else None, ranks[column.key]) if row.charted else None
        return f"n h{level}" if level is not None else "n"

    html = _template().render(
        o=overview,
        heading=title(overview, county),
        aside=set_aside(overview),
        summary=summary(overview),
        listed=[row for row in overview.rows if row.findings or row.cross or copying_notes(row)],
        items=lambda row: [f.labelled(row.shown) for f in row.findings] + [f.labelled(row.shown) for f in row.cross] + copying_notes(row),
        totals=total_measures(overview) if overview.charted else {},
        trend_years=[str(y) for y in [*overview.years, overview.year]],
        chart=lambda column: chart(overview, column, drawer),
        yoy_chart=lambda: yoy_chart(overview, drawer),
        yoy_columns=lambda o: [o.column(key) for key in YOY_KEYS if any(c.key == key for c in o.columns)],
        shade_class=shade_class, why=why, cross_counts=cross_counts, under_table=under_table, chart_columns=chart_columns,
        trend_cell=trend_cell, shown=shown, flagged=flagged, change=change, percent=percent,
        PALETTE=charts.PALETTE, DARK_FROM=DARK_FROM, MOST_BARS=charts.MOST_BARS, STATUS_CLASS=STATUS_CLASS, DEFINITIONS=DEFINITIONS,
        NO_SHARE=NO_SHARE, FLAG=FLAG, DEFECT=DEFECT, ERROR=ERROR, WARNING=WARNING,
        COUNTED=COUNTED, FAILED=FAILED, LEFT_OUT=LEFT_OUT, OTHER_YEAR=OTHER_YEAR, ABSENT=ABSENT,
        CROSS_DEFINITION=CROSS_DEFINITION, TREND_DEFINITION=TREND_DEFINITION, MEDIAN_DEFINITION=MEDIAN_DEFINITION,
    )
    return drawer.put(html, jobs)


@cache
def _template() -> jinja2.Template:
    from ..render.outline import environment

    return environment().overlay(autoescape=True).get_template("compare/overview.html.j2")


def summary(overview: Overview) -> str:
    """The line under the title: the year counted and why (where files were set aside or
    years tied), the units' tally, and what the sums hold."""
    run = overview.run.line(YEAR_HINT) if overview.run.year is not None else ""
    return (f"{run}。" if run and (overview.run.set_aside or overview.run.tied) else "") + (
        f"共{overview.tally()}。合计和中位数只含“{COUNTED}”的单位，与 nianbao aggregate 的汇总相同；"
        "有错误的单位照报告所印列出数字，加斜纹标出，不计入合计。")


# -- 一、the heat table -------------------------------------------------------------------------------
def shade(value: float | None, column: Sequence[float]) -> int | None:
    """A value's shade 0..4: its rank in the column (how many values are below it), so
    equal values share a shade and a few large ones do not wash the rest out.
    ``column``: the column's values, sorted."""
    if value is None or not column:
        return None
    below = bisect.bisect_left(column, value)
    return min(SHADES - 1, SHADES * below // len(column))


def under_table(overview: Overview, marked: str = "加斜纹") -> str:
    """What the 合计 counts and leaves out, said under the table as ``aggregate`` says it;
    ``marked``: how the figures of a unit not counted are told apart."""
    outside = [row for row in overview.figured if not row.charted]
    said = f"合计为“{COUNTED}”的{len(overview.charted)}个单位之和，与 nianbao aggregate 的汇总相同。" if overview.charted else f"没有“{COUNTED}”的单位，没有合计。"
    if outside:
        names = "、".join(row.name for row in outside[:5]) + ("等" if len(outside) > 5 else "")
        said += f"{len(outside)}个单位（{names}）有错误或未计入，表中照报告所印列出其数字（{marked}），不计入合计、中位数和深浅排位。"
    others = [row for row in overview.rows if not row.figured]
    if others:
        said += f"另有{len(others)}行没有数字（未填写完整、未交回、读不出或不是本年度，原因写在行中）。"
    return said


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
            out[column.key] = Measure(sum(present) if present else None)
    return out


# -- 二、charts ----------------------------------------------------------------------------------------
def _bars(overview: Overview, column: Figure) -> list[charts.Bar]:
    """Every shown unit's bar; one not counted (errors) is marked, its name saying so."""
    bars = []
    for row in overview.figured:
        measure = row.measure(column.key)
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
    values = [m for row in overview.charted if (m := row.measure(column.key).number) is not None]
    last = overview.last_medians.get(column.key)
    return (median(values) * scale if values else None, last * scale if last is not None else None)


def chart_columns(overview: Overview) -> list[Figure]:
    """The figures charted in 二: all but the error count and the text rate against last
    year (charted in 三, beside the change of applications)."""
    return [c for c in overview.columns if c.key not in ("errors", "repetition")]


@dataclass(frozen=True)
class Chart:
    """One figure's chart as the page shows it: ``svg`` (a placeholder until the charts are
    drawn) with its caption, or, where there is nothing to draw, None and why (``what``)."""

    heading: str
    svg: Markup | None = None
    said: str = ""
    definition: str = ""
    what: str = ""
    note: str = ""


def chart(overview: Overview, column: Figure, drawer: _Charts) -> Chart:
    """One figure's units ranked, with the county's medians, as a figure with its
    definition; a sentence instead when there is nothing to draw (every unit 0, or none
    with a share)."""
    bars = _bars(overview, column)
    missing = len(overview.figured) - len(bars)
    note = f"另有{missing}个单位无可计算的数字（{NO_SHARE}），不在图中。" if missing else ""
    if not any(bar.value for bar in bars):
        what = "没有可计算的单位" if not bars else f"各单位均为{shown(column, Measure(0))}"
        return Chart(column.heading, what=what, note=note)
    axis = "百分比（%）" if column.kind == "share" else column.unit
    now, last = medians(overview, column)
    units = {"now": sum(row.measure(column.key).number is not None for row in overview.charted),
             "last": overview.last_median_units.get(column.key, 0)}
    said = "".join(f"{what}{median_text(column, value)}（{whose.format(units[key])}）；" for what, value, key, whose in (
        ("本年中位数", now, "now", "已计入的{}个单位"), ("上年中位数", last, "last", "上一年度没有错误的{}份报告")) if value is not None)
    svg = drawer.bar(column.key, f"{column.heading}（由高到低）", bars, axis=axis, share=column.kind == "share", whole=column.kind == "count",
                     median=now, last_median=last)
    return Chart(column.heading, svg, said, column.definition, note=note)


def median_text(column: Figure, value: float) -> str:
    if column.kind == "share":
        return f"{value:.1f}%"
    number = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{number}{column.unit}"


# -- 三、last year --------------------------------------------------------------------------------------
YOY_KEYS = ("received", "carried_over", "disclosed_share", "withheld_share", "unavailable_share", "reviews", "lawsuits")


def yoy_chart(overview: Overview, drawer: _Charts) -> Chart | None:
    """The applications of last year and this beside each other, for every unit compared
    with last year's report; None when there is none (or all are 0)."""
    received = overview.column("received")
    pairs = [charts.Pair(row.name + ("（有错误）" if not row.charted else ""), float(row.last["received"].value or 0), float(row.figures["received"].value or 0),
                         shown(received, row.last["received"]), shown(received, row.figures["received"]), not row.charted)
             for row in overview.figured if row.last is not None and row.rates is not None and row.figures is not None]
    if not (pairs and any(p.last or p.this for p in pairs)):
        return None
    year = overview.year or 0
    svg = drawer.pair("yoy-received", f"{received.heading}：上年与本年", pairs, axis=received.unit,
                      last_name=f"{year - 1}年度" if year else "上年", this_name=f"{year}年度" if year else "本年")
    return Chart(received.heading, svg, definition=received.definition)


def trend_cell(row: Row, overview: Overview) -> Markup:
    """A unit's small trend line over the years given, and its figures in words."""
    years = [*overview.years, overview.year] if overview.year else overview.years
    if len([y for y in years if y in row.trend]) < 2:
        return Markup(escape("只有一年的数字" if row.trend else NO_SHARE))
    series = {name: [row.trend[y][key] if y in row.trend else None for y in years] for key, name in TREND_NAMES.items()}
    words = "；".join(f"{name} " + "→".join("—" if v is None else str(v) for v in values) for name, values in series.items())
    return Markup(charts.sparkline(years, series, f"{row.name}历年：{words}") + f"<small>{escape(words)}</small>")


TREND_NAMES = {"received": "申请", "appeals": "复议诉讼"}


# -- 五、definitions -----------------------------------------------------------------------------------
CROSS_DEFINITION = ("本年报告与该单位上一年度报告的跨年度核对（与 nianbao check --previous 相同）各条的个数：X1 上年结转与上年报告的结转下年度不等，X2 现行有效件数衔接，"
                    "X3 项目数量衔接，X4 文中的年份指向以往年度，X5 某一部分80%以上的文字与上年相同；“无”为核对后没有问题，“—”为没有可比的上年报告。"
                    "跨年度核对不影响是否计入合计（与 nianbao aggregate 相同）。")
TREND_DEFINITION = "该单位在给出的各年度（--previous 可多次给出）的新收申请（表三 一、的总计）和行政复议、行政诉讼（表四 总计之和），按机关名称对应（只差上级地名的视为同一单位）。"
MEDIAN_DEFINITION = f"各图中的竖实线：“{COUNTED}”的各单位该项数字的中位数（一半单位高于它，一半低于它）；竖虚线：上一年度各单位（没有错误的报告）的中位数。"
