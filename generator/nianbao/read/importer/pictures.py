"""A saved web page whose report is pictures: each page picture read by OCR in its place.

Sites often publish the signed report as a row of page pictures.  A browser's "save page"
keeps them beside the page (``报告_files/1.jpg``); a picture may also be inside the page
(``data:`` address).  Only those are read: nothing is ever fetched from the network, and a
path that leads out of the page's folder is not followed.  Logos, icons and QR codes are
not pages: a picture narrower or lower than :data:`~.scan.MIN_PICTURE` pixels is left as
it is.  Without the ``ocr`` extra the pictures stay pictures, and the clerk is told what
to install.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..kinds import MAX_BYTES
from .lines import Line

_DATA = re.compile(r"^data:image/(?:png|jpe?g);base64,(.*)$", re.I | re.S)


def picture_bytes(page: Path, source: str) -> bytes | None:
    """The picture ``source`` names (a file beside ``page``, or a ``data:`` address), or None
    when it is on the network, outside the page's folder, missing or too big."""
    embedded = _DATA.match(source)
    if embedded:
        body = embedded.group(1)
        if len(body) > MAX_BYTES * 4 // 3:
            return None
        try:
            return base64.b64decode(re.sub(r"\s+", "", body), validate=True)
        except (binascii.Error, ValueError):
            return None
    parts = urlsplit(source)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # http:, https:, //host/…: never fetched
    folder = page.parent.resolve()
    target = (folder / unquote(parts.path)).resolve()
    if folder not in target.parents or not target.is_file():
        return None
    try:
        if target.stat().st_size > MAX_BYTES:
            return None
        return target.read_bytes()
    except OSError:
        return None


def in_page(page: Path, lines: list[Line]) -> list[Line]:
    """``lines`` with each page picture replaced by the lines read from it."""
    from . import ocr, scan
    from .layout import lines_of

    found: list[tuple[int, str, bytes]] = []
    for at, line in enumerate(lines):
        if line.kind != "image" or not line.source:
            continue
        data = picture_bytes(page, line.source)
        size = scan.header_size(data) if data else None
        if data and size and min(size) >= scan.MIN_PICTURE:
            found.append((at, Path(urlsplit(line.source).path).name if not line.source.startswith("data:") else "网页中的图片", data))
    if not found:
        return lines
    if not ocr.available():
        note = f"网页中的报告是{len(found)}张图片：{ocr.MISSING}"
        return lines + [Line("", [], None, "网页中的图片", notes=(note,))]
    def loader(data: bytes, where: str):
        return lambda: scan.page_of(scan.decode(data, where), where)

    pages = [(number, f"第{number}张图片（{name}）", loader(data, f"第{number}张图片（{name}）")) for number, (_, name, data) in enumerate(found, start=1)]
    items = scan.read_pages(pages)
    out = list(lines)
    for number, (at, _, _) in reversed(list(enumerate(found, start=1))):
        where = pages[number - 1][1]
        mine = [item for item in items if item[0] == number]
        out[at : at + 1] = [replace(line, where=f"{where}{line.where.removeprefix(f'第{number}页')}", scanned=True) for line in lines_of(mine)]
    return out + [Line("", [], None, "网页中的图片", notes=(scan.NOTE.replace("报告是扫描图片", f"网页中的报告是{len(found)}张图片"),))]
