"""A report rendered into the files it publishes (``nianbao render``): produce, the PDF with
the reason when there is none, the outputs written into a folder that keeps what a clerk
changed.

:func:`nianbao.produce.produce` decides what may be printed and renders it; this adds what
both faces need around it: :func:`to_pdf` (the site's download says the same reason as the
command) and :func:`publish`, which writes the files and tells why it wrote none
(:class:`Stop`), for the face to word with its own options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..produce import Produced

PDF_FAILED = "LibreOffice 未能把报告转换为 PDF"


def to_pdf(produced: Produced) -> tuple[bytes | None, str | None]:
    """(the PDF of a produced report, None) or (None, why LibreOffice made none); the
    report must have been produced with its DOCX."""
    from ..produce import pdfs

    if produced.report is None or produced.date is None or "docx" not in produced.outputs:
        raise ValueError("to_pdf needs a report produced with its DOCX")  # a caller's mistake, not a clerk's
    title = produced.report.title
    done, problem = pdfs([(title, produced.outputs["docx"], produced.date)])
    if title in done:
        return done[title], None
    return None, problem or PDF_FAILED


class Stop(Enum):
    """Why nothing was written."""

    UNREADABLE = "the report cannot be built from the file"
    ERRORS = "the report has errors and no draft was asked for"
    UNREAD_CELLS = "a published report's cells could not be read: a draft would print them as 0"


@dataclass
class Published:
    """What :func:`publish` did: the produce step, why it stopped (None when it wrote), each
    file written with the backup of a changed one, what the reference document lost, and
    the PDF's problem or the note of the fonts standing in."""

    produced: Produced
    stop: Stop | None = None
    written: list[tuple[str, Path | None]] = field(default_factory=list)
    left_out: tuple[str, ...] = ()
    pdf_problem: str | None = None
    font_note: str | None = None


def publish(file: Path, out: Path, wanted: list[str], reference: Path | None = None, draft: bool = False) -> Published:
    """Produce ``file`` in the formats ``wanted`` and write them into ``out`` (a draft with
    ``draft``, also of a report with errors, which it lists first)."""
    from ..produce import Options, produce

    produced = produce(file, wanted, Options(reference, draft, with_errors=True))
    stop = _stopped(produced, draft)
    if stop is not None:
        return Published(produced, stop)
    from ..render.docx import notes as left_out

    done = Published(produced, left_out=left_out(reference))  # what of the reference was left out, never silently
    if "pdf" in wanted:
        _pdf(done)
    _write(done, out, wanted)
    return done


def _stopped(produced: Produced, draft: bool) -> Stop | None:
    if produced.report is None:
        return Stop.UNREADABLE
    if produced.refused and not draft:
        return Stop.ERRORS
    if not produced.outputs:  # a draft of a published report with cells that could not be read: they would print as 0
        return Stop.UNREAD_CELLS
    return None


def _pdf(done: Published) -> None:
    from ..render import pdf

    made, done.pdf_problem = to_pdf(done.produced)
    if made is not None:
        done.produced.outputs["pdf"] = made
        done.font_note = pdf.font_note()  # which official fonts this machine lacks, said once


def _write(done: Published, out: Path, wanted: list[str]) -> None:
    from .. import render as rendering
    from ..system.output import Folder

    folder = Folder(out)
    outputs, report = done.produced.outputs, done.produced.report
    title = report.title if report is not None else ""  # publish() writes only a report it produced
    for target in wanted:
        if target in outputs:
            name = rendering.file_name(title, target)
            done.written.append((name, folder.write(name, outputs[target])))
    folder.save()

