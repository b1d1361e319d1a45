"""One county intake: the folders a county office was sent → the units, each file once.

``aggregate``, ``batch`` (and the coming web front) take in a county's files this one way:
collect the files under the folders given (outputs of an earlier run left out), name each
as the clerk finds it, process each distinct file once (a copy with the same bytes is
said, not counted twice) and, once every unit is known, apply the county rules (rule B):
files that claim one unit, of another year or format than most, units on the list that
sent nothing or names not on it.  Loading and rendering each unit is the caller's
(:mod:`nianbao.produce`); this module says which files and what the rules found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding
from . import rules as county
from .filenames import in_gbk
from .filenames import notes as name_notes


@dataclass
class Intake:
    """The files found under ``roots``: each with the name the clerk knows it by; the
    distinct ones to process, in order; the copies, each with the file it copies and its
    finding."""

    roots: list[Path]
    sources: list[Path]
    names: dict[Path, str]
    unique: list[Path]
    copies: dict[Path, tuple[Path, Finding]] = field(default_factory=dict)

    @property
    def gbk(self) -> int:
        """How many file names were written in GBK (said once for all)."""
        return sum(in_gbk(county.relative(s, self.roots)) for s in self.sources)

    def name_notes(self, source: Path) -> list[str]:
        """What the file's name itself needs said (bytes of no encoding, invisible controls)."""
        return name_notes(county.relative(source, self.roots))


def gather(inputs: tuple[Path, ...] | list[Path], *, outside: Path | None, notes: list[str] | None = None, sources: list[Path] | None = None) -> Intake:
    """The files under ``inputs`` (``sources`` when already collected); ``notes`` gets what
    collecting skipped (outputs of an earlier run, a record ignored)."""
    roots = [Path(p) for p in inputs]
    sources = sources if sources is not None else county.collect(roots, outside=outside, notes=notes)
    names = {s: county.shown(s, roots) for s in sources}
    unique, copies = county.duplicates(sources, names)
    return Intake(roots, sources, names, unique, copies)


@dataclass
class Reviewed:
    """What the county rules found besides each entry's own findings: with a unit list,
    the units that sent nothing and, for each, where its report may be (a name not on the
    list that is close to it)."""

    absent: list[str] = field(default_factory=list)
    pointers: dict[str, str] = field(default_factory=dict)
    run: county.Run = field(default_factory=lambda: county.Run(None))


def review(entries: list[county.Entry], expected: list[str] | None, year: int | None = None) -> Reviewed:
    """Rule B over every unit at once: entries that claim one unit, or are not of the run's
    year and format (``year``, else the year most files have), are marked and left out;
    against the unit list when there is one, else names that look like one another."""
    run = county.review(entries, expected or (), year)
    if expected is None:
        county.similar_names(entries)
        return Reviewed(run=run)
    pointers = county.against_list(entries, expected)
    return Reviewed(county.missing(entries, expected)[0], pointers, run)


LIST_NAME = county.LIST_NAME  # the unit list ``nianbao export`` writes into each year's folder


def unit_lists(inputs: tuple[Path, ...] | list[Path]) -> list[Path]:
    """The unit lists the folders given hold (a 名单.txt directly in one, as ``export`` writes
    it): used as ``--units`` when none is given, so that a county total of the exported folder
    names the units that sent nothing.  :func:`~nianbao.county.rules.collect` never reads them
    as reports."""
    return [Path(p) / LIST_NAME for p in inputs if Path(p).is_dir() and (Path(p) / LIST_NAME).is_file()]
