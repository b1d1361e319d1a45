"""The writers: a checked :class:`~nianbao.model.report.Report` → the files a unit publishes.

One document outline (:mod:`.outline`) and one set of table grids with their merges
(:mod:`.grid`) serve every format, so the TXT, the DOCX, the web page and the PDF say
the same and cannot disagree on a merge.  Each format is a module of its own, loaded
only when it is asked for; the PDF is the DOCX converted by LibreOffice (:mod:`.pdf`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import NianbaoError
from ..model.report import Report
from ..system.output import safe_name
from .outline import Unresolved

FORMATS = ("docx", "txt", "html", "fragment", "pdf")
SUFFIXES = {"docx": ".docx", "txt": ".txt", "html": ".html", "fragment": "（网页粘贴用）.html", "pdf": ".pdf"}


class UnknownFormat(NianbaoError, ValueError):
    """--to names a format nianbao does not write."""


def targets(text: str) -> list[str]:
    """``docx,txt,pdf`` → the formats, in the order of :data:`FORMATS`."""
    wanted = {t.strip().lower() for t in text.replace("，", ",").split(",") if t.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown or not wanted:
        raise UnknownFormat(f"--to 只能是 {','.join(FORMATS)} 中的一种或几种（逗号分隔），这里是“{text}”")
    return [t for t in FORMATS if t in wanted]


def file_name(title: str, target: str) -> str:
    return safe_name(title) + SUFFIXES[target]


def render(report: Report, target: str, reference: Path | None = None, draft: bool = False, unresolved: Unresolved | None = None) -> bytes:
    """One format's bytes (not ``pdf``, which needs LibreOffice: see :mod:`.pdf`).  A draft
    carries its mark on every page, and its ``unresolved`` errors before the report (on a
    page of their own in the DOCX, at the top of the page and the text)."""
    if target == "docx":
        from . import docx

        return docx.render(report, reference, draft, unresolved)
    if target == "txt":
        from . import txt

        return txt.render(report, draft, unresolved)
    from . import html

    return html.render(report, draft, unresolved) if target == "html" else html.render_fragment(report, draft, unresolved)
