"""Which files nianbao reads, by their suffix — known without loading any reader, so that a
command touches only the machinery its files need."""

from __future__ import annotations

from pathlib import Path

REPORT_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et")  # the old ones are read to say what to do
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .wps, .et: Office 97–2003
# published reports: the kind of reader each suffix takes
PUBLISHED = {
    ".txt": "txt", ".text": "txt", ".md": "txt", ".markdown": "txt",
    ".docx": "docx",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".mht": "html",
    ".pdf": "pdf",
    ".doc": "old", ".wps": "old", ".rtf": "old", ".odt": "old",
}


def is_published(path: Path) -> bool:
    return path.suffix.lower() in PUBLISHED


def accepted(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in REPORT_SUFFIXES or suffix in WORKBOOK_SUFFIXES or suffix in PUBLISHED


def sniff(data: bytes) -> str | None:
    """What a file is by its first bytes, whatever its name says: a .doc renamed .docx,
    a web page saved as .doc, a PDF without its suffix are common on government sites."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(OLE_MAGIC):
        return "old"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "old"
    lowered = head.lower()
    if (lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in lowered) or lowered.startswith(b"mime-version"):
        return "html"
    return None
