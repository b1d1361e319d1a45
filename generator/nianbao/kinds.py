"""Which files nianbao reads, by their suffix — known without loading any reader, so that a
command touches only the machinery its files need."""

from __future__ import annotations

from pathlib import Path

REPORT_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx",)
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
