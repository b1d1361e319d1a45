"""A report to fill in from nothing: the format of its year, or why there is none.

``nianbao init`` writes the file, each key with its Chinese comment; the site starts a
unit's report from the same text.  A year before the standard format (or none defines) is
refused in one sentence (:class:`~nianbao.errors.UnsupportedYear`), whichever face asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UnsupportedYear

if TYPE_CHECKING:
    from ..model.standard import Spec


def spec_for(year: int) -> Spec:
    """The format of ``year``'s report; :class:`UnsupportedYear` when there is none."""
    from ..model.standard import in_force_since, spec_for_year

    spec = spec_for_year(year)
    if spec is None:
        raise UnsupportedYear(f"不支持{year}年度：{in_force_since()}")
    return spec


def blank_text(year: int, unit_name: str | None, header: str | None = None) -> str:
    """An empty report of ``year`` for ``unit_name`` as a report file; ``header`` is its
    comment (default: the report's title)."""
    from ..render.reportfile import blank, dump

    spec = spec_for(year)
    if header is None:
        header = spec.title(unit_name or "（机关名称）", year)
    return dump(spec, blank(spec, year, unit_name), header=header)


def blank_file(file: Path, year: int, unit_name: str | None) -> tuple[Spec, Path | None]:
    """``init``: an empty report written to ``file`` with the fill-in guide in its header;
    (its format, the backup of the file it replaced)."""
    from ..render.reportfile import guide
    from ..system.output import backup, write_atomic

    spec = spec_for(year)
    saved = backup(file) if file.exists() else None
    header = guide(spec.title(unit_name or "（机关名称）", year), file.name)
    write_atomic(file, blank_text(year, unit_name, header).encode("utf-8"))
    return spec, saved
