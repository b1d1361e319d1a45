"""Scanned pages (a PDF's page pictures, PNG/JPEG files, a web page's pictures) → the lines
every reader gives (:mod:`.lines`), by the offline OCR engine (:mod:`.ocr`).

A page is prepared the way a person looks at it: the red of the seal is taken away (the
red channel of a colour scan shows black print under a red seal as black, and the seal
as white), the page is turned straight (±3°, by the sharpness of its rows), and read at
the resolution it has.  The table's ruling lines give its grid: cells are where the lines
close them, a cell without its line above or to its left is merged (the way a PDF's
ruled table is read), so each row comes out *exact* — a cell printed empty is an empty
cell, a covered cell is no cell.  Text outside the tables becomes lines as a PDF's text
does, and :func:`nianbao.read.importer.layout.lines_of` joins them into paragraphs: after this
module the readers of tables and narratives do the rest, the same as for any PDF.

Every cell of a table keeps where it was read (:class:`ScanCell`: page, box, confidence,
the picture of the cell), so that the figures can be confirmed by the tables' arithmetic
(:mod:`.confirm`) and shown beside their picture on the proof page (:mod:`.proof`).

Bounds: the pixel count of a picture is checked from its header before it is decoded
(an image bomb is refused unread); a page larger than 300 dpi A4 is read scaled down.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .lines import Cell, Line, Unreadable, clean, is_page_number

if TYPE_CHECKING:
    from .layout import Item

MAX_PIXELS = 80_000_000  # a picture's pixels, checked before decoding: A4 at 600 dpi is 35 million
MAX_PAGES = 40  # pages read by OCR in one report (a report is five to fifteen)
SHORT_SIDE = (1240, 2480)  # a page is read with its short side between 150 and 300 dpi of A4
READ_PIXELS = 12_000_000  # and never more pixels than A3 at 300 dpi: the time and memory of one page stay bounded
MIN_PICTURE = 400  # a web page's picture narrower or lower than this is a logo or an icon, not a page
SCORE = 0.9  # recognition confidence under which a figure is not taken
PAPER = 180  # grey levels lighter than this are the paper (print is far darker)

_Progress = Callable[[int, int, str], None]
_progress: list[_Progress] = []


@contextmanager
def progress(callback: _Progress) -> Iterator[None]:
    """Report each page read, ``callback(done, total, where)``, while the block runs (the CLI's
    progress bar): reading a page takes seconds."""
    _progress.append(callback)
    try:
        yield
    finally:
        _progress.remove(callback)


def _tell(done: int, total: int, where: str) -> None:
    for callback in _progress:
        callback(done, total, where)


@dataclass(eq=False)
class ScanCell(Cell):
    """A table cell read from a picture: the text the engine read in it, its confidence (the
    lowest of its boxes), where it is, and the picture of it (PNG) for the proof page."""

    score: float = 1.0
    page: str = ""
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    picture: bytes = b""
    marks: bool = False  # no text was read, but the cell is not blank: something the engine could not read
    loose: bool = False  # a figure of a line read by OCR outside a ruled cell: which box it was is not known


@dataclass
class Page:
    """A page's picture, straightened, with where it came from (``第2页``, a file's name)."""

    where: str
    image: Any  # H×W uint8, black print on white, the seal taken away: what OCR reads
    ruled: Any  # the same page with the seal left in: where the ruling lines are found (those under the seal were not taken away)
    angle: float = 0.0
    scale: float = 1.0  # the page's units per pixel (PDF points, for a PDF's page)


@dataclass
class Read:
    """The lines of the pages read, and what was said reading them."""

    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- the picture ----------------------------------------------------------------------------------------
def decode(data: bytes, where: str) -> tuple[Any, Any]:
    """A picture file's bytes → the page as grey levels (:func:`grey`), refused unread when
    its header announces more pixels than a page can have."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        picture: Image.Image = Image.open(io.BytesIO(data))  # converted below: an Image, no longer the file's
    except Image.DecompressionBombError as exc:  # Pillow's own check of the header, past twice its limit
        raise Unreadable(f"{where}的图片像素多得不像一页扫描件（可能是恶意构造的文件），未读取") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise Unreadable(f"{where}不是能打开的图片（PNG、JPEG），可能已损坏") from exc
    width, height = picture.size
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise Unreadable(f"{where}的图片有{width}×{height}像素，远大于一页扫描件（可能是恶意构造的文件），未读取")
    if picture.format == "JPEG":
        short = min(width, height)
        if short > 2 * SHORT_SIDE[1]:
            picture.draft("RGB", (width * SHORT_SIDE[1] // short, height * SHORT_SIDE[1] // short))  # decoded small
    try:
        picture.seek(0)
        if picture.mode not in ("L", "RGB"):
            picture = picture.convert("RGBA" if "A" in picture.mode or picture.mode == "P" else "RGB")
        if picture.mode == "RGBA":  # transparent parts are the paper
            backdrop = Image.new("RGB", picture.size, (255, 255, 255))
            backdrop.paste(picture, mask=picture.getchannel("A"))
            picture = backdrop
        array = np.asarray(picture)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise Unreadable(f"{where}的图片已损坏，无法读取") from exc
    return grey(array)


def grey(array: Any) -> tuple[Any, Any]:
    """An RGB or grey page → (grey levels in which a red seal is paper and black print under it
    stays black, the page's plain brightness: the ruling lines found in it include the
    stretches under the seal).

    Brightness, not colour, tells print from seal: a JPEG keeps brightness sharp but smears
    colour over two pixels, so a thin black stroke under the seal comes out red-tinged
    while staying dark.  So where the page is red (the seal, a little widened), what is
    darker than the seal's own ink is print and kept, the rest is paper; elsewhere the
    page is its brightness."""
    import cv2
    import numpy as np

    out: np.ndarray
    if array.ndim == 2:
        out = np.array(array, dtype=np.uint8)
        plain = out.copy()
    else:
        rgb = array.astype(np.int16)
        out = cv2.cvtColor(np.ascontiguousarray(array, dtype=np.uint8), cv2.COLOR_RGB2GRAY)
        plain = out.copy()
        red = (rgb[:, :, 0] - np.maximum(rgb[:, :, 1], rgb[:, :, 2])) > 50
        if int(red.sum()) > 200:
            ink = int(np.median(out[red]))  # the seal's own brightness
            reach = max(3, min(out.shape) // 400)
            seal = cv2.dilate(red.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))) > 0
            out[seal & (out >= int(ink * 0.7))] = 255
            # the seal's darkest grains are left as dots around the print: specks, not strokes
            dots = ((out < PAPER) & seal).astype(np.uint8)
            count, labels, stats, _ = cv2.connectedComponentsWithStats(dots, connectivity=8)
            specks = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < max(10, reach * reach))
            specks = specks[specks > 0]
            if specks.size:
                out[np.isin(labels, specks)] = 255
    out[out > PAPER] = 255  # the paper's grain, the scanner's noise: paper
    plain[plain > PAPER] = 255
    return out, plain


def skew(image: Any) -> float:
    """The angle that turns the page straight (a scan fed crooked, up to ±3°): the one that
    makes its rows of print sharpest."""
    import cv2
    import numpy as np

    height, width = image.shape
    factor = 800 / min(height, width)
    small = cv2.resize(image, (max(1, int(width * factor)), max(1, int(height * factor))), interpolation=cv2.INTER_AREA) if factor < 1 else image
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        turned = cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, angle, 1.0), (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = turned.sum(axis=1, dtype=np.float64)
        return float(np.sum(np.diff(rows) ** 2))

    best = max(np.arange(-3.0, 3.01, 0.25), key=sharpness)
    best = max(np.arange(best - 0.2, best + 0.21, 0.05), key=sharpness)
    angle = float(round(best, 2))
    return angle if abs(angle) >= 0.1 else 0.0


def turned(image: Any, angle: float) -> Any:
    import cv2

    if not angle:
        return image
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


def sized(image: Any) -> Any:
    """The page at a resolution the engine reads well: its short side between 150 and 300 dpi
    of A4 (a small web picture enlarged, a 600 dpi scan reduced)."""
    import cv2

    height, width = image.shape
    short = min(height, width)
    low, high = SHORT_SIDE
    factor = 1.0 if low <= short <= high else (low if short < low else high) / short
    factor = min(factor, (READ_PIXELS / (height * width)) ** 0.5)  # a strip a hundred pages long is not read whole
    if factor == 1.0:
        return image
    how = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(image, (int(width * factor), int(height * factor)), interpolation=how)


def page_of(images: tuple[Any, Any], where: str, scale: float = 1.0) -> Page:
    """A decoded page (:func:`grey`), sized and straightened."""
    image, plain = (sized(i) for i in images)
    factor = images[0].shape[1] / image.shape[1]
    angle = skew(image)
    return Page(where, turned(image, angle), turned(plain, angle), angle, scale * factor)


# -- reading pages --------------------------------------------------------------------------------------
def read_pages(pages: list[tuple[int, str, Callable[[], Page]]]) -> list[Item]:
    """The items of :func:`nianbao.read.importer.layout.lines_of` (page, top, x0, x1, a text line or
    a table's rows) of every page, read by OCR; each page is (its number, where it is, how
    to get its picture), decoded only when its turn comes (one page in memory at a time)."""
    from . import ocr

    if len(pages) > MAX_PAGES:
        raise Unreadable(f"扫描件有{len(pages)}页：一份年度报告不过十几页，这不像年度报告（最多识别{MAX_PAGES}页），未读取")
    if not ocr.available():
        raise Unreadable(ocr.MISSING)
    items: list[Item] = []
    for done, (number, where, load) in enumerate(pages):
        _tell(done, len(pages), where)
        page = load()
        items += _items(page, number, ocr.recognise(page.image))
    _tell(len(pages), len(pages), "")
    return items


def read_pictures(pictures: list[tuple[str, bytes]]) -> list[Line]:
    """Picture files (PNG, JPEG) of one report's pages, in the order given → lines."""
    from .layout import lines_of

    def loader(name: str, data: bytes) -> Callable[[], Page]:
        return lambda: page_of(decode(data, name), name)

    pages = [(n, f"第{n}页（{name}）" if len(pictures) > 1 else name, loader(name, data)) for n, (name, data) in enumerate(pictures, start=1)]
    return [replace(line, scanned=True) for line in lines_of(read_pages(pages))] + [Line("", [], None, "扫描图片", notes=(NOTE,))]


NOTE = "报告是扫描图片，已用离线文字识别（OCR）读取：表中的数字都经表格的合计核对，核对不上或看不清的留空，请对照校对页补填"


def header_size(data: bytes) -> tuple[int, int] | None:
    """A picture's size from its header, without decoding it; None when it is no picture."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _items(page: Page, number: int, boxes: list) -> list[Item]:
    grids = [grid for grid in _grids(page.ruled, page.image) if grid.rows]
    inside: dict[int, list] = {id(g): [] for g in grids}
    outside: list = []  # the boxes in no grid, of the same kind as ``boxes``
    for box in boxes:
        grid = next((g for g in grids if g.holds(box.cx, box.cy)), None)
        (inside[id(grid)] if grid is not None else outside).append(box)
    s = page.scale
    height = page.image.shape[0]
    items: list[Item] = []
    for line in _text_lines(outside):
        text = _joined(line)
        top = min(b.y0 for b in line)
        if is_page_number(text) and (top < height * 0.12 or top > height * 0.8):
            continue
        items.append((number, top * s, min(b.x0 for b in line) * s, max(b.x1 for b in line) * s, text))
    for grid in grids:
        items.append((number, grid.top * s, grid.left * s, grid.right * s, grid.cells(page, inside[id(grid)])))
    items.sort(key=lambda item: (item[1], item[2]))
    return items


def _text_lines(boxes: list) -> list[list]:
    """Boxes on one line of print, each line left to right, lines top to bottom."""
    lines: list[list] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        for line in lines:
            top, bottom = min(b.y0 for b in line), max(b.y1 for b in line)
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap >= 0.5 * min(box.height, bottom - top):
                line.append(box)
                break
        else:
            lines.append([box])
    for line in lines:
        line.sort(key=lambda b: b.x0)
    lines.sort(key=lambda line: min(b.y0 for b in line))
    return lines


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _joined(line: list, gap: str = "  ") -> str:
    """The boxes of one line as text: a wide gap is a column (two spaces, as aligned text
    writes columns), a narrow one a space between words, nothing next to a Chinese character."""
    out = ""
    height = max(b.height for b in line)
    previous = None
    for box in line:
        if previous is not None:
            space = box.x0 - previous.x1
            if space > 1.5 * height:
                out += gap
            elif not (_CJK.match(out[-1:]) or _CJK.match(box.text[:1])):
                out += " "
        out += box.text
        previous = box
    return clean(out)


# -- tables ---------------------------------------------------------------------------------------------
@dataclass
class _Grid:
    """A ruled table on a page: its lines' positions and the cells they close."""

    ys: list[int]
    xs: list[int]
    regions: list[tuple[int, int, int, int, int, int]]  # (row, col, top, left, bottom, right) of each cell, merges included
    marks: list[bool]  # something printed in the cell (blank cells are white)
    rows: int = 0

    @property
    def top(self) -> int:
        return self.ys[0]

    @property
    def left(self) -> int:
        return self.xs[0]

    @property
    def right(self) -> int:
        return self.xs[-1]

    def holds(self, x: float, y: float) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]

    def cells(self, page: Page, boxes: list) -> list[list[ScanCell | None]]:
        """The rows as a PDF's ruled table gives them: each row's cells left to right, a cell
        covered by a merge is None."""
        width = len(self.xs) - 1
        texts: list[list] = [[] for _ in self.regions]
        for box in boxes:
            at = self._region_of(box)
            if at is not None:
                texts[at].append(box)
        rows: list[list[ScanCell | None]] = [[None] * width for _ in range(len(self.ys) - 1)]
        for at, (row, col, top, left, bottom, right) in enumerate(self.regions):
            found = texts[at]
            text = "".join(_joined(line, gap=" ") for line in _text_lines(found)) if found else ""
            cell = ScanCell(
                text,
                score=min((b.score for b in found), default=1.0),
                page=page.where,
                box=(left, top, right, bottom),
                picture=_picture(page.ruled, (left, top, right, bottom)),  # as printed, seal and all
                marks=not found and self.marks[at],
            )
            rows[row][col] = cell
        return [row for row in rows if any(c is not None for c in row)]

    def _region_of(self, box) -> int | None:
        best, distance = None, None
        for at, (_, _, top, left, bottom, right) in enumerate(self.regions):
            if left <= box.cx <= right and top <= box.cy <= bottom:
                return at
            d = max(left - box.cx, box.cx - right, 0) + max(top - box.cy, box.cy - bottom, 0)
            if distance is None or d < distance:
                best, distance = at, d
        return best


def _picture(image: Any, box: tuple[int, int, int, int]) -> bytes:
    """The cell's picture as PNG, at most 64 pixels high (enough to read a figure)."""
    import cv2
    import numpy as np

    left, top, right, bottom = box
    crop = image[max(0, top) : bottom + 1, max(0, left) : right + 1]
    if crop.size == 0:
        return b""
    height = crop.shape[0]
    inner = crop[height // 8 : height - height // 8, :]  # the cell's print, its ruling lines aside
    columns = np.flatnonzero((inner < 128).sum(axis=0) > 0)
    columns = columns[(columns > 4) & (columns < crop.shape[1] - 5)]
    if columns.size and crop.shape[1] > 3 * height:  # a wide cell: its print and some paper around it, not a page-wide strip
        pad = height
        crop = crop[:, max(0, columns[0] - pad) : columns[-1] + pad + 1]
    if crop.shape[0] > 64:
        factor = 64 / crop.shape[0]
        crop = cv2.resize(crop, (max(1, int(crop.shape[1] * factor)), 64), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".png", crop)
    return encoded.tobytes() if ok else b""


def _positions(values: list[float], tolerance: float) -> list[int]:
    """Line positions, the strokes of one ruling line (thick, doubled or broken) as one."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(round(sum(group) / len(group))) for group in out]


def _grids(ruled: Any, image: Any) -> list[_Grid]:
    """The ruled tables of a page: the lines found in ``ruled`` (the seal left in), what the
    cells hold in ``image`` (the seal taken away)."""
    import cv2

    height, width = image.shape
    _, lined = cv2.threshold(ruled, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    tol = max(3, width // 400)
    bridged = cv2.morphologyEx(lined, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (tol, tol)))
    across = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(30, width // 25), 1)))
    down = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, height // 70))))
    frame = cv2.dilate(cv2.bitwise_or(across, down), cv2.getStructuringElement(cv2.MORPH_RECT, (2 * tol + 1, 2 * tol + 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(frame, connectivity=8)
    grids: list[_Grid] = []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        if w < width * 0.25 or h < tol * 8:
            continue
        grid = _grid(ink, across, down, (x, y, x + w, y + h), tol)
        if grid is not None:
            grids.append(grid)
    return grids


def _grid(ink: Any, across: Any, down: Any, area: tuple[int, int, int, int], tol: int) -> _Grid | None:
    """The ruled table in ``area``: its ruling lines (:func:`_rulings`), its cells merged
    where no line parts them (:func:`_merged`), and which cells hold a mark."""
    spans = _rulings(ink, across, down, area)
    xs = _positions([s[0] for s in spans[1]], 2 * tol)
    ys = _positions([s[0] for s in _closing(spans[0], xs, tol)], 2 * tol)
    xs = _positions([s[0] for s in _closing(spans[1], ys, tol)], 2 * tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    regions = []
    marks = []
    lines = across | down
    for cells in _merged(across, down, ys, xs, tol):
        r0, c0 = min(cells)
        r1, c1 = max(r for r, _ in cells), max(c for _, c in cells)
        top, left, bottom, right = ys[r0], xs[c0], ys[r1 + 1], xs[c1 + 1]
        regions.append((r0, c0, top, left, bottom, right))
        inner = ink[top + 2 * tol : bottom - 2 * tol, left + 2 * tol : right - 2 * tol]
        clear = lines[top + 2 * tol : bottom - 2 * tol, left + 2 * tol : right - 2 * tol]
        dots = (inner > 0) & (clear == 0)
        marks.append(bool(inner.size) and int(dots.sum()) >= max(12, tol * tol * 2))
    order = sorted(range(len(regions)), key=lambda i: (regions[i][0], regions[i][1]))
    grid = _Grid(ys, xs, [regions[i] for i in order], [marks[i] for i in order])
    grid.rows = n_rows if n_rows >= 2 and n_cols >= 2 else 0
    return grid


def _rulings(ink: Any, across: Any, down: Any, area: tuple[int, int, int, int]) -> list[list[tuple[float, int, int]]]:
    """[horizontal, vertical] line segments in ``area``: (position across the line, where it
    starts, where it ends); a thick stroke is no ruling line."""
    import cv2

    x0, y0, x1, y1 = area
    thin = max(4.0, ink.shape[1] / 300)  # a ruling line is at most about 1 pt wide: 4 px at 150 dpi, 8 at 300
    spans = []
    for mask, horizontal in ((across, True), (down, False)):
        part = mask[y0:y1, x0:x1]
        count, _, stats, _ = cv2.connectedComponentsWithStats(part, connectivity=8)
        found = []  # (position across the line, where it starts, where it ends)
        for label in range(1, count):
            x, y, w, h, size = stats[label]
            if size / max(w if horizontal else h, 1) > thin:
                continue  # a thick stroke: the seal's ring or star, a bar of print — not a ruling line
            found.append((y0 + y + h / 2, x0 + x, x0 + x + w) if horizontal else (x0 + x + w / 2, y0 + y, y0 + y + h))
        spans.append(found)
    return spans


def _closing(segments: list, stops: list[int], tol: int) -> list:
    """The segments that run from one crossing line to the next at least: a ruling line
    closes a cell; a run of print inside a cell touches no line."""
    return [s for s in segments if any(s[1] <= a + 2 * tol and s[2] >= b - 2 * tol for a, b in zip(stops, stops[1:]))]


def _covered(mask: Any, rows: slice, cols: slice, axis: int) -> bool:
    """A line drawn along most (60%) of this stretch of ``mask``."""
    import numpy as np

    part = mask[rows, cols]
    if part.size == 0:
        return False
    return float(np.mean(part.max(axis=axis) > 0)) >= 0.6


def _merged(across: Any, down: Any, ys: list[int], xs: list[int], tol: int) -> list[list[tuple[int, int]]]:
    """The grid's cells, (row, column), grouped where no ruling line parts neighbours (a merged cell)."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            here = r * n_cols + c
            if r > 0 and not _covered(across, slice(ys[r] - 2 * tol, ys[r] + 2 * tol + 1), slice(xs[c] + 2 * tol, xs[c + 1] - 2 * tol), 0):
                parent[find(here)] = find(here - n_cols)
            if c > 0 and not _covered(down, slice(ys[r] + 2 * tol, ys[r + 1] - 2 * tol), slice(xs[c] - 2 * tol, xs[c] + 2 * tol + 1), 1):
                parent[find(here)] = find(here - 1)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            members.setdefault(find(r * n_cols + c), []).append((r, c))
    return list(members.values())
