"""Which files nianbao reads, by their suffix — known without loading any reader, so that a
command touches only the machinery its files need."""

from __future__ import annotations

from pathlib import Path

REPORT_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et")  # the old ones are read to say what to do
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .wps, .et: Office 97–2003
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# published reports: the kind of reader each suffix takes
PUBLISHED = {
    ".txt": "txt", ".text": "txt", ".md": "txt", ".markdown": "txt",
    ".docx": "docx",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".mht": "html",
    ".pdf": "pdf",
    ".doc": "old", ".wps": "old", ".rtf": "old", ".odt": "odt",
    ".png": "image", ".jpg": "image", ".jpeg": "image",  # a scan's pages, read by OCR (the ocr extra)
}
PICTURES = frozenset(s for s, kind in PUBLISHED.items() if kind == "image")
MAX_BYTES = 80 * 1024 * 1024  # a published report, or a scan's pictures together: none is near this; more is refused unread


def is_published(path: Path) -> bool:
    return path.suffix.lower() in PUBLISHED


def accepted(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in REPORT_SUFFIXES or suffix in WORKBOOK_SUFFIXES or suffix in PUBLISHED


def _zip_mimetype(data: bytes) -> bytes | None:
    """An OpenDocument file's type: the ODF package's first member is ``mimetype``, stored
    uncompressed, so its content sits right after the first local header."""
    if len(data) < 30 or data[8:10] != b"\x00\x00":  # compression method 0: stored
        return None
    size = int.from_bytes(data[18:22], "little")
    name_length = int.from_bytes(data[26:28], "little")
    extra_length = int.from_bytes(data[28:30], "little")
    if data[30 : 30 + name_length] != b"mimetype" or size > 200:
        return None
    start = 30 + name_length + extra_length
    return data[start : start + size]


def sniff(data: bytes) -> str | None:
    """What a file is by its first bytes, whatever its name says: a .doc renamed .docx,
    a web page saved as .doc, a PDF without its suffix are common on government sites;
    an OpenDocument text (.odt) is a zip that says so in its ``mimetype`` member."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(OLE_MAGIC):
        return "old"
    if data.startswith(b"PK\x03\x04"):
        return "odt" if _zip_mimetype(data) == ODT_MIMETYPE else "zip"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "old"
    lowered = head.lower()
    if (lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in lowered) or lowered.startswith(b"mime-version"):
        return "html"
    return None
