"""The comparison as one standalone web page (``nianbao compare … -o 比对.html``).

UTF-8, ``lang="zh-CN"``, its style inside the file, no script, nothing fetched: a reviewer
opens it from a folder, mails it, prints it.  It fits a 1280 px screen and a phone
(390 px: the side-by-side texts stack, the tables keep their five columns) and prints
on A4 landscape.  The marks read in grey too: copied passages are underlined as well as
shaded, stale years boxed — never colour alone.  The template is
``templates/compare/page.html.j2``; the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ..check.crossyear import MIN_SAID
from ..check.repetition import DEFINITIONS, MIN_RUN
from ..findings import CARRIED_RULES, CROSS_YEAR_RULES, LEVEL_NAMES, Finding
from ..render.outline import environment
from .changes import MOVES, CellChange, figure
from .pair import COPIED, STALE, Comparison, Piece

if TYPE_CHECKING:
    from .folders import Folders

# the page's style: one sheet, no url() (nothing is fetched)
CSS = """
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:1200px;padding:16px 20px;font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",SimHei,sans-serif;font-size:15px;line-height:1.65;color:#111;background:#fff}
h1{font-size:22px;margin:0 0 4px;line-height:1.35}
h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid #333;break-after:avoid;page-break-after:avoid}
h3{font-size:16px;margin:18px 0 6px;break-after:avoid;page-break-after:avoid}
p{margin:4px 0}
.sources{color:#444;font-size:14px;margin:0 0 8px}
.sources span{overflow-wrap:anywhere}
.rates{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:12px;margin:12px 0}
.rate{border:1px solid #555;padding:10px 12px;break-inside:avoid}
.rate .name{font-weight:bold}
.rate .value{font-size:30px;font-weight:bold;line-height:1.2}
.rate .of{font-size:13px;color:#444}
.rate .means{font-size:13px;margin-top:6px}
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0 12px}
caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #777;padding:3px 6px;vertical-align:top}
thead th{background:#eee;text-align:center;white-space:nowrap}
th{font-weight:normal;text-align:left}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}
table.cells col.column{width:40%}
table.cells th.row{background:#f4f4f4;font-weight:bold}
table.cells tbody,.pair{break-inside:avoid;page-break-inside:avoid}
tr.moved td,tr.moved th{font-weight:bold}
td.defect{outline:2px dashed #000;outline-offset:-3px}
.note{color:#555;font-weight:normal}
.defect .parts{display:block;font-size:12px;font-weight:normal;white-space:normal}
table.cells tbody.same th.row{font-weight:normal}
table.cells tbody.zero th.row{font-weight:normal;background:none}
.notes{border:2px solid #333;padding:6px 10px 6px 2em;margin:8px 0}
.notes li{margin:2px 0}
ol.moves li{margin:2px 0}
.legend{font-size:14px;border:1px solid #999;padding:6px 10px;margin:8px 0}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0 20px;border-top:1px solid #bbb;padding-top:6px;margin-top:10px}
.pair h3{grid-column:1/-1;margin-top:4px}
.pair .side{min-width:0}
.pair .year{font-size:13px;color:#444;margin:0 0 2px}
.pair p{text-indent:2em;text-align:justify;overflow-wrap:anywhere}
.pair .none{color:#666;text-indent:0}
mark{color:inherit;-webkit-print-color-adjust:exact;print-color-adjust:exact}
mark.copied{background:#ffe58a;text-decoration:underline;text-decoration-thickness:2px;text-underline-offset:3px}
mark.stale{background:#fff;border:2px solid #000;font-weight:bold;padding:0 1px}
ul.findings{padding-left:1.4em}
ul.findings li{margin:2px 0}
.level-error{font-weight:bold}
.ok{color:#333}
table.index td,table.index th{white-space:nowrap}
table.index td:nth-child(2),table.index th[scope=row]{white-space:normal}
table.index tr.failed th,table.index tr.failed td{font-weight:bold}
table.index td.hit{background:#eee}
table.unpaired td{white-space:normal}
.summary{font-size:16px;margin:8px 0}
@media (max-width:700px){
body{padding:10px 10px;font-size:15px}
table.index thead{display:none}
table.index,table.index tbody,table.index tr{display:block;width:100%}
table.index tr{border:1px solid #777;margin:0 0 10px;padding:4px 6px;box-sizing:border-box}
table.index td,table.index th[scope=row]{display:flex;justify-content:space-between;border:none;padding:1px 0;text-align:left;white-space:normal}
table.index td::before,table.index th[scope=row]::before{content:attr(data-label);color:#444;font-weight:normal;padding-right:12px}
h1{font-size:19px}
.rates{grid-template-columns:1fr}
.rate .value{font-size:26px}
.pair{grid-template-columns:minmax(0,1fr)}
.pair .side+.side{margin-top:8px;padding-top:6px;border-top:1px dashed #999}
table{font-size:13px}
th,td{padding:2px 4px}
}
@media print{
@page{size:A4 landscape;margin:12mm 12mm 14mm}
body{max-width:none;padding:0;font-size:11pt}
h2{font-size:14pt}
.rate .value{font-size:22pt}
a{color:inherit;text-decoration:none}
}
"""

LEGEND_COPIED = f"与上一年度报告连续{MIN_RUN}个字以上相同的文字"
LEGEND_STALE = "指向以往年度的年份（可能是沿用旧报告时未改的，见跨年度核对 X4）"


def percent(share: float) -> str:
    """A rate as a reviewer reads it: 42.3% (one decimal, none when whole)."""
    text = f"{share * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def pieces(paragraph: list[Piece]) -> Markup:
    """A paragraph's pieces with their marks: copied inside, a stale year inside that."""
    out = []
    for piece in paragraph:
        html = escape(piece.text)
        if STALE in piece.marks:
            html = Markup('<mark class="stale">') + html + Markup("</mark>")
        if COPIED in piece.marks:
            html = Markup('<mark class="copied">') + html + Markup("</mark>")
        out.append(html)
    return Markup("").join(out)


def finding(f: Finding) -> Markup:
    return Markup('<span class="level-{}">[{} {}]</span> {}').format(f.level, LEVEL_NAMES[f.level], f.rule, f.describe())


@dataclass(frozen=True)
class TableRows:
    """One table's rows for the cell-by-cell table: those that changed first (a wrong
    printed total counts as a change to look at), then those that did not, then the names
    of the rows zero in both years, folded into one line."""

    table: str
    changed: list[tuple[str, list[CellChange]]]
    same: list[tuple[str, list[CellChange]]]
    zero: list[str]

    @property
    def title(self) -> str:
        """The table's heading on the page: 表二 as it is; the fees, which sit in the report's
        section 六, as 信息处理费（报告“六、其他需要报告的事项”中） — a heading ``六、…`` of its
        own would read as the page's next section (the page has a 六 of its own)."""
        from .changes import FEES_LABEL

        return self.table if self.table.startswith("表") else f"{FEES_LABEL}（报告“{self.table}”中）"


def groups(found: list[CellChange]) -> list[TableRows]:
    """The cells by table, then by row, in printed order within each kind of row."""
    tables: dict[str, dict[str, list[CellChange]]] = {}
    for change in found:
        tables.setdefault(change.cell.table, {}).setdefault(change.cell.row, []).append(change)
    out = []
    for table, rows in tables.items():
        changed, same, zero = [], [], []
        for row, cells in rows.items():
            if not any(c.this or c.last or c.defective for c in cells):
                zero.append(row)
            elif any(c.change != 0 or c.defective for c in cells):
                changed.append((row, cells))
            else:
                same.append((row, cells))
        out.append(TableRows(table, changed, same, zero))
    return out


def same_text(cells: list[CellChange]) -> str:
    """A row the same in both years, in one line: 两年相同：自然人4，总计4（其余各栏为0）."""
    shown = [f"{c.cell.column}{figure(c.this)}" for c in cells if c.this]
    rest = "（其余各栏为0）" if len(shown) < len(cells) else ""
    return "两年相同：" + "，".join(shown) + rest


def unweighed_note(c: Comparison) -> Callable[[str], str]:
    """What the rates' table says beside a section X5 does not weigh."""
    return lambda heading: f"除信息处理费的说明外不足{MIN_SAID}字，X5 不提示" if heading in c.unweighed else ""


def moves_heading(count: int, what: str = "") -> str:
    """变化最大的十项 — or, when fewer figures moved, how many: 有变化的4项（不足十项，全部列出）."""
    if count >= MOVES:
        return f"{what}变化最大的十项"
    if count == 0:
        return f"{what}没有变化"
    return f"{what}有变化的{count}项（不足十项，全部列出）"


@lru_cache(maxsize=1)
def _template():
    return environment().overlay(autoescape=True).get_template("compare/page.html.j2")


@lru_cache(maxsize=1)
def _index_template():
    return environment().overlay(autoescape=True).get_template("compare/index.html.j2")


def index(folders: Folders) -> bytes:
    """The index page of a folder's pairs (``index.html``), as bytes (UTF-8)."""
    from .folders import counts

    years = sorted({(c.last.report.year, c.this.report.year) for row in folders.compared if (c := row.comparison) is not None})
    span = "、".join(f"{a}年与{b}年" for a, b in years) or "两年"
    notes = [*folders.said, *folders.aside, *(f"{row.unit}：{note}" for row in folders.rows for note in row.notes)]
    html = _index_template().render(
        f=folders,
        title=f"各单位{span}政府信息公开工作年度报告比对",
        css=Markup(CSS),
        counts=counts(folders.rows),
        notes=notes,
        percent=percent,
        rules=CROSS_YEAR_RULES,
        carried=CARRIED_RULES,
        definitions={k: DEFINITIONS[k] for k in ("text", "tables", "overall")},
    )
    return html.encode("utf-8")


def render(comparison: Comparison) -> bytes:
    """The page, as bytes (UTF-8)."""
    moved = {c.cell.keys for c in (*comparison.moves, *comparison.proactive)}
    html = _template().render(
        c=comparison,
        css=Markup(CSS),
        definitions=DEFINITIONS,
        percent=percent,
        figure=figure,
        pieces=pieces,
        finding=finding,
        groups=groups(comparison.changes),
        moved=lambda change: change.cell.keys in moved,
        moves_heading=moves_heading,
        same_text=same_text,
        min_said=MIN_SAID,
        legend_copied=LEGEND_COPIED,
        legend_stale=LEGEND_STALE,
    )
    return html.encode("utf-8")
