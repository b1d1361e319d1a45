"""Scans made from PDFs with a text layer, the way a unit makes them: printed, stamped with the
red seal, fed crooked through a scanner, saved as JPEG — for the OCR tests and the import
bench.  The text layer of the source tells where things are (the signature, the tables, a
digit to alter), so nothing here guesses positions.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

CORPUS_PDF = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "20_洪泽区政府_2023.pdf"


@dataclass(frozen=True)
class Variant:
    """How a page is scanned."""

    dpi: int = 150
    angle: float = 0.0  # degrees, counter-clockwise
    seal: bool = False  # a red seal over the signature and over a table's corner
    jpeg: int | None = None  # JPEG quality
    noise: float = 0.0  # grey noise (standard deviation, in levels of 255)
    altered: tuple[str, str, str] | None = None  # (the row's label, the digit printed, the digit painted over it)

    @property
    def name(self) -> str:
        parts = [f"{self.dpi}dpi"]
        if self.angle:
            parts.append(f"{self.angle:+.1f}°")
        if self.seal:
            parts.append("seal")
        if self.jpeg:
            parts.append(f"q{self.jpeg}")
        if self.noise:
            parts.append("noise")
        if self.altered:
            parts.append(f"{self.altered[1]}→{self.altered[2]}")
        return "-".join(parts)


def _font(size: int):
    from matplotlib import get_data_path
    from PIL import ImageFont

    return ImageFont.truetype(str(Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), size)


def pages(pdf: Path, variant: Variant, only: list[int] | None = None) -> list[bytes]:
    """The pages of ``pdf`` scanned as ``variant``: PNG, or JPEG with ``variant.jpeg``."""
    import numpy as np
    import pdfplumber
    import pypdfium2 as pdfium
    from PIL import Image

    scale = variant.dpi / 72
    out = []
    document = pdfium.PdfDocument(pdf.read_bytes())
    with pdfplumber.open(pdf) as plumber:
        count = len(plumber.pages)
        for index in only or range(count):
            image = document[index].render(scale=scale).to_pil().convert("RGB")
            page = plumber.pages[index]
            if variant.altered:
                _alter(image, page, variant.altered, scale)
            if variant.seal:
                for x, y in _seal_places(page, index == count - 1):
                    _seal(image, x * scale, y * scale, 42 * scale)
            if variant.angle:
                image = image.rotate(variant.angle, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
            if variant.noise:
                array = np.asarray(image).astype(np.float32)
                rng = np.random.default_rng(index)
                array += rng.normal(0, variant.noise, array.shape[:2])[:, :, None]
                image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
            buffer = io.BytesIO()
            if variant.jpeg:
                image.save(buffer, "JPEG", quality=variant.jpeg)
            else:
                image.save(buffer, "PNG")
            out.append(buffer.getvalue())
    document.close()
    return out


def as_pdf(pictures: list[bytes], dpi: int) -> bytes:
    """Page pictures as one PDF of images (what a scanner saves), each page exactly its picture:
    the pixels are stored as they are (a JPEG's artefacts included), so the PDF's pages and the
    picture files are the same pages to the OCR."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument.new()
    for data in pictures:
        image = Image.open(io.BytesIO(data)).convert("RGB")
        width, height = image.size[0] * 72 / dpi, image.size[1] * 72 / dpi
        page = document.new_page(width, height)
        picture = pdfium.PdfImage.new(document)
        picture.set_bitmap(pdfium.PdfBitmap.from_pil(image))
        picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(picture)
        page.gen_content()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _seal_places(page, last: bool) -> list[tuple[float, float]]:
    """Where the seal goes, in points: over the signature (the last page's unit name above
    the date), and over the top-right corner of the page's first ruled table."""
    places = []
    tables = page.find_tables()
    if tables:
        x0, top, x1, bottom = max(tables, key=lambda t: len(t.rows)).bbox
        places.append((x1 - 30, bottom - 30))  # over the figures of the bottom-right corner
    if last:
        lines = [line for line in page.extract_text_lines() if line["text"].strip()]
        dated = [line for line in lines if "年" in line["text"] and "月" in line["text"] and "日" in line["text"] and len(line["text"]) <= 14]
        if dated:
            line = dated[-1]
            places.append(((line["x0"] + line["x1"]) / 2, line["top"] - 6))
    return places


def _seal(image, cx: float, cy: float, radius: float) -> None:
    """A red seal: a ring, a star and a ring of strokes, laid over the print as ink is
    (multiplied: black print under it stays black)."""
    import numpy as np
    from PIL import Image, ImageDraw

    layer = Image.new("RGB", image.size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    red = (205, 30, 35)
    width = max(2, int(radius / 12))
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=red, width=width)
    star = []
    for k in range(10):
        r = radius * (0.32 if k % 2 == 0 else 0.13)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(star, fill=red)
    rng = random.Random(int(cx * 7 + cy))
    for k in range(16):  # the seal's ring of characters, as strokes
        a = math.pi * (0.8 + 1.4 * k / 15)
        r0, r1 = radius * 0.62, radius * 0.86
        jitter = rng.uniform(-0.05, 0.05)
        draw.line([(cx + r0 * math.cos(a + jitter), cy + r0 * math.sin(a + jitter)), (cx + r1 * math.cos(a), cy + r1 * math.sin(a))], fill=red, width=width)
    merged = np.asarray(image).astype(np.uint16) * np.asarray(layer).astype(np.uint16) // 255
    image.paste(Image.fromarray(merged.astype(np.uint8)))


def _alter(image, page, altered: tuple[str, str, str], scale: float) -> None:
    """The digit ``altered[1]`` in the row labelled ``altered[0]`` painted over as ``altered[2]``
    (the first such digit standing alone in its cell)."""
    from PIL import ImageDraw

    label, old, new = altered
    words = page.extract_words()
    row = next((w for w in words if label in w["text"]), None)
    if row is None:
        return  # not on this page
    digit = next(w for w in words if w["text"] == old and abs((w["top"] + w["bottom"]) / 2 - (row["top"] + row["bottom"]) / 2) < 4 and w["x0"] > row["x1"])
    draw = ImageDraw.Draw(image)
    x0, top, x1, bottom = (v * scale for v in (digit["x0"], digit["top"], digit["x1"], digit["bottom"]))
    draw.rectangle([x0 - 1, top - 1, x1 + 1, bottom + 1], fill=(255, 255, 255))
    font = _font(int((bottom - top) * 1.05))
    draw.text(((x0 + x1) / 2, (top + bottom) / 2), new, fill=(0, 0, 0), font=font, anchor="mm")


def figures_of(spec, data) -> dict:
    """Every figure cell of tables 二, 三 and 四 (a 总计 left out is computed)."""
    out = {}
    for group in spec.table2:
        for item in group.items:
            keys = ("proactive", item.key)
            row = data.get("proactive", {}).get(item.key)
            row = [row] if not isinstance(row, list) else row
            for c, value in enumerate(row):
                out[keys + (c,)] = value
    t3 = spec.table3
    for line, _ in t3.walk():
        if line.key is None or line.is_group:
            continue
        keys = ("applications", *t3.keypath(line))
        node = data
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        row = list(node) if node is not None else [None] * len(t3.all_columns)
        if len(row) == len(t3.columns):
            row.append(sum(row) if None not in row else None)
        for c, value in enumerate(row):
            out[keys + (c,)] = value
    total = ("applications", *t3.keypath(t3.row("total")))
    leaves = [("applications", *t3.keypath(leaf)) for leaf in t3.leaves()]
    if all(out[total + (c,)] is None for c in range(len(t3.all_columns))):  # （七）总计 left out: the report file computes it
        for c in range(len(t3.all_columns)):
            parts = [out[leaf + (c,)] for leaf in leaves]
            out[total + (c,)] = sum(parts) if None not in parts else None
    for group in spec.table4.groups:
        keys = ("appeals", group.key)
        row = list(data.get("appeals", {}).get(group.key) or [None] * len(spec.table4.all_columns))
        if len(row) == len(spec.table4.all_columns) - 1:
            row.append(sum(row) if None not in row else None)
        for c, value in enumerate(row):
            out[keys + (c,)] = value
    return out
