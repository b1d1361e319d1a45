"""A report written out the ways other tools publish it, for the importer to read back.

Each writer takes nianbao's document outline (the same title, sections and table grids
the renderers use) and lays it out as a web page copied to text (tab-separated cells,
empty fields under merges), a markdown conversion (pipe tables), rows closed by a pipe
without an opening one (``规章 | 0 | 0 | 0 |``), a table flattened one cell per line
between ``|`` lines (an empty cell a separator alone, or an empty line), text extracted
from a PDF (labels wrapped inside
their column, numbers on another line of the label, page numbers and repeated headers
between rows), or a government web page (navigation, breadcrumbs, a metadata block, the
title only in ``<title>``, tables inside layout tables, ``<br>``, ``&nbsp;``, ``<p>`` and
``<span>`` inside cells, a footer and scripts).  What the writers vary is what the
importer must not depend on.
"""

from __future__ import annotations

import html
import random

from nianbao.model.report import Report
from nianbao.render.grid import Grid
from nianbao.render.outline import build, paragraphs


def _fields(grid: Grid, blank_zero: random.Random | None = None, covered_as: str | None = "") -> list[list[str]]:
    """One field per cell that starts in the row; an empty field under a cell spanning rows
    (a web page copied to text does that; ``covered_as=None`` leaves it out); zeros
    sometimes printed as blanks."""
    starts = {(c.row, c.col): c for c in grid.cells}
    covered = {(r, c.col) for c in grid.cells for r in range(c.row + 1, c.row + c.rowspan)}
    rows = []
    for r in range(grid.nrows):
        fields, c = [], 0
        while c < grid.ncols:
            cell = starts.get((r, c))
            if cell is not None:
                text = cell.text
                if blank_zero is not None and cell.kind == "number" and text == "0" and blank_zero.random() < 0.4:
                    text = ""
                fields.append(text)
                c += cell.colspan
            else:
                if (r, c) in covered and covered_as is not None:
                    fields.append(covered_as)
                c += 1
        rows.append(fields)
    return rows


def _document(report: Report):
    doc = build(report)
    yield "title", doc.title
    for p in paragraphs(doc.preamble):
        yield "para", p
    for section in doc.sections:
        yield "heading", section.heading
        for part in section.parts:
            if part.heading:
                yield "subheading", part.heading
            if part.table is not None:
                yield "table", part.table
            for p in paragraphs(part.text):
                yield "para", p
    yield "para", doc.signature_name
    if doc.signature_date:
        yield "para", doc.signature_date


def tabs(report: Report, seed: int = 0) -> str:
    rng = random.Random(seed)
    out = []
    for kind, value in _document(report):
        if kind == "table":
            out += ["\t".join(fields) for fields in _fields(value, rng)]  # type: ignore[arg-type]
        else:
            out.append(value)  # type: ignore[arg-type]
    return "\n".join(out) + "\n"


def markdown(report: Report, seed: int = 0) -> str:
    rng = random.Random(seed)
    out = []
    for kind, value in _document(report):
        if kind == "title":
            out += [f"# {value}", ""]
        elif kind == "heading":
            out += ["", f"## {value}", ""]
        elif kind == "subheading":
            out += [f"### {value}", ""]
        elif kind == "table":
            rows = _fields(value, rng)  # type: ignore[arg-type]
            for i, fields in enumerate(rows):
                out.append("| " + " | ".join(fields) + " |")
                if i == 0:
                    out.append("|" + "---|" * len(fields))
            out.append("")
        else:
            out += [value, ""]  # type: ignore[list-item]
    return "\n".join(out) + "\n"


def cells(report: Report, seed: int = 0) -> str:
    """Every table cell on its own line(s), between lines holding only ``|``."""
    rng = random.Random(seed)
    out = []
    for kind, value in _document(report):
        if kind != "table":
            out.append(value)  # type: ignore[arg-type]
            continue
        for fields in _fields(value, None):  # type: ignore[arg-type]
            for text in fields:
                if not text:
                    continue  # a merge: a flattened page has no cell there
                if len(text) > 6 and not text[0].isdigit() and rng.random() < 0.3:
                    cut = rng.randint(2, len(text) - 2)
                    out += [text[:cut], text[cut:]]  # the converter broke the label
                else:
                    out.append(text)
                out.append("|")
    return "\n".join(out) + "\n"


def cells_blank(report: Report, seed: int = 0) -> str:
    """One cell a line between ``|`` lines, as :func:`cells`, with zeros printed as empty
    cells: a line holding only ``|`` right after the separator (sometimes an empty line
    between them, as some converters write an empty paragraph)."""
    rng = random.Random(seed)
    out = []
    for kind, value in _document(report):
        if kind != "table":
            out.append(value)  # type: ignore[arg-type]
            continue
        for fields in _fields(value, rng, covered_as=None):  # type: ignore[arg-type]
            for text in fields:
                if text:
                    out.append(text)
                elif rng.random() < 0.3:
                    out.append("")
                out.append("|")
    return "\n".join(out) + "\n"


def trailing_pipes(report: Report, seed: int = 0) -> str:
    """Each table row one line, cells separated by `` | `` and the row closed by `` |``
    without an opening pipe (``规章 | 0 | 0 | 0 |``), zeros sometimes printed empty."""
    rng = random.Random(seed)
    out = []
    for kind, value in _document(report):
        if kind != "table":
            out.append(value)  # type: ignore[arg-type]
            continue
        out += [" | ".join(fields) + " |" for fields in _fields(value, rng)]  # type: ignore[arg-type]
    return "\n".join(out) + "\n"


def pdf_text(report: Report, seed: int = 0) -> str:
    """Text as extracted from a PDF without ruling lines: the cells of a row on one line,
    the row's own label wrapped in its column with the numbers beside one of its lines,
    and page breaks (page number, repeated header) between rows."""
    rng = random.Random(seed)
    out: list[str] = []
    page = 1
    for kind, value in _document(report):
        if kind != "table":
            out.append(value)  # type: ignore[arg-type]
            continue
        grid: Grid = value  # type: ignore[assignment]
        header = [" ".join(f for f in fields if f) for fields in _fields(grid)[: grid.header_rows]]
        for r, fields in enumerate(_fields(grid)):
            labels = [f for f in fields if f and not _number(f)]
            numbers = [f for f in fields if _number(f)]
            if r >= grid.header_rows and rng.random() < 0.15:
                page += 1
                out += [f"— {page} —", *header]
            if not numbers or not labels:
                out.append(" ".join(f for f in fields if f))
                continue
            own = labels[-1]
            width = rng.randint(5, 14)
            pieces = [own[i : i + width] for i in range(0, len(own), width)] or [""]
            at = rng.randrange(len(pieces))
            for i, piece in enumerate(pieces):
                words = (labels[:-1] if i == 0 else []) + [piece] + (numbers if i == at else [])
                out.append(" ".join(words))
    return "\n".join(out) + "\n"


def _number(text: str) -> bool:
    return text.replace(".", "", 1).lstrip("-").isdigit()


def webpage(report: Report, seed: int = 0) -> str:
    rng = random.Random(seed)
    e = html.escape
    title = next(value for kind, value in _document(report) if kind == "title")
    site = rng.choice(["某某县人民政府", "中国·某某", "某某市政府信息公开平台"])
    out = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{e(title)}{rng.choice(['_', ' - ', '｜'])}{site}</title>",
        "<script>var nav = ['一、总体情况'];</script><style>td{border:1px solid}</style></head><body>",
        "<div class='top-nav'><a href='/'>首页</a><a>政务公开</a><a>二、主动公开</a></div>",
        "<div class='breadcrumb'>当前位置：首页 &gt; 政府信息公开 &gt; 年度报告</div>",
        "<table class='layout' width='100%'><tr><td>",
        "<table class='meta'><tr><td>索引号：</td><td>000000000/2024-00001</td><td>发布机构：</td><td>办公室</td></tr>"
        f"<tr><td>名称：</td><td>{e(title)}</td><td>发布日期：</td><td>2024-01-20</td></tr></table>",
    ]
    title_shown = rng.random() < 0.5
    for kind, value in _document(report):
        if kind == "title":
            if title_shown:
                out.append(f"<h1 class='title'>{e(value)}</h1>")  # type: ignore[arg-type]
            continue
        if kind == "heading":
            out.append(f"<p><strong>{e(value)}</strong></p>")  # type: ignore[arg-type]
        elif kind == "subheading":
            out.append(f"<p><span style='font-family:楷体'>{e(value)}</span></p>")  # type: ignore[arg-type]
        elif kind == "table":
            out.append(_html_table(value, rng))  # type: ignore[arg-type]
        else:
            out.append(f"<p style='text-indent:2em'>&nbsp;&nbsp;{e(value)}</p>")  # type: ignore[arg-type]
    out += ["</td></tr></table>", "<div class='footer'>主办：某某县人民政府办公室　网站标识码：0000000000</div>",
            "<script>document.write('统计');</script></body></html>"]
    return "\n".join(out)


def _html_table(grid: Grid, rng: random.Random) -> str:
    rows = [[] for _ in range(grid.nrows)]
    for cell in sorted(grid.cells, key=lambda c: (c.row, c.col)):
        text = html.escape(cell.text)
        if cell.kind == "label" and len(cell.text) > 6 and rng.random() < 0.3:
            cut = rng.randint(2, len(cell.text) - 2)
            text = f"{html.escape(cell.text[:cut])}<br/>{html.escape(cell.text[cut:])}"
        if rng.random() < 0.3:
            text = f"<p style='margin:0'><span>{text}</span></p>"
        elif cell.kind == "number" and rng.random() < 0.3:
            text = f"&nbsp;{text}&nbsp;"
        spans = (f" rowspan='{cell.rowspan}'" if cell.rowspan > 1 else "") + (f" colspan='{cell.colspan}'" if cell.colspan > 1 else "")
        rows[cell.row].append(f"<td{spans}>{text}</td>")
    body = "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows)
    return f"<table border='1' cellspacing='0'><tbody>{body}</tbody></table>"


_CN = "一二三四五六"


def variants(report: Report, seed: int = 0) -> str:
    """Tab-separated tables, with what varies from site to site: the title year first, behind
    ``标题：``, after a site's chrome, or not printed at all; sections numbered 第一部分 or
    1.; the tables in an appendix after the narratives."""
    rng = random.Random(seed)
    year, unit = report.year, report.unit_name
    title_style = rng.choice(["standard", "year first", "label", "chrome", "none"])
    heading_style = rng.choice(["standard", "part", "arabic"])
    appendix = rng.random() < 0.5
    out: list[str] = []
    tables: list[tuple[str, Grid]] = []
    section = 0
    for kind, value in _document(report):
        if kind == "title":
            shown = {
                "standard": [value],
                "year first": [f"{year}年{unit}政府信息公开工作年度报告"],
                "label": ["索引号：000000000/2024-00012", f"标题：{value}", "发布日期：2024-01-20"],
                "chrome": ["首页 > 政务公开 > 政府信息公开年报", "【字号：大 中 小】【打印】【关闭】", str(value)],
                "none": [f"本报告统计期限为{year}年1月1日至{year}年12月31日。"],
            }[title_style]
            out += shown
        elif kind == "heading":
            section += 1
            words = str(value).split("、", 1)[1]
            out.append({"standard": str(value), "part": f"第{_CN[section - 1]}部分 {words}", "arabic": f"{section}. {words}"}[heading_style])
            if appendix and section in (2, 3, 4):
                out.append(f"（详见附表{section - 1}）")
        elif kind == "table":
            if appendix:
                tables.append((f"附表{section - 1}", value))  # type: ignore[arg-type]
            else:
                out += ["\t".join(fields) for fields in _fields(value, rng)]  # type: ignore[arg-type]
        else:
            out.append(str(value))
    if tables:
        out.append("附件：")
        for caption, grid in tables:
            out.append(caption)
            out += ["\t".join(fields) for fields in _fields(grid, rng)]
    return "\n".join(out) + "\n"


WRITERS = {
    "variants": variants,
    "tabs": tabs,
    "markdown": markdown,
    "cells": cells,
    "cells_blank": cells_blank,
    "trailing_pipes": trailing_pipes,
    "pdf_text": pdf_text,
    "webpage": webpage,
}
SUFFIXES = {"markdown": ".md", "webpage": ".html"}
