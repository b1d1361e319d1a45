"""A published report's file → its lines, by the file's kind.

Each kind has its reader (:mod:`.text`, :mod:`.html`, :mod:`.docx`, :mod:`.pdf`); old
Word files (.doc, .wps, .rtf) and OpenDocument texts (.odt, known by their ``mimetype``
member) are first converted to .docx by LibreOffice when it is installed — an .odt after
its links to anything outside it are cut (:func:`nianbao.render.office.offline_odt`).
Whatever the kind, the rest of the importer sees only :class:`~.lines.Line` objects.
"""

from __future__ import annotations

from pathlib import Path

from ...system.decode import decode
from ..kinds import MAX_BYTES, sniff
from ..kinds import PUBLISHED as SUFFIXES
from .lines import Line, Unreadable

# text a report is written in: a long report saved by Word as a web page is 1–3 MB; more
# is not a report, and parsing it would cost the clerk minutes and a gigabyte
MAX_TEXT_BYTES = 6 * 1024 * 1024
MAX_LINES = 20_000  # a long report is two or three thousand lines, each table cell one


def kinds() -> str:
    return "、".join(sorted({s for s in SUFFIXES}, key=lambda s: list(SUFFIXES).index(s)))


def _blocks(data: bytes, kind: str) -> int:
    """How many lines a file would give at most, counted in its bytes before any reading —
    reading a million short lines costs more than the clerk should wait."""
    if kind == "txt":
        return data.count(b"\n")
    lowered = data.lower()
    return sum(lowered.count(tag) for tag in (b"<p", b"<br", b"<tr", b"<td", b"<th", b"<div", b"<li", b"<h"))


def _by_content(kind: str, found: str | None) -> str:
    """The reader a file's content asks for, where its name says otherwise."""
    if found == "odt":
        return "odt"  # an OpenDocument text, whatever its name says
    if found == "zip":
        if kind in ("old", "txt", "html", "odt"):
            return "docx"  # a .docx under another name (WPS and some sites do that)
        return kind
    if found == "old" and kind in ("docx", "odt"):
        return "old"  # a .doc renamed .docx
    if found in ("pdf", "html") and kind != found:
        return found  # a PDF without its suffix; a web page saved by Word as .doc
    return kind


def _converted(path: Path, data: bytes, kind: str) -> bytes:
    """An old Word/WPS file or an OpenDocument text as .docx, by LibreOffice (which runs
    offline: :mod:`nianbao.render.office`); an .odt loses its external links first."""
    from ...render import office
    from ...system import safezip

    suffix = ".odt" if kind == "odt" else path.suffix.lower()
    if kind == "odt":
        try:
            data = office.offline_odt(data)
        except safezip.BadPackage as exc:
            raise Unreadable(str(exc)) from exc
    try:
        return office.convert_bytes(data, suffix, "docx")
    except office.OfficeUnavailable as exc:
        if office.soffice() is None:
            what = "OpenDocument 格式（.odt）" if kind == "odt" else "旧版 Word/WPS 格式（.doc/.wps）"
            raise Unreadable(f"这个文件是{what}，nianbao 不能直接读取：请在 Word 或 WPS 中“另存为” .docx 后再导入（安装 LibreOffice 后 nianbao 也可自动转换）") from exc
        raise Unreadable(str(exc)) from exc


def read(path: Path, data: bytes) -> tuple[list[Line], dict[str, str]]:
    """(lines, metadata such as an HTML page's <title>)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise Unreadable(f"不支持的文件类型“{path.suffix or '（无扩展名）'}”：可导入 .txt、.md、.docx、.doc、.wps、.odt、.html、.pdf，以及扫描件的图片 .png、.jpg")
    if len(data) > MAX_BYTES:
        raise Unreadable(f"文件过大（{len(data) // (1024 * 1024)} MB），不像一份年度报告，未读取")
    if not data.strip():
        raise Unreadable("文件是空的")
    kind = _by_content(kind, sniff(data))
    if kind in ("txt", "html") and len(data) > MAX_TEXT_BYTES:
        raise Unreadable(f"文件过大（{len(data) // (1024 * 1024)} MB）：一份年度报告的文字只有几百 KB，这不像年度报告，未读取")
    blocks = _blocks(data, kind) if kind in ("txt", "html") else 0
    if blocks > 5 * MAX_LINES:
        raise Unreadable(f"文件有{blocks}行（段）：一份年度报告不过两三千行，这不像年度报告，未读取")
    if kind in ("old", "odt"):
        data = _converted(path, data, kind)
        kind = "docx"
    if kind == "docx":
        from .docx import read_docx

        return read_docx(data), {}
    if kind == "html":
        from .html import read_html

        lines, meta = read_html(data)
        if any(line.kind == "image" and line.source for line in lines):
            from .pictures import in_page

            lines = in_page(path, lines)
        return lines, meta
    if kind == "image":
        from .scan import read_pictures

        return read_pictures([(path.name, data)]), {}
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(data), {}
    decoded = decode(data)
    if decoded.text is None:
        raise Unreadable("无法识别文件编码：请用记事本“另存为”UTF-8 编码后再试")
    from .text import read_text

    return read_text(decoded.text), {}
