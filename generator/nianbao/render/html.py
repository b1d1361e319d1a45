"""The report as a web page, the way a 政府信息公开 site carries it.

Two forms from one template (``templates/report.html.j2``):

* a **page**: one standalone HTML5 file — UTF-8, ``lang="zh-CN"``, its style inline in
  the file, no script, nothing fetched — readable on a phone (tables scroll sideways and
  show it, text keeps its size) and printable on A4 (no row split across pages);
* a **fragment**: only the body, every element styled inline, for pasting into a sites
  rich-text editor, which strips ``<style>`` blocks and classes.

On a phone a table wider than the screen shows that it scrolls: a shadow on the side
where more of it is (backgrounds that scroll with the table cover it at either end, so it
shows only while there is more to see — CSS alone, in both forms) and, in the page, a
line under it, "左右滑动查看", from the style sheet (not text a reader of the file or the
importer would take for the report's).  A web or mail address may break anywhere, so the
justified line before it is not stretched to let it start a line.

The tables are the shared grids (:mod:`.grid`) with the DOCXs merges as ``rowspan`` and
``colspan``.  They are data tables a screen reader can follow: header rows in
``<thead>``, every label a ``<th>`` with its ``scope``, and every number cell naming its
row and column headers (``headers``), since tables 三 and 四 have headers on several
levels.  The same input gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from ..model.report import Report
from .grid import Grid, column_widths
from .outline import UNRESOLVED, Document, Unresolved, build, environment, paragraphs

TABLE_MIN_EM, TABLE_PT = 40, 10.5  # below this width a table scrolls rather than squeeze its labels
PHONE_PT, PHONE_PADDING_EM = 14, 0.6  # the body on a phone (PAGE_ONLY's @media)
# the widest screen (px) on which a table is wider than the body: the "左右滑动查看" line shows below it
SCROLLS_BELOW = int((TABLE_MIN_EM * TABLE_PT + 2 * PHONE_PADDING_EM * PHONE_PT) * 4 / 3)
SCROLL_HINT = "← 表格较宽，可左右滑动查看 →"
# Shadows that show a table scrolls: two covers the colour of the page that scroll with the
# table (local) over two shadows fixed at the box's edges (scroll); at either end of the
# table a cover hides the shadow there.  No url(): nothing is fetched.
SCROLL_SHADOWS = (
    "background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left center/2.5em 100% no-repeat local,"
    "linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right center/2.5em 100% no-repeat local,"
    "radial-gradient(farthest-side at 0 50%,rgba(0,0,0,0.3),rgba(0,0,0,0)) left center/1em 100% no-repeat scroll,"
    "radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,0.3),rgba(0,0,0,0)) right center/1em 100% no-repeat scroll"
)
# a web or mail address, in ASCII, not ending on the punctuation after it
ADDRESS = re.compile(r"(?:https?://|www\.)[!-~]*[A-Za-z0-9/#=_~-]|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# One source for both forms: selectors for the pages <style>, the same declarations
# inline in the fragment.
STYLE = {
    "body": "margin:0 auto;max-width:46em;padding:1em;font-family:仿宋_GB2312,仿宋,FangSong,STFangsong,serif;font-size:16pt;line-height:1.75;color:#000;background:#fff",
    "draft": "margin:0 0 0.5em;text-align:center;color:#c00000;font-weight:bold;border:2px solid #c00000;padding:0.3em;position:sticky;top:0;background:#fff;z-index:1",
    "unresolved": "margin:0 0 1.5em;padding:0.5em 1em;border:1px solid #c00000;font-size:12pt;line-height:1.6",
    "unresolved_head": "margin:0 0 0.3em;text-indent:0;font-weight:bold;color:#c00000",
    "unresolved_list": "margin:0;padding-left:2em",
    "unresolved_more": "margin:0.3em 0 0;text-indent:0",
    "h1": "font-family:方正小标宋简体,小标宋,SimSun,宋体,serif;font-size:22pt;font-weight:normal;text-align:center;line-height:1.4;margin:0.6em 0 1em",
    "h2": "font-family:黑体,SimHei,Heiti SC,sans-serif;font-size:16pt;font-weight:normal;margin:0.8em 0 0.2em;text-indent:2em",
    "h3": "font-family:楷体_GB2312,楷体,KaiTi,STKaiti,serif;font-size:16pt;font-weight:normal;margin:0.4em 0 0.2em;text-indent:2em",
    "p": "margin:0;text-indent:2em;text-align:justify;overflow-wrap:anywhere",
    "signature": "margin:0;text-align:right;text-indent:0;padding-right:4em",
    "signature_top": "margin:1.5em 0 0;text-align:right;text-indent:0;padding-right:4em",
    "wrap": "overflow-x:auto;margin:0.5em 0 1em;-webkit-overflow-scrolling:touch;" + SCROLL_SHADOWS,
    "table": f"border-collapse:collapse;width:100%;min-width:{TABLE_MIN_EM}em;font-size:{TABLE_PT}pt;line-height:1.4;font-family:仿宋_GB2312,仿宋,FangSong,SimSun,serif",
    "address": "word-break:break-all",
    "caption": "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)",
    "th": "border:1px solid #000;padding:0.3em;font-weight:normal;text-align:center;vertical-align:middle",
    "th_label": "border:1px solid #000;padding:0.3em;font-weight:normal;text-align:left;vertical-align:middle",
    "td": "border:1px solid #000;padding:0.3em;text-align:center;vertical-align:middle",
}
SELECTORS = {
    "body": "body", "draft": "p.draft", "unresolved": "div.unresolved", "unresolved_head": "div.unresolved p.head", "unresolved_list": "div.unresolved ol",
    "unresolved_more": "div.unresolved p.more", "h1": "h1", "h2": "h2", "h3": "h3", "p": "p", "signature": "p.signature", "signature_top": "p.signature.top", "wrap": "div.table", "address": "span.address",
    "table": "table", "caption": "caption", "th": "th", "th_label": "th.label", "td": "td",
}
PAGE_ONLY = f"""html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
@media (max-width:600px){{body{{font-size:{PHONE_PT}pt;padding:{PHONE_PADDING_EM}em}}h1{{font-size:18pt}}}}
@media (max-width:{SCROLLS_BELOW}px){{div.table::after{{content:"{SCROLL_HINT}";display:block;position:sticky;left:0;width:max-content;max-width:100%;padding:0.2em 0;font-size:10.5pt;color:#555;text-indent:0}}}}
@media print{{@page{{size:A4;margin:37mm 26mm 35mm 28mm}}body{{max-width:none;padding:0}}div.table{{overflow:visible;background:none}}
div.table::after{{content:none}}table{{min-width:0}}thead{{display:table-header-group}}tr,th,td{{break-inside:avoid;page-break-inside:avoid}}
h2,h3{{break-after:avoid;page-break-after:avoid}}}}"""


@dataclass(frozen=True)
class HtmlTable:
    caption: str
    widths: list[str]  # each column's share of the table, as the DOCX lays it out
    head: list[Markup]  # <tr> rows
    body: list[Markup]


@lru_cache(maxsize=32)
def _structure(spec_id: str, name: str, positions: tuple[tuple[int, int, int, int, str], ...], header_rows: int) -> tuple[tuple[str, ...], ...]:
    """Each cell's attributes, by its place in the grid — the same for every report of a
    format, so worked out once: ``th`` with scope and id, ``td`` with its headers."""
    cells: list[dict[str, Any]] = [dict(row=r, col=c, rowspan=rs, colspan=cs, kind=k) for r, c, rs, cs, k in positions]
    by_row: dict[int, list[dict]] = {}
    for cell in cells:
        by_row.setdefault(cell["row"], []).append(cell)
    heading_rows = {r for r, row in by_row.items() if all(c["kind"] in ("head", "corner", "group") for c in row)}

    def ident(cell: dict) -> str:
        return f"{name}-{cell['row']}-{cell['col']}"

    def column_headers(cell: dict) -> list[dict]:
        """The header block above the cell: skip the data rows above it, then take the
        header rows' cells over its columns."""
        found: list[dict] = []
        r = cell["row"] - 1
        while r >= 0 and r not in heading_rows:
            r -= 1
        while r >= 0 and r in heading_rows:
            found += [h for h in by_row[r] if h["col"] < cell["col"] + cell["colspan"] and cell["col"] < h["col"] + h["colspan"]]
            r -= 1
        return list(reversed(found))

    out = []
    for cell in cells:
        spans = (f' rowspan="{cell["rowspan"]}"' if cell["rowspan"] > 1 else "") + (f' colspan="{cell["colspan"]}"' if cell["colspan"] > 1 else "")
        if cell["kind"] == "number":
            rows = [h for h in cells if h["kind"] == "label" and h["row"] <= cell["row"] < h["row"] + h["rowspan"] and h["col"] < cell["col"]]
            headers = " ".join(ident(h) for h in rows + column_headers(cell))
            out.append(("td", f'{spans} headers="{headers}"', "td"))
        elif cell["kind"] == "label":
            scope = "rowgroup" if cell["rowspan"] > 1 else "row"
            out.append(("th", f'{spans} scope="{scope}" id="{ident(cell)}"', "th_label"))
        else:
            scope = "colgroup" if cell["colspan"] > 1 else "col"
            out.append(("th", f'{spans} scope="{scope}" id="{ident(cell)}"', "th_label" if cell["kind"] == "group" else "th"))
    return tuple(out)


def table(grid: Grid, caption: str, prefix: str, spec_id: str, fragment: bool) -> HtmlTable:
    """The grid as HTML rows: header cells as ``th`` with scope and id, number cells as
    ``td`` naming their headers; styled inline in a fragment, by class in a page."""
    ordered = sorted(grid.cells, key=lambda c: (c.row, c.col))
    positions = tuple((c.row, c.col, c.rowspan, c.colspan, c.kind) for c in ordered)
    attributes = _structure(spec_id, prefix, positions, grid.header_rows)
    rows: list[list[str]] = [[] for _ in range(grid.nrows)]
    for cell, (tag, attrs, key) in zip(ordered, attributes):
        look = f' style="{STYLE[key]}"' if fragment else (' class="label"' if key == "th_label" else "")
        rows[cell.row].append(f"<{tag}{attrs}{look}>{escape(cell.text)}</{tag}>")
    html_rows = [Markup("<tr>" + "".join(cells) + "</tr>") for cells in rows]
    twips = column_widths(grid.ncols, grid.label_cols)
    widths = [f"{100 * w / sum(twips):.2f}%" for w in twips]
    return HtmlTable(caption, widths, html_rows[: grid.header_rows], html_rows[grid.header_rows :])


def breakable(text: str, fragment: bool) -> Markup:
    """``text`` escaped, each web or mail address in a span that may break anywhere: a
    justified line would otherwise stretch to 「电 子 版 可 在」 to let the address start the
    next line whole."""
    look = f' style="{STYLE["address"]}"' if fragment else ' class="address"'
    out, last = [], 0
    for match in ADDRESS.finditer(text):
        out += [escape(text[last : match.start()]), Markup(f"<span{look}>{escape(match.group())}</span>")]
        last = match.end()
    return Markup("").join([*out, escape(text[last:])])


@lru_cache(maxsize=1)
def _template():
    return environment().overlay(autoescape=True).get_template("report.html.j2")


def html(document: Document, *, fragment: bool, document_spec: str) -> str:
    tables: dict[int, HtmlTable] = {}
    for n, section in enumerate(document.sections):
        for part in section.parts:
            if part.table is not None:
                name = section.heading.split("、", 1)[-1]
                caption = f"{part.table.name}：{name}"
                tables[id(part.table)] = table(part.table, caption, f"t{n}", document_spec, fragment)
    css = Markup("\n".join(f"{SELECTORS[k]}{{{v}}}" for k, v in STYLE.items()) + "\n" + PAGE_ONLY)
    return _template().render(
        doc=document, fragment=fragment, style=STYLE, css=css, table_of=lambda grid: tables[id(grid)], paragraphs=paragraphs,
        text=lambda p: breakable(p, fragment), unresolved_head=UNRESOLVED,
    )


def render(report: Report, draft: bool = False, unresolved: Unresolved | None = None) -> bytes:
    return html(build(report, draft, unresolved), fragment=False, document_spec=report.spec.id).encode("utf-8")


def render_fragment(report: Report, draft: bool = False, unresolved: Unresolved | None = None) -> bytes:
    """With a byte-order mark: a browser opening the file from disk then reads it as UTF-8."""
    return ("\ufeff" + html(build(report, draft, unresolved), fragment=True, document_spec=report.spec.id)).encode("utf-8")
