"""The root of nianbao's own errors, and the refusals of its workflows.

Every error nianbao raises on purpose derives from :class:`NianbaoError`, so one
``except NianbaoError`` tells a refusal nianbao can say in Chinese (a wrong reference
document, an unknown format, a defaults file that cannot be used…) from a surprise that
Python or a library raised.  Classes that callers also catch as a builtin (``ValueError``)
keep that builtin as a second base.

The refusals of :mod:`nianbao.workflows` are here, named by what went wrong, because both
faces catch them: the command line says them as usage mistakes (exit 2, by
``cli._Command``), the site as a page's message.  The errors of one room stay in that room
(each named by what went wrong: ``office.OfficeUnavailable``, ``safezip.BadPackage``…).
"""

from __future__ import annotations


class NianbaoError(Exception):
    """An error of nianbao's own; its message is written for the clerk, in Chinese."""


class UnsupportedYear(NianbaoError):
    """A report asked for a year before the standard format began (or none defines)."""


class PreviousYearMismatch(NianbaoError):
    """Last year's report given for the cross-year rules is of another year than the one
    before the report's; the face that took the file says which option or page gave it."""

    def __init__(self, year: int, previous_year: int) -> None:
        super().__init__(f"应为{year - 1}年度的报告，这是{previous_year}年度的")
        self.year, self.previous_year = year, previous_year


class LastYearUnusable(NianbaoError):
    """Last year's report cannot be the ground of a draft: it has errors, or an import of it
    left cells unread (the zeros standing in for them must not be carried into a draft).
    ``findings`` are what was found, for the face to list."""

    def __init__(self, message: str, findings: list) -> None:
        super().__init__(message)
        self.findings = findings


class WouldOverwrite(NianbaoError):
    """A workflow was asked to write over the very file it reads from."""
