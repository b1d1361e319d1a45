"""A PDF → lines, from its text layer (pdfplumber), in a bounded child process.

Tables drawn with ruling lines are read as real tables: a cell covered by a merge is not
a cell, an empty cell is printed empty, so the rows are exact.  A table that runs on to
the next page needs nothing special: the rows come in reading order, and the repeated
header and the page number between them are not rows of the table.  Text outside the
tables comes as lines; lines of one paragraph wrapped by the page are joined again, and
page numbers and running heads are dropped.  Pages without a text layer are a scan's: with
the ``ocr`` extra they are read by OCR (:mod:`.scan`, rendered at the resolution of their
picture by pdfium in a bounded child process) and join the other pages' lines; without
it the clerk is told what to install.

Only glyphs a reader sees are read (:func:`seen`): not those drawn invisible (text render
mode 3 or 7) — unless they lie over a picture, where they are a scan's OCR layer and
stand for the picture's text —, nor those filled or stroked in the background's colour
(white on a page with no filled shape or picture beneath), under one point, or outside
the page's visible box.  A small digit raised after a figure is read as a superscript
(``12¹``), so that the importer reports a footnote mark instead of reading 121.
"""

from __future__ import annotations

import importlib
import io
import re
import statistics
from dataclasses import replace

from ...system import isolate
from . import glyphs
from .layout import Framed, Item, Rows, framing, lines_of, wordy
from .lines import Line, Unreadable, is_page_number

KIND = "PDF 文件"
MAX_PAGES = 80
MAX_CHARS = 300_000  # characters on one page: no report page has a hundredth of this
SECONDS = 20.0

SCAN = (
    "这个 PDF 是扫描件（只有图片，没有文字层），无法读取其中的文字和数字。"
    "安装离线文字识别（OCR）组件后即可读取：pip install \"nianbao[ocr]\"；"
    "或找到报告的 Word 或网页版本再导入"
)
RENDER_SECONDS = 20.0  # one scanned page drawn by pdfium


def read_pdf(data: bytes) -> list[Line]:
    if b"%PDF" not in data[:1024]:
        raise Unreadable(f"不是有效的{KIND}（文件开头没有 PDF 标记，可能是改了扩展名的其他文件）")
    if isolate.forks():  # imported once here, inherited by every child: a folder of PDFs imported pdfplumber again for each file
        importlib.import_module("pdfplumber")
    try:
        items, notes, scans, count = isolate.run(extract, data, seconds=SECONDS, what=KIND, keep=True)  # a folder of PDFs: one child for many
    except isolate.ChildFailed as exc:
        raise Unreadable(str(exc)) from exc
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer's many kinds of damage, met on some page
        raise Unreadable(f"{KIND}已损坏，读到一半无法继续：请用 PDF 阅读器打开核对，必要时重新下载或改用 Word 版") from exc
    lines = None
    if scans:
        items, told = _scanned(data, items, scans, count)
        notes = notes + told
        pictured = {n for n, _ in scans} if told else set()
        lines = [replace(line, scanned=True) if _page_number(line.where) in pictured else line for line in lines_of(items)]
    lines = (lines if lines is not None else lines_of(items)) + notes
    if count > MAX_PAGES:
        lines.append(Line(f"（PDF 共{count}页，只读取了前{MAX_PAGES}页）", [], None, f"第{MAX_PAGES}页之后"))
    return lines


def _scanned(data: bytes, items: list, scans: list[tuple[int, float]], count: int) -> tuple[list, list[Line]]:
    """The pages that are pictures, read by OCR when the extra is installed (their items
    in PDF points, in place of the picture's); without it, a PDF that is only pictures is
    refused saying what to install, and a picture page among text pages stays a picture."""
    from . import ocr, scan

    if not ocr.available():
        if len(scans) == min(count, MAX_PAGES):
            raise Unreadable(SCAN)
        return items, []

    def loader(number: int, dpi: float):
        def load() -> scan.Page:
            try:
                image, used = isolate.run(render, data, number, dpi, seconds=RENDER_SECONDS, what=f"{KIND}第{number}页")
            except isolate.ChildFailed as exc:
                raise Unreadable(str(exc)) from exc
            return scan.page_of(image, f"第{number}页", scale=72 / used)

        return load

    read = scan.read_pages([(number, f"第{number}页", loader(number, dpi)) for number, dpi in scans])
    scanned = {number for number, _ in scans}
    kept = [item for item in items if not (item[4] is None and item[0] in scanned)]
    merged = sorted(kept + read, key=lambda item: item[0])  # stable: each page keeps its own order
    shown = "、".join(str(n) for n, _ in scans[:8]) + ("等" if len(scans) > 8 else "")
    note = f"第{shown}页是扫描图片，已用离线文字识别（OCR）读取：表中的数字都经表格的合计核对，核对不上或看不清的留空，请对照校对页补填"
    return merged, [Line("", [], None, "扫描页", notes=(note,))]


def render(data: bytes, number: int, dpi: float) -> tuple:
    """Page ``number`` as a picture → (the page in grey levels with the seal's red taken away,
    its dpi).  A page that is one upright picture gives that picture's own pixels (drawing
    it again would blur every digit); any other page is drawn by pdfium at ``dpi`` (the
    resolution of its picture, within 150–300 dpi and a pixel budget).  Runs in the child
    process; a picture announcing more pixels than a page can have is refused undecoded."""
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from .scan import MAX_PIXELS, grey

    document = pdfium.PdfDocument(data)
    try:
        page = document[number - 1]
        width, height = page.get_size()
        pictures = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))
        if len(pictures) == 1 and page.get_rotation() == 0:
            picture = pictures[0]
            matrix = picture.get_matrix()
            left, bottom, right, top = picture.get_bounds()
            wide, high = picture.get_px_size()
            upright = matrix.b == 0 and matrix.c == 0 and matrix.a > 0 and matrix.d > 0
            if upright and (right - left) * (top - bottom) >= 0.8 * width * height and wide * high > 0:
                if wide * high > MAX_PIXELS:
                    raise Unreadable(f"{KIND}第{number}页的图片有{wide}×{high}像素，远大于一页扫描件（可能是恶意构造的文件），未读取")
                array = np.array(picture.get_bitmap(render=False).to_pil().convert("RGB"))
                return grey(array), wide * 72 / (right - left)
        dpi = min(max(dpi, 150.0), 300.0)
        if width * height * (dpi / 72) ** 2 > MAX_PIXELS // 4:
            dpi = 72 * ((MAX_PIXELS // 4) / max(width * height, 1.0)) ** 0.5
        bitmap = page.render(scale=dpi / 72)
        array = np.array(bitmap.to_pil().convert("RGB"))
        return grey(array), dpi
    finally:
        document.close()


def _record_render_modes() -> None:
    """Make pdfplumber's characters carry their text render mode (``rendermode``), which
    pdfminer knows while drawing but does not keep.  Done in the child process only.

    Only the characters of a string drawn in another mode than 0 (filled, the usual one)
    are marked — a character without the mark is filled —, and only such a string's
    characters pass through the marking: a character drawn is pdfminer's innermost loop,
    and one more Python call for each of them cost a few per cent of a PDF's reading."""
    import pdfplumber.page as plumber_page

    if getattr(plumber_page.PDFPageAggregatorWithMarkedContent, "nianbao_modes", False):
        return

    class Aggregator(plumber_page.PDFPageAggregatorWithMarkedContent):
        nianbao_modes = True
        mode = 0

        def render_string(self, textstate, *args, **kwargs):
            mode = getattr(textstate, "render", 0)
            if not mode:
                return super().render_string(textstate, *args, **kwargs)
            self.mode = mode
            vars(self)["render_char"] = self.render_marked  # this string's characters only: pdfminer calls self.render_char
            try:
                return super().render_string(textstate, *args, **kwargs)
            finally:
                del vars(self)["render_char"]

        def render_marked(self, *args, **kwargs):
            advance = super().render_char(*args, **kwargs)
            if self.cur_item._objs:
                self.cur_item._objs[-1].rendermode = self.mode  # type: ignore[attr-defined]  # our own attribute on pdfminer's character
            return advance

    vars(plumber_page)["PDFPageAggregatorWithMarkedContent"] = Aggregator  # the name pdfplumber's pages look up
    plumber_page.ALL_ATTRS.add("rendermode")


def extract(data: bytes) -> tuple[list, list[Line], list[tuple[int, float]], int]:
    """The work done in the child process: (the pages' items, notes, the pages that are
    pictures with their resolution, the page count)."""
    import logging
    import warnings

    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)  # a damaged file's warnings are not the clerk's
    logging.getLogger("pdfplumber").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():  # nor are a library's Python warnings
        warnings.simplefilter("ignore")
        return _extract(data)


def _extract(data: bytes) -> tuple[list, list[Line], list[tuple[int, float]], int]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    _record_render_modes()

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise Unreadable(f"{KIND}设有密码，无法读取：请取消密码后再导入") from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds for a damaged file
        raise Unreadable(f"不是有效的{KIND}，或文件已损坏：请用 PDF 阅读器打开核对，必要时重新下载") from exc
    with pdf:
        try:
            pages = pdf.pages
            count = len(pages)
            items: list[Item] = []  # (page, top, x0, x1, text or rows)
            scans: list[tuple[int, float]] = []  # pages that are only a picture, with its resolution
            notes: list[Line] = []
            mapped: dict[str, int] = {}
            for number, page in enumerate(pages[:MAX_PAGES], start=1):
                if len(page.chars) > MAX_CHARS:
                    raise Unreadable(f"{KIND}第{number}页的文字异常多（{len(page.chars)}个字符），可能是恶意构造的文件，已拒绝读取")
                shown, unseen, ocr = seen(page)
                if glyphs.odd("".join(char.get("text", "") for char in shown.chars)):  # most pages have none
                    for char in shown.chars:  # one set of characters before the reader matches anything
                        char["text"] = glyphs.count_mapped(char.get("text", ""), mapped)
                items += _page(shown, number)
                if not shown.chars and page.images:
                    scans.append((number, _resolution(page.images)))
                    items.append((number, 0.0, 0.0, 0.0, None))
                told = []
                if unseen:
                    sample = "、".join(f"“{c}”" for c in list(dict.fromkeys(unseen))[:6])
                    told.append(f"第{number}页有{len(unseen)}个看不见的字符（如{sample}：设为不显示、与背景同色、小于1磅或在页面之外），未读取")
                if ocr:
                    told.append(f"第{number}页的文字取自扫描图片上的识别文字层（OCR），数字可能识别有误，请与原件逐一核对")
                if told:
                    notes.append(Line("", [], None, f"第{number}页", notes=tuple(told)))
            if mapped:
                notes.append(Line("", [], None, "", notes=(glyphs.mapped_note(mapped),)))
        except Unreadable:
            raise
        except Exception as exc:  # noqa: BLE001
            raise Unreadable(f"{KIND}已损坏，读取时出错（{type(exc).__name__}）") from exc
        return items, notes, scans, count


def _page_number(where: str) -> int | None:
    """The page a line's place names (``第3页第2个表格第5行`` → 3)."""
    found = re.match(r"第(\d+)页", where)
    return int(found.group(1)) if found else None


def _resolution(images: list[dict]) -> float:
    """The dpi of a page's largest picture (its pixels over its size on the page)."""
    best = 0.0
    for image in images:
        size = image.get("srcsize") or (0, 0)
        wide = float(image.get("x1", 0)) - float(image.get("x0", 0))
        if wide > 0 and size[0]:
            best = max(best, float(size[0]) * 72 / wide)
    return best or 200.0


_INVISIBLE_MODES = (3, 7)  # text render modes that neither fill nor stroke
_STROKE_MODES = (1, 5)
_RAISED = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_LOWERED = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _rgb(color) -> tuple[float, float, float] | None:
    """A PDF colour (gray, RGB or CMYK components) as RGB, None when not plain numbers."""
    if not isinstance(color, (tuple, list)) or not all(isinstance(c, (int, float)) for c in color):
        return None
    if len(color) == 1:
        return (float(color[0]),) * 3
    if len(color) == 3:
        return (float(color[0]), float(color[1]), float(color[2]))
    if len(color) == 4:
        c, m, y, k = (float(v) for v in color)
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


_PLAIN_SPACES = ("DeviceGray", "DeviceRGB", "DeviceCMYK", "CalGray", "CalRGB", "ICCBased")


def _plain_space(name) -> bool:
    """A colour space whose numbers are grey, RGB or CMYK levels; in a spot colour
    (Separation) 1.0 is full ink and in an indexed one a number is an entry, not white."""
    return name is None or str(name) in _PLAIN_SPACES


def _white(color) -> bool:
    rgb = _rgb(color)
    return rgb is not None and min(rgb) >= 0.96


def seen(page):
    """(the page with only the glyphs a reader sees, the text of those left out, whether
    an OCR layer over a scan was read)."""
    x0, top, x1, bottom = page.cropbox
    mx0, mtop, mx1, mbottom = page.mediabox
    box = (max(x0, mx0), max(top, mtop), min(x1, mx1), min(bottom, mbottom))
    pictures = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images]
    # filled shapes that are not white: text on them may be white and still be seen
    fills = [
        (r["x0"], r["top"], r["x1"], r["bottom"])
        for r in page.rects
        if r.get("fill") and not _white(r.get("non_stroking_color"))
    ]
    unseen: list[str] = []
    ocr = False
    area = max((box[2] - box[0]) * (box[3] - box[1]), 1.0)

    def backdrop(rect) -> bool:
        """A white unstroked rectangle over a quarter of the page or more: the page's
        background (a cell's white fill is kept: its edges complete a table's grid)."""
        white = rect.get("fill") and not rect.get("stroke") and _white(rect.get("non_stroking_color"))
        return bool(white) and (rect["x1"] - rect["x0"]) * (rect["bottom"] - rect["top"]) >= 0.25 * area

    whites: dict = {}  # a page's glyphs come in a few colours: each judged once

    def white(color) -> bool:
        try:
            known = whites.get(color)
        except TypeError:  # a colour that holds a list (a pattern's operands)
            return _white(color)
        if known is None:
            known = whites[color] = _white(color)
        return known

    def inside(x: float, y: float, boxes) -> bool:
        return any(a <= x <= c and b <= y <= d for a, b, c, d in boxes)

    def visible(obj) -> bool:
        nonlocal ocr
        kind = obj.get("object_type")
        if kind == "rect" and backdrop(obj):
            return False  # a browser's white page background is not a table's frame
        if kind != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        mode = obj.get("rendermode", 0)
        shown = True
        if not (box[0] <= x <= box[2] and box[1] <= y <= box[3]):
            shown = False
        elif (obj.get("size") or 0) < 1.0:
            shown = False
        elif mode in _INVISIBLE_MODES:
            if inside(x, y, pictures):
                ocr = True  # a searchable scan: the invisible text stands for the picture's
            else:
                shown = False
        elif _plain_space(obj.get("ncs")) and white(obj.get("stroking_color") if mode in _STROKE_MODES else obj.get("non_stroking_color")):
            shown = inside(x, y, fills) or inside(x, y, pictures)
        if not shown and obj.get("text", "").strip():
            unseen.append(obj["text"])
        return shown

    # a glyph drawn twice at (almost) the same place — the fake bold of WPS and other
    # producers — is one character to a reader: 12 overprinted reads 12, never 1122
    filtered = page.filter(visible)
    if _doubled(filtered.chars):
        filtered = filtered.dedupe_chars(tolerance=1)
    _mark_raised(filtered.chars)
    return filtered, unseen, ocr


def _doubled(chars: list[dict], tolerance: float = 1) -> bool:
    """Whether pdfplumber's ``dedupe_chars`` would drop a glyph: two glyphs of the same text,
    font and size (and direction) whose ``doctop`` fall in one cluster (values chained
    within ``tolerance``) and whose ``x0`` lie within ``tolerance`` of each other — which is
    when its clustering across puts them in one cluster.  Grouped in one pass over the page
    with plain tuples: the page's glyphs were sorted and clustered by pdfplumber's helpers
    before, a tenth of a PDF's reading, for the pages (most) that have no glyph drawn twice."""
    groups: dict[tuple, list[tuple[float, float]]] = {}
    for char in chars:
        spot = (char["doctop"], char["x0"])
        key = (char["upright"], char["text"], char["fontname"], char["size"])
        same = groups.get(key)
        if same is None:
            groups[key] = [spot]
        else:
            same.append(spot)
    for spots in groups.values():
        if len(spots) < 2:
            continue
        spots.sort()
        row = [spots[0][1]]
        last = spots[0][0]
        for top, x0 in spots[1:]:
            if top <= last + tolerance:
                row.append(x0)
            else:
                if _close(row, tolerance):
                    return True
                row = [x0]
            last = top
        if _close(row, tolerance):
            return True
    return False


def _close(values: list[float], tolerance: float) -> bool:
    """Two of ``values`` within ``tolerance``: one cluster of pdfplumber's ``cluster_list``
    holds more than one value exactly then."""
    if len(values) < 2:
        return False
    values.sort()
    return any(b <= a + tolerance for a, b in zip(values, values[1:]))


def _mark_raised(chars: list[dict]) -> None:
    """A digit set smaller and higher (lower) than the character before it on its line is
    a superscript (subscript): its text becomes ¹ (₁), so that ``12`` with a raised ``1``
    is read as a figure with a footnote mark, not as 121."""
    base = last = None
    for char in chars:
        text = char.get("text", "")
        if base is not None and last is not None and text.isdigit() and text.isascii():
            size = base.get("size") or 0
            near = -0.2 * size <= char["x0"] - last["x1"] <= 0.6 * size
            small = (char.get("size") or 0) <= 0.8 * size
            if near and small and char["bottom"] <= base["bottom"] - 0.2 * size:
                char["text"] = text.translate(_RAISED)
                last = char
                continue
            if near and small and char["bottom"] >= base["bottom"] + 0.15 * size:
                char["text"] = text.translate(_LOWERED)
                last = char
                continue
        if text.strip():
            base = last = char


def _page(page, number: int) -> list[Item]:
    tables = page.find_tables()
    extracted = [table.extract() for table in tables]
    framed = [framing(rows) for rows in extracted]
    hang = 12.0
    if any(framed):
        sizes = [c.get("size") or 0 for c in page.chars]
        hang = statistics.median(sizes) if sizes else hang
    # a box of text holds the punctuation that hangs past its right edge (「有序、」 with the
    # 、 outside the frame, as Word lays out 避头尾): one character's width more
    boxes = [
        (t.bbox[0] - hang, t.bbox[1], t.bbox[2] + hang, t.bbox[3]) if frame else t.bbox
        for t, frame in zip(tables, framed)
    ]

    def within(obj, box) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return box[0] <= x <= box[2] and box[1] <= y <= box[3]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        return not any(within(obj, box) for box in boxes)

    def chars_in(box):
        return page.filter(lambda obj: obj.get("object_type") == "char" and within(obj, box))

    items: list[Item] = []
    around = page.filter(outside) if boxes else page  # a page without ruled tables (most pages of text) is read as it is
    for line in around.extract_text_lines(strip=True, return_chars=False):
        top = float(line["top"])
        if is_page_number(line["text"]) and (top < page.height * 0.12 or top > page.height * 0.8):
            continue
        items.append((number, top, float(line["x0"]), float(line["x1"]), line["text"]))
    for table, rows, box, frame in zip(tables, extracted, boxes, framed):
        content: list = rows
        if frame:
            content = Framed(
                (float(line["top"]), float(line["x0"]), float(line["x1"]), line["text"])
                for line in chars_in(box).extract_text_lines(strip=True, return_chars=False)
                if line["text"].strip()
            ) or rows
        elif len(table.rows) == len(rows):
            extents = []
            for row, cells in zip(table.rows, rows):
                inside = [c for c in page.chars if within(c, row.bbox)] if wordy(cells) is not None else []
                extents.append((min(c["x0"] for c in inside), max(c["x1"] for c in inside)) if inside else None)
            content = Rows(rows, extents)
        items.append((number, float(table.bbox[1]), float(table.bbox[0]), float(table.bbox[2]), content))
    items.sort(key=lambda item: (item[1], item[2]))
    return items
