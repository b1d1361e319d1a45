"""A :class:`Report` as a document outline every renderer walks the same way.

Title, preamble (generated from the unit facts when the clerk left it out), the six
sections with their exact headings, narrative paragraphs, table grids, the fee
statement and the signature — decided here once, so that TXT and DOCX say the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import jinja2

from ..model.report import Report
from . import grid as layout
from .grid import Grid
from .resources import templates_dir

DRAFT = "【草稿（未经审核，不得发布）】"  # on every output of render --draft
DRAFT_PAGE = "草稿（未经审核，不得发布）"  # in the header of every page of a draft DOCX (and its PDF)
UNRESOLVED = "这份草稿还有以下问题，改正后才能发布："  # over the errors a draft lists before the report


@dataclass(frozen=True)
class Unresolved:
    """What a draft of a report with errors lists before the report (``render --draft``): each
    error and refusal as ``check`` and ``render`` say it, and a line on what else there is."""

    errors: tuple[str, ...]
    more: str = ""  # 另有3个提示…


@dataclass
class Part:
    heading: str | None = None  # （一）… subsection heading
    text: str = ""  # paragraphs separated by newlines
    table: Grid | None = None


@dataclass
class Section:
    heading: str
    parts: list[Part] = field(default_factory=list)


@dataclass
class Document:
    title: str
    preamble: str
    sections: list[Section]
    signature_name: str
    signature_date: str
    draft: str = ""  # the mark a draft carries on every output, or nothing
    unresolved: Unresolved | None = None  # a draft's errors, listed before the report


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["money"] = layout.number
    return env


@cache
def phrases():
    """The phrases' macros, loaded once (asked for again, jinja looks at the file each time)."""
    return environment().get_template("phrases.j2").module


def chinese_date(report: Report) -> str:
    date = report.date
    return f"{date.year}年{date.month}月{date.day}日" if date else ""


def build(report: Report, draft: bool = False, unresolved: Unresolved | None = None) -> Document:
    spec = report.spec
    grids = layout.tables(report)
    sections: list[Section] = []
    for section in spec.sections:
        out = Section(section.heading)
        if section.key in grids:
            out.parts.append(Part(table=grids[section.key]))
        elif section.key == "overview":
            for label, text in report.overview_parts():
                out.parts.append(Part(heading=label, text=text))
        elif section.key == "other_matters":
            fees = report.fees()
            if fees is not None:
                out.parts.append(Part(text=str(phrases().fee_statement(fees))))
            if report.text("other_matters"):
                out.parts.append(Part(text=report.text("other_matters")))
        else:
            out.parts.append(Part(text=report.text(section.key)))
        sections.append(out)
    preamble = report.text("preamble") or str(phrases().preamble(report.unit, report.year, spec))
    mark = DRAFT if draft else ""
    listed = unresolved if draft and unresolved is not None and unresolved.errors else None
    return Document(report.title, preamble, sections, report.unit_name, chinese_date(report), mark, listed)


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs of a narrative, stripped of the indentation clerks type."""
    return [line.strip().lstrip("\u3000") for line in text.split("\n") if line.strip()]
