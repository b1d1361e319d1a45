"""The report as PDF: the DOCX, converted by LibreOffice.

The PDF is the DOCX as LibreOffice lays it out, so the two cannot differ; many DOCX are
converted by one LibreOffice process (``nianbao batch`` starts one per job).  The PDF's
title and author come from the DOCX's properties (the report's title, the unit); what
LibreOffice stamps from the clock — the creation date, the file identifier and its
checksum — is replaced by values from the report, in place and at the same length so
that the cross-reference table stays valid: the same input gives the same PDF.

On a machine without the official fonts, LibreOffice is told which installed faces stand
in for them (:mod:`.fontsubst`), and :func:`font_note` says so once a run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from pathlib import Path

from . import fontsubst, office

_CREATED = re.compile(rb"/(CreationDate|ModDate)\s*\(D:(\d{14})([^)]*)\)")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")


def stable(pdf: bytes, docx: bytes, date: dt.date) -> bytes:
    """``pdf`` with its dates set to ``date`` and its identifier derived from ``docx``;
    every replacement has the length of what it replaces."""
    digest = hashlib.md5(docx, usedforsecurity=False).hexdigest().upper().encode("ascii")
    stamp = date.strftime("%Y%m%d000000").encode("ascii")

    def created(match: re.Match) -> bytes:
        return match.group(0).replace(match.group(2), stamp, 1)

    def identifier(match: re.Match) -> bytes:
        whole = match.group(0)
        for old in (match.group(1), match.group(2)):
            whole = whole.replace(old, (digest * 4)[: len(old)], 1)
        return whole

    pdf = _CREATED.sub(created, pdf)
    pdf = _ID.sub(identifier, pdf)
    return _CHECKSUM.sub(lambda m: m.group(0).replace(m.group(1), (digest * 4)[: len(m.group(1))]), pdf)


def convert(documents: list[tuple[str, bytes, dt.date]], *, seconds: float = 300) -> dict[str, bytes]:
    """name → PDF for each (name, DOCX bytes, report date), by one LibreOffice process.
    Raises :class:`office.OfficeUnavailable` when LibreOffice is missing or fails."""
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as folder:
        work = Path(folder)
        sources = {}
        for n, (name, data, _) in enumerate(documents):
            path = work / f"{n}.docx"  # plain names: LibreOffice is not given the clerk's file names
            path.write_bytes(data)
            sources[path] = name
        done = office.convert(list(sources), "pdf", work / "pdf", seconds=seconds, stand_ins=fontsubst.stand_ins())
        out = {}
        for (path, name), (_, data, date) in zip(sources.items(), documents):
            if path in done:
                out[name] = stable(done[path].read_bytes(), data, date)
        return out


def font_note() -> str | None:
    """Which official fonts this machine lacks and what stands in for them in the PDF
    (Chinese, said once a run by ``render`` and ``batch``); None when it has them all."""
    return fontsubst.note(fontsubst.stand_ins())
