"""TXT output: the document outline through ``templates/report.txt.j2``.

Paragraphs open with two ideographic spaces, as printed reports do; tables are aligned
for a monospace viewer.  The bytes are UTF-8 with a BOM and CRLF line ends, which every
Notepad since Windows XP opens correctly.
"""

from __future__ import annotations

from functools import lru_cache

from ..model.report import Report
from . import textgrid
from .outline import UNRESOLVED, Document, Unresolved, build, environment, paragraphs

WIDTH = 56  # 28 CJK characters, the body line of GB/T 9704
INDENT = "\u3000\u3000"


def _center(text: str, width: int) -> str:
    return " " * max((width - textgrid.width(text)) // 2, 0) + text


def _right(text: str, width: int) -> str:
    return " " * max(width - textgrid.width(text), 0) + text


def _paragraphs(text: str) -> str:
    return "\n".join(INDENT + p for p in paragraphs(text))


@lru_cache(maxsize=1)
def _template():
    env = environment().overlay()
    env.filters.update(
        center=_center,
        right=_right,
        paragraphs=_paragraphs,
        grid=lambda grid: "\n".join(textgrid.render(grid)),
    )
    return env.get_template("report.txt.j2")


def text(document: Document) -> str:
    return _template().render(doc=document, width=WIDTH, unresolved_head=UNRESOLVED)


def render(report: Report, draft: bool = False, unresolved: Unresolved | None = None) -> bytes:
    return ("\ufeff" + text(build(report, draft, unresolved))).replace("\n", "\r\n").encode("utf-8")
