"""A :class:`~nianbao.render.grid.Grid` as aligned plain text for a monospace viewer.

CJK characters take two columns (wcwidth); long labels wrap inside their column;
merged cells print once, at the top left of their span.  No box drawing, so the text
survives any code page and reads back cleanly.
"""

from __future__ import annotations

from wcwidth import wcswidth, wcwidth

from .grid import Cell, Grid

GAP = 2  # spaces between columns


def width(text: str) -> int:
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def wrap(text: str, limit: int) -> list[str]:
    """Break ``text`` into lines no wider than ``limit`` display columns."""
    if not text:
        return [""]
    lines, current, used = [], "", 0
    for char in text:
        w = max(wcwidth(char), 0)
        if used + w > limit and current:
            lines.append(current)
            current, used = "", 0
        current += char
        used += w
    lines.append(current)
    return lines


def _span_width(widths: list[int], cell: Cell) -> int:
    return sum(widths[cell.col : cell.col + cell.colspan]) + GAP * (cell.colspan - 1)


def column_widths(grid: Grid, label_limit: int) -> list[int]:
    limit = [label_limit if c < grid.label_cols else 10**6 for c in range(grid.ncols)]
    widths = [0] * grid.ncols
    for cell in grid.cells:
        if cell.colspan == 1:
            widths[cell.col] = max(widths[cell.col], min(width(cell.text), limit[cell.col]))
    for cell in sorted(grid.cells, key=lambda c: c.colspan):
        if cell.colspan > 1:
            wanted = min(width(cell.text), sum(limit[cell.col : cell.col + cell.colspan]))
            short = wanted - _span_width(widths, cell)
            if short > 0:
                widths[cell.col + cell.colspan - 1] += short
    return widths


def render(grid: Grid, label_limit: int = 40) -> list[str]:
    widths = column_widths(grid, label_limit)
    wrapped = {id(cell): wrap(cell.text, _span_width(widths, cell)) for cell in grid.cells}
    heights = [1] * grid.nrows
    for cell in grid.cells:
        if cell.rowspan == 1:
            heights[cell.row] = max(heights[cell.row], len(wrapped[id(cell)]))
    for cell in grid.cells:
        if cell.rowspan > 1:
            need = len(wrapped[id(cell)]) - sum(heights[cell.row : cell.row + cell.rowspan])
            if need > 0:
                heights[cell.row + cell.rowspan - 1] += need
    tops = [sum(heights[:r]) for r in range(grid.nrows)]
    starts = [sum(widths[:c]) + GAP * c for c in range(grid.ncols)]
    canvas: list[dict[int, str]] = [dict() for _ in range(sum(heights))]
    for cell in grid.cells:
        span = _span_width(widths, cell)
        lines = wrapped[id(cell)]
        # numbers sit on the last line of a row whose label wraps, so that the label
        # reads on unbroken by figures
        offset = sum(heights[cell.row : cell.row + cell.rowspan]) - len(lines) if cell.kind == "number" else 0
        for i, text in enumerate(lines, start=offset):
            pad = span - width(text)
            if cell.kind == "number":
                text = " " * pad + text
            elif cell.kind == "head":
                text = " " * (pad // 2) + text
            canvas[tops[cell.row] + i][starts[cell.col]] = text
    return [_join(line) for line in canvas]


def _join(pieces: dict[int, str]) -> str:
    out, used = "", 0
    for start in sorted(pieces):
        out += " " * (start - used) + pieces[start]
        used = start + width(pieces[start])
    return out.rstrip()
