"""The overview's pictures: bar charts drawn on the server as SVG, inlined into the page.

matplotlib's SVG backend draws them — a well-kept library that lays out Chinese labels,
ticks and value labels properly, with no browser and no script needed to read the result.
Text stays text (``svg.fonttype='none'``): searchable, selectable, printed sharp, in the
reader's Chinese font (a list of families with fallbacks, Windows' and Linux' both).  The
same figures give the same bytes: ids come from a salt per chart (no two charts on one
page share an id) and no date is written.  Colours are one hue getting darker with the
value, each bar labelled with its figure, so a page printed in grey reads the same.

matplotlib is imported here only, when a chart is drawn: ``check`` never loads it.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # matplotlib is imported when a chart is drawn

FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei", "PingFang SC", "sans-serif"]
# ColorBrewer "Blues" (5 classes): lightness falls steadily, so grey print keeps the order.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
BAR = "#3182bd"
LAST_YEAR = "#d0d0d0"  # last year's bars: light grey, hatched, beside this year's blue
INK = "#222222"
MOST_BARS = 40  # beyond, a chart shows the top and the bottom 20 and says how many it skips
NAME_CHARS = 16  # a longer unit name is cut with "…" on the axis (the table shows it whole)
FONT_PT, WIDTH_PT, ROW_PT, TOP_PT, BOTTOM_PT = 9, 460.8, 17.3, 24, 34  # a chart's type size and layout, in points


@dataclass(frozen=True)
class Bar:
    """One unit's bar: its name, its value (as drawn), and the label printed at its end."""

    name: str
    value: float
    label: str
    marked: bool = False  # a unit not counted (errors): drawn light and hatched


@dataclass(frozen=True)
class Pair:
    """One unit's two bars, last year's and this year's, with their labels."""

    name: str
    last: float
    this: float
    last_label: str
    this_label: str
    marked: bool = False  # this year's figure is as printed by a report with errors: drawn light and cross-hatched, as in the ranking charts


def ranked(bars: Sequence[Bar]) -> tuple[list[Bar], int]:
    """The bars highest first (ties in the given order), at most :data:`MOST_BARS`: the
    top and bottom halves when there are more, with how many were skipped between."""
    order = sorted(bars, key=lambda bar: -bar.value)
    if len(order) <= MOST_BARS:
        return order, 0
    half = MOST_BARS // 2
    return order[:half] + order[-half:], len(order) - MOST_BARS


def _width(text: str) -> float:
    """``text``'s width in ems: a CJK character one, a Latin letter or digit about half."""
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.6 for char in text)


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


_LOCK = threading.Lock()  # rcParams are global: one chart drawn at a time (the web front serves in threads)


def _draw(salt: str, rows: float, title: str, paint: Callable[[Any], None], names: Sequence[str]) -> str:
    """A chart ``rows`` bars tall painted by ``paint`` onto its axes, as an inline SVG
    element.  No pyplot (no global figure registry); the rc settings that make the SVG
    deterministic and its text real apply while it is drawn and saved."""
    import logging

    import matplotlib

    matplotlib.use("Agg", force=False)
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # a font of the list this machine lacks: the next one is used
    from matplotlib.figure import Figure

    settings: dict[RcKeyType, Any] = {
        "svg.fonttype": "none",
        "text.parse_math": False,  # a unit named 甲$乙$ is text, never TeX to typeset (or to fail on)
        "svg.hashsalt": salt,
        "font.family": "sans-serif",
        "font.sans-serif": FONTS,
        "font.size": FONT_PT,
        "axes.unicode_minus": False,
        "text.color": INK,
        "axes.edgecolor": "#888888",
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
    }
    out = io.StringIO()
    with _LOCK, matplotlib.rc_context(settings):
        height = TOP_PT + BOTTOM_PT + ROW_PT * max(rows, 1)
        figure = Figure(figsize=(WIDTH_PT / 72, height / 72))
        # margins from the longest name (a CJK character is one em wide): laying the chart
        # out by measuring every label (constrained layout) costs twice the drawing
        left = 10 + FONT_PT * max((_width(name) for name in names), default=2)
        figure.subplots_adjust(left=left / WIDTH_PT, right=1 - 8 / WIDTH_PT, top=1 - TOP_PT / height, bottom=BOTTOM_PT / height)
        axes = figure.subplots()
        paint(axes)
        axes.set_title(title, fontsize=10, loc="left")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color="#e0e0e0", linewidth=0.5)
        axes.set_axisbelow(True)
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _inline(out.getvalue(), title, salt)


def _inline(text: str, title: str, prefix: str) -> str:
    """The SVG file as an element of the page: no XML declaration, no DOCTYPE, no
    metadata, no fixed size (the page's CSS sizes it), a name a screen reader says, and
    every id prefixed with ``prefix`` (matplotlib names each chart's parts figure_1,
    axes_1…: ids one page must hold once)."""
    from markupsafe import escape

    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    head_end = text.index(">")
    head = re.sub(r'\s(?:width|height)="[^"]*"', "", text[:head_end])
    def prefixed(tag: re.Match[str]) -> str:  # inside tags only: a unit named 'id="x' stays as written
        return re.sub(r'(\sid="|url\(#|href="#)', rf"\g<1>{prefix}-", tag.group(0))

    body = re.sub(r"<[^>]*>", prefixed, text[head_end:])
    return f'{head} role="img" aria-label="{escape(title)}" class="chart"{body}'.strip()


def bar_chart(key: str, title: str, bars: Sequence[Bar], *, axis: str, share: bool = False, whole: bool = False,
              median: float | None = None, last_median: float | None = None) -> str:
    """Units ranked by one figure, as horizontal bars labelled with their values;
    ``share``: the values are percentages; ``whole``: counts (no 0.5 on the axis);
    ``median``, ``last_median``: the county's medians of this year and last, drawn as a
    solid and a dashed vertical line named in the legend.  A marked bar (a unit not
    counted) is light grey and hatched."""
    shown, skipped = ranked(bars)
    values = [bar.value for bar in shown]
    top = max([*values, median or 0, last_median or 0], default=0) or 1

    def paint(ax) -> None:
        positions = _positions(ax, len(shown), skipped, 1.0)
        colours = [LAST_YEAR if bar.marked else PALETTE[min(4, 1 + int(3 * bar.value / top))] if bar.value else PALETTE[0] for bar in shown]
        container = ax.barh(positions, values, color=colours, edgecolor="#555555", linewidth=0.4, height=0.72)
        for patch, bar in zip(container.patches, shown):
            if bar.marked:
                patch.set_hatch("xx")
        ax.bar_label(container, labels=[bar.label for bar in shown], padding=3, fontsize=8)
        _names(ax, positions, [bar.name for bar in shown])
        ax.set_xlim(0, (100 if share and top <= 100 else top) * 1.18)
        ax.set_xlabel(axis)
        if whole:
            _whole_numbers(ax)
        lines = []
        if median is not None:
            lines.append(ax.axvline(median, color=INK, linewidth=1.1, label=f"本年中位数 {_number(median, share)}"))
        if last_median is not None:
            lines.append(ax.axvline(last_median, color="#666666", linewidth=1.1, linestyle=(0, (4, 2)), label=f"上年中位数 {_number(last_median, share)}"))
        if lines:
            ax.legend(handles=lines, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=7.5, frameon=False, borderaxespad=0.2)  # above the bars, beside the title: never over a bar's label

    return _draw(f"nianbao-{key}", len(shown) + (1 if skipped else 0), title, paint, [_short(bar.name) for bar in shown])


def _number(value: float, share: bool) -> str:
    if share:
        return f"{value:.1f}%"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def sparkline(years: Sequence[int], series: Mapping[str, Sequence[int | None]], label: str) -> str:
    """A unit's trend as a small inline SVG (120 × 30): a line per series over ``years``,
    each on its own scale, the first solid blue, the second dashed dark; a gap where a year
    has no figure.  Drawn
    here, not by matplotlib: a polyline per unit, hundreds on a page, costs nothing, where
    a matplotlib figure each would cost seconds.  ``label`` says the figures in words."""
    from markupsafe import escape

    width, height, pad = 120.0, 30.0, 3.0
    step = (width - 2 * pad) / max(len(years) - 1, 1)
    styles = ('stroke="#3182bd" stroke-width="1.6"', 'stroke="#222222" stroke-width="1.2" stroke-dasharray="3 2"')
    parts = [f'<svg class="spark" viewBox="0 0 {width:g} {height:g}" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>']
    for (_, values), style in zip(series.items(), styles):
        top = max((v for v in values if v is not None), default=0) or 1  # each line on its own scale: its shape is the trend, its figures are in words
        points = [(pad + i * step, height - pad - (height - 2 * pad) * v / top) for i, v in enumerate(values) if v is not None]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                segments.append([])
            else:
                segments[-1].append((pad + i * step, height - pad - (height - 2 * pad) * v / top))
        for segment in segments:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" {style} points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in segment)}"/>')
        colour = style.split('"')[1]
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{colour}"/>' for x, y in points]
    parts.append("</svg>")
    return "".join(parts)


def pair_chart(key: str, title: str, pairs: Sequence[Pair], *, axis: str, last_name: str, this_name: str) -> str:
    """Last year's and this year's figure of each unit side by side, ranked by this year's."""
    order = sorted(pairs, key=lambda pair: -pair.this)
    skipped = max(0, len(order) - MOST_BARS)
    if skipped:
        order = order[: MOST_BARS // 2] + order[-MOST_BARS // 2 :]
    top = max([p.last for p in order] + [p.this for p in order], default=0) or 1

    def paint(ax) -> None:
        positions = _positions(ax, len(order), skipped, 1.0)
        h = 0.38
        before = ax.barh([p - h / 2 for p in positions], [p.last for p in order], height=h, color=LAST_YEAR, edgecolor="#555555", linewidth=0.4, hatch="///", label=last_name)
        now = ax.barh([p + h / 2 for p in positions], [p.this for p in order], height=h, color=[PALETTE[1] if p.marked else BAR for p in order],
                      edgecolor="#555555", linewidth=0.4, label=this_name)
        for patch, pair in zip(now.patches, order):
            if pair.marked:
                patch.set_hatch("xx")
        ax.bar_label(before, labels=[p.last_label for p in order], padding=3, fontsize=7)
        ax.bar_label(now, labels=[p.this_label for p in order], padding=3, fontsize=7)
        _names(ax, positions, [p.name for p in order])
        ax.set_xlim(0, top * 1.2)
        ax.set_xlabel(axis)
        _whole_numbers(ax)
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False, borderaxespad=0.2)  # above the bars: never over a label

    return _draw(f"nianbao-{key}", len(order) * 1.6 + 2 + (1 if skipped else 0), title, paint, [_short(p.name) for p in order])


def _whole_numbers(ax) -> None:
    """Ticks on whole numbers only: a count of 0.5 applications means nothing."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _names(ax, positions: list[float], names: list[str]) -> None:
    """The units' names left of their bars, the first at the top.  Plain texts, not tick
    labels: a tick is two lines and two texts to lay out, a fifth of a chart's time."""
    from matplotlib.transforms import offset_copy

    ax.set_yticks([])
    ax.set_ylim(max(positions, default=0) + 0.6, min(positions, default=0) - 0.6)
    where = offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=-4, units="points")
    for y, name in zip(positions, names):
        ax.text(0, y, _short(name), transform=where, ha="right", va="center")


def _positions(ax, n: int, skipped: int, step: float) -> list[float]:
    """Where the bars stand: one after another, with a gap after the top half saying how
    many units were skipped there."""
    positions = [i * step for i in range(n)]
    if skipped:
        half = n // 2
        positions = [p + (step if i >= half else 0) for i, p in enumerate(positions)]
        ax.text(0, half * step, f"（中间{skipped}个单位略，见上表）", va="center", ha="left", fontsize=8, color="#555555")
    return positions


# -- many charts at once ----------------------------------------------------------------------------------
Task = tuple[Callable[..., str], tuple[Any, ...], dict[str, Any]]


def _drawn(task: Task) -> str:
    function, args, kwargs = task
    return function(*args, **kwargs)


def draw_all(tasks: list[Task], jobs: int = 1) -> list[str]:
    """Each task's chart (a call of :func:`bar_chart` or :func:`pair_chart`), in order.
    With ``jobs`` > 1 on a platform that forks, by workers that inherit matplotlib and its
    fonts already loaded (:func:`nianbao.system.forked.shared`: only the SVG text comes
    back); one after another otherwise — and always when called from a threaded server,
    which passes 1."""
    from ..system import forked

    if jobs > 1 and len(tasks) >= 2 and forked.forks():
        _warm()
    return forked.shared(_drawn, tasks, jobs)


def _warm() -> None:
    """matplotlib imported and the Chinese font opened here, before workers fork: each
    would otherwise spend a third of a second on both."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager
    from matplotlib.figure import Figure  # noqa: F401 - imported for the workers

    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": FONTS}):
        font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
